// The composer's files: each chosen file is uploaded at once (POST /api/v1/uploads, session
// cookie + CSRF header), its id joins the form's hidden `attachments` field, and a chip shows it
// with a remove button. Send waits while uploads run. With files attached the text may be empty.
(function () {
  "use strict";
  var box = document.querySelector("[data-attach]");
  if (!box) return;
  var form = box.closest("form");
  var input = box.querySelector("[data-attach-input]");
  var list = box.querySelector("[data-attached]");
  var note = box.querySelector("[data-attach-note]");
  var hidden = form.querySelector("[data-attachments]");
  var body = form.querySelector("textarea");
  var send = form.querySelector("[data-send]");
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var max = parseInt(box.getAttribute("data-max"), 10) || 0;
  var ids = [];
  var running = 0;

  function say(key, name) {
    note.textContent = box.getAttribute(key).replace("{name}", name);
    note.hidden = false;
  }

  function sync() {
    hidden.value = ids.join(",");
    body.required = ids.length === 0;
    send.disabled = running > 0;
  }

  function chip(file) {
    var li = document.createElement("li");
    li.className = "ib-chip uploading";
    var name = document.createElement("span");
    name.className = "ib-chip-name";
    name.textContent = file.name;
    var state = document.createElement("span");
    state.className = "muted small";
    state.textContent = box.getAttribute("data-uploading");
    li.appendChild(name);
    li.appendChild(state);
    list.appendChild(li);
    return { li: li, state: state };
  }

  function removable(c, id) {
    c.li.classList.remove("uploading");
    c.state.remove();
    var x = document.createElement("button");
    x.type = "button";
    x.className = "ib-chip-remove";
    x.setAttribute("aria-label", box.getAttribute("data-remove") + " " + c.li.firstChild.textContent);
    x.textContent = "×";
    x.addEventListener("click", function () {
      ids = ids.filter(function (i) { return i !== id; });
      c.li.remove();
      sync();
    });
    c.li.appendChild(x);
  }

  function upload(file) {
    if (max && file.size > max) {
      say("data-too-large", file.name);
      return;
    }
    var c = chip(file);
    running += 1;
    sync();
    fetch("/api/v1/uploads?filename=" + encodeURIComponent(file.name), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": file.type || "application/octet-stream",
        "X-CSRF-Token": csrf ? csrf.content : ""
      },
      body: file
    })
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        return res.json();
      })
      .then(function (att) {
        ids.push(att.id);
        removable(c, att.id);
      })
      .catch(function () {
        c.li.remove();
        say("data-failed", file.name);
      })
      .then(function () {
        running -= 1;
        sync();
      });
  }

  input.addEventListener("change", function () {
    note.hidden = true;
    Array.prototype.forEach.call(input.files, upload);
    input.value = "";
  });

  // Dropping files anywhere on the composer attaches them too.
  form.addEventListener("dragover", function (e) {
    if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) {
      e.preventDefault();
      form.classList.add("dropping");
    }
  });
  form.addEventListener("dragleave", function () { form.classList.remove("dropping"); });
  form.addEventListener("drop", function (e) {
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    e.preventDefault();
    form.classList.remove("dropping");
    note.hidden = true;
    Array.prototype.forEach.call(e.dataTransfer.files, upload);
  });

  form.addEventListener("submit", function (e) {
    if (running > 0) e.preventDefault();
  });
})();
