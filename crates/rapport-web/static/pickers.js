// Search-as-you-type for record pickers: every <select data-search-api> gets a search box
// above it. Typing narrows the options already on the page (selected ones stay visible) and,
// from two characters on, asks the list API for matching names the page did not include (the
// form lists the first 500 by name), adding them as options. Without this script the select
// works as it is.
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;

  function normalize(s) {
    return (s || "").toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function narrow(select, query) {
    var q = normalize(query.trim());
    Array.prototype.forEach.call(select.options, function (o) {
      o.hidden = q !== "" && o.value !== "" && !o.selected && normalize(o.text).indexOf(q) === -1;
    });
  }

  function fetchMore(select, query) {
    var q = query.trim().replace(/"/g, "");
    if (q.length < 2) return;
    var filter = 'name contains "' + q + '"';
    var url = select.getAttribute("data-search-api") + "?limit=20&filter=" + encodeURIComponent(filter);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : { items: [] }; })
      .then(function (body) {
        var known = {};
        Array.prototype.forEach.call(select.options, function (o) { known[o.value] = true; });
        (body.items || []).forEach(function (item) {
          if (!item.id || known[item.id]) return;
          var option = document.createElement("option");
          option.value = item.id;
          option.textContent = item.name || item.id;
          select.appendChild(option);
        });
        narrow(select, query);
      })
      .catch(function () { /* the options on the page still work */ });
  }

  function attach(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.autocomplete = "off";
    box.placeholder = select.getAttribute("data-search-label") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    var timer = null;
    box.addEventListener("input", function () {
      narrow(select, box.value);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { fetchMore(select, box.value); }, DEBOUNCE_MS);
    });
    // Enter in the box must not submit the form half-filled.
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-search-api]"), attach);
  });
})();
