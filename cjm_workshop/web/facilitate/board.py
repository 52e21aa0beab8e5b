"""The projector ("board"): what the room looks at, one template per step
(templates/facilitate/board/), in the workshop's language, and the facilitator's controls
for it (the prompt, the timer's sound, the spotlight)."""

from __future__ import annotations

import segno
from flask import abort, request, url_for
from flask_babel import gettext as _

from cjm_workshop import live
from cjm_workshop.extensions import db
from cjm_workshop.labels import LANE_LABELS, step_prompt
from cjm_workshop.models import Step, Workshop
from cjm_workshop.services import board, journey_map, notes, timer
from cjm_workshop.services.board import Spotlight
from cjm_workshop.web.access import run_workshop_or_404
from cjm_workshop.web.facilitate import bp
from cjm_workshop.web.facilitate.routes import (
    back_to_console,
    closing_figures,
    posted_flag,
    step_extras,
)
from cjm_workshop.web.htmx import render
from cjm_workshop.web.i18n import speak
from cjm_workshop.web.journey import back_to_map, persona_filter, shared_map
from cjm_workshop.web.notes import Viewer
from cjm_workshop.web.urls import public_url


def _room_board(workshop_id: int) -> Workshop:
    """The workshop, for one who runs it; the page then speaks the workshop's language (a
    shared screen speaks to the room, not to the laptop it is opened from)."""
    workshop = run_workshop_or_404(workshop_id)
    speak(workshop.language)
    return workshop


def board_context(workshop: Workshop) -> dict:
    step = workshop.current_step
    persona_id = persona_filter(workshop)
    viewer = Viewer("board")
    written = notes.notes_for(db.session, workshop, None, [step])
    state = workshop.step_state(step)
    private = state.private and not state.revealed
    context = step_extras(workshop) | {
        "workshop": workshop,
        "step": step,
        "step_number": list(Step).index(step) + 1,
        "persona_id": persona_id,
        "prompt": step_prompt(state) if workshop.board_prompt else None,
        "qr_svg": _qr(workshop),
        "join_url": public_url("participate.join_link", code=workshop.join_code),
        "join_page": public_url("participate.join"),
        "participant_count": sum(1 for p in workshop.participants if not p.removed),
        "closing": closing_figures(workshop, viewer) if workshop.is_closed else None,
        "notes": [n for n in written if viewer.sees(n)],
        # Private writing: the room sees that notes are being written, not what they say.
        "written": sum(1 for n in written if not n.hidden) if private else None,
        "viewer": viewer,
        "last_event": live.latest_event_id(db.session),
        "timer": timer.view(workshop),
        "sound": workshop.board_sound,
    }
    if step is Step.VISUALIZE:
        context["map_html"] = _board_map(workshop, persona_id)
    spotlight = board.spotlight_of(workshop)
    if spotlight is not None and not workshop.is_closed:
        context["spotlight"] = _spotlight(workshop, spotlight, viewer, context)
    return context


def _qr(workshop: Workshop) -> str:
    """The join link with its key (scanned joins are never throttled), as inline SVG."""
    link = public_url("participate.join_link", code=workshop.join_code, k=workshop.join_token)
    return segno.make(link, error="m").svg_inline(
        scale=10, border=2, dark="#111", light="#fff", omitsize=True
    )


def _spotlight(workshop: Workshop, spotlight: Spotlight, viewer: Viewer, context: dict):
    """What the spotlight shows: a title and columns of notes (a stage by lane, a lane by
    stage), one note, or the ranking. None when its part is gone (a deleted note, a ranking
    not revealed): the board shows the step."""
    if spotlight.kind == "ranking":
        return {"kind": "ranking"} if context.get("ranking") else None
    journey = journey_map.load_map(db.session, workshop, room=True)
    if spotlight.kind == "note":
        shown = [*context["notes"], *(n for cell in journey.cells.values() for n in cell)]
        note = next((n for n in shown if n.id == spotlight.target_id), None)
        return {"kind": "note", "note": note} if note is not None else None
    lanes = [lane for lane in journey.visible_lanes if lane.kind in journey_map.NOTE_LANES]
    if spotlight.kind == "stage":
        stage = next((s for s in journey.stages if s.id == spotlight.target_id), None)
        if stage is None:
            return None
        columns = [
            (LANE_LABELS[lane.kind], journey.notes_in(lane.kind, stage.id)) for lane in lanes
        ]
        return {"kind": "stage", "title": stage.name, "columns": [c for c in columns if c[1]]}
    lane = next((lane for lane in lanes if lane.kind.value == spotlight.target), None)
    if lane is None:
        return None
    columns = [(s.name, journey.notes_in(lane.kind, s.id)) for s in journey.stages]
    return {"kind": "lane", "title": LANE_LABELS[lane.kind], "columns": columns}


@bp.get("/<int:workshop_id>/board", endpoint="board")
def board_page(workshop_id: int):
    workshop = _room_board(workshop_id)
    return render(
        "facilitate/board.html", partial="facilitate/_board.html", **board_context(workshop)
    )


def _board_map(workshop: Workshop, persona_id: int | None):
    src = url_for(".board_map", workshop_id=workshop.id, persona=persona_id)
    return shared_map(workshop, "map", src, persona_id)


@bp.get("/<int:workshop_id>/board/map")
def board_map(workshop_id: int):
    """The room's map on the projector (what it reloads when the map changed)."""
    workshop = _room_board(workshop_id)
    return _board_map(workshop, persona_filter(workshop))


@bp.post("/<int:workshop_id>/board/settings")
def board_settings(workshop_id: int):
    """The prompt under the board's header and the sound at the timer's end, on or off."""
    workshop = run_workshop_or_404(workshop_id)
    prompt = posted_flag("prompt") if "prompt" in request.form else workshop.board_prompt
    sound = posted_flag("sound") if "sound" in request.form else workshop.board_sound
    board.set_board(db.session, workshop, prompt=prompt, sound=sound)
    db.session.commit()
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/spotlight")
def spotlight(workshop_id: int):
    """Put a stage, a lane, a note or the ranking on the board full-screen ("" takes it
    off)."""
    workshop = run_workshop_or_404(workshop_id)
    value = request.form.get("spotlight", "")
    chosen = Spotlight.parse(value)
    if value and chosen is None:
        abort(400)
    board.set_spotlight(db.session, workshop, chosen)
    db.session.commit()
    if request.args.get("back") == "map":  # from a card of the facilitator's map
        return back_to_map(workshop, _("The board shows this note."))
    return back_to_console(workshop)
