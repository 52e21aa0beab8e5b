"""The live-event log: one row per change phones or the board must show.

Every app process tails this table (see live.py), so a change made through any worker or
app server reaches every connected screen; a screen that was offline asks for the events
after the last one it saw.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from cjm_workshop.extensions import Model, db
from cjm_workshop.models.base import enum_column, utcnow


class LiveEventKind(enum.StrEnum):
    NOTE = "note"  # a note was added, changed, hidden or deleted
    # Only the facilitator's screens (console, board) reload: someone joined, rated a
    # touchpoint or spent a dot before the reveal.
    PRESENCE = "presence"
    MAP = "map"  # the journey map was arranged: screens showing it reload the map
    REFRESH = "refresh"  # anything else: the screen reloads its live part


class LiveEvent(Model):
    __tablename__ = "live_event"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True
    )
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LiveEventKind] = mapped_column(enum_column(LiveEventKind, "live_event_kind"))
    note_id: Mapped[int | None]  # no foreign key: the note may be gone (deleted)
    # Indexed: old events are pruned by age (services/retention.py).
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
