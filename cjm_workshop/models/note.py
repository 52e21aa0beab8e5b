"""Sticky notes: what participants (and the facilitator, by proxy) add to the map."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import enum_column, utcnow
from cjm_workshop.models.step import Step

if TYPE_CHECKING:  # the other side of a relationship
    from cjm_workshop.models.participant import Participant
    from cjm_workshop.models.workshop import Persona, Stage, Workshop


NOTE_TEXT_MAX = 280


class NoteKind(enum.StrEnum):
    INSIGHT = "insight"  # research insight
    TOUCHPOINT = "touchpoint"
    CUSTOMER_ACTION = "customer_action"
    PAIN_POINT = "pain_point"
    OPPORTUNITY = "opportunity"


class ResearchSource(enum.StrEnum):
    INTERVIEW = "interview"
    SURVEY = "survey"
    ANALYTICS = "analytics"
    SUPPORT_LOG = "support_log"  # sales/support log
    USABILITY_TEST = "usability_test"
    OTHER = "other"


class Channel(enum.StrEnum):
    WEBSITE = "website"
    APP = "app"
    EMAIL = "email"
    SOCIAL_MEDIA = "social_media"
    ADVERTISING = "advertising"
    PHONE = "phone"
    CHAT = "chat"  # chat/messaging
    STORE = "store"  # store/in person
    OTHER = "other"


# Which kinds of note each step collects.
STEP_NOTE_KINDS: dict[Step, tuple[NoteKind, ...]] = {
    Step.SCOPE: (),
    Step.RESEARCH: (NoteKind.INSIGHT,),
    Step.TOUCHPOINTS: (NoteKind.TOUCHPOINT, NoteKind.CUSTOMER_ACTION),
    Step.VISUALIZE: (),
    Step.EMOTIONS: (NoteKind.PAIN_POINT,),
    Step.ACTIONS: (NoteKind.OPPORTUNITY,),
}

# Kinds of note that belong in a stage (the others may also have none yet).
STAGE_REQUIRED = frozenset({NoteKind.TOUCHPOINT, NoteKind.CUSTOMER_ACTION, NoteKind.PAIN_POINT})


class Note(Model):
    __tablename__ = "note"
    __table_args__ = (
        UniqueConstraint("workshop_id", "idempotency_key", name="uq_note_workshop_idempotency"),
        # A cell's notes in their order: a new note's place at the end is found in it.
        Index("ix_note_cell", "workshop_id", "kind", "stage_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind, "note_kind"))
    step: Mapped[Step] = mapped_column(enum_column(Step, "note_step"))
    text: Mapped[str] = mapped_column(String(NOTE_TEXT_MAX))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    persona_id: Mapped[int | None] = mapped_column(ForeignKey("persona.id", ondelete="SET NULL"))
    source: Mapped[ResearchSource | None] = mapped_column(enum_column(ResearchSource, "source"))
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel, "channel"))
    # A pain point may name its touchpoint; an opportunity the pain point it answers.
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("note.id", ondelete="SET NULL"))
    pain_point_id: Mapped[int | None] = mapped_column(ForeignKey("note.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    # Typed in by the facilitator for the room (paper stickies, people without a phone).
    by_facilitator: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    # Place in its map cell (stage x lane), dense from 0; see services/journey_map.py.
    position: Mapped[int] = mapped_column(default=0)
    # A duplicate merged into another note: off the map, kept for undo, its authors (and
    # later its dots and ratings) counted with the note it was merged into.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("note.id", ondelete="CASCADE"), index=True
    )
    # Made on the phone for each submission: a retried submission finds the first note.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    workshop: Mapped[Workshop] = relationship()
    stage: Mapped[Stage | None] = relationship()
    persona: Mapped[Persona | None] = relationship()
    author: Mapped[Participant | None] = relationship()
    touchpoint: Mapped[Note | None] = relationship(foreign_keys=[touchpoint_id], remote_side=[id])
    pain_point: Mapped[Note | None] = relationship(foreign_keys=[pain_point_id], remote_side=[id])
    merged_into: Mapped[Note | None] = relationship(foreign_keys=[merged_into_id], remote_side=[id])


class DismissedDuplicate(Model):
    """Two notes the facilitator said are not duplicates: never suggested together again
    (see services/duplicates.py). Goes with either note when it is deleted."""

    __tablename__ = "dismissed_duplicate"
    __table_args__ = (
        UniqueConstraint("note_id", "other_note_id", name="uq_dismissed_duplicate_pair"),
        CheckConstraint("note_id < other_note_id", name="pair_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"))
    other_note_id: Mapped[int] = mapped_column(
        ForeignKey("note.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @classmethod
    def of(cls, workshop_id: int, one: int, other: int) -> DismissedDuplicate:
        """Notes `one` and `other` said not to be duplicates, as the table keeps a pair."""
        first, second = cls.ordered(one, other)
        return cls(workshop_id=workshop_id, note_id=first, other_note_id=second)

    @staticmethod
    def ordered(one: int, other: int) -> tuple[int, int]:
        """A pair of note ids as the table keeps it (`pair_in_order`): the smaller first."""
        return (one, other) if one < other else (other, one)
