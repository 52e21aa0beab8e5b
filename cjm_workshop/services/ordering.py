"""Ordered parts of a workshop (personas, stages, lanes) with dense, unique positions."""

from __future__ import annotations

from collections.abc import Sequence

from cjm_workshop.models.workshop import Lane, Persona, Stage
from cjm_workshop.services.errors import InvalidMove
from cjm_workshop.services.room import DbSession, touch

# What keeps a position of its own within a workshop.
Ordered = Persona | Stage | Lane


def renumber(session: DbSession, items: Sequence[Ordered]) -> None:
    """Give items the dense positions 0..n-1 in the order given.

    Positions are unique per workshop in the schema, so the rows first step aside to
    negative positions and then take their final places.
    """
    if items:
        touch(session, items[0].workshop_id)
    for index, item in enumerate(items):
        item.position = -(index + 1)
    session.flush()
    for index, item in enumerate(items):
        item.position = index
    session.flush()
    if items:
        session.expire(items[0].workshop, ["stages", "personas", "lanes"])


def move_within(
    session: DbSession, items: Sequence[Ordered], item: Ordered, to_position: int
) -> None:
    """Move one item of an ordered collection to another place; refused outside it."""
    ordered = list(items)
    if not 0 <= to_position < len(ordered):
        raise InvalidMove(f"no position {to_position} among {len(ordered)}")
    ordered.remove(item)
    ordered.insert(to_position, item)
    renumber(session, ordered)
