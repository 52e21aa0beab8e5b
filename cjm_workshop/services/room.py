"""The rules every service shares, below all of them: one change at a time per workshop
(its row lock), what the room sees of a note, and the record of a change that phones and
the board must show. Imports no other service, so that none has to import another inside
a function to break a circle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, TypeAlias, cast

from sqlalchemy import CursorResult, Result, bindparam, insert, select
from sqlalchemy.orm import Session, scoped_session

from cjm_workshop.models import LiveEvent, LiveEventKind, Step, StepState, Workshop, WorkshopStatus

# What every service takes: an ORM session, or the app's scoped session that stands for one
# (Flask-SQLAlchemy's db.session), which the type checker must take as the same.
DbSession: TypeAlias = Session | scoped_session[Any]

# --- one change at a time per workshop ---------------------------------------------------

_LOCK = select(Workshop.id).where(Workshop.id == bindparam("id")).with_for_update(key_share=True)


def lock(session: DbSession, workshop: Workshop) -> None:
    """One change at a time per workshop: FOR NO KEY UPDATE on its row on PostgreSQL
    (SQLite lets one writer at a time in anyway), so that two people arranging, voting or
    writing at once are applied one after the other."""
    session.execute(_LOCK, {"id": workshop.id})


# --- what the room sees ------------------------------------------------------------------


def room_sees(*, hidden: bool, merged: bool, private: bool, revealed: bool) -> bool:
    """The rule: a note is shown on the board and to every participant unless it is hidden,
    merged into another, or written privately and not revealed yet."""
    return not hidden and not merged and (not private or revealed)


class StepSettings(Protocol):
    @property
    def state(self) -> StepState: ...
    @property
    def private(self) -> bool: ...
    @property
    def revealed(self) -> bool: ...


class RoomWorkshop(Protocol):
    """What the room's rules read of a workshop: the model, or the live path's copy."""

    @property
    def is_closed(self) -> bool: ...
    @property
    def status(self) -> WorkshopStatus: ...
    @property
    def current_step(self) -> Step: ...
    @property
    def research_opens_at(self) -> datetime | None: ...
    @property
    def research_closes_at(self) -> datetime | None: ...
    def step_state(self, step: Step) -> StepSettings: ...


class RoomNote(Protocol):
    """What the room's rules read of a note: the model, or the live path's copy."""

    @property
    def hidden(self) -> bool: ...
    @property
    def merged_into_id(self) -> int | None: ...
    @property
    def step(self) -> Step: ...
    @property
    def workshop(self) -> RoomWorkshop: ...


def visible_to_room(note: RoomNote) -> bool:
    step = note.workshop.step_state(note.step)
    return room_sees(
        hidden=note.hidden,
        merged=note.merged_into_id is not None,
        private=step.private,
        revealed=step.revealed,
    )


def changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (Session.execute types it as a Result)."""
    return cast(CursorResult[Any], result).rowcount


# --- the live stream's record of changes --------------------------------------------------

# Set on a session whose transaction wrote a live event (read by live.py after commit).
LIVE_TOUCHED = "cjm_live_touched"


_RECORD = insert(LiveEvent.__table__)  # built once: every change records one


def touch(
    session: DbSession,
    workshop_id: int,
    note_id: int | None = None,
    kind: LiveEventKind | None = None,
) -> None:
    """Record a change that phones and the board must show (about one note, or not)."""
    if kind is None:
        kind = LiveEventKind.NOTE if note_id is not None else LiveEventKind.REFRESH
    _record(session, {"workshop_id": workshop_id, "kind": kind, "note_id": note_id})


# More new notes at once than this, and screens reload their live part once instead of
# receiving each note (an import of 2,000 rows would be 2,000 events to every screen).
NOTES_SENT_ONE_BY_ONE = 20


def touch_notes(session: DbSession, workshop_id: int, note_ids: Sequence[int]) -> None:
    """touch() for many new notes at once (an import), in one statement."""
    if len(note_ids) > NOTES_SENT_ONE_BY_ONE:
        touch(session, workshop_id, kind=LiveEventKind.MAP)
    elif note_ids:
        kind = LiveEventKind.NOTE
        _record(
            session, [{"workshop_id": workshop_id, "kind": kind, "note_id": n} for n in note_ids]
        )


def _record(session: DbSession, events: dict[str, Any] | list[dict[str, Any]]) -> None:
    session.execute(_RECORD, events)
    # Wakes the broadcasters on commit: this process's, and on SQLite the other processes'
    # (live.Doorbell); on PostgreSQL, a trigger on the table NOTIFYs them all (migration 0021).
    session.info[LIVE_TOUCHED] = True
