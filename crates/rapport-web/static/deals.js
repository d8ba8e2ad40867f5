// The deal board: move cards between and within stages by drag and drop or by keyboard
// (Space picks a card up, arrows choose the stage and place, Enter drops, Escape cancels),
// announced in an aria-live region. Each move POSTs /api/v1/deals/{id}/move with the CSRF
// token, then the board is re-read from the server so counts and totals are the server's.
// Without this script every card has a "Move to" form that does the same.
(function () {
  "use strict";

  var live = null;
  var board = null;
  var grabbed = null; // { card, parent, next }
  var dragged = null;

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function msg(name, vars) {
    var text = (board && board.getAttribute("data-msg-" + name)) || "";
    Object.keys(vars || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(vars[k]));
    });
    return text;
  }

  function announce(text) {
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 30);
  }

  function columnOf(card) { return card.closest(".dl-column"); }
  function cardsOf(column) { return Array.prototype.slice.call(column.querySelectorAll(".dl-card")); }
  function stageName(column) { return column.getAttribute("data-stage-name") || ""; }

  // Re-reads the board and the totals from the server, keeping focus on `focusId`'s card.
  function refresh(focusId) {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["dl-board", "dl-summary"].forEach(function (id) {
          var fresh = doc.getElementById(id);
          var old = document.getElementById(id);
          if (fresh && old) old.innerHTML = fresh.innerHTML;
        });
        if (focusId) {
          var card = document.getElementById("deal-" + focusId);
          if (card) card.focus();
        }
      });
  }

  function move(card, stageId, neighbours) {
    var id = card.getAttribute("data-deal-id");
    var body = { stage_id: stageId };
    if (neighbours && neighbours.before) body.before_id = neighbours.before;
    else if (neighbours && neighbours.after) body.after_id = neighbours.after;
    return fetch("/api/v1/deals/" + id + "/move", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (!res.ok) throw new Error("move failed: " + res.status);
      return res.json();
    }).then(function (deal) {
      return refresh(id).then(function () {
        announce(msg("moved", { title: card.getAttribute("data-title"), stage: deal.stage }));
      });
    }).catch(function () {
      announce(msg("failed"));
      return refresh(id);
    });
  }

  // Sends where `card` now sits in the DOM (its column and neighbours).
  function commit(card, origin) {
    var column = columnOf(card);
    if (!column) return;
    if (origin && origin.parent === card.parentNode && origin.next === card.nextElementSibling) {
      return; // dropped where it was
    }
    var next = card.nextElementSibling;
    var prev = card.previousElementSibling;
    move(card, column.getAttribute("data-stage-id"), {
      before: next ? next.getAttribute("data-deal-id") : null,
      after: prev ? prev.getAttribute("data-deal-id") : null
    });
  }

  function describe(card) {
    var column = columnOf(card);
    var cards = cardsOf(column);
    announce(msg("over", {
      title: card.getAttribute("data-title"),
      stage: stageName(column),
      position: cards.indexOf(card) + 1,
      count: cards.length
    }));
  }

  // ---------- Keyboard ----------
  function onKey(event) {
    var card = event.target;
    if (!card.classList || !card.classList.contains("dl-card")) return;
    var key = event.key;
    if (!grabbed) {
      if (key === " " || key === "Spacebar") {
        event.preventDefault();
        grabbed = { card: card, parent: card.parentNode, next: card.nextElementSibling };
        card.classList.add("dl-grabbed");
        card.setAttribute("aria-grabbed", "true");
        announce(msg("grabbed", { title: card.getAttribute("data-title") }));
      } else if (key === "m" || key === "M") {
        event.preventDefault();
        card.classList.add("dl-show-move");
        var select = card.querySelector(".dl-move-select");
        if (select) select.focus();
      }
      return;
    }
    if (grabbed.card !== card) return;
    var column = columnOf(card);
    var columns = Array.prototype.slice.call(board.querySelectorAll(".dl-column"));
    var list;
    if (key === "ArrowLeft" || key === "ArrowRight") {
      event.preventDefault();
      var i = columns.indexOf(column) + (key === "ArrowLeft" ? -1 : 1);
      if (i < 0 || i >= columns.length) return;
      list = columns[i].querySelector(".dl-cards");
      var siblings = cardsOf(columns[i]);
      var at = Math.min(cardsOf(column).indexOf(card), siblings.length);
      list.insertBefore(card, siblings[at] || null);
      card.focus();
      describe(card);
    } else if (key === "ArrowUp" || key === "ArrowDown") {
      event.preventDefault();
      list = card.parentNode;
      if (key === "ArrowUp" && card.previousElementSibling) {
        list.insertBefore(card, card.previousElementSibling);
      } else if (key === "ArrowDown" && card.nextElementSibling) {
        list.insertBefore(card, card.nextElementSibling.nextElementSibling);
      }
      card.focus();
      describe(card);
    } else if (key === "Enter" || key === " " || key === "Spacebar") {
      event.preventDefault();
      var origin = grabbed;
      grabbed = null;
      card.classList.remove("dl-grabbed");
      card.removeAttribute("aria-grabbed");
      if (origin.parent === card.parentNode && origin.next === card.nextElementSibling) {
        announce(msg("cancelled", { title: card.getAttribute("data-title"), stage: stageName(column) }));
        return;
      }
      commit(card, origin);
    } else if (key === "Escape") {
      event.preventDefault();
      var back = grabbed;
      grabbed = null;
      card.classList.remove("dl-grabbed");
      card.removeAttribute("aria-grabbed");
      back.parent.insertBefore(card, back.next);
      card.focus();
      announce(msg("cancelled", { title: card.getAttribute("data-title"), stage: stageName(columnOf(card)) }));
    }
  }

  // ---------- Drag and drop ----------
  function cardAfter(list, y) {
    var cards = Array.prototype.slice.call(list.querySelectorAll(".dl-card:not(.dl-dragging)"));
    for (var i = 0; i < cards.length; i++) {
      var box = cards[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return cards[i];
    }
    return null;
  }

  function onDragStart(event) {
    var card = event.target.closest && event.target.closest(".dl-card[draggable]");
    if (!card) return;
    dragged = { card: card, parent: card.parentNode, next: card.nextElementSibling };
    card.classList.add("dl-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal-id"));
  }

  function onDragOver(event) {
    if (!dragged) return;
    var column = event.target.closest && event.target.closest(".dl-column");
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".dl-drop-target").forEach(function (c) {
      if (c !== column) c.classList.remove("dl-drop-target");
    });
    column.classList.add("dl-drop-target");
    var list = column.querySelector(".dl-cards");
    var after = cardAfter(list, event.clientY);
    if (after !== dragged.card && dragged.card.nextElementSibling !== after) {
      list.insertBefore(dragged.card, after);
    }
  }

  function onDrop(event) {
    if (!dragged) return;
    event.preventDefault();
    var origin = dragged;
    dragged = null;
    origin.card.classList.remove("dl-dragging");
    board.querySelectorAll(".dl-drop-target").forEach(function (c) { c.classList.remove("dl-drop-target"); });
    commit(origin.card, origin);
  }

  function onDragEnd() {
    if (!dragged) return;
    // Dropped outside a column: put it back.
    var origin = dragged;
    dragged = null;
    origin.card.classList.remove("dl-dragging");
    origin.parent.insertBefore(origin.card, origin.next);
    board.querySelectorAll(".dl-drop-target").forEach(function (c) { c.classList.remove("dl-drop-target"); });
  }

  // ---------- The "Move to" form, without leaving the page ----------
  function onSubmit(event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("dl-move-form")) return;
    event.preventDefault();
    var card = form.closest(".dl-card");
    var select = form.querySelector("select[name=stage_id]");
    if (!card || !select) return;
    if (select.value === columnOf(card).getAttribute("data-stage-id")) return;
    move(card, select.value, null);
  }

  document.addEventListener("DOMContentLoaded", function () {
    board = document.getElementById("dl-board");
    live = document.getElementById("dl-live");
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    if (!board) return;
    document.body.classList.add("dl-js");
    board.addEventListener("keydown", onKey);
    board.addEventListener("dragstart", onDragStart);
    board.addEventListener("dragover", onDragOver);
    board.addEventListener("drop", onDrop);
    board.addEventListener("dragend", onDragEnd);
    board.addEventListener("submit", onSubmit);
  });
})();
