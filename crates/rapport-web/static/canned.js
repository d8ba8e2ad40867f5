// The composer's canned-response picker. Typing "/" at the start of an empty reply box, or
// pressing the "Canned" button, lists the canned responses offered in this conversation's
// inbox; typing filters them by short code or title; choosing one asks the server to fill it in
// for this conversation (contact, agent, inbox, org) and inserts the text. Replying works
// without this script: it only saves typing.
(function () {
  "use strict";
  var root = document.querySelector("[data-canned]");
  var composer = root && root.closest("[data-composer]");
  var box = composer && composer.querySelector("textarea");
  if (!root || !box) return;

  var toggle = root.querySelector("[data-canned-toggle]");
  var pop = root.querySelector("[data-canned-pop]");
  var search = root.querySelector("[data-canned-search]");
  var list = root.querySelector("[data-canned-options]");
  var note = root.querySelector("[data-canned-note]");
  var csrf = document.querySelector("meta[name=csrf-token]");

  var items = null; // loaded on first use
  var shown = [];
  var active = 0;
  // "slash": opened by typing /code in the reply box (which keeps the focus); "button": opened
  // by the button (the search field has the focus).
  var mode = null;

  function say(text, isError) {
    note.textContent = text;
    note.hidden = !text;
    note.classList.toggle("cr-error", !!isError);
  }

  function load() {
    if (items) return Promise.resolve(items);
    return fetch(root.getAttribute("data-canned-list"), {
      credentials: "same-origin",
      headers: { accept: "application/json" },
    })
      .then(function (res) {
        if (!res.ok) throw new Error("list " + res.status);
        return res.json();
      })
      .then(function (page) {
        items = page.items || [];
        return items;
      });
  }

  function matches(item, query) {
    if (!query) return true;
    return item.short_code.indexOf(query) === 0 || item.title.toLowerCase().indexOf(query) === 0 ||
      item.title.toLowerCase().indexOf(" " + query) !== -1;
  }

  function paint(query) {
    query = (query || "").trim().toLowerCase().replace(/^\//, "");
    shown = (items || []).filter(function (i) { return matches(i, query); });
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.textContent = "";
    shown.forEach(function (item, n) {
      var li = document.createElement("li");
      li.className = "cr-option" + (n === active ? " active" : "");
      li.id = "cr-option-" + n;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", n === active ? "true" : "false");
      li.setAttribute("data-canned-id", item.id);
      var head = document.createElement("span");
      head.className = "cr-option-head";
      var code = document.createElement("span");
      code.className = "cr-option-code";
      code.textContent = "/" + item.short_code;
      var title = document.createElement("span");
      title.className = "cr-option-title";
      title.textContent = item.title;
      head.appendChild(code);
      head.appendChild(title);
      var body = document.createElement("span");
      body.className = "cr-option-body";
      body.textContent = item.body.replace(/\s+/g, " ");
      li.appendChild(head);
      li.appendChild(body);
      // mousedown, not click: the reply box must not lose its focus (and close the list) first.
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        choose(item);
      });
      list.appendChild(li);
    });
    var focusOwner = mode === "slash" ? box : search;
    if (shown.length) {
      focusOwner.setAttribute("aria-activedescendant", "cr-option-" + active);
      say("");
    } else {
      focusOwner.removeAttribute("aria-activedescendant");
      say(root.getAttribute(items && items.length ? "data-empty" : "data-none"));
    }
  }

  function open(how, query) {
    mode = how;
    pop.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    box.setAttribute("aria-expanded", how === "slash" ? "true" : "false");
    load().then(
      function () { if (mode) paint(query); },
      function () { say(root.getAttribute("data-failed"), true); }
    );
  }

  function close() {
    mode = null;
    pop.hidden = true;
    active = 0;
    toggle.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function insert(text, how) {
    if (how === "slash") {
      box.value = text;
      box.setSelectionRange(text.length, text.length);
    } else {
      var start = box.selectionStart || 0;
      var end = box.selectionEnd || 0;
      box.value = box.value.slice(0, start) + text + box.value.slice(end);
      var at = start + text.length;
      box.setSelectionRange(at, at);
    }
    box.focus();
    // Let other scripts (presence, autosize) see the change as if it were typed.
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function choose(item) {
    var how = mode;
    var url = root.getAttribute("data-canned-render") + encodeURIComponent(item.id) + "/render";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json", "x-csrf-token": csrf ? csrf.content : "" },
    })
      .then(function (res) {
        if (!res.ok) throw new Error("render " + res.status);
        return res.json();
      })
      .then(function (rendered) {
        close();
        insert(rendered.body, how);
      })
      .catch(function () { say(root.getAttribute("data-failed"), true); });
  }

  function step(by) {
    if (!shown.length) return;
    active = (active + by + shown.length) % shown.length;
    paint(mode === "slash" ? box.value : search.value);
    var el = list.children[active];
    if (el) el.scrollIntoView({ block: "nearest" });
  }

  // Keys while the list is open: arrows move, Enter or Tab inserts, Escape closes.
  function keys(e) {
    if (!mode) return;
    if (e.key === "ArrowDown") { e.preventDefault(); step(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); step(-1); }
    else if ((e.key === "Enter" && !e.ctrlKey && !e.metaKey) || (e.key === "Tab" && mode === "slash")) {
      if (!shown.length) return;
      e.preventDefault();
      choose(shown[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      // Keep the page's Escape (leave the text field) from firing too.
      e.stopPropagation();
      var back = mode === "button";
      close();
      if (back) box.focus();
    }
  }

  /** "/code" alone in the reply box: the shortcut, with what follows the slash as the filter. */
  function slashQuery() {
    var m = /^\/([a-z0-9_-]*)$/i.exec(box.value);
    return m ? m[1] : null;
  }

  box.setAttribute("aria-controls", list.id);
  box.addEventListener("input", function () {
    var q = slashQuery();
    if (q !== null) {
      active = 0;
      if (mode === "slash") paint(q); else open("slash", q);
    } else if (mode === "slash") {
      close();
    }
  });
  box.addEventListener("keydown", keys);
  box.addEventListener("blur", function () {
    if (mode === "slash") close();
  });
  search.addEventListener("keydown", keys);
  search.addEventListener("input", function () {
    active = 0;
    paint(search.value);
  });
  toggle.addEventListener("click", function () {
    if (mode === "button") { close(); return; }
    search.value = "";
    active = 0;
    open("button", "");
    search.focus();
  });
  document.addEventListener("mousedown", function (e) {
    if (mode === "button" && !root.contains(e.target)) close();
  });
})();
