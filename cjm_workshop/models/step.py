"""The six guided steps of a workshop and the state of each."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import enum_column

if TYPE_CHECKING:  # the other side of a relationship
    from cjm_workshop.models.workshop import Workshop


class Step(enum.StrEnum):
    SCOPE = "scope"
    RESEARCH = "research"
    TOUCHPOINTS = "touchpoints"
    VISUALIZE = "visualize"
    EMOTIONS = "emotions"
    ACTIONS = "actions"


STEPS: tuple[Step, ...] = tuple(Step)

# The facilitator's own set-up of a step (see services/steps.py): a prompt instead of the
# built-in one, a timebox in minutes and a private script shown on the console only.
STEP_PROMPT_MAX = 500
FACILITATOR_NOTES_MAX = 4000
TIMEBOX_MIN, TIMEBOX_MAX = 1, 120


class StepState(enum.StrEnum):
    NOT_STARTED = "not_started"
    OPEN = "open"  # open for contributions
    CLOSED = "closed"


class WorkshopStep(Model):
    __tablename__ = "workshop_step"
    __table_args__ = (
        UniqueConstraint("workshop_id", "step", name="uq_workshop_step_step"),
        CheckConstraint(
            f"timebox_minutes BETWEEN {TIMEBOX_MIN} AND {TIMEBOX_MAX}", name="timebox_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    step: Mapped[Step] = mapped_column(enum_column(Step, "step"))
    state: Mapped[StepState] = mapped_column(
        enum_column(StepState, "step_state"), default=StepState.NOT_STARTED
    )
    # Private writing: notes stay with their authors (and the facilitator) until revealed.
    private: Mapped[bool] = mapped_column(default=False)
    revealed: Mapped[bool] = mapped_column(default=False)
    # Empty: the built-in prompt, in the workshop's language (labels.py).
    prompt: Mapped[str] = mapped_column(String(STEP_PROMPT_MAX), default="", server_default="")
    # None: the built-in timebox (services/steps.py TIMEBOX_MINUTES).
    timebox_minutes: Mapped[int | None]
    # The facilitator's script for the step: on the console, in backups and templates, and
    # nowhere the room or a reader of the results sees.
    facilitator_notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    workshop: Mapped[Workshop] = relationship(back_populates="steps")
