"""The step timer. Its truth is a server-side end time, so the board and every phone show
the same countdown whatever their clocks say; a paused timer keeps the seconds left."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from cjm_workshop.models import Workshop
from cjm_workshop.models.base import utcnow
from cjm_workshop.services.errors import InvalidTimer, TimerNotRunning, WorkshopClosed
from cjm_workshop.services.room import DbSession, touch
from cjm_workshop.services.steps import timebox_of

MAX_SECONDS = 3 * 3600
MAX_MINUTES = MAX_SECONDS // 60


@dataclass(frozen=True)
class TimerView:
    state: str  # "idle", "running", "paused", "done"
    seconds_left: int
    ends_at: datetime | None


def view(workshop: Workshop, now: datetime | None = None) -> TimerView:
    now = now or utcnow()
    if workshop.timer_ends_at is not None:
        left = math.ceil((workshop.timer_ends_at - now).total_seconds())
        return TimerView("running" if left > 0 else "done", max(left, 0), workshop.timer_ends_at)
    if workshop.timer_paused_seconds is not None:
        return TimerView("paused", workshop.timer_paused_seconds, None)
    return TimerView("idle", 0, None)


def start(
    session: DbSession, workshop: Workshop, minutes: int | None = None, now: datetime | None = None
) -> None:
    """Start with the step's timebox (or `minutes`), or resume a paused timer."""
    _check_open(workshop)
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise InvalidTimer("minutes")
    now = now or utcnow()
    if workshop.timer_paused_seconds is not None and minutes is None:
        seconds = workshop.timer_paused_seconds
    else:
        seconds = 60 * (minutes or timebox_of(workshop.step_state(workshop.current_step)))
    _run(session, workshop, min(seconds, MAX_SECONDS), now)


def pause(session: DbSession, workshop: Workshop, now: datetime | None = None) -> None:
    current = view(workshop, now)
    if current.state != "running":
        raise TimerNotRunning(current.state)
    workshop.timer_ends_at = None
    workshop.timer_paused_seconds = current.seconds_left
    touch(session, workshop.id)
    session.flush()


def extend(
    session: DbSession, workshop: Workshop, minutes: int, now: datetime | None = None
) -> None:
    _check_open(workshop)
    current = view(workshop, now)
    seconds = min(current.seconds_left + 60 * minutes, MAX_SECONDS)
    if current.state == "paused":
        workshop.timer_paused_seconds = seconds
        touch(session, workshop.id)
        session.flush()
    else:
        _run(session, workshop, seconds, now or utcnow())


def reset(session: DbSession, workshop: Workshop) -> None:
    workshop.timer_ends_at = None
    workshop.timer_paused_seconds = None
    touch(session, workshop.id)
    session.flush()


def _run(session: DbSession, workshop: Workshop, seconds: int, now: datetime) -> None:
    workshop.timer_ends_at = now + timedelta(seconds=seconds)
    workshop.timer_paused_seconds = None
    touch(session, workshop.id)
    session.flush()


def _check_open(workshop: Workshop) -> None:
    if workshop.is_closed:
        raise WorkshopClosed(workshop.join_code)
