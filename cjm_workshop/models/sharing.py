"""Sharing a workshop with other accounts: co-facilitators and organizers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import enum_column, utcnow

if TYPE_CHECKING:  # the other side of a relationship
    from cjm_workshop.models.facilitator import Facilitator


class Role(enum.StrEnum):
    """What an account may do in a workshop shared with it."""

    CO_FACILITATOR = "co_facilitator"  # runs it like its facilitator
    ORGANIZER = "organizer"  # views, exports, prints, updates action status


class WorkshopMember(Model):
    __tablename__ = "workshop_member"
    __table_args__ = (
        UniqueConstraint("workshop_id", "facilitator_id", name="uq_workshop_member_account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "member_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Facilitator] = relationship()
