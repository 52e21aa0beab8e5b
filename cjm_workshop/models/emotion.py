"""Emotion ratings (step 5): how each participant feels at each touchpoint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import utcnow

SCORES = (1, 2, 3, 4, 5)  # very negative .. very positive


class EmotionRating(Model):
    """One participant's feeling at one touchpoint; changed by rating again."""

    __tablename__ = "emotion_rating"
    __table_args__ = (
        UniqueConstraint("participant_id", "note_id", name="uq_emotion_rating_participant_note"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_on_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
