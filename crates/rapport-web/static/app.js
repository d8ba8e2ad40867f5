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

// ---------- Sign-in with a security key or passkey (second step of /login) ----------
(function () {
  "use strict";

  function b64urlToBuffer(text) {
    var b64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function bufferToB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    });
  }

  function signIn(button) {
    var csrf = button.getAttribute("data-csrf") || "";
    var errorBox = document.querySelector("[data-webauthn-error]");
    button.disabled = true;
    post("/login/verify/key/start", csrf, {})
      .then(function (options) {
        var pk = options.publicKey;
        pk.challenge = b64urlToBuffer(pk.challenge);
        (pk.allowCredentials || []).forEach(function (c) {
          c.id = b64urlToBuffer(c.id);
        });
        return navigator.credentials.get({ publicKey: pk });
      })
      .then(function (cred) {
        var r = cred.response;
        return post("/login/verify/key/finish", csrf, {
          id: cred.id,
          rawId: bufferToB64url(cred.rawId),
          type: cred.type,
          response: {
            authenticatorData: bufferToB64url(r.authenticatorData),
            clientDataJSON: bufferToB64url(r.clientDataJSON),
            signature: bufferToB64url(r.signature),
            userHandle: r.userHandle ? bufferToB64url(r.userHandle) : null,
          },
          extensions: {},
        });
      })
      .then(function (done) {
        window.location.assign(done.redirect || "/");
      })
      .catch(function () {
        button.disabled = false;
        if (errorBox) {
          errorBox.textContent = button.getAttribute("data-error") || "";
          errorBox.hidden = false;
        }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-webauthn-signin]");
    if (!button) return;
    if (!window.PublicKeyCredential) {
      button.hidden = true;
      return;
    }
    button.addEventListener("click", function () {
      signIn(button);
    });
  });
})();

// ---------- Account pages (ui/account): copy buttons and adding a security key ----------
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function fromBase64url(text) {
    var b64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // POSTs JSON with the session's CSRF token; resolves to the parsed body, rejects with the
  // problem's detail (or nothing, and the caller shows its own message).
  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body || {})
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var detail = data && data.errors && data.errors[0] ? data.errors[0].message : data && data.detail;
          throw new Error(detail || "");
        }
        return data;
      });
    });
  }

  function addSecurityKey(form) {
    var error = form.querySelector("[data-key-error]");
    var button = form.querySelector('button[type="submit"]');
    var input = form.querySelector('input[name="name"]');
    var label = button.textContent;
    function fail(message) {
      error.textContent = message || form.dataset.failed;
      error.hidden = false;
      button.disabled = false;
      button.textContent = label;
    }
    error.hidden = true;
    if (!window.PublicKeyCredential || !navigator.credentials) {
      fail(form.dataset.unsupported);
      return;
    }
    var name = input.value.trim();
    if (!name) {
      fail(form.dataset.nameRequired);
      input.focus();
      return;
    }
    button.disabled = true;
    button.textContent = form.dataset.busyLabel || label;
    var challenge = "";
    postJson("/settings/security/keys/start")
      .then(function (started) {
        challenge = started.challenge;
        var options = started.options;
        var pk = options.publicKey;
        pk.challenge = fromBase64url(pk.challenge);
        pk.user.id = fromBase64url(pk.user.id);
        (pk.excludeCredentials || []).forEach(function (c) { c.id = fromBase64url(c.id); });
        return navigator.credentials.create(options).catch(function () {
          throw new Error(form.dataset.failed);
        });
      })
      .then(function (cred) {
        if (!cred) throw new Error(form.dataset.failed);
        var response = {
          attestationObject: toBase64url(cred.response.attestationObject),
          clientDataJSON: toBase64url(cred.response.clientDataJSON)
        };
        if (typeof cred.response.getTransports === "function") {
          response.transports = cred.response.getTransports();
        }
        return postJson("/settings/security/keys/finish", {
          challenge: challenge,
          name: name,
          credential: {
            id: cred.id,
            rawId: toBase64url(cred.rawId),
            type: cred.type,
            response: response,
            extensions: {}
          }
        });
      })
      .then(function () {
        window.location.reload();
      })
      .catch(function (err) {
        fail(err && err.message);
      });
  }

  function copy(button) {
    var target = button.dataset.copyTarget ? document.querySelector(button.dataset.copyTarget) : null;
    var text = button.dataset.copyText || (target ? target.textContent.trim() : "");
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    function show(message) {
      button.textContent = message;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }
    function failed() {
      if (target && window.getSelection) {
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      show(button.dataset.copyFailed || label);
    }
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      failed();
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      show(button.dataset.copiedLabel || label);
    }, failed);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-add-security-key]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        addSecurityKey(form);
      });
    });
    document.querySelectorAll("button[data-copy-target], button[data-copy-text]").forEach(function (button) {
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();

// ---------- Admin pages (ui/admin): copy the invitation link, one open row action ----------
(function () {
  "use strict";

  // <button data-copy-from="ID" data-copied-text="Copied"> copies the value of the input #ID.
  function copyFrom(button) {
    var input = document.getElementById(button.dataset.copyFrom);
    if (!input) return;
    var label = button.dataset.adminLabel || button.textContent;
    button.dataset.adminLabel = label;
    function copied() {
      button.textContent = button.dataset.copiedText || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    input.focus();
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(copied, function () {
        if (document.execCommand && document.execCommand("copy")) copied();
      });
    } else if (document.execCommand && document.execCommand("copy")) {
      copied();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy-from]") : null;
    if (button) {
      event.preventDefault();
      copyFrom(button);
    }
  });

  // Opening one row action (change role, confirm removal) closes the others.
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.classList || !opened.classList.contains("adm-action") || !opened.open) return;
    document.querySelectorAll("details.adm-action[open]").forEach(function (other) {
      if (other !== opened) other.open = false;
    });
  }, true);
})();
