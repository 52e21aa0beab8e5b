"""Step 6: actions with an owner, made from opportunities or directly from pain points, and
placed in the impact/effort matrix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from cjm_workshop.models import (
    LEVELS,
    ActionItem,
    ActionStatus,
    Level,
    Note,
    NoteKind,
    Quadrant,
    Workshop,
)
from cjm_workshop.services.errors import InvalidAction, WorkshopClosed
from cjm_workshop.services.room import DbSession, touch

SOURCE_KINDS = frozenset({NoteKind.OPPORTUNITY, NoteKind.PAIN_POINT})


@dataclass(frozen=True)
class ActionFields:
    title: str
    owner: str
    next_step: str = ""
    due_date: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    impact: Level = Level.MEDIUM
    effort: Level = Level.MEDIUM
    stage_id: int | None = None  # None: the stage of the note it answers


_ACTIONS = (
    select(ActionItem)
    .where(ActionItem.workshop_id == bindparam("workshop_id"))
    .options(selectinload(ActionItem.source))  # what each answers: the map, the CSV
    .order_by(ActionItem.created_at, ActionItem.id)
)


def actions_of(session: DbSession, workshop: Workshop) -> list[ActionItem]:
    """The workshop's actions in the order they were agreed, with the notes they answer."""
    return list(session.scalars(_ACTIONS, {"workshop_id": workshop.id}))


def matrix(actions: list[ActionItem]) -> dict[Quadrant, list[ActionItem]]:
    """The actions by quadrant (every quadrant present, in the order given)."""
    placed: dict[Quadrant, list[ActionItem]] = {quadrant: [] for quadrant in Quadrant}
    for action in actions:
        placed[action.quadrant].append(action)
    return placed


def add_action(
    session: DbSession, workshop: Workshop, fields: ActionFields, source_id: int | None = None
) -> ActionItem:
    _writable(workshop)
    action = ActionItem(workshop_id=workshop.id, source_id=_source(session, workshop, source_id))
    _apply(workshop, action, fields)
    session.add(action)
    session.flush()
    touch(session, workshop.id)
    return action


def update_action(
    session: DbSession,
    workshop: Workshop,
    action: ActionItem,
    fields: ActionFields,
    source_id: int | None = None,
) -> None:
    _writable(workshop)
    action.source_id = _source(session, workshop, source_id)
    _apply(workshop, action, fields)
    session.flush()
    touch(session, workshop.id)


def set_status(
    session: DbSession, workshop: Workshop, action: ActionItem, status: ActionStatus
) -> None:
    """What organizers do after the workshop, closed or not."""
    action.status = status
    session.flush()
    touch(session, workshop.id)


def place(session: DbSession, workshop: Workshop, action: ActionItem, quadrant: Quadrant) -> None:
    """Dragged into a quadrant: an axis that crosses the line takes the nearest level on the
    other side (low becomes medium, medium or high becomes low); the other axis stays."""
    _writable(workshop)
    high_impact = quadrant in (Quadrant.QUICK_WIN, Quadrant.BIG_BET)
    high_effort = quadrant in (Quadrant.BIG_BET, Quadrant.MONEY_PIT)
    action.impact = _towards(action.impact, high_impact)
    action.effort = _towards(action.effort, high_effort)
    session.flush()
    touch(session, workshop.id)


def step(session: DbSession, workshop: Workshop, action: ActionItem, axis: str, by: int) -> None:
    """One level more or less impact or effort (the matrix's buttons)."""
    _writable(workshop)
    if axis not in ("impact", "effort") or by not in (-1, 1):
        raise InvalidAction("axis")
    current = LEVELS.index(getattr(action, axis))
    setattr(action, axis, LEVELS[min(max(current + by, 0), len(LEVELS) - 1)])
    session.flush()
    touch(session, workshop.id)


def delete_action(session: DbSession, workshop: Workshop, action: ActionItem) -> None:
    _writable(workshop)
    session.delete(action)
    session.flush()
    touch(session, workshop.id)


def _towards(level: Level, high: bool) -> Level:
    if high and level is Level.LOW:
        return Level.MEDIUM
    if not high and level is not Level.LOW:
        return Level.LOW
    return level


def _apply(workshop: Workshop, action: ActionItem, fields: ActionFields) -> None:
    if fields.stage_id is not None and fields.stage_id not in {s.id for s in workshop.stages}:
        raise InvalidAction("stage")
    action.stage_id = fields.stage_id
    action.title = fields.title
    action.owner = fields.owner
    action.next_step = fields.next_step
    action.due_date = fields.due_date
    action.status = fields.status
    action.impact = fields.impact
    action.effort = fields.effort


def _source(session: DbSession, workshop: Workshop, source_id: int | None) -> int | None:
    if source_id is None:
        return None
    note = session.get(Note, source_id)
    if note is None or note.workshop_id != workshop.id or note.kind not in SOURCE_KINDS:
        raise InvalidAction("source")
    return note.id


def _writable(workshop: Workshop) -> None:
    if workshop.is_closed:
        raise WorkshopClosed(workshop.join_code)
