"""Retention: how long what the app writes is kept.

Live events serve only screens catching up after a reconnect, so they go after a day (a
screen further behind reloads its live part; see live.py). Participants' display names are
personal data: a number of days after their workshop closed (the workshop's own setting,
else the server's default) each participant becomes "Participant 3", numbered by join
order, in the workshop's language like its stage names. Their notes, ratings and dots stay.
A facilitator's log-in ends on the server once it is older than a log-in lasts (see
accounts.logged_in): its row is deleted then. `housekeeping` does all three; the app runs
it now and then (cjm_workshop/housekeeping.py) and `flask cjm prune` on demand. Nothing
here commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from cjm_workshop.models import LiveEvent, LoginSession, Participant, Workshop, WorkshopStatus
from cjm_workshop.services.room import DbSession, lock, touch

EVENTS_KEPT = timedelta(days=1)
# Live events deleted per statement: a first prune of a long history must not hold SQLite's
# writer lock (or a large PostgreSQL transaction) for long while a room posts.
PRUNE_BATCH = 5000
ERASE_NAMES_AFTER_DAYS = 30  # the server's default unless ERASE_NAMES_AFTER_DAYS says else

# What an erased participant is called, in the workshop's language (content, like stage names).
PSEUDONYMS = {"en": "Participant {number}", "nl": "Deelnemer {number}"}


@dataclass(frozen=True)
class Housekeeping:
    """What one round of housekeeping did."""

    events_pruned: int
    workshops_erased: tuple[int, ...]
    logins_ended: int = 0


def housekeeping(
    session: DbSession,
    *,
    now: datetime,
    events_kept: timedelta = EVENTS_KEPT,
    erase_after_days: int | None = ERASE_NAMES_AFTER_DAYS,
    login_lasts: timedelta,
) -> Housekeeping:
    """Prune old live events, erase the names that are due and delete log-ins that have
    run out. `erase_after_days`: the server's default for workshops without a setting of
    their own (None: keep them); `login_lasts`: how long a log-in lasts (config.login_lasts)."""
    pruned = prune_live_events(session, before=now - events_kept)
    erased = erase_due_names(session, now=now, default_days=erase_after_days)
    ended = end_old_logins(session, started_before=now - login_lasts)
    return Housekeeping(pruned, tuple(workshop.id for workshop in erased), ended)


def end_old_logins(session: DbSession, *, started_before: datetime) -> int:
    """Delete the log-ins begun before `started_before` (they no longer log anyone in);
    how many went."""
    result = session.execute(
        delete(LoginSession)
        .where(LoginSession.created_at <= started_before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def prune_live_events(session: DbSession, *, before: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete the live events written before `before`, at most `batch` of them (the oldest);
    how many went (`batch`: there may be more).

    Always a run of the oldest ids, so that a stream resuming from an id below the oldest
    one left knows it may have missed something (live.py). The newest event always stays:
    SQLite would otherwise hand out its id again, and the broadcasters, which remember the
    last id they saw, would miss the events that reuse old ids."""
    last_old = session.scalar(select(func.max(LiveEvent.id)).where(LiveEvent.created_at < before))
    if last_old is None:
        return 0
    newest = session.scalar(select(func.max(LiveEvent.id))) or 0
    oldest = session.scalar(select(func.min(LiveEvent.id))) or 0
    upto = min(last_old, newest - 1, oldest + batch - 1)
    if upto < 1:
        return 0
    result = session.execute(
        delete(LiveEvent).where(LiveEvent.id <= upto).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def erase_after_days(workshop: Workshop, default_days: int | None) -> int | None:
    """After how many days this workshop's names go (None: never)."""
    if workshop.erase_names_after_days is not None:
        return workshop.erase_names_after_days
    return default_days


def names_due(workshop: Workshop, *, now: datetime, default_days: int | None) -> bool:
    """Are this workshop's participants' names to be erased now? Only when it is closed, its
    days since closing have passed, and not done since it was (last) closed."""
    days = erase_after_days(workshop, default_days)
    if days is None or workshop.status is not WorkshopStatus.CLOSED or workshop.closed_at is None:
        return False
    if workshop.names_erased_at is not None and workshop.names_erased_at >= workshop.closed_at:
        return False
    return workshop.closed_at + timedelta(days=days) <= now


def erase_due_names(
    session: DbSession, *, now: datetime, default_days: int | None
) -> list[Workshop]:
    """Erase the names of every workshop that is due; the workshops erased."""
    query = select(Workshop).where(
        Workshop.status == WorkshopStatus.CLOSED,
        Workshop.closed_at.is_not(None),
        Workshop.closed_at <= now,
    )
    if default_days is None:
        query = query.where(Workshop.erase_names_after_days.is_not(None))
    due = [
        workshop
        for workshop in session.scalars(query.order_by(Workshop.id))
        if names_due(workshop, now=now, default_days=default_days)
    ]
    for workshop in due:
        erase_names(session, workshop, now=now)
    return due


def erase_names(session: DbSession, workshop: Workshop, *, now: datetime) -> None:
    """Replace every participant's name by "Participant N" (numbered by join order) and clear
    what else ties them to a person: the cookie's token (a phone that kept it is a stranger
    now) and the join form's nonce. Run again, it gives everyone the same name."""
    lock(session, workshop)
    people = list(
        session.scalars(
            select(Participant)
            .where(Participant.workshop_id == workshop.id)
            .order_by(Participant.joined_at, Participant.id)
        )
    )
    pseudonym = PSEUDONYMS.get(workshop.language, PSEUDONYMS["en"])
    # First out of the way: a participant who called themselves "Participant 2" must not
    # collide with the one who becomes it (names are unique per workshop).
    for person in people:
        person.name_key = secrets.token_hex(16)
    session.flush()
    for number, person in enumerate(people, start=1):
        name = pseudonym.format(number=number)
        person.display_name = name
        person.name_key = name.casefold()
        person.token = secrets.token_urlsafe(32)
        person.join_key = None
    workshop.names_erased_at = now
    touch(session, workshop.id)  # screens still open show the new names
    session.flush()
