"""Dot voting (steps 5 and 6): rounds with an exact budget per participant, and the dots."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import enum_column, utcnow
from cjm_workshop.models.note import NoteKind


class RoundStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class VotingRound(Model):
    """A dot-voting round on pain points (step 5) or opportunities (step 6)."""

    __tablename__ = "voting_round"
    __table_args__ = (CheckConstraint("dots_per_participant BETWEEN 1 AND 20", name="dots_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind, "round_kind"))
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus, "round_status"), default=RoundStatus.OPEN
    )
    dots_per_participant: Mapped[int]
    several_per_note: Mapped[bool] = mapped_column(default=False)
    own_notes: Mapped[bool] = mapped_column(default=True)
    revealed: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class DotBudget(Model):
    """What one participant has left in one round. Spending is one conditional UPDATE
    (`dots_left = dots_left - 1 WHERE dots_left > 0`), so the budget holds under any
    number of concurrent taps; the CHECK is the last line of defence."""

    __tablename__ = "dot_budget"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id", name="uq_dot_budget_round_participant"),
        CheckConstraint("dots_left >= 0", name="dots_left_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    dots_left: Mapped[int]
    taps: Mapped[int] = mapped_column(default=0)  # dots ever placed: numbers each dot


class Dot(Model):
    """One dot. `slot` is 0 when a round allows one dot per note (so the unique constraint
    refuses a second), else the budget's tap number. `cast_on_id` remembers the note that
    was tapped, so that undoing a merge gives the dot back to it."""

    __tablename__ = "dot"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id", "note_id", "slot", name="uq_dot_slot"),
        UniqueConstraint("round_id", "participant_id", "tap_key", name="uq_dot_tap_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("voting_round.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    cast_on_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"))
    slot: Mapped[int]
    # Made on the phone for each tap: a retried tap finds the dot the first one placed.
    tap_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[VotingRound] = relationship()
