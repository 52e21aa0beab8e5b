"""Invitations: a workshop shared with an e-mail address that has no account yet."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import enum_column, utcnow
from cjm_workshop.models.facilitator import EMAIL_MAX, Facilitator
from cjm_workshop.models.sharing import Role

if TYPE_CHECKING:
    from cjm_workshop.models.workshop import Workshop


class Invitation(Model):
    """A one-use link that opens sign-up for `email` and then shares the workshop with the
    new account in `role`. Only a hash of its token is stored; a used one is kept (marked
    `used_at`) so its link can say it was used rather than that it never existed."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    role: Mapped[Role] = mapped_column(enum_column(Role, "invitation_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    invited_by: Mapped[Facilitator] = relationship()
    workshop: Mapped[Workshop] = relationship()
