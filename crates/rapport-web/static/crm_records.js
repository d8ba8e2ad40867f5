// CRM record forms: "add another" for email, phone and identity rows, and showing the
// options/currency inputs of the custom-field form only for the types that use them.
// Without JavaScript the forms still work (one blank row each; every input shown).
(function () {
  "use strict";

  function addRow(group) {
    var template = group.querySelector("[data-crm-template]");
    if (!template) return;
    var copy = template.cloneNode(true);
    copy.removeAttribute("data-crm-template");
    var stamp = String(Date.now());
    copy.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      if (input.id) input.id = input.id + "-" + stamp;
    });
    copy.querySelectorAll("label[for]").forEach(function (label) {
      label.setAttribute("for", label.getAttribute("for") + "-" + stamp);
    });
    // New rows go after the last row, so they appear in the order they were added.
    var rows = group.querySelectorAll(".crm-row");
    var last = rows[rows.length - 1];
    last.parentNode.insertBefore(copy, last.nextSibling);
    var first = copy.querySelector("input");
    if (first) first.focus();
  }

  function wireRows() {
    document.querySelectorAll("[data-crm-rows]").forEach(function (group) {
      var button = group.querySelector("[data-crm-add]");
      if (!button) return;
      button.hidden = false;
      button.addEventListener("click", function () { addRow(group); });
    });
  }

  function wireFieldForm() {
    document.querySelectorAll("[data-crm-field-form]").forEach(function (form) {
      var type = form.querySelector("[data-crm-type]");
      if (!type) return;
      var update = function () {
        form.querySelectorAll("[data-crm-when]").forEach(function (el) {
          var kinds = el.getAttribute("data-crm-when").split(" ");
          el.hidden = kinds.indexOf(type.value) < 0;
        });
      };
      type.addEventListener("change", update);
      update();
    });
  }

  function start() {
    wireRows();
    wireFieldForm();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
