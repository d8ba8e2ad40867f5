// Rapport's only hand-written script. It runs under a CSP without inline script, so pages
// carry data in attributes and this file wires them up.
(function () {
  "use strict";

  // Every htmx request carries the session's CSRF token (read from <meta name="csrf-token">).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["X-CSRF-Token"] = meta.content;
    }
  });

  // Forms that ask for the browser's time zone (first-run setup) get it filled in.
  document.addEventListener("DOMContentLoaded", function () {
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      zone = "";
    }
    document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
      if (!input.value && zone) {
        input.value = zone;
      }
    });
  });
})();
