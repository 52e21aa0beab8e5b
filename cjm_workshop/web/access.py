"""Who may see what: one helper per owner (facilitator, participant of that workshop)."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, current_app, g, request
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from cjm_workshop.config import login_lasts
from cjm_workshop.database import read_snapshot
from cjm_workshop.extensions import db
from cjm_workshop.models import (
    ActionItem,
    Facilitator,
    Invitation,
    Lane,
    Note,
    Participant,
    Persona,
    Stage,
    VotingRound,
    Workshop,
    WorkshopMember,
    WorkshopTemplate,
)
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import accounts, joining, sharing
from cjm_workshop.services.errors import WorkshopNotFound
from cjm_workshop.services.workshops import normalise_join_code
from cjm_workshop.web.i18n import room_language
from cjm_workshop.web.urls import secure_cookies

PARTICIPANT_COOKIE_AGE = 14 * 24 * 3600
T = TypeVar(
    "T",
    Persona,
    Stage,
    Note,
    Lane,
    VotingRound,
    Participant,
    WorkshopMember,
    ActionItem,
    Invitation,
)


def load_facilitator(user_id: str) -> Facilitator | None:
    """The facilitator of a log-in ("id:token", Flask-Login's user loader) that was not
    ended: logging out, "log out everywhere" and a password change end it on the server, so
    a copied session or remember-me cookie is worth nothing; so does its age
    (config.login_lasts)."""
    started_after = utcnow() - login_lasts(current_app.config)
    return accounts.logged_in(db.session, user_id, started_after=started_after)


def _workshop_and_access(workshop_id: int) -> tuple[Workshop, sharing.Access]:
    """The workshop and what the logged-in account may do in it; 404 for everybody else
    (an account it is not shared with learns nothing, not even that it exists)."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.importing or not current_user.is_authenticated:
        abort(404)
    access = sharing.access_of(db.session, workshop, current_user.id)
    if access is None:
        abort(404)
    return workshop, access


def owned_workshop_or_404(workshop_id: int) -> Workshop:
    """Its facilitator only (sharing it, deleting it); 403 for the accounts it is shared with."""
    workshop, access = _workshop_and_access(workshop_id)
    if access is not sharing.Access.OWNER:
        abort(403)
    return workshop


def run_workshop_or_404(workshop_id: int) -> Workshop:
    """Its facilitator or a co-facilitator; 403 for an organizer."""
    workshop, access = _workshop_and_access(workshop_id)
    if not access.runs:
        abort(403)
    return workshop


def viewed_workshop_or_404(
    workshop_id: int, *, one_moment: bool = False
) -> tuple[Workshop, sharing.Access]:
    """Anyone it is shared with, organizers too (results, exports, action status).
    `one_moment`: everything read for this answer is read from one snapshot (a download)."""
    if one_moment:
        read_snapshot(db.session)
    return _workshop_and_access(workshop_id)


def own_template_or_404(template_id: int) -> WorkshopTemplate:
    """A template of the logged-in facilitator's; 404 for everybody else's (a template is
    never shared, so nobody else learns it exists)."""
    template = db.session.get(WorkshopTemplate, template_id)
    if (
        template is None
        or not current_user.is_authenticated
        or template.facilitator_id != current_user.id
    ):
        abort(404)
    return template


def part_or_404(model: type[T], workshop: Workshop, object_id: int) -> T:
    """A persona, stage, lane, note, voting round or participant of this workshop; 404 for unknown ids and other workshops'."""
    found = db.session.get(model, object_id)
    if found is None or found.workshop_id != workshop.id:
        abort(404)
    return found


def participant_cookie_name(workshop: Workshop) -> str:
    return _cookie_name(workshop.join_code)


def _cookie_name(join_code: str) -> str:
    # One cookie per workshop: the identity of workshop A means nothing in workshop B.
    return f"cjm_p_{join_code}"


def workshop_by_code(code: str) -> Workshop:
    """joining.find_room, asked once per request: the throttle (guesses.guarded) and the
    view both want the workshop, and most want the phone's participant (current_participant
    finds it read with the workshop); a room posts a lot."""
    found = g.setdefault("cjm_workshop_by_code", {})
    if code not in found:
        token = request.cookies.get(_cookie_name(normalise_join_code(code)))
        try:
            found[code], participant = joining.find_room(db.session, code, token)
        except WorkshopNotFound as error:
            found[code] = error
        else:
            g.setdefault("cjm_participant", {})[found[code].id, token] = participant
    if isinstance(found[code], WorkshopNotFound):
        raise found[code]
    room_language(found[code].language)
    return found[code]


def forget_lookups() -> None:
    """Let go of what workshop_by_code and current_participant kept: an event stream keeps
    its request (and its `g`) for as long as the screen is open, a thousand of them."""
    g.pop("cjm_workshop_by_code", None)
    g.pop("cjm_participant", None)


def current_participant(workshop: Workshop) -> Participant | None:
    """The participant this phone's cookie names in `workshop`, asked once per request."""
    token = request.cookies.get(participant_cookie_name(workshop))
    found = g.setdefault("cjm_participant", {})
    if (workshop.id, token) not in found:
        found[workshop.id, token] = joining.participant_by_token(db.session, workshop, token)
    return found[workshop.id, token]


def remember_participant(response: BaseResponse, participant: Participant) -> BaseResponse:
    response.set_cookie(
        participant_cookie_name(participant.workshop),
        participant.token,
        max_age=PARTICIPANT_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(),
    )
    return response
