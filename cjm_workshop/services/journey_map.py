"""The journey map (step 4, Visualize): stages as columns, lanes as rows, notes in cells.

A note's cell is its stage and its lane, and its lane is its kind: moving a touchpoint to
the customer-actions lane makes it a customer action. Notes without a stage (insights and
opportunities may have none) sit in a column of their own at the end. Within a cell,
positions run densely from 0. Merged duplicates leave the map but stay in the database,
attached to the note they were merged into, so that a merge can be undone and their
authors still count.

Every change first locks the workshop's row (FOR NO KEY UPDATE on PostgreSQL; SQLite lets
one writer at a time in anyway), so two facilitators arranging at once are applied one
after the other and never interleave their renumbering.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import BindParameter, ColumnElement, func, select, update
from sqlalchemy.orm import selectinload

from cjm_workshop.models import (
    LANE_KINDS,
    ActionItem,
    Channel,
    Lane,
    LaneKind,
    LiveEventKind,
    Note,
    NoteKind,
    Participant,
    ResearchSource,
    Stage,
    Workshop,
)
from cjm_workshop.models.note import STAGE_REQUIRED
from cjm_workshop.services import actions, voting
from cjm_workshop.services.errors import InvalidMove, MergeRefused
from cjm_workshop.services.ordering import move_within
from cjm_workshop.services.room import DbSession, lock, touch, visible_to_room

NOTE_LANES: dict[LaneKind, NoteKind] = {LaneKind(kind.value): kind for kind in NoteKind}
DIRECTIONS = ("left", "right", "up", "down")

Cell = tuple[LaneKind, int | None]  # (lane, stage id or None for "no stage yet")


def new_lanes() -> list[Lane]:
    return [Lane(kind=kind, position=position) for position, kind in enumerate(LANE_KINDS)]


def arrange_new_lanes(lanes: list[Lane], saved: list[tuple[LaneKind, bool]]) -> None:
    """A new workshop's lanes in a saved order, hidden as saved (kind, hidden), as another
    version or a template had them; a lane that was not saved goes last, shown."""
    order = {kind: (position, hidden) for position, (kind, hidden) in enumerate(saved)}
    lanes.sort(key=lambda lane: order.get(lane.kind, (len(saved), False))[0])
    for position, lane in enumerate(lanes):
        lane.position, lane.hidden = position, order.get(lane.kind, (0, False))[1]


def lane_of(note: Note) -> LaneKind:
    return LaneKind(note.kind.value)


def cell_of(note: Note) -> Cell:
    return (lane_of(note), note.stage_id)


# --- reading the map -------------------------------------------------------------------


@dataclass
class JourneyMap:
    """Everything a map view shows, loaded in a few queries."""

    workshop: Workshop
    stages: list[Stage]
    lanes: list[Lane]  # in the workshop's order, hidden ones included
    cells: dict[Cell, list[Note]] = field(default_factory=lambda: defaultdict(list))
    merged: dict[int, list[Note]] = field(default_factory=dict)  # note id -> merged into it
    unplaced: bool = False  # some note (or action) has no stage yet
    actions: list[ActionItem] = field(default_factory=list)  # in the order they were agreed

    @property
    def columns(self) -> list[int | None]:
        """The stage ids in order, and None for the no-stage column when it has notes."""
        return [stage.id for stage in self.stages] + ([None] if self.unplaced else [])

    @property
    def visible_lanes(self) -> list[Lane]:
        return [lane for lane in self.lanes if not lane.hidden]

    def notes_in(self, lane: LaneKind, stage_id: int | None) -> list[Note]:
        return self.cells.get((lane, stage_id), [])

    def actions_in(self, stage_id: int | None) -> list[ActionItem]:
        stage_ids = [stage.id for stage in self.stages]
        return [a for a in self.actions if action_stage(a, stage_ids) == stage_id]

    def folded_into(self, note: Note) -> list[Note]:
        """Every note merged into this one, also those merged into a note before it was
        merged here (a chain of merges), nearest first."""
        found: list[Note] = []
        pending = list(self.merged.get(note.id, ()))
        while pending:
            current = pending.pop(0)
            found.append(current)
            pending.extend(self.merged.get(current.id, ()))
        return found

    def authors(self, note: Note) -> list[Participant]:
        """Who wrote this note and every note merged into it (each once, in order)."""
        found: dict[int, Participant] = {}
        for current in [note, *self.folded_into(note)]:
            if current.author is not None:
                found.setdefault(current.author.id, current.author)
        return list(found.values())

    def merged_count(self, note: Note) -> int:
        """How many notes this one stands for besides itself ("3 merged")."""
        return len(self.folded_into(note))

    @property
    def note_count(self) -> int:
        return sum(len(notes) for notes in self.cells.values())


def load_map(
    session: DbSession,
    workshop: Workshop,
    *,
    room: bool,
    persona_id: int | None = None,
) -> JourneyMap:
    """The map as the room sees it (room=True: no hidden or unrevealed notes) or as the
    facilitator arranges it; with persona_id, only that persona's notes and shared ones."""
    query = (
        select(Note)
        .where(Note.workshop_id == workshop.id)
        .options(selectinload(Note.author), selectinload(Note.persona))
        .order_by(Note.position, Note.id)
    )
    if persona_id is not None:
        query = query.where((Note.persona_id == persona_id) | Note.persona_id.is_(None))
    journey = JourneyMap(workshop=workshop, stages=list(workshop.stages), lanes=workshop.lanes)
    merged: dict[int, list[Note]] = defaultdict(list)
    for note in session.scalars(query):
        if note.merged_into_id is not None:
            merged[note.merged_into_id].append(note)
        elif not room or visible_to_room(note):
            journey.cells[cell_of(note)].append(note)
            journey.unplaced = journey.unplaced or note.stage_id is None
    journey.merged = dict(merged)
    stage_ids = [stage.id for stage in journey.stages]
    for action in actions.actions_of(session, workshop):
        # An action agreed on another persona's note belongs to that persona's map; any
        # other stays, even when the note it answers was hidden or merged since.
        owner = action.source.persona_id if action.source is not None else None
        if persona_id is not None and owner not in (None, persona_id):
            continue
        journey.actions.append(action)
        journey.unplaced = journey.unplaced or action_stage(action, stage_ids) is None
    return journey


def action_stage(action: ActionItem, stage_ids: list[int]) -> int | None:
    """Where an action stands on the map: in the stage the facilitator gave it, else in
    the stage of the note it came from (an opportunity or a pain point), else with the
    notes that have no stage yet."""
    if action.stage_id in stage_ids:
        return action.stage_id
    source = action.source
    if source is not None and source.stage_id in stage_ids:
        return source.stage_id
    return None


def room_notes(session: DbSession, workshop: Workshop, kind: NoteKind) -> list[Note]:
    """The room's notes of one kind in the map's order (stage by stage, then place in the
    cell; no stage last): the touchpoints phones rate, the pain points they vote on."""
    query = (
        select(Note)
        .outerjoin(Stage, Note.stage_id == Stage.id)
        .where(
            Note.workshop_id == workshop.id,
            Note.kind == kind,
            Note.merged_into_id.is_(None),
            Note.hidden.is_(False),
        )
        .order_by(Stage.id.is_(None), Stage.position, Note.position, Note.id)
    )
    return [note for note in session.scalars(query) if visible_to_room(note)]


# A workshop or stage, as a value or as a parameter of a statement built once.
Ref = int | BindParameter[int]


def _in_cell(
    workshop_id: Ref, cell: tuple[LaneKind, Ref | None]
) -> tuple[ColumnElement[bool], ...]:
    """Which notes are in a cell (merged duplicates are not on the map)."""
    lane, stage_id = cell
    stage_match = Note.stage_id.is_(None) if stage_id is None else Note.stage_id == stage_id
    return (
        Note.workshop_id == workshop_id,
        Note.kind == NOTE_LANES[lane],
        stage_match,
        Note.merged_into_id.is_(None),
    )


def cell_notes(session: DbSession, workshop_id: int, cell: Cell) -> list[Note]:
    """The notes of one cell in their order."""
    query = select(Note).where(*_in_cell(workshop_id, cell))
    query = query.order_by(Note.position, Note.id).execution_options(populate_existing=True)
    return list(session.scalars(query))


# --- arranging -------------------------------------------------------------------------


def end_of_cell(
    workshop_id: Ref, cell: tuple[LaneKind, Ref | None], but: int | None = None
) -> ColumnElement[int]:
    """The position after a cell's last note (0 in an empty cell), as SQL: found in the
    cell's index without reading its other notes (counting them cost more as a cell
    filled). A new note's INSERT computes it itself, so no lock is held while it is read;
    two notes that join a cell at the same moment may share a position, and keep the order
    they were added in (notes are ordered by position, then id) until the cell is next
    arranged."""
    last = (
        select(Note.position + 1)
        .where(*_in_cell(workshop_id, cell))
        .order_by(Note.position.desc())
        .limit(1)
    )
    if but is not None:
        last = last.where(Note.id != but)
    return func.coalesce(last.scalar_subquery(), 0)


def place_at_end(session: DbSession, note: Note) -> None:
    """A note moved in from another cell goes last in its new one."""
    with session.no_autoflush:  # the note itself is not in the cell until it is flushed
        note.position = session.execute(
            select(end_of_cell(note.workshop_id, cell_of(note), but=note.id))
        ).scalar_one()


def close_gap(session: DbSession, workshop_id: int, cell: Cell) -> None:
    _renumber(cell_notes(session, workshop_id, cell))


def tidy(session: DbSession, workshop: Workshop) -> None:
    """Renumber every cell (after stages were removed and their notes lost their stage)."""
    cells = {
        cell_of(note)
        for note in session.scalars(select(Note).where(Note.workshop_id == workshop.id))
    }
    for cell in cells:
        close_gap(session, workshop.id, cell)


def move_note(
    session: DbSession,
    workshop: Workshop,
    note: Note,
    *,
    lane: LaneKind,
    stage_id: int | None,
    index: int | None = None,
) -> None:
    """Put a note at `index` of the cell (lane, stage); None: at the end of it."""
    lock(session, workshop)
    session.refresh(note)  # what another facilitator's committed move left
    if note.workshop_id != workshop.id:
        raise InvalidMove("not a note of this workshop")
    if note.merged_into_id is not None:
        raise InvalidMove("a merged note is not on the map")
    kind = NOTE_LANES.get(lane)
    if kind is None:
        raise InvalidMove(f"no notes in the {lane.value} lane")
    if stage_id is None:
        if kind in STAGE_REQUIRED:
            raise InvalidMove(f"a {kind.value} needs a stage")
    else:
        stage = session.get(Stage, stage_id)
        if stage is None or stage.workshop_id != workshop.id:
            raise InvalidMove("not a stage of this workshop")
    source = (lane_of(note), note.stage_id)
    target = (lane, stage_id)
    target_notes = [n for n in cell_notes(session, workshop.id, target) if n is not note]
    if index is None:
        index = len(target_notes)
    if not 0 <= index <= len(target_notes):
        raise InvalidMove(f"no position {index} in a cell of {len(target_notes)}")
    if kind is not note.kind:
        _change_kind(session, note, kind)
    note.stage_id = stage_id
    target_notes.insert(index, note)
    _renumber(target_notes)
    if source != target:
        close_gap(session, workshop.id, source)
    touch(session, workshop.id, note.id, kind=LiveEventKind.MAP)
    session.flush()


def nudge(session: DbSession, workshop: Workshop, note: Note, direction: str) -> None:
    """The buttons' moves: a stage to the left or right (to the end of that cell), or one
    place up or down in the cell. Refused where the map ends."""
    lane, stage_id = cell_of(note)
    stage_ids = [stage.id for stage in workshop.stages]
    if direction in ("up", "down"):
        notes = cell_notes(session, workshop.id, (lane, stage_id))
        index = notes.index(note) + (-1 if direction == "up" else 1)
        if not 0 <= index < len(notes):
            raise InvalidMove(f"cannot move {direction}")
        move_note(session, workshop, note, lane=lane, stage_id=stage_id, index=index)
    elif direction in ("left", "right"):
        # The no-stage column stands after the last stage.
        place = stage_ids.index(stage_id) if stage_id is not None else len(stage_ids)
        place += -1 if direction == "left" else 1
        if not 0 <= place < len(stage_ids):
            raise InvalidMove(f"cannot move {direction}")
        move_note(session, workshop, note, lane=lane, stage_id=stage_ids[place])
    else:
        raise InvalidMove(f"unknown direction {direction!r}")


def _change_kind(session: DbSession, note: Note, kind: NoteKind) -> None:
    """A note moved to another lane becomes that kind of note; links that only made sense
    for its old kind are dropped, and a new touchpoint or insight gets "other" as its
    channel or source until the facilitator edits it."""
    if note.kind is NoteKind.TOUCHPOINT:
        session.execute(
            update(Note).where(Note.touchpoint_id == note.id).values(touchpoint_id=None)
        )
    if note.kind is NoteKind.PAIN_POINT:
        session.execute(
            update(Note).where(Note.pain_point_id == note.id).values(pain_point_id=None)
        )
    note.kind = kind
    note.channel = (note.channel or Channel.OTHER) if kind is NoteKind.TOUCHPOINT else None
    note.source = (note.source or ResearchSource.OTHER) if kind is NoteKind.INSIGHT else None
    if kind is not NoteKind.PAIN_POINT:
        note.touchpoint_id = None
    if kind is not NoteKind.OPPORTUNITY:
        note.pain_point_id = None


def _renumber(notes: list[Note]) -> None:
    for index, note in enumerate(notes):
        if note.position != index:
            note.position = index


# --- duplicates ------------------------------------------------------------------------


def merge(session: DbSession, workshop: Workshop, keep: Note, duplicates: list[Note]) -> None:
    """Merge duplicates into `keep`: they leave the map, their authors count for `keep`."""
    lock(session, workshop)
    for note in [keep, *duplicates]:
        session.refresh(note)
        if note.workshop_id != workshop.id:
            raise MergeRefused("other_workshop")
        if note.merged_into_id is not None:
            raise MergeRefused("already_merged")
    unique = {note.id: note for note in duplicates}
    if not unique:
        raise MergeRefused("nothing")
    if keep.id in unique:
        raise MergeRefused("itself")
    cells = set()
    for note in unique.values():
        cells.add(cell_of(note))
        note.merged_into_id = keep.id
    session.flush()
    voting.follow_merge(session, keep, list(unique.values()))
    for cell in cells:
        close_gap(session, workshop.id, cell)
    touch(session, workshop.id, keep.id, kind=LiveEventKind.MAP)
    session.flush()


def unmerge(session: DbSession, workshop: Workshop, note: Note) -> list[Note]:
    """Undo the merges into `note`: the duplicates return, each at the end of its cell."""
    lock(session, workshop)
    restored = list(
        session.scalars(select(Note).where(Note.merged_into_id == note.id).order_by(Note.id))
    )
    if not restored:
        raise MergeRefused("nothing_merged")
    for duplicate in restored:
        duplicate.merged_into_id = None
        place_at_end(session, duplicate)
        session.flush()
    voting.follow_unmerge(session, note, restored)
    touch(session, workshop.id, note.id, kind=LiveEventKind.MAP)
    session.flush()
    return restored


# --- lanes -----------------------------------------------------------------------------


def move_lane(session: DbSession, workshop: Workshop, lane: Lane, to_position: int) -> None:
    lock(session, workshop)
    move_within(session, workshop.lanes, lane, to_position)  # screens reload what they show


def set_lane_hidden(session: DbSession, workshop: Workshop, lane: Lane, hidden: bool) -> None:
    lane.hidden = hidden
    touch(session, workshop.id, kind=LiveEventKind.MAP)
    session.flush()
