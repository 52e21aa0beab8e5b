/* The impact/effort matrix on the facilitator's console: drag an action to another quadrant
   (SortableJS). Every move is also an arrow button that works with the keyboard and without
   scripts; after a drop the console follows through its live update. */
(function () {
  "use strict";
  var announcer = document.getElementById("matrix-announcer");

  function drop(card, list) {
    var form = card.querySelector("form.matrix-drop");
    if (!form) return;
    var data = new FormData(form);
    data.append("quadrant", list.dataset.quadrant);
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin", headers: { "HX-Request": "true" }
    }).then(function (answer) {
      if (!answer.ok) { window.location.reload(); return; }
      var heading = list.closest(".matrix-quadrant").querySelector("h3");
      announcer = document.getElementById("matrix-announcer");
      if (announcer && heading) announcer.textContent = heading.firstChild.textContent.trim();
    }, function () { window.location.reload(); });
  }

  function wire() {
    if (!window.Sortable) return;
    document.querySelectorAll(".matrix-console .matrix-list").forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      window.Sortable.create(list, {
        group: "matrix",
        draggable: ".matrix-card",
        filter: "button, a, input, select",
        preventOnFilter: false,
        animation: 120,
        ghostClass: "card-ghost",
        onEnd: function (evt) { if (evt.from !== evt.to) drop(evt.item, evt.to); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", wire);
  document.addEventListener("cjm:swapped", wire);
})();
