// The automation rule editor: adds and removes condition and action rows (cloned from the
// page's <template>s), and shows in each row only the inputs it needs. Without this script
// every input shows and the form still posts.
(function () {
  "use strict";
  // Which comparisons a field takes (as the server checks them).
  var OPERATORS = {
    status: ["equals", "not_equals"], priority: ["equals", "not_equals"],
    channel: ["equals", "not_equals"], inbox: ["equals", "not_equals"],
    assignee: ["equals", "not_equals", "is_set", "is_not_set"],
    team: ["equals", "not_equals", "is_set", "is_not_set"],
    label: ["contains", "not_contains", "is_set", "is_not_set"],
    business_hours: ["equals"],
    hours_since_activity: ["greater_than", "less_than"],
    hours_waiting: ["greater_than", "less_than", "is_set", "is_not_set"]
  };
  // Every other field is text.
  var TEXT = ["equals", "not_equals", "contains", "not_contains", "is_set", "is_not_set"];
  var CLOSED = ["status", "priority", "channel", "inbox", "assignee", "team", "business_hours"];

  function show(el, on) { if (el) el.hidden = !on; }

  function syncCondition(row) {
    var field = row.querySelector("[data-field]").value;
    var op = row.querySelector("[data-operator]");
    var allowed = OPERATORS[field] || TEXT;
    Array.prototype.forEach.call(op.options, function (o) {
      o.hidden = allowed.indexOf(o.value) < 0;
    });
    if (op.selectedOptions[0] && op.selectedOptions[0].hidden) {
      var first = Array.prototype.find.call(op.options, function (o) { return !o.hidden; });
      if (first) op.value = first.value;
    }
    var needsValue = op.value !== "is_set" && op.value !== "is_not_set";
    var closed = CLOSED.indexOf(field) >= 0;
    var choice = row.querySelector("[data-choice]");
    Array.prototype.forEach.call(choice.options, function (o) {
      o.hidden = o.dataset.group !== field && o.value !== "";
    });
    if (choice.selectedOptions[0] && choice.selectedOptions[0].hidden) choice.value = "";
    show(choice, closed && needsValue);
    show(row.querySelector("[data-value]"), !closed && needsValue);
    show(row.querySelector("[data-key]"), field === "contact_attribute");
  }

  function syncAction(row) {
    var kind = row.querySelector("[data-kind]").value;
    row.querySelectorAll("[data-for]").forEach(function (span) {
      show(span, span.dataset.for.split(" ").indexOf(kind) >= 0);
    });
  }

  function sync(row) {
    if (row.hasAttribute("data-cond")) syncCondition(row); else syncAction(row);
  }

  function init() {
    var form = document.querySelector(".au-form");
    if (!form) return;
    form.querySelectorAll(".au-row").forEach(sync);
    form.addEventListener("change", function (e) {
      var row = e.target.closest(".au-row");
      if (row) sync(row);
    });
    form.addEventListener("click", function (e) {
      var remove = e.target.closest("[data-remove]");
      if (remove) {
        remove.closest(".au-row").remove();
        return;
      }
      var add = e.target.closest("[data-add]");
      if (!add) return;
      var cond = add.dataset.add === "cond";
      var tpl = document.getElementById(cond ? "au-cond-template" : "au-act-template");
      var row = tpl.content.firstElementChild.cloneNode(true);
      form.querySelector(cond ? "[data-conds]" : "[data-acts]").appendChild(row);
      sync(row);
      var first = row.querySelector("select, input");
      if (first) first.focus();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
