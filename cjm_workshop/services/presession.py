"""Research before the session: the facilitator may let participants add research
insights (step 2's notes) from home during a set window before the workshop starts.

This is a rule of its own beside the step engine's: it never opens a step (during the live
session only the current step takes contributions, services/steps.py), it only lets the
research step's notes in while the workshop is still a draft at its first step and the
clock is inside the window. The clock is passed in (`now`, naive UTC like the database), so
tests need not wait for it.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import func, select

from cjm_workshop.models import NoteKind, Step, Workshop, WorkshopStatus
from cjm_workshop.models.note import Note
from cjm_workshop.services.errors import (
    DomainError,
    InvalidResearchWindow,
    ResearchEnded,
    ResearchNotOpenYet,
    StepClosed,
)
from cjm_workshop.services.room import DbSession, RoomWorkshop, touch
from cjm_workshop.services.steps import accepts_contributions

# Long enough to send the link a few weeks ahead; short enough that a forgotten window does
# not leave a workshop open for months.
WINDOW_MAX = timedelta(days=60)


class Window(enum.StrEnum):
    NONE = "none"  # no window set, or the workshop has started
    NOT_YET = "not_yet"
    OPEN = "open"
    ENDED = "ended"


def window(workshop: RoomWorkshop, now: datetime) -> Window:
    """Where the clock stands in the workshop's research window, before the session."""
    opens, closes = workshop.research_opens_at, workshop.research_closes_at
    if opens is None or closes is None or not _before_session(workshop):
        return Window.NONE
    if now < opens:
        return Window.NOT_YET
    return Window.OPEN if now < closes else Window.ENDED


def _before_session(workshop: RoomWorkshop) -> bool:
    """The session has not started: a draft still at its first step."""
    return workshop.status is WorkshopStatus.DRAFT and workshop.current_step is Step.SCOPE


def takes_notes(workshop: RoomWorkshop, step: Step, now: datetime) -> bool:
    """Participants may add, change and delete their notes of `step` now: it is the live
    session's open step, or research while its window before the session is open."""
    return accepts_contributions(workshop, step) or refusal(workshop, step, now) is None


def refusal(workshop: RoomWorkshop, step: Step, now: datetime) -> DomainError | None:
    """Why a participant may not add a note of `step` now that the step engine said no:
    None when the research window lets it in, else the reason the window gives, else that
    the step is closed."""
    if step is Step.RESEARCH:
        state = window(workshop, now)
        if state is Window.OPEN:
            return None
        if state is Window.NOT_YET:
            return ResearchNotOpenYet()
        if state is Window.ENDED:
            return ResearchEnded()
    return StepClosed(step.value)


def set_window(
    session: DbSession,
    workshop: Workshop,
    opens_at: datetime | None,
    closes_at: datetime | None,
    now: datetime,
) -> None:
    """Set the research window (both ends, UTC) or clear it (neither)."""
    if opens_at is None and closes_at is None:
        workshop.research_opens_at = workshop.research_closes_at = None
    else:
        if opens_at is None or closes_at is None:
            raise InvalidResearchWindow("incomplete")
        if closes_at <= opens_at:
            raise InvalidResearchWindow("order")
        if closes_at - opens_at > WINDOW_MAX:
            raise InvalidResearchWindow("too_long")
        if closes_at <= now:
            raise InvalidResearchWindow("past")
        if not _before_session(workshop):
            raise InvalidResearchWindow("started")
        workshop.research_opens_at, workshop.research_closes_at = opens_at, closes_at
    touch(session, workshop.id)  # the phones show the window (or no longer) at once
    session.flush()


def insights_before_session(session: DbSession, workshop: Workshop) -> int:
    """How many research insights participants added so far before the session (while it
    has not started, every insight a participant wrote came in through the window)."""
    count = select(func.count()).where(
        Note.workshop_id == workshop.id,
        Note.kind == NoteKind.INSIGHT,
        Note.author_id.is_not(None),
        Note.hidden.is_(False),
    )
    return session.scalar(count) or 0
