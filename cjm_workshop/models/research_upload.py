"""A file of research insights on its way in: uploaded, then mapped and previewed, then
imported as notes (see services/research_import.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cjm_workshop.extensions import Model
from cjm_workshop.models.base import utcnow

UPLOAD_KEY_LENGTH = 32
UPLOAD_NAME_MAX = 200


class ResearchUpload(Model):
    """The rows of an uploaded CSV or workbook, read once and kept between the upload, the
    column mapping, the preview and the import: in the database, where every worker and app
    server finds them. Only the account that uploaded it uses it, for a short while; the
    import deletes it."""

    __tablename__ = "research_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, in the page's address: an upload is found by it, never by its id.
    key: Mapped[str] = mapped_column(String(UPLOAD_KEY_LENGTH), unique=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(UPLOAD_NAME_MAX))
    # The header and rows as read (JSON): see research_import.Table.
    table: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
