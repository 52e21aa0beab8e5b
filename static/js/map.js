/* The facilitator's journey map: drag and drop between cells (SortableJS), focus kept on
   the moved note after every change, and a spoken summary of each move. Every change is
   also a plain form (the arrow buttons) that works with the keyboard and without scripts. */
(function () {
  "use strict";
  if (!window.htmx) return;
  var announcer = document.getElementById("map-announcer");
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  var lastFocus = null;  /* {note, value, name} of the control last focused on the map */

  document.addEventListener("focusin", function (e) {
    var card = e.target.closest && e.target.closest("#map [data-note]");
    if (!card) return;
    lastFocus = { note: card.dataset.note, name: e.target.name || "", value: e.target.value || "" };
  });

  function restoreFocus() {
    if (!lastFocus || (document.activeElement && document.activeElement !== document.body)) return;
    var card = document.getElementById("note-" + lastFocus.note);
    if (!card) return;
    var control = null;
    if (lastFocus.name) {
      card.querySelectorAll("[name='" + lastFocus.name + "']").forEach(function (el) {
        if (!control && el.value === lastFocus.value && !el.disabled) control = el;
      });
    }
    (control || card).focus();
    card.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function announce(scope) {
    var said = scope.querySelector && scope.querySelector("[data-announce]");
    if (said && announcer) announcer.textContent = said.textContent;
  }

  function wire(scope) {
    if (!window.Sortable || !scope.querySelectorAll) return;
    scope.querySelectorAll(".journey-map-arrange ul.cell").forEach(function (cell) {
      if (cell.dataset.sortable) return;
      cell.dataset.sortable = "1";
      window.Sortable.create(cell, {
        group: "map",
        draggable: ".card",
        filter: "button, input, select, a, summary, label, textarea, .card-menu-body",
        preventOnFilter: false,
        animation: 120,
        ghostClass: "card-ghost",
        chosenClass: "card-chosen",
        onStart: function () { document.body.dataset.dragging = "1"; },
        onEnd: function (evt) {
          delete document.body.dataset.dragging;
          var card = evt.item;
          if (evt.from === evt.to && evt.oldIndex === evt.newIndex) {
            if (window.cjmLive) window.cjmLive.reloadMap();
            return;
          }
          var form = card.querySelector("form.card-form");
          lastFocus = { note: card.dataset.note, name: "", value: "" };
          window.htmx.ajax("POST", form.getAttribute("action"), {
            source: form, target: "#map", swap: "morph",
            values: { csrf_token: csrf, to: "cell", lane: evt.to.dataset.lane, stage: evt.to.dataset.stage, index: evt.newIndex }
          });
        }
      });
    });
  }

  function afterSwap() {
    wire(document);
    announce(document.getElementById("map") || document);
    restoreFocus();
  }

  document.addEventListener("htmx:afterSwap", afterSwap);
  document.addEventListener("cjm:swapped", afterSwap);
  /* A refused move (another facilitator got there first): show the map as it is now. */
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail.xhr;
    var verb = (e.detail.requestConfig || {}).verb;
    if (xhr && xhr.status >= 400 && verb === "post" && document.getElementById("map")) {
      var box = document.getElementById("map");
      box.dataset.lastEvent = "0";
      window.htmx.ajax("GET", box.dataset.mapSrc, { target: "#map", swap: "morph" });
    }
  });
  wire(document);
})();
