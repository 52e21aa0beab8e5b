/* CJM Workshop live pages (phone, console, board): follow the server's event stream and
   send notes without losing them on flaky Wi-Fi. Pages work without this script. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.fetch) return;
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  var refreshing = null, refreshAgain = false;

  function fillCsrf(el) {
    el.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
      if (!input.value) input.value = csrf;
    });
  }

  function fragment(html) {
    var box = document.createElement("div");
    box.innerHTML = html.trim();
    fillCsrf(box);
    return box.firstElementChild;
  }

  /* Typed text survives swaps of the live part, step changes and reloads: every keystroke
     is kept in sessionStorage under the form's action and the field's name. */
  var store = window.sessionStorage;
  function draftKey(f) { return "cjm-draft " + f.form.getAttribute("action") + " " + f.name; }
  function draftFields(scope) {
    return scope.querySelectorAll("form[data-note-form] textarea, form[data-note-form] select");
  }
  function keepDrafts(scope) {
    draftFields(scope).forEach(function (f) {
      try {
        var saved = store.getItem(draftKey(f));
        if (saved !== null && !f.value) f.value = saved;
      } catch (err) { /* private mode: no drafts */ }
      f.addEventListener("input", function () {
        try { store.setItem(draftKey(f), f.value); } catch (err) { /* ignore */ }
      });
    });
  }
  /* Near the limit, a note's form says how many characters are left. */
  var COUNT_FROM = 40;
  function countCharacters(scope) {
    scope.querySelectorAll("[data-count-for]").forEach(function (said) {
      var field = document.getElementById(said.dataset.countFor);
      if (!field || field.dataset.counted) return;
      field.dataset.counted = "1";
      function update() {
        var left = Number(field.getAttribute("maxlength")) - field.value.length;
        said.textContent = left <= COUNT_FROM ? said.dataset.left.replace("{n}", left) : "";
      }
      field.addEventListener("input", update);
      if (field.form) field.form.addEventListener("reset", function () { setTimeout(update); });
      update();
    });
  }
  function forgetDrafts(form) {
    draftFields(form.parentNode || form).forEach(function (f) {
      if (f.form === form) { try { store.removeItem(draftKey(f)); } catch (err) { /* ignore */ } }
    });
  }

  /* The step timer counts down from what the server computed when it rendered. */
  var ticking = null;
  function startTimer() {
    if (ticking) { clearInterval(ticking); ticking = null; }
    var el = root.querySelector("[data-timer]");
    if (!el || el.dataset.state !== "running") return;
    var text = el.querySelector("[data-timer-text]");
    var endsAt = Date.now() + Number(el.dataset.seconds) * 1000;
    function tick() {
      var left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
      text.textContent = left ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : el.dataset.done;
      if (!left) {
        clearInterval(ticking); ticking = null;
        el.classList.add("timer-done");
        if (navigator.vibrate) navigator.vibrate([120, 80, 120]);  /* a gentle signal */
        document.dispatchEvent(new CustomEvent("cjm:timer-done"));  /* the board's sound */
      }
    }
    tick();
    ticking = setInterval(tick, 250);
  }

  /* After anything was swapped in: a kept note's line goes once its form is back, forms and
     htmx attributes work, the timer runs, the map script hears of it, and the "+" buttons
     follow the dots left. */
  function settle(el) {
    root.querySelectorAll(".notice-kept").forEach(function (said) {
      var back = root.querySelectorAll("form[data-note-form]");
      if (Array.prototype.some.call(back, function (f) { return f.getAttribute("action") === said.dataset.keptFor; })) said.remove();
    });
    wireForms();
    startTimer();
    if (window.htmx) window.htmx.process(el);
    document.dispatchEvent(new CustomEvent("cjm:swapped", { detail: el }));
    followDotsLeft();
  }

  /* A tap answers with the tapped pain point only; the other "+" buttons are enabled or
     not by the same rule the server renders: no dots left, one's own note in a round not
     on one's own, or one dot per note and one there already. */
  function followDotsLeft() {
    var left = document.getElementById("dots-left"), panel = document.getElementById("vote");
    if (!left || !panel) return;
    var none = left.dataset.left === "0", one = panel.dataset.several !== "1";
    panel.querySelectorAll(".vote-item").forEach(function (item) {
      var add = item.querySelector("button[value=add]");
      if (add) add.disabled = none || item.hasAttribute("data-own") || (one && item.dataset.mine !== "0");
    });
  }

  /* Updates morph the page (idiomorph) instead of replacing it, so that nobody loses work: a
     field someone changed keeps its value and caret, focus and scroll stay where they were, an
     open menu stays open, ticked boxes stay ticked, and a form still sending (or waiting to be
     sent again) is left alone; what htmx's answer to an act said ([data-said]) stays until the
     next answer. Flags this script sets are kept. Phones fetch idiomorph with
     their first update, so it costs nothing on a first visit. */
  var takingEnds = false;  /* set while an update says nothing new is taken any more */
  var ownMorph = false;  /* set while this script morphs: the room's updates, not htmx's answers */
  var OUR_FLAGS = ["data-wired", "data-sending", "data-unsent", "data-sortable", "data-counted"];
  function edited(f) {
    if (f.type === "checkbox" || f.type === "radio") return f.checked !== f.defaultChecked;
    if (f.tagName === "SELECT") {
      /* Without a default marked, a list shows its first option: that one is no edit. */
      var marked = Array.prototype.some.call(f.options, function (o) { return o.defaultSelected; });
      return Array.prototype.some.call(f.options, function (o, i) {
        return o.selected !== (marked ? o.defaultSelected : i === 0 && !f.multiple);
      });
    }
    return f.type !== "hidden" && f.value !== f.defaultValue;
  }
  function typedIn(form) {
    return Array.prototype.filter.call(form.querySelectorAll("textarea"), edited)[0];
  }
  var keepWork = {
    beforeNodeMorphed: function (old) {
      if (old.nodeType !== 1) return true;
      if (old.matches("form[data-sending], form[data-unsent], [data-note-status], [data-count-for], [data-leaving], input[name$=idempotency_key]")) return false;
      if (ownMorph && old.matches("[data-said]")) return false;
      return !(old.matches("input, textarea, select") && edited(old));
    },
    beforeNodeRemoved: function (old) {
      if (old.classList && (old.classList.contains("note-undo") || old.classList.contains("notice-kept"))) return false;
      if (!(old.matches && old.matches("form[data-note-form]"))) return true;
      var typed = typedIn(old);
      if (!typed) return true;
      /* The room closed (or this phone was removed) mid-note: the note stays on the screen,
         and sending it says why it is refused, text kept. */
      if (takingEnds) return false;
      /* The facilitator moved on mid-note: the form goes, its text stays in the drafts (it
         comes back with its step) and a line says so, with the text, until closed. A note
         still being sent goes with its form; its answer says whether it was taken (send). */
      if (!old.dataset.sending) keepDraft(old, typed);
      return true;
    },
    beforeAttributeUpdated: function (name, el) {
      return OUR_FLAGS.indexOf(name) < 0 && !(name === "open" && el.tagName === "DETAILS");
    }
  };
  var morphLoading = null;
  function withMorph(fn) {
    if (window.Idiomorph || !root.dataset.morphSrc) { fn(); return; }
    if (!morphLoading) {
      morphLoading = new Promise(function (done) {
        var script = document.createElement("script");
        script.src = root.dataset.morphSrc;
        script.onload = script.onerror = done;  /* without it, parts are replaced instead */
        document.head.appendChild(script);
      });
    }
    morphLoading.then(fn);
  }
  function morph(old, replacement) {
    var mark = focusMark();
    ownMorph = true;
    try {
      if (!window.Idiomorph) old.replaceWith(replacement);
      else window.Idiomorph.morph(old, replacement, { morphStyle: "outerHTML", callbacks: keepWork });
    } finally { ownMorph = false; }
    refocus(mark);
  }

  /* Focus stays on the control used (a button moved to another list, or disabled by the
     answer, would drop it to the page): the same control again, or the nearest enabled one
     in the same part. */
  function focusMark() {
    var el = document.activeElement;
    if (!el || el === document.body) return null;
    var part = el.closest("[id]");
    return { el: el, part: part && part.id, tag: el.tagName, name: el.getAttribute("name"),
             value: el.getAttribute("value"), title: el.getAttribute("title") };
  }
  function refocus(mark) {
    var now = document.activeElement;
    if (!mark || (now && now !== document.body && now !== mark.el)) return;  /* moved on */
    if (now === mark.el && !mark.el.disabled) return;
    var scope = mark.part && document.getElementById(mark.part), el = null;
    if (mark.el.isConnected && !mark.el.disabled) el = mark.el;
    else if (scope) {
      el = Array.prototype.filter.call(scope.querySelectorAll(mark.tag), function (c) {
        return !c.disabled && c.getAttribute("name") === mark.name &&
          c.getAttribute("value") === mark.value && c.getAttribute("title") === mark.title;
      })[0] || scope.querySelector("button:not([disabled]), a[href], input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled])");
    }
    if (el) el.focus({ preventScroll: true });
  }
  if (window.Idiomorph) Object.assign(window.Idiomorph.defaults.callbacks, keepWork);  /* htmx's morphs too */
  /* A menu closes once something in it was chosen (updates keep the menus people opened). */
  document.addEventListener("submit", function (e) {
    var menu = e.submitter && e.submitter.closest("details");
    if (menu) menu.open = false;
  }, true);
  /* A link chosen in a note's form (its touchpoint, the pain point it answers) sets the
     form's stage to the linked note's: the stage kept from the note before misplaced
     answers. The stage may still be changed afterwards. */
  document.addEventListener("change", function (e) {
    var link = e.target, option = link.options && link.options[link.selectedIndex];
    var stage = option && option.dataset.stage;
    var field = stage && link.form && link.form.querySelector("select[name$=stage_id]");
    if (field) field.value = stage;
  });
  /* A note's "⋯" menu closes as menus do: Escape (focus back on its button) or a click
     elsewhere. */
  document.addEventListener("keydown", function (e) {
    var menu = e.key === "Escape" && e.target.closest && e.target.closest("details.card-menu[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.card-menu[open]").forEach(function (menu) {
      if (!menu.contains(e.target)) menu.open = false;
    });
  });
  if (window.htmx) {
    /* A form that was sent and taken starts empty again; a refused one keeps what was typed. */
    var swapMark = null;
    document.addEventListener("htmx:beforeSwap", function (e) {
      var form = e.detail.requestConfig && e.detail.requestConfig.elt;
      if (form && form.tagName === "FORM" && e.detail.xhr.status < 300) form.reset();
      swapMark = focusMark();
    });
    document.addEventListener("htmx:afterSettle", function () { refocus(swapMark); swapMark = null; });
    document.addEventListener("htmx:afterRequest", function (e) {
      if (e.detail.successful) clearFlash();
    });
  }

  /* A message from an earlier action goes once the next one is taken ("Step saved." stayed
     on the console through two more steps); a refusal is said in its place (#flash). */
  function clearFlash() {
    var flash = document.getElementById("flash");
    if (flash) flash.replaceChildren();
  }

  /* Update the parts an answer brings by their ids (the map region, a tap's dots left and
     pain point), keeping a part's sideways scroll; false if the page lacks one of them. */
  function swapParts(html) {
    var box = document.createElement("div");
    box.innerHTML = html.trim();
    var parts = Array.prototype.slice.call(box.children);
    if (!parts.length || parts.some(function (p) {
      return !p.id || p.classList.contains("live-part") || !document.getElementById(p.id);
    })) return false;
    parts.forEach(function (p) {
      var old = document.getElementById(p.id), scroller = old.querySelector("[data-keep-scroll]");
      var left = scroller ? scroller.scrollLeft : 0;
      fillCsrf(p);
      morph(old, p);
      var now = document.getElementById(p.id), again = now && now.querySelector("[data-keep-scroll]");
      if (scroller && again && again.scrollLeft !== left) {
        again.style.scrollBehavior = "auto"; again.scrollLeft = left; again.style.scrollBehavior = "";
      }
      settle(now || p);
    });
    return true;
  }

  /* What the facilitator moving on took away while it was being written (see keepWork): said
     until closed, or until its form is back (with the text in it). */
  var keptDrafts = [];
  function keepDraft(form, typed) {
    if (!root.dataset.keptText) return;
    var kind = form.querySelector("h3");
    keptDrafts.push({ kind: kind ? kind.textContent : "", text: typed.value, form: form.getAttribute("action") });
  }
  /* A note whose form the room took away while it was being sent, and that was not taken
     (refused, or no answer): kept and said so as if it had not been sent. */
  function keptWhenGone(form) {
    var typed = typedIn(form);
    if (form.isConnected || !typed || !form.matches("[data-note-form]")) return false;
    keepDraft(form, typed);
    sayKept(root.querySelector(".live-part"));
    return true;
  }
  function sayKept(part) {
    keptDrafts.splice(0).forEach(function (draft) {
      var said = document.createElement("div");
      said.className = "notice notice-kept";
      said.dataset.keptFor = draft.form;
      said.setAttribute("role", "status");
      var why = document.createElement("p");
      why.textContent = root.dataset.keptText;
      var text = document.createElement("blockquote");
      var kind = document.createElement("strong");
      kind.textContent = draft.kind;
      text.append(kind, document.createElement("br"), draft.text);
      var close = document.createElement("button");
      close.type = "button";
      close.className = "button small";
      close.textContent = root.dataset.closeText;
      close.addEventListener("click", function () { said.remove(); });
      said.append(why, text, close);
      var card = part.querySelector(".step-card");
      if (card) card.after(said); else part.prepend(said);
    });
  }

  /* Phones hear the new step through a polite live region. */
  function announceStep(part) {
    var said = document.getElementById("step-announcer"), title = part.querySelector("#step-h");
    var progress = part.querySelector(".step-progress");
    if (said && title) said.textContent = (progress ? progress.textContent + ": " : "") + title.textContent;
  }

  /* An answer updates the parts it brings, or else the whole live part. */
  function swapLive(html) {
    withMorph(function () {
      if (swapParts(html)) return;
      var part = fragment(html);
      if (!part) return;
      var old = root.querySelector(".live-part");
      var stepBefore = old && old.dataset.step;
      takingEnds = !!part.querySelector(".notice-closed");
      if (old) morph(old, part); else root.appendChild(part);
      takingEnds = false;
      var now = root.querySelector(".live-part");
      sayKept(now);
      settle(now);
      if (stepBefore && now.dataset.step !== stepBefore) announceStep(now);
    });
  }

  /* The server sends the whole page elsewhere (htmx's HX-Redirect: a log-in that ended). */
  function leavePage(r) {
    var target = r.headers.get("HX-Redirect");
    if (target) window.location.assign(target);
    return !!target;
  }

  /* A part fetched before a form's answer arrived may be older than that answer (a tap's
     "1 dot left" over its take-back's "2 dots left"): it is dropped and fetched again. */
  var answers = 0;
  function refresh() {
    if (refreshing) { refreshAgain = true; return; }
    var since = answers;
    refreshing = fetch(root.dataset.liveSrc, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok && !leavePage(r) ? r.text() : null; })
      .then(function (html) {
        if (html && answers !== since) refreshAgain = true;
        else if (html) swapLive(html);
      })
      .catch(function () {})
      .then(function () {
        refreshing = null;
        if (refreshAgain) { refreshAgain = false; refresh(); }
      });
  }

  /* The journey map reloads as a whole region (rendered once per change for every screen).
     Events it already shows (the page's own change) are skipped; a reload waits while the
     facilitator is dragging. */
  var mapLoading = null, mapAgain = false;
  function mapBox() { return root.querySelector("[data-map-src]"); }
  function reloadMap(eventId) {
    var box = mapBox();
    if (!box) return false;
    if (eventId && Number(eventId) <= Number(box.dataset.lastEvent || 0)) return true;
    if (mapLoading || document.body.dataset.dragging) { mapAgain = true; return true; }
    mapLoading = fetch(box.dataset.mapSrc, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok && !leavePage(r) ? r.text() : null; })
      .then(function (html) { if (html) withMorph(function () { swapParts(html); }); })
      .catch(function () {})
      .then(function () {
        mapLoading = null;
        if (mapAgain && !document.body.dataset.dragging) { mapAgain = false; reloadMap(); }
      });
    return true;
  }
  window.cjmLive = { reloadMap: function () { if (mapAgain) { mapAgain = false; reloadMap(); } } };

  function listFor(data) {
    var box = root.querySelector('[data-notes][data-step="' + data.step + '"]');
    if (!box) return null;
    if (!box.querySelector("[data-stage-list]")) return box;
    return box.querySelector('[data-stage-list="' + (data.stage || "") + '"]') ||
      box.querySelector('[data-stage-list=""]');
  }

  /* Lists hold notes in the order they were written (by id), as the server renders them:
     two notes sent at the same moment stand in the same order on every screen, whichever
     arrived first. */
  function place(list, note, id) {
    var later = Array.prototype.find.call(list.children, function (c) {
      return c !== note && c.dataset.note && Number(c.dataset.note) > Number(id);
    });
    list.insertBefore(note, later || null);
  }

  function upsert(data, html) {
    withMorph(function () {
      var note = fragment(html);
      var existing = document.getElementById("note-" + data.id);
      if (existing) {
        /* An edit may have moved it to another stage: it goes to that stage's list first. */
        var home = listFor(data);
        if (home && existing.parentNode !== home) place(home, existing, data.id);
        morph(existing, note);
      } else {
        var list = listFor(data);
        if (!list) return;
        place(list, note, data.id);
        var empty = root.querySelector("[data-empty]");
        if (empty) empty.remove();
      }
      wireForms();
    });
  }

  function remove(id) {
    var el = document.getElementById("note-" + id);
    if (el) el.remove();
  }

  function connect() {
    if (!window.EventSource || !root.dataset.events) return;
    var part = root.querySelector(".live-part");
    var after = part ? part.dataset.lastEvent : "0";
    var url = root.dataset.events + (root.dataset.events.indexOf("?") < 0 ? "?" : "&") + "after=" + after;
    var source = new EventSource(url);
    /* The console recounts who contributed; a board counts private notes, or shows a
       spotlight that is no list of the step's notes; an open vote lists a new note too. */
    function recount() {
      return root.dataset.refreshOnNote || root.querySelector("[data-refresh-on-note]");
    }
    source.addEventListener("note", function (e) {
      if (reloadMap(e.lastEventId)) return;
      var d = JSON.parse(e.data);
      upsert(d, d.html);
      if (recount()) refresh();
    });
    source.addEventListener("note-gone", function (e) {
      if (reloadMap(e.lastEventId)) return;
      remove(JSON.parse(e.data).id);
      if (recount()) refresh();
    });
    /* Notes moved or merged: a page without the map shows them in lists (a phone's dots,
       the board's pain points), so it fetches its live part again. */
    source.addEventListener("map", function (e) { if (!reloadMap(e.lastEventId)) refresh(); });
    source.addEventListener("refresh", refresh);
    source.addEventListener("presence", function () { if (root.dataset.presence) refresh(); });
    /* A newer window of the same person took over: stop here and say so. */
    source.addEventListener("superseded", function (e) {
      source.close();
      var note = document.createElement("p");
      note.className = "notice";
      note.setAttribute("role", "status");
      note.textContent = JSON.parse(e.data).message;
      root.prepend(note);
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  /* The form's fields plus the button that sent it (a face, +/−), also for a retry. */
  function formData(form) {
    var data = new FormData(form), button = form.lastButton;
    if (button && button.name) data.append(button.name, button.value);
    return data;
  }

  /* Deleting a note can be undone for a few seconds: the note steps aside and an Undo button
     takes its place; only then is the delete sent (at once if the page is left meanwhile).
     Without this script, the plain form deletes at once. */
  var UNDO_SECONDS = 6, leaving = [];
  function deleteWithUndo(form) {
    var note = form.closest("[data-note]");
    if (!note || note.dataset.leaving) return;
    note.dataset.leaving = "1";
    note.hidden = true;
    root.querySelectorAll("[data-note-status].saved").forEach(clearStatus);  /* not "Saved" beside "Note deleted" */
    var bar = document.createElement(note.tagName);
    bar.className = "note-undo";
    bar.setAttribute("role", "status");
    bar.textContent = root.dataset.deletedText + " ";
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "button small";
    undo.textContent = root.dataset.undoText;
    bar.appendChild(undo);
    note.after(bar);
    undo.focus();
    var pending = { form: form, bar: bar, timer: null };
    pending.timer = setTimeout(function () { goAhead(pending); }, UNDO_SECONDS * 1000);
    leaving.push(pending);
    undo.addEventListener("click", function () {
      clearTimeout(pending.timer);
      leaving.splice(leaving.indexOf(pending), 1);
      bar.remove();
      delete note.dataset.leaving;
      note.hidden = false;
      var again = form.querySelector("button");
      if (again) again.focus();
    });
  }
  function goAhead(pending) {
    var at = leaving.indexOf(pending);
    if (at < 0) return;
    leaving.splice(at, 1);
    pending.bar.remove();
    pending.form.dataset.confirmed = "1";
    send(pending.form);
  }
  window.addEventListener("pagehide", function () {
    leaving.slice().forEach(function (pending) {
      clearTimeout(pending.timer);
      leaving.splice(leaving.indexOf(pending), 1);
      fetch(pending.form.getAttribute("action"), {
        method: "POST", body: new FormData(pending.form), credentials: "same-origin", keepalive: true,
        headers: { "HX-Request": "true", "X-CSRFToken": csrf }
      });
    });
  });

  var KEPT_CHOICES = "select:not([name$=touchpoint_id]):not([name$=pain_point_id])";

  function clearStatus(status) { status.textContent = ""; status.className = "note-status"; }

  /* A form that was taken no longer shows the last refusal's messages. */
  function clearErrors(form) {
    form.querySelectorAll(".field .error").forEach(function (p) { p.remove(); });
    form.querySelectorAll(".has-error").forEach(function (f) { f.classList.remove("has-error"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (f) {
      var rest = (f.getAttribute("aria-describedby") || "").replace(/\S+-error\b/g, "").trim();
      f.removeAttribute("aria-invalid");
      if (rest) f.setAttribute("aria-describedby", rest); else f.removeAttribute("aria-describedby");
    });
  }

  function send(form) {
    if (form.hasAttribute("data-removes") && !form.dataset.confirmed) { deleteWithUndo(form); return; }
    delete form.dataset.confirmed;
    var mark = focusMark();
    var status = form.querySelector("[data-note-status]");
    var retry = form.querySelector("[data-retry]");
    var button = form.querySelector("button[type=submit]");
    if (form.dataset.sending) return;
    form.dataset.sending = "1";
    if (status) { status.textContent = status.dataset.sending; status.className = "note-status sending"; }
    if (retry) retry.hidden = true;
    if (button) button.disabled = true;
    fetch(form.getAttribute("action"), {
      method: "POST", body: formData(form), credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrf }
    }).then(function (r) {
      if (leavePage(r)) return new Promise(function () {});  /* the page is going away */
      return r.text().then(function (html) {
        return { status: r.status, html: html, target: r.headers.get("HX-Retarget") };
      });
    }).then(function (answer) {
      answers += 1;
      if (answer.status < 300) clearFlash();
      delete form.dataset.sending;
      if (button) button.disabled = false;
      if (answer.status !== 201 && keptWhenGone(form)) return;
      if (status && answer.status < 500) {  /* answered: saved, or the form says what is wrong */
        status.textContent = answer.status < 300 ? status.dataset.saved : "";
        status.className = "note-status" + (answer.status < 300 ? " saved" : "");
      }
      /* Answered, saved or refused: what is sent next is a new request with a key of its
         own (only a send that got no answer is retried under the same key). */
      var key = form.querySelector("input[name$=idempotency_key]");
      if (key && answer.status < 500) key.value = newKey();
      if (answer.status === 201) {
        var note = fragment(answer.html);
        var data = { id: note.dataset.note, step: root.querySelector(".live-part").dataset.step, stage: note.dataset.stage };
        if (form.isConnected) upsert(data, answer.html);  /* else its step's list went with it */
        forgetDrafts(form);
        /* The text starts empty again; the choices stay (several insights from one
           interview, several touchpoints in one stage), but not the note it was linked to:
           the next pain point is seldom at the same touchpoint, and a link kept unseen put
           pain points at touchpoints of other stages. */
        var chosen = Array.prototype.map.call(form.querySelectorAll(KEPT_CHOICES), function (s) { return [s, s.value]; });
        form.reset();
        chosen.forEach(function (pair) { pair[0].value = pair[1]; });
        clearErrors(form);
      } else if (answer.status >= 500 || (!answer.html && answer.status !== 204)) {
        throw new Error(String(answer.status));
      } else if (answer.target) {  /* a refusal said in a message (the server's htmx protocol) */
        var place = document.querySelector(answer.target);
        if (place) place.innerHTML = answer.html;
      } else {
        if (answer.status < 300) {
          if (form.hasAttribute("data-removes")) {
            var gone = form.closest("[data-note]");
            if (gone) gone.remove();
          }
          form.reset();  /* taken: the form starts empty again (a refused one keeps its text) */
        }
        if (answer.html) swapLive(answer.html);
      }
    }).catch(function () {
      delete form.dataset.sending;
      if (button) button.disabled = false;
      if (keptWhenGone(form)) return;
      var kept = form.hasAttribute("data-removes") && form.closest("[data-note]");
      if (kept) { delete kept.dataset.leaving; kept.hidden = false; }  /* not deleted after all */
      if (status) { status.textContent = status.dataset.failed; status.className = "note-status failed"; }
      if (retry) retry.hidden = false;
      form.dataset.unsent = "1";
    }).then(function () { withMorph(function () { refocus(mark); }); });
  }

  /* Every form that posts inside the live part goes through send(), except those htmx sends. */
  function wireForms() {
    root.querySelectorAll("form[method=post]:not([hx-post])").forEach(function (form) {
      if (form.dataset.wired) return;
      form.dataset.wired = "1";
      keepDrafts(form);
      countCharacters(form);
      form.addEventListener("input", function () {  /* "Saved" was the last note, not this text */
        var status = form.querySelector("[data-note-status].saved");
        if (status) clearStatus(status);
      });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
        form.lastButton = e.submitter || null;
        send(form);
      });
      var retry = form.querySelector("[data-retry]");
      if (retry) retry.addEventListener("click", function () { send(form); });
    });
  }

  /* Back online: send what did not go, then catch up on what was missed. */
  window.addEventListener("online", function () {
    root.querySelectorAll("form[data-unsent]").forEach(function (form) {
      delete form.dataset.unsent; send(form);
    });
  });

  fillCsrf(root);
  wireForms();
  startTimer();
  connect();
})();
