"""A facilitator's own workshop templates: the set-up of a workshop, kept to start others."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import utcnow

TEMPLATE_NAME_MAX = 80


class WorkshopTemplate(Model):
    """`setup` is services.templates.Setup as JSON: stages, lanes, personas, the steps'
    prompts, timeboxes and private notes, and the voting and room settings. One document,
    read and checked whole by the service, since a template is only ever used whole."""

    __tablename__ = "workshop_template"
    __table_args__ = (UniqueConstraint("facilitator_id", "name", name="uq_workshop_template_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(TEMPLATE_NAME_MAX))
    setup: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<WorkshopTemplate {self.name!r}>"
