"""The facilitator runs dot voting: open a round, change its budget, close it, reveal the
counts, and place dots for people without a phone (proxy)."""

from __future__ import annotations

import secrets

from flask import abort, request

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, NoteKind, Participant, VotingRound
from cjm_workshop.services import voting
from cjm_workshop.services.errors import InvalidVote, RoundClosed
from cjm_workshop.web.access import part_or_404, run_workshop_or_404
from cjm_workshop.web.facilitate import bp
from cjm_workshop.web.facilitate.routes import back_to_console, posted_flag


def _dots() -> int:
    """The dots per participant typed, or those of the button that opens the round with the
    suggested number ("Open with 2 dots (suggested)")."""
    dots = request.form.get("use_dots", type=int) or request.form.get("dots", type=int)
    if dots is None:
        raise InvalidVote("dots")
    return dots


@bp.post("/<int:workshop_id>/rounds")
def open_round(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    try:
        kind = NoteKind(request.form.get("kind", NoteKind.PAIN_POINT.value))
    except ValueError:
        abort(400)
    voting.open_round(
        db.session,
        workshop,
        kind,
        dots=_dots(),
        several_per_note=posted_flag("several"),
        own_notes=posted_flag("own"),
    )
    db.session.commit()
    return back_to_console(workshop)


ROUND_ACTIONS = ("close", "reveal", "budget")


@bp.post("/<int:workshop_id>/rounds/<int:round_id>")
def change_round(workshop_id: int, round_id: int):
    workshop = run_workshop_or_404(workshop_id)
    chosen = part_or_404(VotingRound, workshop, round_id)
    action = request.form.get("action")
    if action not in ROUND_ACTIONS:
        abort(400)
    if action == "close":
        voting.close_round(db.session, workshop, chosen)
    elif action == "reveal":
        voting.reveal(db.session, workshop, chosen)
    else:
        voting.set_budget(db.session, workshop, chosen, _dots())
    db.session.commit()
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/rounds/<int:round_id>/proxy")
def proxy_dot(workshop_id: int, round_id: int):
    """A dot placed (or taken back) for a participant without a phone."""
    workshop = run_workshop_or_404(workshop_id)
    chosen = part_or_404(VotingRound, workshop, round_id)
    key = (request.form.get("tap_key") or secrets.token_urlsafe(12))[:64]
    ballot = voting.ballot_for(
        db.session,
        workshop.id,
        part_or_404(Participant, workshop, request.form.get("participant_id", 0, type=int)).id,
        part_or_404(Note, workshop, request.form.get("note_id", 0, type=int)).id,
        key,
    )
    if ballot.round is None or ballot.round.id != chosen.id:
        raise RoundClosed(str(chosen.id))  # the console showed a round that has ended
    if request.form.get("action") == "remove":
        voting.take_back(db.session, ballot)
    else:
        voting.vote(db.session, ballot)
    db.session.commit()
    return back_to_console(workshop)
