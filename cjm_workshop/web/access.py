"""Who may see what: one helper per owner (facilitator, participant of that workshop)."""

from __future__ import annotations

from typing import TypeVar

from flask import Response, abort, current_app, request
from flask_login import current_user

from cjm_workshop.extensions import db
from cjm_workshop.models import Lane, Note, Participant, Persona, Stage, VotingRound, Workshop
from cjm_workshop.services import joining

PARTICIPANT_COOKIE_AGE = 14 * 24 * 3600
T = TypeVar("T", Persona, Stage, Note, Lane, VotingRound, Participant)


def owned_workshop_or_404(workshop_id: int) -> Workshop:
    """The workshop, if the logged-in facilitator runs it; 404 for everybody else."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not current_user.is_authenticated:
        abort(404)
    if workshop.facilitator_id != current_user.id:
        abort(404)
    return workshop


def part_or_404(model: type[T], workshop: Workshop, object_id: int) -> T:
    """A persona, stage, lane, note, voting round or participant of this workshop; 404 for unknown ids and other workshops'."""
    found = db.session.get(model, object_id)
    if found is None or found.workshop_id != workshop.id:
        abort(404)
    return found


def participant_cookie_name(workshop: Workshop) -> str:
    # One cookie per workshop: the identity of workshop A means nothing in workshop B.
    return f"cjm_p_{workshop.join_code}"


def current_participant(workshop: Workshop) -> Participant | None:
    token = request.cookies.get(participant_cookie_name(workshop))
    return joining.participant_by_token(db.session, workshop, token)


def remember_participant(response: Response, participant: Participant) -> Response:
    response.set_cookie(
        participant_cookie_name(participant.workshop),
        participant.token,
        max_age=PARTICIPANT_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
