"""Versions of a journey: a journey map is revisited over time, so a workshop can be cloned
as the next version of the same journey, and two versions compared.

Versions share a journey key and are numbered from 1 in the order they were made; deleting
one leaves the others together and keeps their numbers (a gap says a version was removed).
A clone is a new workshop to run, in draft at its first step with its own join code: it
takes the brief, the settings, the personas, the stages, the lanes and each step's prompt,
timebox and private notes and, when asked, the
notes the room saw on the map (their places and links kept), but no participants, authors,
ratings, dots or actions: those belong to the session they were given in.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from cjm_workshop.models import (
    DismissedDuplicate,
    Facilitator,
    Note,
    NoteKind,
    Participant,
    Persona,
    Stage,
    Workshop,
    WorkshopMember,
)
from cjm_workshop.services import emotions
from cjm_workshop.services.emotions import CurvePoint
from cjm_workshop.services.journey_map import Cell, arrange_new_lanes, cell_of
from cjm_workshop.services.room import DbSession, visible_to_room
from cjm_workshop.services.sharing import Access
from cjm_workshop.services.steps import copy_step_setups
from cjm_workshop.services.workshops import WorkshopFields, new_workshop


def clone(
    session: DbSession, workshop: Workshop, owner: Facilitator, *, with_notes: bool = False
) -> Workshop:
    """The next version of `workshop`'s journey, owned by `owner`."""
    _lock_journey(session, workshop)
    copy = new_workshop(session, owner, WorkshopFields.of(workshop))
    copy.journey_key = workshop.journey_key
    copy.version = _last_version(session, workshop.journey_key) + 1
    copy.previous_version_id = workshop.id
    personas = {persona.id: _copy_persona(persona) for persona in workshop.personas}
    stages = {
        stage.id: Stage(position=stage.position, name=stage.name) for stage in workshop.stages
    }
    copy.personas.extend(personas.values())
    copy.stages.extend(stages.values())
    arrange_new_lanes(copy.lanes, [(lane.kind, lane.hidden) for lane in workshop.lanes])
    copy_step_setups(workshop, copy)  # the facilitator's prompts, timeboxes and script
    session.add(copy)
    session.flush()
    if with_notes:
        _copy_notes(
            session,
            workshop,
            copy,
            {old: new.id for old, new in stages.items()},
            {old: new.id for old, new in personas.items()},
        )
    return copy


def _lock_journey(session: DbSession, workshop: Workshop) -> None:
    """Two clones in one journey at once are numbered one after the other (PostgreSQL;
    SQLite admits one writer at a time anyway)."""
    session.execute(
        select(Workshop.id)
        .where(Workshop.journey_key == workshop.journey_key)
        .with_for_update(key_share=True)
    )


def _last_version(session: DbSession, journey_key: str) -> int:
    return session.execute(
        select(func.max(Workshop.version)).where(Workshop.journey_key == journey_key)
    ).scalar_one()


def _copy_persona(persona: Persona) -> Persona:
    return Persona(
        position=persona.position,
        name=persona.name,
        description=persona.description,
        goals=persona.goals,
        frustrations=persona.frustrations,
    )


def _copy_notes(
    session: DbSession,
    source: Workshop,
    target: Workshop,
    stages: dict[int | None, int],
    personas: dict[int | None, int],
) -> None:
    """The notes the room saw on the map, in their cells and order (dense from 0), with
    links between them pointing at the copies."""
    notes = session.scalars(
        select(Note).where(Note.workshop_id == source.id).order_by(Note.position, Note.id)
    ).all()
    merged_into = {note.id: note.merged_into_id for note in notes if note.merged_into_id}
    cells: dict[Cell, list[Note]] = defaultdict(list)
    for note in notes:
        if visible_to_room(note):
            cells[cell_of(note)].append(note)
    copies: dict[int, Note] = {}
    for cell_notes in cells.values():
        for position, note in enumerate(cell_notes):
            copies[note.id] = Note(
                workshop_id=target.id,
                kind=note.kind,
                step=note.step,
                text=note.text,
                stage_id=stages.get(note.stage_id),
                persona_id=personas.get(note.persona_id),
                source=note.source,
                channel=note.channel,
                by_facilitator=True,  # brought in by whoever made the version
                position=position,
                idempotency_key=f"version-{note.id}",
            )
    session.add_all(copies.values())
    session.flush()

    def copied(note_id: int | None) -> int | None:
        while note_id in merged_into:  # a link to a merged duplicate means the note kept
            note_id = merged_into[note_id]
        return copies[note_id].id if note_id in copies else None

    for original in (note for cell_notes in cells.values() for note in cell_notes):
        copies[original.id].touchpoint_id = copied(original.touchpoint_id)
        copies[original.id].pain_point_id = copied(original.pain_point_id)
    # What the facilitator said are not duplicates stays said for the copies of both notes.
    dismissed = session.execute(
        select(DismissedDuplicate.note_id, DismissedDuplicate.other_note_id)
        .where(DismissedDuplicate.workshop_id == source.id)
        .order_by(DismissedDuplicate.id)
    )
    session.add_all(
        DismissedDuplicate.of(target.id, copies[first].id, copies[second].id)
        for first, second in dismissed
        if first in copies and second in copies
    )
    session.flush()


def versions_of(
    session: DbSession, workshop: Workshop, account_id: int
) -> list[tuple[Workshop, Access]]:
    """Every version of `workshop`'s journey this account may see, oldest first, with what
    it may do in each."""
    membership = (WorkshopMember.workshop_id == Workshop.id) & (
        WorkshopMember.facilitator_id == account_id
    )
    rows = session.execute(
        select(Workshop, WorkshopMember.role)
        .outerjoin(WorkshopMember, membership)
        .where(
            Workshop.journey_key == workshop.journey_key,
            ~Workshop.importing,
            (Workshop.facilitator_id == account_id) | WorkshopMember.id.is_not(None),
        )
        .order_by(Workshop.version)
    )
    return [
        (version, Access.OWNER if role is None else Access(role.value)) for version, role in rows
    ]


@dataclass(frozen=True)
class Figures:
    """A version in a few numbers, for comparing it with another."""

    participants: int
    notes: int  # on the room's map
    touchpoints: int
    pain_points: int
    ratings: int
    average_emotion: float | None  # 1 (very negative) to 5 (very positive)


def figures(session: DbSession, workshop: Workshop, curve: list[CurvePoint]) -> Figures:
    """`curve` is the workshop's emotion curve (services.emotions.curve)."""
    participants = session.scalar(
        select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop.id)
    )
    on_map = session.scalars(
        select(Note).where(
            Note.workshop_id == workshop.id,
            Note.hidden.is_(False),
            Note.merged_into_id.is_(None),
        )
    )
    kinds = Counter(note.kind for note in on_map if visible_to_room(note))
    return Figures(
        participants=participants or 0,
        notes=sum(kinds.values()),
        touchpoints=kinds[NoteKind.TOUCHPOINT],
        pain_points=kinds[NoteKind.PAIN_POINT],
        ratings=sum(point.count for point in curve),
        average_emotion=emotions.average(curve),
    )


class Continuity(enum.StrEnum):
    """What became of a top pain point from one version to the other."""

    BOTH_TOPS = "both_tops"  # in the other version's top as well
    NEW = "new"  # the later version's, not in the earlier version at all


def continuity(
    top: list[Note], other_top: list[Note], other_all: list[Note], *, later: bool
) -> dict[int, Continuity]:
    """For this version's top pain points, by note id: which are in the other version's top
    too and (for the later version) which are new. Notes are matched by their words (case
    and spacing aside): a copied note, or one written again the same way."""
    in_their_top = {_words(note.text) for note in other_top}
    in_theirs = {_words(note.text) for note in other_all}
    found = {}
    for note in top:
        if _words(note.text) in in_their_top:
            found[note.id] = Continuity.BOTH_TOPS
        elif later and _words(note.text) not in in_theirs:
            found[note.id] = Continuity.NEW
    return found


def _words(text: str) -> str:
    return " ".join(text.casefold().split())
