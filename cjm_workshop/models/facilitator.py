"""Facilitator accounts (Flask-Login users)."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cjm_workshop.extensions import db
from cjm_workshop.models.base import utcnow

EMAIL_MAX = 254
NAME_MAX = 80


class Facilitator(UserMixin, db.Model):
    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Facilitator {self.email}>"
