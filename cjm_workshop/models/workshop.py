"""The workshop aggregate: the workshop itself, its personas and its stages."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Literal, get_args

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import enum_column, utcnow
from cjm_workshop.models.step import Step, WorkshopStep

if TYPE_CHECKING:  # the other side of a relationship
    from cjm_workshop.models.facilitator import Facilitator
    from cjm_workshop.models.participant import Participant


TITLE_MAX = 120
JOURNEY_MAX = 300
GOAL_MAX = 300
PERSONA_NAME_MAX = 60
PERSONA_TEXT_MAX = 1000
STAGE_NAME_MAX = 40
SPOTLIGHT_MAX = 40
Language = Literal["en", "nl"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DOTS_MIN, DOTS_MAX = 1, 20
ERASE_DAYS_MIN, ERASE_DAYS_MAX = 0, 365
JOURNEY_KEY_LENGTH = 32


def new_journey_key() -> str:
    """Shared by every version of one journey (see services/versions.py)."""
    return secrets.token_hex(JOURNEY_KEY_LENGTH // 2)


class LaneKind(enum.StrEnum):
    """The rows of the journey map. The note lanes share their values with NoteKind."""

    CUSTOMER_ACTION = "customer_action"
    TOUCHPOINT = "touchpoint"
    INSIGHT = "insight"  # research insights
    PAIN_POINT = "pain_point"
    OPPORTUNITY = "opportunity"
    ACTION = "action"  # the organisation's actions (step 6)


LANE_KINDS: tuple[LaneKind, ...] = tuple(LaneKind)  # the order of a new workshop's map


class WorkshopStatus(enum.StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    CLOSED = "closed"


# Which status may follow which; the services refuse anything else.
STATUS_TRANSITIONS: dict[WorkshopStatus, frozenset[WorkshopStatus]] = {
    WorkshopStatus.DRAFT: frozenset({WorkshopStatus.LIVE, WorkshopStatus.CLOSED}),
    WorkshopStatus.LIVE: frozenset({WorkshopStatus.CLOSED}),
    WorkshopStatus.CLOSED: frozenset({WorkshopStatus.LIVE}),
}


class Workshop(Model):
    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint(
            f"dots_per_participant BETWEEN {DOTS_MIN} AND {DOTS_MAX}", name="dots_range"
        ),
        CheckConstraint("language IN ('en', 'nl')", name="language_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            f"erase_names_after_days BETWEEN {ERASE_DAYS_MIN} AND {ERASE_DAYS_MAX}",
            name="erase_names_range",
        ),
        # Research before the session: both ends or neither, and the end after the start.
        CheckConstraint(
            "(research_opens_at IS NULL AND research_closes_at IS NULL) OR "
            "(research_opens_at IS NOT NULL AND research_closes_at > research_opens_at)",
            name="research_window",
        ),
        UniqueConstraint("journey_key", "version", name="uq_workshop_journey_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    journey: Mapped[str] = mapped_column(String(JOURNEY_MAX))
    goal: Mapped[str] = mapped_column(String(GOAL_MAX))
    language: Mapped[str] = mapped_column(String(2))
    dots_per_participant: Mapped[int] = mapped_column(default=5)
    # When on, no participant ever sees who wrote a note (the facilitator does).
    anonymous: Mapped[bool] = mapped_column(default=False)
    # What the console's "open voting" form proposes: several dots on one note, and dots on
    # one's own notes (each round keeps its own rules, services/voting.py).
    several_dots_per_note: Mapped[bool] = mapped_column(default=False, server_default=false())
    own_note_dots: Mapped[bool] = mapped_column(default=True, server_default=true())
    status: Mapped[WorkshopStatus] = mapped_column(
        enum_column(WorkshopStatus, "workshop_status", length=10), default=WorkshopStatus.DRAFT
    )
    current_step: Mapped[Step] = mapped_column(
        enum_column(Step, "current_step"), default=Step.SCOPE
    )
    # The step timer: running until timer_ends_at (UTC), or paused with seconds left.
    timer_ends_at: Mapped[datetime | None]
    timer_paused_seconds: Mapped[int | None]
    join_code: Mapped[str] = mapped_column(String(8), unique=True)
    # Carried by the QR link so that scanned joins never count against the throttle.
    join_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Versions of one journey share a key (not a link to the first version, so deleting any
    # version keeps the others together) and are numbered from 1; a number is never reused
    # while a later version exists. previous_version_id is the version this one was cloned
    # from, if it still exists.
    journey_key: Mapped[str] = mapped_column(String(JOURNEY_KEY_LENGTH), default=new_journey_key)
    version: Mapped[int] = mapped_column(default=1)
    previous_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop.id", ondelete="SET NULL")
    )
    # True while an import writes the workshop in parts (transfer.import_workshop): nobody
    # can open, join or list it until the last part is in.
    importing: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The projector, as the facilitator set it up: the step's prompt under its header, a
    # short sound when the timer ends, and one part of the room's work full-screen
    # (services.board.Spotlight's value; None: the whole step).
    board_prompt: Mapped[bool] = mapped_column(default=True, server_default=true())
    board_sound: Mapped[bool] = mapped_column(default=False, server_default=false())
    spotlight: Mapped[str | None] = mapped_column(String(SPOTLIGHT_MAX))
    # Retention (services/retention.py): when the workshop was closed (None while open),
    # after how many days its participants' names are erased (None: the server's default,
    # ERASE_NAMES_AFTER_DAYS) and when that was done.
    closed_at: Mapped[datetime | None]
    # Participants may add research insights from home between these (UTC), before the
    # session starts (services/presession.py).
    research_opens_at: Mapped[datetime | None]
    research_closes_at: Mapped[datetime | None]
    erase_names_after_days: Mapped[int | None]
    names_erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    facilitator: Mapped[Facilitator] = relationship()
    personas: Mapped[list[Persona]] = relationship(
        back_populates="workshop",
        order_by="Persona.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    stages: Mapped[list[Stage]] = relationship(
        back_populates="workshop",
        order_by="Stage.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    steps: Mapped[list[WorkshopStep]] = relationship(
        back_populates="workshop",
        order_by="WorkshopStep.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    lanes: Mapped[list[Lane]] = relationship(
        back_populates="workshop",
        order_by="Lane.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="workshop",
        order_by="Participant.joined_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_closed(self) -> bool:
        return self.status is WorkshopStatus.CLOSED

    def step_state(self, step: Step) -> WorkshopStep:
        return next(s for s in self.steps if s.step is step)

    def __repr__(self) -> str:
        return f"<Workshop {self.join_code} {self.title!r}>"


class Persona(Model):
    __tablename__ = "persona"
    __table_args__ = (
        UniqueConstraint("workshop_id", "position", name="uq_persona_workshop_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(PERSONA_NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    frustrations: Mapped[str] = mapped_column(Text, default="")

    workshop: Mapped[Workshop] = relationship(back_populates="personas")


class Stage(Model):
    __tablename__ = "stage"
    __table_args__ = (
        UniqueConstraint("workshop_id", "position", name="uq_stage_workshop_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(STAGE_NAME_MAX))

    workshop: Mapped[Workshop] = relationship(back_populates="stages")


class Lane(Model):
    """A row of the journey map, in the workshop's own order; hidden lanes are not shown."""

    __tablename__ = "lane"
    __table_args__ = (
        UniqueConstraint("workshop_id", "kind", name="uq_lane_workshop_kind"),
        UniqueConstraint("workshop_id", "position", name="uq_lane_workshop_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    kind: Mapped[LaneKind] = mapped_column(enum_column(LaneKind, "lane_kind"))
    position: Mapped[int]
    hidden: Mapped[bool] = mapped_column(default=False)

    workshop: Mapped[Workshop] = relationship(back_populates="lanes")
