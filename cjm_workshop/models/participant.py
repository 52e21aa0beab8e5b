"""Participants: people in the room, known by a display name and a cookie, no account."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import utcnow

if TYPE_CHECKING:  # the other side of a relationship
    from cjm_workshop.models.workshop import Workshop


DISPLAY_NAME_MAX = 40


class Participant(Model):
    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("workshop_id", "name_key", name="uq_participant_workshop_name"),
        UniqueConstraint("workshop_id", "join_key", name="uq_participant_workshop_join_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX + 6))
    # Case-folded name: "anna" and "Anna" are the same person to the room.
    name_key: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX + 6))
    # The secret in the participant's cookie; bound to this workshop only.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # The nonce of the join form that created this participant: a retried join finds it.
    join_key: Mapped[str | None] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Removed from the room by the facilitator: reads along, adds nothing any more.
    removed_at: Mapped[datetime | None] = mapped_column(default=None)

    workshop: Mapped[Workshop] = relationship(back_populates="participants")

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    def __repr__(self) -> str:
        return f"<Participant {self.display_name!r} of workshop {self.workshop_id}>"
