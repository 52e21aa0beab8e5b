"""Notes: adding, editing, hiding and deleting them, and who may see which.

Participants add notes of the kinds the current step collects while it is open, and edit
or delete their own notes while that step is open. The facilitator edits, hides and
deletes any note and adds notes for the room (proxy) in any step. Every submission carries
an idempotency key made on the phone: the same key twice gives the first note back.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Executable, bindparam, insert, select

from cjm_workshop.database import Upsert, insert_for
from cjm_workshop.models import (
    NOTE_TEXT_MAX,
    STEP_NOTE_KINDS,
    Channel,
    EmotionRating,
    LaneKind,
    Note,
    NoteKind,
    Participant,
    Persona,
    ResearchSource,
    Stage,
    Step,
    Workshop,
)
from cjm_workshop.models.base import utcnow
from cjm_workshop.models.note import STAGE_REQUIRED
from cjm_workshop.services import journey_map, presession
from cjm_workshop.services.errors import (
    DomainError,
    IdempotencyConflict,
    IdempotencyKeyReused,
    InvalidNote,
    NotYourNote,
    ParticipantRemoved,
    WorkshopClosed,
)
from cjm_workshop.services.room import DbSession, lock, touch, touch_notes, visible_to_room
from cjm_workshop.services.steps import accepts_contributions

_NOTE_COLUMNS = tuple(column.key for column in Note.__mapper__.column_attrs)
# What add_note sets on a new note (the other columns take their defaults).
_INSERTED = (
    "workshop_id",
    "kind",
    "step",
    "author_id",
    "by_facilitator",
    "idempotency_key",
    "text",
    "stage_id",
    "persona_id",
    "source",
    "channel",
    "touchpoint_id",
    "pain_point_id",
)


@functools.cache
def _note_insert(upsert: Upsert, kind: NoteKind, placed: bool) -> Executable:
    """A new note's INSERT, returning it as the session's Note: built once per database, kind
    and "has a stage or not" (built for each note, through the ORM's bulk insert, it cost a
    tenth of a note's POST). The note goes at the end of its cell; a copy already saved makes
    it insert nothing."""
    values: dict[str, BindParameter[Any]] = {key: bindparam(f"new_{key}") for key in _INSERTED}
    cell = (LaneKind(kind.value), values["stage_id"] if placed else None)
    inserted = (
        upsert(Note.__table__)
        .values(**values, position=journey_map.end_of_cell(values["workshop_id"], cell))
        .on_conflict_do_nothing(index_elements=["workshop_id", "idempotency_key"])
        .returning(*Note.__table__.columns)
    )
    return select(Note).from_statement(inserted).execution_options(populate_existing=True)


KIND_STEP: dict[NoteKind, Step] = {
    kind: step for step, kinds in STEP_NOTE_KINDS.items() for kind in kinds
}


@dataclass(frozen=True)
class NoteFields:
    kind: NoteKind
    text: str
    stage_id: int | None = None
    persona_id: int | None = None
    source: ResearchSource | None = None
    channel: Channel | None = None
    touchpoint_id: int | None = None
    pain_point_id: int | None = None


def add_note(
    session: DbSession,
    workshop: Workshop,
    fields: NoteFields,
    idempotency_key: str,
    *,
    participant: Participant | None = None,
    now: datetime | None = None,
) -> Note:
    """Add a note by `participant`, or by the facilitator for the room when None. `now`
    (UTC, default the clock) decides research before the session (services/presession.py).

    The same idempotency key again (a retry, a double tap) gives the stored note, also when
    both arrive at once; the same key with another text is refused (IdempotencyKeyReused)."""
    step = KIND_STEP.get(fields.kind)
    if step is None:
        raise InvalidNote("kind")
    refusal = _refusal(workshop, participant, step, now or utcnow())
    if refusal is not None:  # unless this is a copy of a note saved while it was allowed
        existing = _sent_before(session, workshop, fields, idempotency_key, participant)
        if existing is not None:
            return existing
        raise refusal
    note = Note(
        workshop_id=workshop.id,
        kind=fields.kind,
        step=step,
        author_id=participant.id if participant else None,
        by_facilitator=participant is None,
        idempotency_key=idempotency_key,
    )
    _apply(session, workshop, note, fields)
    # One statement, and no lock: the INSERT finds the note's place at the end of its cell,
    # and a copy already saved (a retry, a double tap, also one arriving at the same moment)
    # makes it insert nothing.
    statement = _note_insert(insert_for(session), fields.kind, note.stage_id is not None)
    added: Note | None = session.scalars(
        statement, {f"new_{key}": getattr(note, key) for key in _INSERTED}
    ).first()
    if added is None:
        existing = _sent_before(session, workshop, fields, idempotency_key, participant)
        if existing is None:  # (the copy went between the two statements)
            raise IdempotencyKeyReused(idempotency_key)
        return existing
    touch(session, workshop.id, added.id)
    return added


def add_notes(
    session: DbSession, workshop: Workshop, notes: Sequence[tuple[NoteFields, str]]
) -> list[Note]:
    """Add many notes by the facilitator for the room at once (an import), each with its
    idempotency key: add_note's rules for every one before any is written, then one INSERT,
    each note at the end of its cell in the order given, each with its live event."""
    rows: list[dict[str, object]] = []
    end: dict[journey_map.Cell, int] = {}
    for fields, idempotency_key in notes:
        step = KIND_STEP.get(fields.kind)
        if step is None:
            raise InvalidNote("kind")
        refusal = _refusal(workshop, None, step, utcnow())
        if refusal is not None:
            raise refusal
        note = Note(
            workshop_id=workshop.id,
            kind=fields.kind,
            step=step,
            author_id=None,
            by_facilitator=True,
            idempotency_key=idempotency_key,
        )
        _apply(session, workshop, note, fields)
        cell = journey_map.cell_of(note)
        if cell not in end:
            end[cell] = session.execute(
                select(journey_map.end_of_cell(workshop.id, cell))
            ).scalar_one()
        rows.append(
            {key: getattr(note, key) for key in _NOTE_COLUMNS if key in note.__dict__}
            | {"position": end[cell]}
        )
        end[cell] += 1
    if not rows:
        return []
    added = list(session.scalars(insert(Note).returning(Note, sort_by_parameter_order=True), rows))
    touch_notes(session, workshop.id, [note.id for note in added])
    return added


def _refusal(
    workshop: Workshop, participant: Participant | None, step: Step, now: datetime
) -> DomainError | None:
    """Why a note of this step may not be added now, or None."""
    if workshop.is_closed:  # the real reason, before any about the step
        return WorkshopClosed(workshop.join_code)
    if participant is not None and participant.removed:
        return ParticipantRemoved(str(participant.id))
    if participant is not None and not accepts_contributions(workshop, step):
        return presession.refusal(workshop, step, now)
    return None


_SENT = (
    select(Note)
    .where(Note.workshop_id == bindparam("workshop_id"), Note.idempotency_key == bindparam("key"))
    .execution_options(populate_existing=True)
)


def _sent_before(
    session: DbSession,
    workshop: Workshop,
    fields: NoteFields,
    idempotency_key: str,
    participant: Participant | None,
) -> Note | None:
    existing = session.scalar(_SENT, {"workshop_id": workshop.id, "key": idempotency_key})
    if existing is None:
        return None
    if existing.author_id != (participant.id if participant else None):
        raise IdempotencyConflict(idempotency_key)
    if existing.kind is not fields.kind or existing.text != fields.text:
        raise IdempotencyKeyReused(idempotency_key)
    return existing


def edit_note(
    session: DbSession, note: Note, fields: NoteFields, *, participant: Participant | None = None
) -> None:
    _check_may_change(note, participant)
    if fields.kind is not note.kind:
        raise InvalidNote("kind")
    lock(session, note.workshop)
    cell = journey_map.cell_of(note)
    _apply(session, note.workshop, note, fields)
    if journey_map.cell_of(note) != cell:  # a new stage: the end of that cell
        journey_map.place_at_end(session, note)
        session.flush()
        journey_map.close_gap(session, note.workshop_id, cell)
    touch(session, note.workshop_id, note.id)
    session.flush()


def delete_note(session: DbSession, note: Note, *, participant: Participant | None = None) -> None:
    _check_may_change(note, participant)
    lock(session, note.workshop)
    touch(session, note.workshop_id, note.id)
    cell = journey_map.cell_of(note)
    session.delete(note)  # and the duplicates merged into it (ON DELETE CASCADE)
    session.flush()
    journey_map.close_gap(session, note.workshop_id, cell)


def set_hidden(session: DbSession, note: Note, hidden: bool) -> None:
    """Facilitator only: take a note off the board without deleting it."""
    note.hidden = hidden
    touch(session, note.workshop_id, note.id)
    session.flush()


def _check_may_change(note: Note, participant: Participant | None) -> None:
    if participant is None:
        return  # the facilitator may change any note
    if note.author_id != participant.id:
        raise NotYourNote(str(note.id))
    refusal = _refusal(note.workshop, participant, note.step, utcnow())
    if refusal is not None:  # what would refuse a new note of its step (also from home)
        raise refusal


def note_text(text: str) -> str:
    """A note's text as it is kept: trimmed, not empty, not too long (else InvalidNote)."""
    text = text.strip()
    if not text:
        raise InvalidNote("empty")
    if len(text) > NOTE_TEXT_MAX:
        raise InvalidNote("too_long")
    return text


def _apply(session: DbSession, workshop: Workshop, note: Note, fields: NoteFields) -> None:
    note.text = note_text(fields.text)
    note.stage_id = _own(session, workshop, Stage, fields.stage_id, "stage")
    if note.stage_id is None and fields.kind in STAGE_REQUIRED:
        raise InvalidNote("stage_required")
    note.persona_id = _own(session, workshop, Persona, fields.persona_id, "persona")
    note.source = fields.source if fields.kind is NoteKind.INSIGHT else None
    if fields.kind is NoteKind.INSIGHT and note.source is None:
        raise InvalidNote("source_required")
    note.channel = fields.channel if fields.kind is NoteKind.TOUCHPOINT else None
    if fields.kind is NoteKind.TOUCHPOINT and note.channel is None:
        raise InvalidNote("channel_required")
    note.touchpoint_id = (
        _linked(session, workshop, fields.touchpoint_id, NoteKind.TOUCHPOINT)
        if fields.kind is NoteKind.PAIN_POINT
        else None
    )
    note.pain_point_id = (
        _linked(session, workshop, fields.pain_point_id, NoteKind.PAIN_POINT)
        if fields.kind is NoteKind.OPPORTUNITY
        else None
    )
    if note.stage_id is None and note.pain_point_id is not None:
        # Answered where it hurts: on the map, in the pain point's stage unless chosen.
        answered = session.get(Note, note.pain_point_id)
        note.stage_id = answered.stage_id if answered is not None else None


Placing = TypeVar("Placing", Stage, Persona)


def _own(
    session: DbSession,
    workshop: Workshop,
    model: type[Placing],
    object_id: int | None,
    what: str,
) -> int | None:
    if object_id is None:
        return None
    found = session.get(model, object_id)
    if found is None or found.workshop_id != workshop.id:
        raise InvalidNote(f"unknown_{what}")
    return found.id


def _linked(
    session: DbSession, workshop: Workshop, note_id: int | None, kind: NoteKind
) -> int | None:
    if note_id is None:
        return None
    linked = session.get(Note, note_id)
    if linked is None or linked.workshop_id != workshop.id or linked.kind is not kind:
        raise InvalidNote(f"unknown_{kind.value}")
    return linked.id


# --- visibility ---------------------------------------------------------------------


def can_see(note: Note, participant: Participant | None) -> bool:
    """May this participant (None: the facilitator) see this note?"""
    if participant is None or note.author_id == participant.id:
        return True
    return visible_to_room(note)


def shows_author(workshop: Workshop, participant: Participant | None) -> bool:
    """Is the author's name shown? Always to the facilitator, never when anonymous."""
    return participant is None or not workshop.anonymous


def notes_for(
    session: DbSession,
    workshop: Workshop,
    participant: Participant | None = None,
    steps: Iterable[Step] | None = None,
) -> list[Note]:
    query = select(Note).where(Note.workshop_id == workshop.id).order_by(Note.id)
    if steps is not None:
        query = query.where(Note.step.in_(list(steps)))
    return [note for note in session.scalars(query) if can_see(note, participant)]


def set_private(session: DbSession, workshop: Workshop, step: Step, private: bool) -> None:
    state = workshop.step_state(step)
    state.private = private
    if not private:
        state.revealed = False
    touch(session, workshop.id)
    session.flush()


def reveal(session: DbSession, workshop: Workshop, step: Step) -> None:
    workshop.step_state(step).revealed = True
    touch(session, workshop.id)
    session.flush()


def contributor_ids(session: DbSession, workshop: Workshop, step: Step) -> set[int]:
    """Who contributed in a step: wrote a note there (and in step 5, rated a touchpoint)."""
    authors = session.scalars(
        select(Note.author_id).where(
            Note.workshop_id == workshop.id, Note.step == step, Note.author_id.is_not(None)
        )
    )
    found = {author for author in authors if author is not None}
    if step is Step.EMOTIONS:
        found |= set(
            session.scalars(
                select(EmotionRating.participant_id).where(EmotionRating.workshop_id == workshop.id)
            )
        )
    return found
