// The agent inbox: keyboard shortcuts and the composer's reply/note switch. Everything works
// without this script (links and forms); it only makes the frequent actions one key away.
(function () {
  "use strict";
  var composer = document.querySelector("[data-composer]");
  var body = composer && composer.querySelector("textarea");

  function setMode(note) {
    if (!composer) return;
    composer.classList.toggle("note-mode", note);
    var radio = composer.querySelector(note ? "[data-mode-note]" : "[data-mode-reply]");
    if (radio) radio.checked = true;
    body.placeholder = body.getAttribute(note ? "data-note-placeholder" : "data-reply-placeholder");
    var send = composer.querySelector("[data-send]");
    send.textContent = send.getAttribute(note ? "data-note-label" : "data-reply-label");
  }

  if (composer) {
    composer.addEventListener("change", function (e) {
      if (e.target.name === "mode") setMode(e.target.value === "note");
    });
    body.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        // Files alone may be sent: attach.js makes the text optional then.
        if (body.value.trim() !== "" || !body.required) composer.requestSubmit();
      }
    });
  }

  // The thread opens at its newest entry.
  var thread = document.querySelector("[data-thread]");
  if (thread) thread.scrollTop = thread.scrollHeight;

  function move(step) {
    var items = Array.prototype.slice.call(document.querySelectorAll(".ib-item"));
    if (!items.length) return;
    var at = items.findIndex(function (a) { return a.classList.contains("selected"); });
    var next = items[Math.min(items.length - 1, Math.max(0, at + step))];
    if (at === -1) next = items[0];
    if (next) window.location.href = next.href;
  }

  function focus(selector) {
    var el = document.querySelector(selector);
    if (el) el.focus();
  }

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (typing) {
      if (e.key === "Escape") t.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "r": if (body) { e.preventDefault(); setMode(false); body.focus(); } break;
      case "n": if (body) { e.preventDefault(); setMode(true); body.focus(); } break;
      case "e": {
        var resolve = document.querySelector("[data-resolve-form]");
        // The button carries status=resolved: submit through it so its value is sent.
        if (resolve) resolve.requestSubmit(resolve.querySelector("button[name=status]"));
        break;
      }
      case "a": e.preventDefault(); focus("#ib-assignee"); break;
      case "l": e.preventDefault(); focus("#ib-label"); break;
      case "p": e.preventDefault(); focus("#ib-priority"); break;
      case "?": {
        var hint = document.querySelector(".ib-shortcuts");
        if (hint) hint.scrollIntoView({ block: "center" });
        break;
      }
    }
  });
})();
