"""Facilitator accounts (Flask-Login users)."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import utcnow

EMAIL_MAX = 254
NAME_MAX = 80


class Facilitator(UserMixin, Model):
    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The log-in this request belongs to (not stored here: see LoginSession).
    login_token: str = ""

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the account and
        its log-in, so that ending the log-in on the server ends both."""
        return f"{self.id}:{self.login_token}"

    def __repr__(self) -> str:
        return f"<Facilitator {self.email}>"


class LoginSession(Model):
    """One log-in of an account (a browser): ended by logging out there, by "log out
    everywhere" and by a password change (all but the one that changed it). Only a hash of
    its token is stored."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
