"""Participants joining a workshop from their phones."""

from __future__ import annotations

import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from cjm_workshop.models import LiveEventKind, Note, Participant, Workshop
from cjm_workshop.models.base import utcnow
from cjm_workshop.models.participant import DISPLAY_NAME_MAX
from cjm_workshop.services import notes
from cjm_workshop.services.errors import WorkshopClosed, WorkshopNotFound
from cjm_workshop.services.room import DbSession, touch
from cjm_workshop.services.workshops import normalise_join_code

# Concurrent joins with the same name may collide on the unique name; try the next suffix.
_NAME_ATTEMPTS = 50


# Built once (building a statement costs more than running it on SQLite). Every request of
# a phone asks for the workshop, its steps (does the step take notes?) and the phone's
# participant: one query, where three were most of a note's reads.
_ROOM_BY_CODE = (
    select(Workshop, Participant)
    .outerjoin(
        Participant,
        (Participant.workshop_id == Workshop.id) & (Participant.token == bindparam("token")),
    )
    .where(Workshop.join_code == bindparam("code"), ~Workshop.importing)
    .options(joinedload(Workshop.steps))
)
_PARTICIPANT_BY_TOKEN = select(Participant).where(
    Participant.workshop_id == bindparam("workshop_id"), Participant.token == bindparam("token")
)


def find_workshop(session: DbSession, typed_code: str) -> Workshop:
    return find_room(session, typed_code, None)[0]


def find_room(
    session: DbSession, typed_code: str, token: str | None
) -> tuple[Workshop, Participant | None]:
    """The workshop with this join code, and the participant `token` names in it (None: no
    token, or none of its participants')."""
    code = normalise_join_code(typed_code)
    found = (
        session.execute(_ROOM_BY_CODE, {"code": code, "token": token or ""}).unique().first()
        if code
        else None
    )
    if found is None:
        raise WorkshopNotFound(code)
    return found[0], found[1]


def open_for_joining(workshop: Workshop) -> Workshop:
    if workshop.is_closed:
        raise WorkshopClosed(workshop.join_code)
    return workshop


def participant_by_token(
    session: DbSession, workshop: Workshop, token: str | None
) -> Participant | None:
    if not token:
        return None
    return session.scalar(_PARTICIPANT_BY_TOKEN, {"workshop_id": workshop.id, "token": token})


def clean_display_name(name: str) -> str:
    return " ".join(name.split())[:DISPLAY_NAME_MAX]


def join(
    session: DbSession, workshop: Workshop, display_name: str, join_key: str | None
) -> Participant:
    """Add a participant; a retried join (same form nonce) returns the first one."""
    open_for_joining(workshop)
    base = clean_display_name(display_name)
    for _attempt in range(_NAME_ATTEMPTS):
        existing = _by_join_key(session, workshop, join_key)
        if existing is not None:
            return existing
        taken = set(
            session.scalars(
                select(Participant.name_key).where(Participant.workshop_id == workshop.id)
            )
        )
        name = _disambiguated(base, taken)
        participant = Participant(
            workshop_id=workshop.id,
            display_name=name,
            name_key=name.casefold(),
            token=secrets.token_urlsafe(32),
            join_key=join_key or None,
        )
        try:
            with session.begin_nested():
                session.add(participant)
        except IntegrityError:
            continue  # someone took that name (or this nonce) a moment ago: look again
        touch(session, workshop.id, kind=LiveEventKind.PRESENCE)
        return participant
    raise RuntimeError(f"could not find a free name for {base!r}")


def _by_join_key(
    session: DbSession, workshop: Workshop, join_key: str | None
) -> Participant | None:
    if not join_key:
        return None
    return session.scalar(
        select(Participant).where(
            Participant.workshop_id == workshop.id, Participant.join_key == join_key
        )
    )


def _disambiguated(base: str, taken: set[str]) -> str:
    """ "Anna" stays "Anna" when free, else becomes "Anna 2", "Anna 3", ..."""
    if base.casefold() not in taken:
        return base
    number = 2
    while f"{base} {number}".casefold() in taken:
        number += 1
    return f"{base} {number}"


def remove_participant(
    session: DbSession, workshop: Workshop, participant: Participant, *, with_notes: bool
) -> None:
    """The facilitator takes someone out of the room: from now on they read along and add
    nothing. Their notes stay on the map (their name marked as removed), or go with them:
    hidden from the room, not deleted, so that nothing merged into them is lost and the
    facilitator can still show one again."""
    if participant.removed:
        return
    participant.removed_at = utcnow()
    if with_notes:
        authored = select(Note).where(Note.author_id == participant.id, Note.hidden.is_(False))
        for note in session.scalars(authored).all():
            notes.set_hidden(session, note, True)
    touch(session, workshop.id)  # counts, their phone and the notes' marks change
    session.flush()
