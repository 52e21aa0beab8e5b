/* The projector: type as large as fits, never a scrollbar; full screen on a button or F; a
   short sound when the timer ends, if the facilitator turned it on. The page works without
   this script (at the smaller sizes, lists cut off at the bottom). */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  var LISTS = ".notes, .cell, .action-cell, .ranking-list, .matrix-list";

  /* A size fits when the region does not overflow and no word is wider than its note:
     words break between letters only when even the smallest size needs it. */
  var WORDS = ".note-text, .ranking-text, .matrix-title";
  function wordsFit(region) {
    return region.hasAttribute("data-fit-break") || !Array.prototype.some.call(
      region.querySelectorAll(WORDS), function (el) { return el.scrollWidth > el.clientWidth + 1; });
  }
  function fits(region) {
    return region.scrollHeight <= region.clientHeight + 1 &&
      region.scrollWidth <= region.clientWidth + 1 && wordsFit(region);
  }
  function setSize(region, size) { region.style.setProperty("--fit", size); }

  /* What the last fit hid comes back before the next one. */
  function undo(region) {
    region.removeAttribute("data-fit-break");
    region.querySelectorAll("[data-more]").forEach(function (more) { more.remove(); });
    region.querySelectorAll("[data-fit-hidden]").forEach(function (item) {
      item.hidden = false; item.removeAttribute("data-fit-hidden");
    });
    region.querySelectorAll("[data-fit-clamp]").forEach(unclamp);
    region.querySelectorAll("[data-fit-even]").forEach(function (list) {
      list.removeAttribute("data-fit-even");
    });
  }

  /* Even the smallest size does not fit. First texts are cut ("…"): a ranking's from its last
     line up, to two lines and then one, so that every rank shows and the top ones longest;
     the notes in columns all to four lines, then three, then two (one, while the room votes
     on them: data-fit-least), so that the room sees more of its notes rather than the first
     few whole. Only then the longest list gives up an
     item (a ranking's top five first set smaller: smallerTop), again and again, and says
     how many: a stage column its earliest note ("+ N
     earlier", on top), so that the room's newest notes stay in sight; the map, a ranking
     and the matrix their last ("+ N more"). */
  function trim(region, texts) {
    if (shortenRanking(region)) return;
    if (shortenNotes(region)) { relax(region); return; }
    var lists = Array.prototype.slice.call(region.querySelectorAll(LISTS));
    for (var guard = 0; guard < 500 && !fits(region); guard++) {
      var longest = null, height = -1;
      lists.forEach(function (list) {
        var shown = list.querySelectorAll(":scope > li:not([hidden]):not([data-more])");
        if (shown.length && list.offsetHeight > height) { longest = list; height = list.offsetHeight; }
      });
      if (!longest) return;
      var items = longest.querySelectorAll(":scope > li:not([hidden]):not([data-more])");
      var item = items[fromStart(longest) ? 0 : items.length - 1];
      if (smallerTop(longest, item, region)) continue;
      hide(item);
      count(longest, texts);
    }
    giveBack(lists, region, texts);
    relax(region);
  }

  /* Notes were all cut alike, and some hidden after that: a note in a column with room to
     spare takes back its whole text, or a line more, if that still fits. */
  function relax(region) {
    /* Only the texts the clamp does cut, read at once: each try costs a layout. */
    Array.prototype.filter.call(region.querySelectorAll(".notes [data-fit-clamp]"), function (text) {
      return !text.closest("[hidden]") && text.scrollHeight > text.clientHeight + 1;
    }).forEach(function (text) {
      var was = Number(text.style.getPropertyValue("--clamp"));
      unclamp(text);
      if (fits(region)) return;
      clampTo(text, was + 1);
      if (!fits(region)) clampTo(text, was);
    });
  }

  function clampTo(text, lines) {
    text.setAttribute("data-fit-clamp", "");
    text.style.setProperty("--clamp", lines);
  }
  function lineHeight(text) {
    var style = getComputedStyle(text);
    return parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
  }
  function shortenRanking(region) {
    var texts = Array.prototype.slice.call(region.querySelectorAll(".ranking-list .ranking-text"));
    /* How many lines each has, read at once: one already as short is skipped, not measured. */
    var had = texts.map(function (text) { return Math.round(text.scrollHeight / lineHeight(text)); });
    for (var lines = 2; texts.length && lines >= 1; lines--) {
      for (var i = texts.length - 1; i >= 0; i--) {
        if (had[i] <= lines) continue;
        clampTo(texts[i], lines);
        if (fits(region)) return true;
      }
    }
    return false;
  }
  function leastNoteLines(region) { return Number(region.dataset.fitLeast || 2); }
  function shortenNotes(region) {
    var texts = region.querySelectorAll(".notes .note-text");
    for (var lines = 4; texts.length && lines >= leastNoteLines(region); lines--) {
      texts.forEach(function (text) { clampTo(text, lines); });
      if (fits(region)) return true;
    }
    return false;
  }

  function hide(item) { item.hidden = true; item.setAttribute("data-fit-hidden", ""); }

  /* A ranking's top five (ties too) would lose one: their large type gets a quarter
     smaller (not less: the back of the room must read it) when that keeps every note
     ranked fifth or better in sight; else they keep it, and the last ones are hidden. */
  function smallerTop(list, item, region) {
    if (!item.matches(".ranking-top") || list.hasAttribute("data-fit-even")) return false;
    list.setAttribute("data-fit-even", "smaller");
    if (fits(region)) return true;
    list.setAttribute("data-fit-even", "tried");
    return false;
  }

  /* A stage column's notes come in at its end: it gives up its earliest first. */
  function fromStart(list) { return list.matches(".notes"); }

  /* The list's "+ N more" (or "+ N earlier") line says how many it hid (none: no line). */
  function count(list, texts) {
    var hidden = list.querySelectorAll(":scope > [data-fit-hidden]").length;
    var more = list.querySelector(":scope > [data-more]");
    if (!hidden) { if (more) more.remove(); return; }
    var start = fromStart(list);
    if (!more) {
      more = document.createElement("li");
      more.className = "more";
      if (start) list.prepend(more); else list.appendChild(more);
    }
    more.setAttribute("data-more", hidden);
    more.textContent = (start ? texts.earlier : texts.more).replace("{n}", hidden);
  }

  /* Cutting the longest list first may have cut one that had room after all (a neighbour
     was as long): the lists take back what still fits, one item each in turn (lists stacked
     one above the other share the room), and a list whose next item does not fit whole
     takes it back cut to the lines that fit ("…"), rather than leave the room below empty
     or a column of long notes showing only "+ N more". */
  function giveBack(lists, region, texts) {
    var open = lists.slice();
    while (open.length) {
      open = open.filter(function (list) {
        var hidden = list.querySelectorAll(":scope > [data-fit-hidden]");
        if (!hidden.length) return false;
        var item = hidden[fromStart(list) ? hidden.length - 1 : 0];  /* the one next to those shown */
        item.hidden = false;
        item.removeAttribute("data-fit-hidden");
        count(list, texts);
        if (fits(region)) return true;
        if (!clamp(item, region)) {
          hide(item);
          count(list, texts);
        }
        return false;
      });
    }
  }

  /* The item's text cut to as many lines as fit, down to one; false if not even that fits.
     Notes and ranks reach here cut to their least already (shortenNotes, shortenRanking),
     so in practice it is a matrix card's title that gets a line less. The whole text stays
     in the page (a screen reader reads it); only what shows is cut. */
  var CLAMPED = ".note-text, .ranking-text, .matrix-title";
  function clamp(item, region) {
    var text = item.querySelector(CLAMPED);
    if (!text) return false;
    var least = text.matches(".note-text") ? leastNoteLines(region) : 1;
    for (var lines = Math.floor(text.clientHeight / lineHeight(text)) - 1; lines >= least; lines--) {
      clampTo(text, lines);
      if (fits(region)) return true;
    }
    unclamp(text);
    return false;
  }
  function unclamp(text) {
    text.removeAttribute("data-fit-clamp");
    text.style.removeProperty("--clamp");
  }

  /* The largest whole size between the region's two that fits (a binary search). */
  function fit(region) {
    var range = region.dataset.fit.split(" "), low = Number(range[0]), high = Number(range[1]);
    undo(region);
    setSize(region, high);
    if (fits(region)) return;
    setSize(region, low);
    if (!wordsFit(region)) region.setAttribute("data-fit-break", "");
    if (!fits(region)) {
      var part = region.closest(".live-part");
      var said = part ? part.dataset : {};
      trim(region, { more: said.moreText || "+ {n}", earlier: said.earlierText || "+ {n}" });
      return;
    }
    while (high - low > 1) {
      var middle = Math.floor((low + high) / 2);
      setSize(region, middle);
      if (fits(region)) low = middle; else high = middle;
    }
    setSize(region, low);
  }

  /* A heading breaks between words only: one whose longest word is wider than its column
     gets smaller, down to a floor, rather than be cut off. */
  var HEADINGS = ".stage-column h2, .map-stage, .map-lane-head, .matrix-quadrant h3";
  function shrinkHeadings(region) {
    region.querySelectorAll(HEADINGS).forEach(function (heading) {
      heading.style.fontSize = "";
      var size = parseFloat(getComputedStyle(heading).fontSize);
      while (heading.scrollWidth > heading.clientWidth + 1 && size > 10) {
        size -= 1;
        heading.style.fontSize = size + "px";
      }
    });
  }

  /* A stage's name on the emotion curve stays inside its band (a stage of one touchpoint is
     narrow): its type gets smaller, to two thirds at most. */
  function shrinkStageName(name) {
    name.style.fontSize = "";
    var band = name.previousElementSibling;
    if (!band || !band.width) return;
    var room = band.width.baseVal.value - 16, length = name.getComputedTextLength();
    if (length <= room) return;
    var size = parseFloat(getComputedStyle(name).fontSize);
    name.style.fontSize = Math.max(size * 2 / 3, size * room / length) + "px";
  }

  /* Any change but the timer's ticking fits again (an update may also have taken back
     what the last fit set or hid); fitting changes the page, which must not. */
  var watching = new MutationObserver(function (records) {
    if (records.some(function (record) {
      var el = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      return el && !el.closest("[data-timer]");
    })) schedule();
  }), pending = false;
  var WATCH = { childList: true, subtree: true, characterData: true, attributes: true,
                attributeFilter: ["style", "hidden", "class", "data-fit"] };
  /* data-fitting on <html> while a fit waits for its frame: what waits for the board to be
     fitted (the browser tests) waits for it to go. */
  function fitAll() {
    pending = false;
    watching.disconnect();
    root.querySelectorAll("[data-fit]").forEach(function (region) { fit(region); shrinkHeadings(region); });
    root.querySelectorAll(".curve-stage-name").forEach(shrinkStageName);
    watching.takeRecords();
    watching.observe(root, WATCH);
    document.documentElement.removeAttribute("data-fitting");
  }
  function schedule() {
    if (pending) return;
    pending = true;
    document.documentElement.setAttribute("data-fitting", "");
    requestAnimationFrame(fitAll);
  }
  window.addEventListener("resize", schedule);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(schedule);
  fitAll();

  /* Full screen: the button, or F (not while typing anywhere). */
  var button = document.querySelector("[data-fullscreen]");
  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
  }
  /* The button (and the pointer) show while the mouse moves, and leave the wall alone. */
  var resting = null;
  document.addEventListener("mousemove", function () {
    document.body.classList.add("pointing");
    clearTimeout(resting);
    resting = setTimeout(function () { document.body.classList.remove("pointing"); }, 3000);
  });
  if (button && document.fullscreenEnabled) {
    button.hidden = false;
    button.addEventListener("click", toggleFullscreen);
    document.addEventListener("keydown", function (e) {
      var typing = e.target.closest && e.target.closest("input, textarea, select, [contenteditable]");
      if ((e.key === "f" || e.key === "F") && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        toggleFullscreen();
      }
    });
  }

  /* The timer's end: two soft tones, when the board asks for sound. Browsers let a page play
     sound only after someone touched it, so any click or key on the board readies it. */
  var audio = null;
  function ready() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  }
  document.addEventListener("click", ready);
  document.addEventListener("keydown", ready);
  function chime() {
    ready();
    if (!audio) return;
    [0, 0.35].forEach(function (delay, index) {
      var tone = audio.createOscillator(), volume = audio.createGain(), at = audio.currentTime + delay;
      tone.frequency.value = index ? 660 : 880;
      volume.gain.setValueAtTime(0.0001, at);
      volume.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.6);
      tone.connect(volume).connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.65);
    });
    root.dataset.chimed = String(Number(root.dataset.chimed || 0) + 1);
  }
  document.addEventListener("cjm:timer-done", function () {
    var part = root.querySelector(".live-part");
    if (part && part.hasAttribute("data-sound")) chime();
  });
})();
