"""Step 6: what the organisation will do (action items, placed by impact and effort)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import enum_column, utcnow

if TYPE_CHECKING:  # the other side of a relationship
    from cjm_workshop.models.note import Note


ACTION_TITLE_MAX = 200
ACTION_OWNER_MAX = 80
ACTION_NEXT_STEP_MAX = 280


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Level(enum.StrEnum):
    """Expected impact, or effort needed."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


LEVELS: tuple[Level, ...] = tuple(Level)


class Quadrant(enum.StrEnum):
    """The impact/effort matrix. Anything not low counts as high: a medium effort is no
    quick win, a medium impact is worth a bet."""

    QUICK_WIN = "quick_win"  # impact not low, effort low
    BIG_BET = "big_bet"  # impact not low, effort not low
    FILL_IN = "fill_in"  # impact low, effort low
    MONEY_PIT = "money_pit"  # impact low, effort not low

    @classmethod
    def of(cls, impact: Level, effort: Level) -> Quadrant:
        if impact is Level.LOW:
            return cls.FILL_IN if effort is Level.LOW else cls.MONEY_PIT
        return cls.QUICK_WIN if effort is Level.LOW else cls.BIG_BET


class ActionItem(Model):
    """An action with an owner, made from an opportunity or directly from a pain point."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(ACTION_TITLE_MAX))
    owner: Mapped[str] = mapped_column(String(ACTION_OWNER_MAX))
    next_step: Mapped[str] = mapped_column(String(ACTION_NEXT_STEP_MAX), default="")
    due_date: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    impact: Mapped[Level] = mapped_column(enum_column(Level, "action_impact"))
    effort: Mapped[Level] = mapped_column(enum_column(Level, "action_effort"))
    # The opportunity or pain point it answers (kept when that note is deleted: None).
    source_id: Mapped[int | None] = mapped_column(ForeignKey("note.id", ondelete="SET NULL"))
    # Where it stands on the map when the facilitator says so; else the stage of the note
    # it answers (services.journey_map.action_stage).
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    source: Mapped[Note | None] = relationship()

    @property
    def quadrant(self) -> Quadrant:
        return Quadrant.of(self.impact, self.effort)
