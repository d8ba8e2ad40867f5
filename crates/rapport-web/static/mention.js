// @mentions in private notes: typing "@" and part of a colleague's name offers the matching
// members; Enter, Tab or a click puts "@Full Name" in the text and remembers who, so the note
// mentions them (they are notified and follow the conversation). Only in note mode: the
// customer never sees a reply's "@". The ids go in the form's hidden `mentions` field, keeping
// only those whose "@Name" is still in the text when the note is sent.
(function () {
  "use strict";
  var composer = document.querySelector("[data-composer]");
  var list = document.querySelector("[data-mention-members]");
  if (!composer || !list) return;
  var body = composer.querySelector("textarea");
  var hidden = composer.querySelector("[data-mentions]");
  var pop = composer.querySelector("[data-mention-pop]");
  var members = Array.prototype.map.call(list.querySelectorAll("li"), function (li) {
    return { id: li.getAttribute("data-id"), name: li.textContent.trim() };
  });
  var chosen = {};
  var shown = [];
  var active = 0;
  var TOKEN = /(^|\s)@([^\s@]{0,40})$/;

  function query() {
    if (!composer.classList.contains("note-mode")) return null;
    var before = body.value.slice(0, body.selectionStart);
    var m = TOKEN.exec(before);
    return m ? { text: m[2].toLowerCase(), start: before.length - m[2].length - 1 } : null;
  }

  function close() {
    pop.hidden = true;
    shown = [];
    body.setAttribute("aria-expanded", "false");
  }

  function render() {
    pop.innerHTML = "";
    shown.forEach(function (m, i) {
      var li = document.createElement("li");
      li.className = "ib-mention-option" + (i === active ? " active" : "");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.textContent = m.name;
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        pick(m);
      });
      pop.appendChild(li);
    });
    pop.hidden = shown.length === 0;
    body.setAttribute("aria-expanded", shown.length ? "true" : "false");
  }

  function update() {
    var q = query();
    if (!q) return close();
    shown = members.filter(function (m) {
      var name = m.name.toLowerCase();
      return q.text === "" || name.indexOf(q.text) === 0 || name.indexOf(" " + q.text) >= 0;
    }).slice(0, 6);
    active = 0;
    render();
  }

  function pick(m) {
    var q = query();
    if (!q) return close();
    var end = body.selectionStart;
    var insert = "@" + m.name + " ";
    body.value = body.value.slice(0, q.start) + insert + body.value.slice(end);
    var caret = q.start + insert.length;
    body.setSelectionRange(caret, caret);
    chosen[m.id] = m.name;
    close();
    body.focus();
  }

  body.setAttribute("aria-haspopup", "listbox");
  body.setAttribute("aria-controls", pop.id);
  body.addEventListener("input", update);
  body.addEventListener("click", update);
  body.addEventListener("blur", function () { window.setTimeout(close, 100); });
  body.addEventListener("keydown", function (e) {
    if (pop.hidden || !shown.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
      render();
    } else if ((e.key === "Enter" && !e.ctrlKey && !e.metaKey) || e.key === "Tab") {
      e.preventDefault();
      e.stopPropagation();
      pick(shown[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  composer.addEventListener("submit", function () {
    var note = composer.classList.contains("note-mode");
    hidden.value = note
      ? Object.keys(chosen).filter(function (id) {
          return body.value.indexOf("@" + chosen[id]) >= 0;
        }).join(",")
      : "";
  });
})();
