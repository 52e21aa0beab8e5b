"""Step 4, Visualize: the facilitator arranges the journey map.

Every change is a plain form post that works without JavaScript (the answer redirects back
to the map); with htmx or the drag-and-drop script the answer is the new map region, with a
sentence for screen readers about what happened.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from cjm_workshop.extensions import db
from cjm_workshop.labels import LANE_LABELS
from cjm_workshop.models import Lane, LaneKind, Note, NoteKind, Step, Workshop
from cjm_workshop.services import duplicates, journey_map
from cjm_workshop.services.errors import MergeRefused, SuggestionRefused
from cjm_workshop.web.access import part_or_404, run_workshop_or_404
from cjm_workshop.web.facilitate import bp
from cjm_workshop.web.forms import ConfirmForm
from cjm_workshop.web.htmx import is_htmx, render
from cjm_workshop.web.journey import (
    arrange_src,
    back_to_map,
    map_context,
    persona_filter,
    render_map,
)


def page_context(workshop: Workshop, persona_id: int | None = None) -> dict:
    return {
        "workshop": workshop,
        "button_form": ConfirmForm(formdata=None),
        "hidden_lanes": [lane for lane in workshop.lanes if lane.hidden],
        **map_context(workshop, "arrange", arrange_src(workshop, persona_id), persona_id),
        **suggestions_context(workshop, "map", persona_id),
    }


@bp.get("/<int:workshop_id>/map")
def map_page(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    persona_id = persona_filter(workshop)
    if is_htmx() and request.args.get("part") == "map":
        # What a change elsewhere alters: the map, and with it the suggested duplicates.
        panel = render_template(
            "facilitate/_duplicates.html",
            workshop=workshop,
            **suggestions_context(workshop, "map", persona_id),
        )
        the_map = render_map(workshop, "arrange", arrange_src(workshop, persona_id), persona_id)
        return the_map + Markup(panel)  # noqa: S704 (escaped by Jinja)
    return render(
        "facilitate/map.html",
        partial="facilitate/_map_live.html",
        **page_context(workshop, persona_id),
    )


def _stage_name(workshop: Workshop, stage_id: int | None) -> str:
    names: dict[int | None, str] = {stage.id: stage.name for stage in workshop.stages}
    return names.get(stage_id) or _("No stage yet")


@bp.post("/<int:workshop_id>/notes/<int:note_id>/move")
def move_note(workshop_id: int, note_id: int):
    """to=left|right|up|down (the buttons), to=lane with lane=<kind>, or to=cell with lane,
    stage and index (drag and drop)."""
    workshop = run_workshop_or_404(workshop_id)
    note = part_or_404(Note, workshop, note_id)
    to = request.form.get("to", "")
    if to in journey_map.DIRECTIONS:
        journey_map.nudge(db.session, workshop, note, to)
    elif to == "lane":
        journey_map.move_note(db.session, workshop, note, lane=_lane_kind(), stage_id=note.stage_id)
    elif to == "cell":
        stage = request.form.get("stage", "")
        journey_map.move_note(
            db.session,
            workshop,
            note,
            lane=_lane_kind(),
            stage_id=_number(stage) if stage else None,
            index=_number(request.form.get("index", "")),
        )
    else:
        abort(400)
    db.session.commit()
    announce = _(
        "Moved to %(stage)s, %(lane)s, place %(place)d.",
        stage=_stage_name(workshop, note.stage_id),
        lane=LANE_LABELS[journey_map.lane_of(note)],
        place=note.position + 1,
    )
    return back_to_map(workshop, announce, anchor=f"note-{note.id}")


def _lane_kind() -> LaneKind:
    try:
        return LaneKind(request.form.get("lane", ""))
    except ValueError:
        abort(400)


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        abort(400)


@bp.post("/<int:workshop_id>/notes/<int:note_id>/unmerge")
def unmerge(workshop_id: int, note_id: int):
    workshop = run_workshop_or_404(workshop_id)
    note = part_or_404(Note, workshop, note_id)
    restored = journey_map.unmerge(db.session, workshop, note)
    db.session.commit()
    announce = _("%(count)d notes are back on the map.", count=len(restored))
    return back_to_map(workshop, announce, anchor=f"note-{note.id}")


def _selected_notes(workshop: Workshop, values: list[str]) -> list[Note]:
    """The notes chosen to merge, in map order. Unknown ids are 404; another workshop's
    note is refused with a message (and its text never shown)."""
    chosen = []
    for value in dict.fromkeys(values):
        note = db.session.get(Note, _number(value))
        if note is None:
            abort(404)
        if note.workshop_id != workshop.id:
            raise MergeRefused("other_workshop")
        chosen.append(note)
    return sorted(chosen, key=lambda n: (n.stage_id or 0, n.kind.value, n.position, n.id))


@bp.route("/<int:workshop_id>/map/merge", methods=["GET", "POST"])
def merge(workshop_id: int):
    """GET: choose which of the selected notes to keep. POST: merge the others into it."""
    workshop = run_workshop_or_404(workshop_id)
    values = request.values.getlist("note")
    chosen = _selected_notes(workshop, values)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        keep_id = request.form.get("keep", type=int)
        keep = next((note for note in chosen if note.id == keep_id), None)
        if keep is None:
            raise MergeRefused("keep_one")
        journey_map.merge(db.session, workshop, keep, [n for n in chosen if n.id != keep.id])
        db.session.commit()
        announce = _("Merged %(count)d notes into one.", count=len(chosen))
        return back_to_map(workshop, announce, anchor=f"note-{keep.id}")
    status = 200 if len(chosen) >= 2 else 422
    return render_template(
        "facilitate/merge.html", workshop=workshop, chosen=chosen, form=form
    ), status


LANE_ACTIONS = ("up", "down", "hide", "show")


@bp.post("/<int:workshop_id>/map/lanes/<int:lane_id>")
def lane(workshop_id: int, lane_id: int):
    workshop = run_workshop_or_404(workshop_id)
    chosen = part_or_404(Lane, workshop, lane_id)
    action = request.form.get("action", "")
    if action not in LANE_ACTIONS:
        abort(400)
    if action in ("hide", "show"):
        journey_map.set_lane_hidden(db.session, workshop, chosen, action == "hide")
    else:
        visible = [lane for lane in workshop.lanes if not lane.hidden]
        index = visible.index(chosen) + (-1 if action == "up" else 1) if chosen in visible else -1
        if not 0 <= index < len(visible):
            abort(400)
        journey_map.move_lane(db.session, workshop, chosen, visible[index].position)
    db.session.commit()
    if is_htmx():
        return render_template("facilitate/_map_live.html", **page_context(workshop))
    return redirect(url_for("facilitate.map_page", workshop_id=workshop.id), 303)


# --- suggested duplicates --------------------------------------------------------------

SUGGESTION_PAGES = {"map": "facilitate.map_page", "console": "facilitate.console"}


# Before a vote the console offers the duplicates among the notes voted on: merged first,
# they do not split the room's dots (a rehearsal's "lange wachttijd" got 2, its English
# twin 0).
VOTED_IN = {Step.EMOTIONS: NoteKind.PAIN_POINT, Step.ACTIONS: NoteKind.OPPORTUNITY}


def suggestions_context(workshop: Workshop, back: str, persona_id: int | None = None) -> dict:
    """The panel of suggested duplicates, on the map page and the console: in step 4 all
    of them, in a voting step those among the notes voted on; on a map shown for one
    persona, those among the notes it shows."""
    found = duplicates.suggestions(db.session, workshop)
    kind = VOTED_IN.get(workshop.current_step) if back == "console" else None
    if found is not None and (kind is not None or persona_id is not None):
        shown = (
            [
                note
                for note in group
                if (kind is None or note.kind is kind)
                and (persona_id is None or note.persona_id in (None, persona_id))
            ]
            for group in found
        )
        found = [group for group in shown if len(group) > 1]
    return {
        "suggestions": found,
        "suggestions_back": back,
        "suggestions_voted": kind,
        "compared_at_most": duplicates.COMPARED_AT_MOST,
    }


def _suggestion(workshop: Workshop) -> list[Note]:
    """The notes of the group left ticked; the one chosen to keep counts as ticked."""
    ids = [_number(value) for value in request.form.getlist("note")]
    keep = request.form.get("keep", type=int)
    if keep is not None:
        ids.append(keep)
    return duplicates.suggested_notes(db.session, workshop, ids)


def _back_from_suggestion(workshop: Workshop, announce: str, anchor: str | None = None):
    """The panel again (htmx; a merge reaches the map through the live stream, as every
    merge does), or the page it was on (plain forms)."""
    back = request.form.get("back", "map")
    if back not in SUGGESTION_PAGES:
        back = "map"
    if is_htmx():
        return render_template(
            "facilitate/_duplicates.html",
            workshop=workshop,
            announce=announce,
            **suggestions_context(workshop, back),
        )
    flash(announce, "success")
    return redirect(url_for(SUGGESTION_PAGES[back], workshop_id=workshop.id, _anchor=anchor), 303)


@bp.post("/<int:workshop_id>/map/duplicates/merge")
def merge_suggestion(workshop_id: int):
    """ "Merge into …" on a suggested group: `keep` is the note that stays."""
    workshop = run_workshop_or_404(workshop_id)
    group = _suggestion(workshop)
    keep = next((note for note in group if note.id == request.form.get("keep", type=int)), None)
    if keep is None:
        raise SuggestionRefused("keep_one")
    duplicates.merge_suggestion(db.session, workshop, keep, group)
    db.session.commit()
    announce = _("Merged %(count)d notes into one.", count=len(group))
    return _back_from_suggestion(workshop, announce, anchor=f"note-{keep.id}")


@bp.post("/<int:workshop_id>/map/duplicates/dismiss")
def dismiss_suggestion(workshop_id: int):
    """ "Not duplicates": the group is not suggested again."""
    workshop = run_workshop_or_404(workshop_id)
    duplicates.dismiss_group(db.session, workshop, _suggestion(workshop))
    db.session.commit()
    return _back_from_suggestion(workshop, _("Noted: these are not duplicates."))
