"""The board for a participant outside the room: the projector's live board, read-only, in
the workshop's language, recognised by the participant's own cookie (never by a
facilitator's log-in), with their phone page one link away. It is the room's board, built
by the same code under the same visibility rules: nothing of the console is on it."""

from __future__ import annotations

import functools
from functools import partial

from flask import g, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from cjm_workshop import live
from cjm_workshop.extensions import db
from cjm_workshop.models import Participant, Workshop
from cjm_workshop.web.access import forget_lookups
from cjm_workshop.web.board import board_context
from cjm_workshop.web.errors import error_page
from cjm_workshop.web.htmx import render
from cjm_workshop.web.i18n import speak
from cjm_workshop.web.journey import shared_map
from cjm_workshop.web.notes import Viewer, note_renderer
from cjm_workshop.web.participate import bp
from cjm_workshop.web.participate.routes import code_attempts, participant_view, stranger


def in_room(view):
    """A board view for a participant still in the room (a removed one gets 403), speaking
    the room's language, as the projector does."""

    @functools.wraps(view)
    def wrapper(workshop: Workshop, participant: Participant, **values):
        if participant.removed:
            return error_page(403, _("The facilitator has removed you from this workshop."))
        g.cjm_own_language = str(get_locale())  # the phone's: the bar back to it speaks it
        speak(workshop.language)
        return view(workshop, participant, **values)

    return wrapper


def _map_src(workshop: Workshop) -> str:
    return url_for(".board_map", code=workshop.join_code)


@bp.get("/w/<code>/board")
@code_attempts
@participant_view
@in_room
def board(workshop: Workshop, _participant: Participant):
    own = g.cjm_own_language
    with force_locale(own):  # the board speaks the room's language, the bar the viewer's
        bar = {
            "language": own,
            "label": _("Your part"),
            "watching": _("You are watching the room's board."),
            "back": _("Your notes and votes"),  # also once the workshop is closed
        }
    return render(
        "participate/board.html",
        partial="facilitate/_board.html",
        bar=bar,
        **board_context(workshop, _map_src(workshop)),
    )


@bp.get("/w/<code>/board/map")
@code_attempts
@participant_view
@in_room
def board_map(workshop: Workshop, _participant: Participant):
    """The room's map on the remote board (what it reloads when the map changed)."""
    return shared_map(workshop, "map", _map_src(workshop))


def _still_in_room(participant_id: int) -> bool:
    """An open remote board asks now and then: a removed participant's board stops."""
    participant = db.session.get(Participant, participant_id)
    return participant is not None and not participant.removed


@bp.get("/w/<code>/board/events")
@participant_view(strangers=stranger)
@in_room
def board_events(workshop: Workshop, participant: Participant):
    """The board's stream, for a participant of this workshop only: the notes as the
    projector shows them, in the room's language."""
    forget_lookups()
    return live.event_stream_response(
        workshop.id,
        live.after_id(request),
        note_renderer(Viewer("board")),
        live.holders(f"participant {participant.id}", "LIVE_STREAMS_PER_PHONE", address=True),
        allowed=partial(_still_in_room, participant.id),
    )
