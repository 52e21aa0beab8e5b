"""The projector ("board"): what the room looks at, one template per step
(templates/facilitate/board/), in the workshop's language, and the facilitator's controls
for it (the prompt, the timer's sound, the spotlight)."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _

from cjm_workshop.extensions import db
from cjm_workshop.models import Workshop
from cjm_workshop.services import board
from cjm_workshop.services.board import Spotlight
from cjm_workshop.web.access import run_workshop_or_404
from cjm_workshop.web.board import board_context
from cjm_workshop.web.facilitate import bp
from cjm_workshop.web.facilitate.routes import (
    back_to_console,
    posted_flag,
)
from cjm_workshop.web.htmx import render
from cjm_workshop.web.i18n import speak
from cjm_workshop.web.journey import back_to_map, persona_filter, shared_map


def _room_board(workshop_id: int) -> Workshop:
    """The workshop, for one who runs it; the page then speaks the workshop's language (a
    shared screen speaks to the room, not to the laptop it is opened from)."""
    workshop = run_workshop_or_404(workshop_id)
    speak(workshop.language)
    return workshop


@bp.get("/<int:workshop_id>/board", endpoint="board")
def board_page(workshop_id: int):
    workshop = _room_board(workshop_id)
    persona_id = persona_filter(workshop)
    context = board_context(workshop, _map_src(workshop, persona_id), persona_id)
    return render("facilitate/board.html", partial="facilitate/_board.html", **context)


def _map_src(workshop: Workshop, persona_id: int | None) -> str:
    return url_for(".board_map", workshop_id=workshop.id, persona=persona_id)


@bp.get("/<int:workshop_id>/board/map")
def board_map(workshop_id: int):
    """The room's map on the projector (what it reloads when the map changed)."""
    workshop = _room_board(workshop_id)
    persona_id = persona_filter(workshop)
    return shared_map(workshop, "map", _map_src(workshop, persona_id), persona_id)


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
