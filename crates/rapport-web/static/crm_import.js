// The contact import upload: an HTML form cannot send a file as the raw request body the
// import API takes, so this sends it with fetch (session cookie + CSRF header) and moves on
// to the mapping step. Messages come from data attributes (translated server-side).
(function () {
  "use strict";
  var form = document.getElementById("crm-import-form");
  if (!form) return;
  var box = document.getElementById("crm-import-error");
  var button = document.getElementById("imp-submit");
  var csrf = document.querySelector('meta[name="csrf-token"]');

  function show(message) {
    box.textContent = message;
    box.hidden = false;
    button.disabled = false;
    button.textContent = button.dataset.label;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.elements.file.files[0];
    if (!file) { show(form.dataset.choose); return; }
    box.hidden = true;
    button.dataset.label = button.textContent;
    button.disabled = true;
    button.textContent = form.dataset.busy;
    var params = new URLSearchParams({ object_type: "contacts", filename: file.name, encoding: form.elements.encoding.value });
    var country = form.elements.default_country.value.trim();
    if (country) params.set("default_country", country);
    fetch("/api/v1/imports?" + params.toString(), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": csrf ? csrf.content : "" },
      body: file
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; }, function () { return { ok: false, body: {} }; });
    }).then(function (r) {
      if (r.ok && r.body.id) {
        window.location.assign("/contacts/import/" + r.body.id);
        return;
      }
      var errors = (r.body.errors || []).map(function (e) { return e.message; });
      show(errors.length ? errors.join(" ") : (r.body.detail || form.dataset.failed));
    }, function () { show(form.dataset.failed); });
  });
})();
