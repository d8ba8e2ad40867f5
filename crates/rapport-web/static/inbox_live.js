// Live inbox: the list, the open thread and its side panel follow what colleagues and
// customers do (server-sent events from /api/v1/realtime), and the composer shows who else is
// viewing or typing in the conversation (collision detection). Without this script the inbox
// still works; it just needs a reload.
(function () {
  "use strict";
  var root = document.querySelector("[data-inbox]");
  if (!root || !window.EventSource || !window.fetch) return;
  var openId = root.getAttribute("data-open");
  var csrfInput = document.querySelector("input[name=_csrf]");
  var csrf = csrfInput ? csrfInput.value : "";
  var bar = document.querySelector("[data-presence]");
  var composerBody = document.querySelector("[data-composer] textarea");
  var ttlMs = 30000;
  var typingMs = 6000;

  // ---- Reloading what changed -------------------------------------------------------------
  var pending = null;
  var wantThread = false;

  function replace(fresh, selector) {
    var now = document.querySelector(selector);
    var next = fresh.querySelector(selector);
    if (now && next) now.innerHTML = next.innerHTML;
  }

  function sideBusy() {
    var a = document.activeElement;
    return a && a.closest && a.closest(".ib-side, .ib-convo-head") !== null;
  }

  function refresh() {
    pending = null;
    var thread = wantThread;
    wantThread = false;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        replace(fresh, ".ib-list");
        if (thread && openId) {
          var box = document.querySelector("[data-thread]");
          var atBottom = box && box.scrollHeight - box.scrollTop - box.clientHeight < 80;
          replace(fresh, "[data-thread]");
          if (box && atBottom) box.scrollTop = box.scrollHeight;
          if (!sideBusy()) {
            replace(fresh, ".ib-side");
            replace(fresh, ".ib-convo-head");
          }
        }
        root.dispatchEvent(new CustomEvent("inbox:refreshed"));
      })
      .catch(function () { /* the next event or a reload will catch up */ });
  }

  function schedule(thread) {
    wantThread = wantThread || thread;
    if (pending === null) pending = window.setTimeout(refresh, 150);
  }

  function onChange(e) {
    var data = {};
    try { data = JSON.parse(e.data); } catch (err) { return; }
    var payload = data.payload || {};
    schedule(!!openId && payload.conversation_id === openId);
  }

  // ---- Presence ----------------------------------------------------------------------------
  var others = {};
  var lastTyping = 0;
  var lastHello = 0;

  function announce(state) {
    if (!openId) return;
    fetch("/api/v1/conversations/" + openId + "/presence", {
      method: "POST",
      credentials: "same-origin",
      keepalive: state === "left",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ state: state })
    }).catch(function () {});
  }

  function render() {
    if (!bar) return;
    var now = Date.now();
    var parts = [];
    Object.keys(others).forEach(function (id) {
      var p = others[id];
      if (p.state === "left" || now - p.seen > ttlMs) { delete others[id]; return; }
      var typing = p.state === "typing" && now - p.seen < typingMs;
      var text = root.getAttribute(typing ? "data-typing" : "data-viewing") || "";
      parts.push({ typing: typing, text: text.replace("{name}", p.name) });
    });
    bar.textContent = parts.map(function (p) { return p.text; }).join(" · ");
    bar.classList.toggle("typing", parts.some(function (p) { return p.typing; }));
    bar.hidden = parts.length === 0;
  }

  function onPresence(e) {
    var p;
    try { p = JSON.parse(e.data); } catch (err) { return; }
    if (!openId || p.conversation_id !== openId) return;
    var isNew = !others[p.user_id];
    others[p.user_id] = { name: p.name, state: p.state, seen: Date.now() };
    render();
    // A colleague just arrived: say we are here too instead of waiting for our next beat.
    if (isNew && p.state !== "left" && Date.now() - lastHello > 2000) {
      lastHello = Date.now();
      announce("viewing");
    }
  }

  // ---- The stream ---------------------------------------------------------------------------
  var source = new EventSource(root.getAttribute("data-live"));
  ["conversation.created", "conversation.updated", "conversation.assigned",
   "message.created", "message.updated", "inbox.created", "inbox.updated", "inbox.deleted"]
    .forEach(function (name) { source.addEventListener(name, onChange); });
  source.addEventListener("presence", onPresence);
  source.addEventListener("resync", function () { schedule(true); });
  source.addEventListener("ready", function (e) {
    try { ttlMs = 1000 * (JSON.parse(e.data).presence_ttl_secs || 30); } catch (err) {}
    root.setAttribute("data-live-ready", "true");
    announce("viewing");
  });

  if (openId) {
    window.setInterval(function () { announce("viewing"); }, 10000);
    window.setInterval(render, 2000);
    if (composerBody) {
      composerBody.addEventListener("input", function () {
        if (Date.now() - lastTyping > 3000) { lastTyping = Date.now(); announce("typing"); }
      });
    }
    window.addEventListener("pagehide", function () { announce("left"); source.close(); });
  }
})();
