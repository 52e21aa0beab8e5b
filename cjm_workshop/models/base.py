"""Column helpers shared by the models."""

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_class: type[enum.Enum], name: str, length: int = 20) -> Enum:
    """A portable enum column: stored as its values, checked by a named constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        create_constraint=True,
    )
