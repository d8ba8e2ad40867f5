// The list filter builder: rows of field / operator / value joined with AND or OR, kept in
// sync with the filter expression text box (which is what the form submits, so the page
// works without this script). A filter with grouping the builder cannot show stays text-only.
(function () {
  "use strict";
  var root = document.getElementById("crm-builder");
  var text = document.getElementById("crm-filter");
  var data = document.getElementById("crm-fields");
  if (!root || !text || !data) return;
  var fields;
  try { fields = JSON.parse(data.textContent); } catch (e) { return; }
  var rowsEl = document.getElementById("crm-rows");
  var joinEl = document.getElementById("crm-join");
  var note = document.getElementById("crm-builder-note");
  var advanced = document.getElementById("crm-advanced");
  var OPS = {
    text: ["=", "!=", "contains", "starts_with", "is empty", "is not empty"],
    choice: ["=", "!=", "in", "is empty", "is not empty"],
    number: [">", ">=", "<", "<=", "=", "!=", "is empty", "is not empty"],
    date: [">", "<", "=", ">=", "<="],
    user: ["=", "!=", "is empty", "is not empty"],
    tag: ["=", "!=", "in", "is empty", "is not empty"]
  };
  var KEYWORDS = ["and", "or", "not", "in", "is", "empty", "contains", "starts_with"];
  var rows = [];

  function field(name) {
    for (var i = 0; i < fields.length; i++) if (fields[i].name === name) return fields[i];
    return null;
  }
  function quote(v) {
    if (v !== "" && /^[\p{L}\p{N}_.\-@+:\/]+$/u.test(v) && KEYWORDS.indexOf(v.toLowerCase()) < 0 && v !== "-") return v;
    return '"' + v.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  }
  function unquote(v) {
    v = v.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
      return v.slice(1, -1).replace(/\\(["'\\])/g, "$1");
    }
    return v;
  }
  function needsValue(op) { return op !== "is empty" && op !== "is not empty"; }

  // Splits "a = 1 AND b = 2" on AND/OR outside quotes and parentheses; a part that is not a
  // plain condition (grouping, NOT) makes the whole filter text-only (null).
  function parse(src) {
    var s = src.trim();
    if (!s) return { join: "AND", rows: [] };
    var parts = [], joins = [], cur = "", q = null, depth = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s[i];
      if (q !== null) {
        cur += c;
        if (c === "\\") { cur += s[i + 1] || ""; i++; } else if (c === q) q = null;
        continue;
      }
      if (c === '"' || c === "'") { q = c; cur += c; continue; }
      if (c === "(") depth++;
      if (c === ")" && --depth < 0) return null;
      if (depth === 0 && /\s/.test(c)) {
        var m = /^\s+(and|or)\s+/i.exec(s.slice(i));
        if (m) { parts.push(cur); joins.push(m[1].toUpperCase()); cur = ""; i += m[0].length - 1; continue; }
      }
      cur += c;
    }
    if (q !== null || depth !== 0) return null;
    parts.push(cur);
    if (joins.some(function (j) { return j !== joins[0]; })) return null;
    var out = [];
    for (var k = 0; k < parts.length; k++) {
      var m = /^\s*([a-z][a-z0-9_.]*)\s+(is\s+not\s+empty|is\s+empty|!=|>=|<=|=|>|<|contains|starts_with|in)\s*([\s\S]*)$/i.exec(parts[k]);
      if (!m || /^not$/i.test(m[1]) || !field(m[1])) return null;
      var op = m[2].toLowerCase().replace(/\s+/g, " ");
      var value = m[3].trim();
      if (op === "in") {
        var inner = /^\(([\s\S]*)\)$/.exec(value);
        if (!inner) return null;
        value = inner[1].split(",").map(unquote).join(", ");
      } else value = unquote(value);
      out.push({ field: m[1], op: op, value: value });
    }
    return { join: joins[0] || "AND", rows: out };
  }

  function serialize() {
    var parts = [];
    rows.forEach(function (r) {
      if (!r.field || !r.op) return;
      if (!needsValue(r.op)) { parts.push(r.field + " " + r.op); return; }
      if (r.value.trim() === "") return;
      if (r.op === "in") {
        var vs = r.value.split(",").map(function (v) { return quote(v.trim()); }).filter(function (v) { return v !== '""'; });
        parts.push(r.field + " in (" + vs.join(", ") + ")");
      } else parts.push(r.field + " " + r.op + " " + quote(r.value));
    });
    text.value = parts.join(" " + joinEl.value + " ");
  }

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (k) { e.appendChild(k); });
    return e;
  }

  function render() {
    rowsEl.textContent = "";
    rows.forEach(function (r, i) {
      var f = field(r.field) || fields[0];
      var fieldSel = el("select", { "aria-label": "Field", "class": "crm-field" });
      fields.forEach(function (x) {
        var o = el("option", { value: x.name, text: x.label || x.name });
        if (x.name === f.name) o.selected = true;
        fieldSel.appendChild(o);
      });
      var ops = OPS[f.type] || OPS.text;
      if (ops.indexOf(r.op) < 0) r.op = ops[0];
      var opSel = el("select", { "aria-label": "Operator", "class": "crm-op" });
      ops.forEach(function (op) {
        var o = el("option", { value: op, text: op.replace("_", " ") });
        if (op === r.op) o.selected = true;
        opSel.appendChild(o);
      });
      var value;
      var opts = (f.options || []).slice();
      if (f.type === "user") opts = ["me"];
      if ((f.type === "choice" || f.type === "tag" || f.type === "user") && opts.length && r.op !== "in") {
        value = el("select", { "aria-label": "Value", "class": "crm-value" });
        if (f.type === "user") opts.push(r.value && r.value !== "me" ? r.value : "");
        opts.forEach(function (v) {
          if (v === "") return;
          var o = el("option", { value: v, text: v.replace(/_/g, " ") });
          if (v === r.value) o.selected = true;
          value.appendChild(o);
        });
        if (!r.value || opts.indexOf(r.value) < 0) r.value = opts[0];
      } else {
        value = el("input", { type: f.type === "date" ? "date" : (f.type === "number" ? "number" : "text"), "aria-label": "Value", "class": "crm-value", value: r.value || "" });
        if (f.type === "number") value.setAttribute("step", "any");
      }
      value.hidden = !needsValue(r.op);
      var remove = el("button", { type: "button", "class": "crm-remove", "aria-label": "Remove condition", title: "Remove condition", text: "×" });
      fieldSel.addEventListener("change", function () { r.field = fieldSel.value; r.value = ""; render(); serialize(); });
      opSel.addEventListener("change", function () { r.op = opSel.value; render(); serialize(); });
      value.addEventListener("input", function () { r.value = value.value; serialize(); });
      value.addEventListener("change", function () { r.value = value.value; serialize(); });
      remove.addEventListener("click", function () { rows.splice(i, 1); render(); serialize(); });
      r.field = f.name;
      rowsEl.appendChild(el("div", { "class": "crm-row" }, [fieldSel, opSel, value, remove]));
    });
  }

  function load() {
    var parsed = parse(text.value);
    if (!parsed) {
      note.hidden = false; rowsEl.hidden = true;
      document.getElementById("crm-add").hidden = true;
      advanced.open = true;
      return;
    }
    note.hidden = true; rowsEl.hidden = false;
    document.getElementById("crm-add").hidden = false;
    rows = parsed.rows;
    joinEl.value = parsed.join;
    if (!rows.length) rows.push({ field: fields[0].name, op: "", value: "" });
    render();
  }

  root.hidden = false;
  load();
  if (parse(text.value)) advanced.open = false;
  joinEl.addEventListener("change", serialize);
  document.getElementById("crm-add").addEventListener("click", function () {
    rows.push({ field: fields[0].name, op: "", value: "" });
    render();
  });
  text.addEventListener("change", load);
})();
