"""What the projector ("board") shows, one template per step (templates/facilitate/board/):
read by the facilitator's projector page and by a remote participant's board view alike,
so both show the room the same thing under the same visibility rules."""

from __future__ import annotations

import segno
from sqlalchemy import func, select

from cjm_workshop import live
from cjm_workshop.extensions import db
from cjm_workshop.labels import LANE_LABELS, step_prompt
from cjm_workshop.models import ActionItem, NoteKind, Step, Workshop
from cjm_workshop.services import board, journey_map, notes, timer
from cjm_workshop.services.board import Spotlight
from cjm_workshop.web.actions import actions_context
from cjm_workshop.web.dots import voting_context
from cjm_workshop.web.emotions import emotions_context
from cjm_workshop.web.journey import shared_map
from cjm_workshop.web.notes import Viewer
from cjm_workshop.web.urls import public_url


def step_extras(workshop: Workshop, action_form=None) -> dict:
    """What a step adds to the console and the board (step 5: curve, round, ranking;
    step 6: the actions and their matrix)."""
    if workshop.current_step is Step.EMOTIONS:
        return emotions_context(workshop)
    if workshop.current_step is Step.ACTIONS:
        return actions_context(workshop, action_form) | voting_context(
            workshop, NoteKind.OPPORTUNITY
        )
    return {}


def closing_figures(workshop: Workshop, viewer: Viewer) -> dict[str, int]:
    """What the room made, for the board's closing screen."""
    room_notes = [n for n in notes.notes_for(db.session, workshop) if viewer.sees(n)]
    count = select(func.count()).where(ActionItem.workshop_id == workshop.id)
    return {"notes": len(room_notes), "actions": db.session.scalar(count) or 0}


def board_context(workshop: Workshop, map_src: str, persona_id: int | None = None) -> dict:
    """The board of `workshop` as the room sees it; `map_src` is where its map reloads from
    (the projector's or the remote participant's address of the same map)."""
    step = workshop.current_step
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
        context["map_html"] = shared_map(workshop, "map", map_src, persona_id)
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
