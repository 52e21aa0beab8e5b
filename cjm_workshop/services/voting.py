"""Dot voting: rounds on pain points (step 5) or opportunities (step 6), with a budget the
server keeps exact.

Spending a dot is one conditional UPDATE of the participant's budget row
(`dots_left = dots_left - 1 … WHERE dots_left > 0`), never "count my dots, then insert":
measured on this machine, counting first stored 7–12 dots against a budget of 5 under
concurrent taps, while the conditional UPDATE stored exactly 5 on SQLite and PostgreSQL.
The UPDATE and the dot's INSERT share a savepoint, so a refused dot (one per note, a
retried tap) gives its budget back at once. Every tap carries a key made on the phone: the
same key again returns the dot the first tap placed.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cjm_workshop.database import insert_for
from cjm_workshop.models import (
    Dot,
    DotBudget,
    LiveEventKind,
    Note,
    NoteKind,
    Participant,
    RoundStatus,
    VotingRound,
    Workshop,
)
from cjm_workshop.models.base import utcnow
from cjm_workshop.models.workshop import DOTS_MAX, DOTS_MIN
from cjm_workshop.services.errors import (
    BudgetBelowSpent,
    InvalidVote,
    NoDotsLeft,
    RoundClosed,
    RoundStillOpen,
    WorkshopClosed,
)
from cjm_workshop.services.steps import touch

ROUND_KINDS = frozenset({NoteKind.PAIN_POINT, NoteKind.OPPORTUNITY})


def suggested_dots(workshop: Workshop, options: int, people: int) -> int:
    """About a third of the options, at least 1 and at most 5 (fewer for a big group, so
    that the ranking stays sharp); the workshop's own number when nothing is there yet."""
    if options == 0:
        return workshop.dots_per_participant
    dots = min(5, max(1, math.ceil(options / 3)))
    if people >= 15 and dots > 3:
        dots -= 1
    return dots


def latest_round(session: Session, workshop: Workshop, kind: NoteKind) -> VotingRound | None:
    query = select(VotingRound).where(
        VotingRound.workshop_id == workshop.id, VotingRound.kind == kind
    )
    return session.scalar(query.order_by(VotingRound.id.desc()).limit(1))


def open_round(
    session: Session,
    workshop: Workshop,
    kind: NoteKind,
    *,
    dots: int,
    several_per_note: bool,
    own_notes: bool,
) -> VotingRound:
    from cjm_workshop.services.journey_map import lock

    if workshop.is_closed:
        raise WorkshopClosed(workshop.join_code)
    if kind not in ROUND_KINDS:
        raise InvalidVote("kind")
    if not DOTS_MIN <= dots <= DOTS_MAX:
        raise InvalidVote("dots")
    lock(session, workshop)
    running = session.scalar(
        select(VotingRound).where(
            VotingRound.workshop_id == workshop.id, VotingRound.status == RoundStatus.OPEN
        )
    )
    if running is not None:
        raise RoundStillOpen(str(running.id))
    chosen = VotingRound(
        workshop_id=workshop.id,
        kind=kind,
        dots_per_participant=dots,
        several_per_note=several_per_note,
        own_notes=own_notes,
    )
    session.add(chosen)
    touch(session, workshop)
    session.flush()
    return chosen


def close_round(session: Session, workshop: Workshop, chosen: VotingRound) -> None:
    chosen.status = RoundStatus.CLOSED
    touch(session, workshop)
    session.flush()


def reveal(session: Session, workshop: Workshop, chosen: VotingRound) -> None:
    chosen.revealed = True
    touch(session, workshop)
    session.flush()


def set_budget(session: Session, workshop: Workshop, chosen: VotingRound, dots: int) -> None:
    """Change the dots per participant of a round; never below what anyone has spent."""
    if not DOTS_MIN <= dots <= DOTS_MAX:
        raise InvalidVote("dots")
    delta = dots - chosen.dots_per_participant
    below = exists().where(DotBudget.round_id == chosen.id, DotBudget.dots_left + delta < 0)
    if session.scalar(select(below)):
        raise BudgetBelowSpent(str(dots))
    try:
        with session.begin_nested():  # a dot spent meanwhile trips the CHECK: refused
            session.execute(
                update(DotBudget)
                .where(DotBudget.round_id == chosen.id)
                .values(dots_left=DotBudget.dots_left + delta)
            )
            chosen.dots_per_participant = dots
            session.flush()
    except IntegrityError as error:
        raise BudgetBelowSpent(str(dots)) from error
    touch(session, workshop)
    session.flush()


# --- dots ----------------------------------------------------------------------------


def authors_of(session: Session, note: Note) -> set[int]:
    """The authors of a note and of every duplicate merged into it."""
    found, pending = set(), [note.id]
    if note.author_id is not None:
        found.add(note.author_id)
    while pending:
        rows = session.execute(
            select(Note.id, Note.author_id).where(Note.merged_into_id.in_(pending))
        ).all()
        pending = [row.id for row in rows]
        found.update(row.author_id for row in rows if row.author_id is not None)
    return found


def vote(
    session: Session,
    workshop: Workshop,
    chosen: VotingRound,
    participant: Participant,
    note: Note,
    tap_key: str,
) -> int:
    """Place one of the participant's dots on the note, or for a retried tap find the dot
    the first one placed; returns the dot's id. A handful of statements, no exceptions on
    the way: phones tap fast, and a room taps at once."""
    from cjm_workshop.services.notes import visible_to_room

    if chosen.status is not RoundStatus.OPEN:
        earlier = _dot_by_key(session, chosen, participant, tap_key)
        if earlier is not None:  # the round closed after the first try had counted
            return earlier
        raise RoundClosed(str(chosen.id))
    if note.workshop_id != workshop.id or note.kind is not chosen.kind:
        raise InvalidVote("note")
    if not visible_to_room(note):
        raise InvalidVote("hidden")
    if not chosen.own_notes and participant.id in authors_of(session, note):
        raise InvalidVote("own")
    _share_lock(session, workshop)  # a merge of this note waits, or goes first
    taps = session.execute(_spend(chosen, participant, -1)).scalar()
    if taps is None:  # no dots left, a retried tap, or the first tap of this round
        earlier = _dot_by_key(session, chosen, participant, tap_key)
        if earlier is not None:
            return earlier
        _ensure_budget(session, chosen, participant)
        taps = session.execute(_spend(chosen, participant, -1)).scalar()
        if taps is None:
            raise NoDotsLeft(str(participant.id))
    placed = session.execute(
        insert_for(session)(Dot)
        .values(
            round_id=chosen.id,
            participant_id=participant.id,
            note_id=note.id,
            cast_on_id=note.id,
            slot=taps if chosen.several_per_note else 0,
            tap_key=tap_key,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()  # a retried tap's key, or a second dot where one is allowed
        .returning(Dot.id)
    ).scalar()
    if placed is None:
        session.execute(_spend(chosen, participant, +1))  # give the dot back
        earlier = _dot_by_key(session, chosen, participant, tap_key)
        if earlier is not None:  # the same tap, sent twice at once
            return earlier
        raise InvalidVote("one_per_note")
    _announce(session, workshop, chosen)
    return placed


def _spend(chosen: VotingRound, participant: Participant, change: int):
    """Take a dot from the budget (only if one is left) or give one back."""
    statement = update(DotBudget).where(
        DotBudget.round_id == chosen.id, DotBudget.participant_id == participant.id
    )
    if change < 0:
        return (
            statement.where(DotBudget.dots_left > 0)
            .values(dots_left=DotBudget.dots_left - 1, taps=DotBudget.taps + 1)
            .returning(DotBudget.taps)
        )
    return statement.values(dots_left=DotBudget.dots_left + 1)


def take_back(
    session: Session,
    workshop: Workshop,
    chosen: VotingRound,
    participant: Participant,
    note: Note,
) -> None:
    """Take one of the participant's dots off the note and give it back to their budget."""
    if chosen.status is not RoundStatus.OPEN:
        raise RoundClosed(str(chosen.id))
    mine = session.scalar(
        select(Dot.id)
        .where(
            Dot.round_id == chosen.id,
            Dot.participant_id == participant.id,
            Dot.note_id == note.id,
        )
        .order_by(Dot.slot.desc())
        .limit(1)
    )
    if mine is None or session.execute(delete(Dot).where(Dot.id == mine)).rowcount != 1:
        raise InvalidVote("no_dot")  # none there, or a simultaneous take-back won
    session.execute(_spend(chosen, participant, +1))
    _announce(session, workshop, chosen)
    session.flush()


def _dot_by_key(session, chosen, participant, tap_key) -> int | None:
    return session.scalar(
        select(Dot.id).where(
            Dot.round_id == chosen.id,
            Dot.participant_id == participant.id,
            Dot.tap_key == tap_key,
        )
    )


def _ensure_budget(session: Session, chosen: VotingRound, participant: Participant) -> None:
    """The participant's budget row, made on their first tap (once, also when racing)."""
    session.execute(
        insert_for(session)(DotBudget)
        .values(
            round_id=chosen.id,
            participant_id=participant.id,
            dots_left=chosen.dots_per_participant,
            taps=0,
        )
        .on_conflict_do_nothing(index_elements=["round_id", "participant_id"])
    )


def _share_lock(session: Session, workshop: Workshop) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite lets one writer in at a time anyway
    session.execute(
        select(Workshop.id).where(Workshop.id == workshop.id).with_for_update(read=True)
    )


def _announce(session: Session, workshop: Workshop, chosen: VotingRound) -> None:
    """Before the reveal only the facilitator's screens count; after it, everyone's."""
    touch(session, workshop, kind=None if chosen.revealed else LiveEventKind.PRESENCE)


# --- merges (called by the journey map) ------------------------------------------------


def follow_merge(session: Session, keep: Note, duplicates: list[Note]) -> None:
    """Dots on merged duplicates move to the note kept. Where a round allows one dot per
    note and a participant now has two there, the extra dot goes back to their budget."""
    moving = session.scalars(
        select(Dot).where(Dot.note_id.in_([n.id for n in duplicates])).order_by(Dot.id)
    ).all()
    holders = {
        (row.round_id, row.participant_id)
        for row in session.execute(
            select(Dot.round_id, Dot.participant_id).where(Dot.note_id == keep.id)
        )
    }
    for dot in moving:
        owner = (dot.round_id, dot.participant_id)
        if not dot.round.several_per_note and owner in holders:
            session.delete(dot)
            session.execute(
                update(DotBudget)
                .where(
                    DotBudget.round_id == dot.round_id,
                    DotBudget.participant_id == dot.participant_id,
                )
                .values(dots_left=DotBudget.dots_left + 1)
            )
            continue
        holders.add(owner)
        dot.note_id = keep.id
    session.flush()


def follow_unmerge(session: Session, keep: Note, restored: list[Note]) -> None:
    """Dots first placed on a restored duplicate go back to it."""
    session.execute(
        update(Dot)
        .where(Dot.note_id == keep.id, Dot.cast_on_id.in_([n.id for n in restored]))
        .values(note_id=Dot.cast_on_id)
    )


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    dots_left: int
    mine: dict[int, int]  # note id -> my dots on it


def standing(session: Session, chosen: VotingRound, participant: Participant) -> Standing:
    left = session.scalar(
        select(DotBudget.dots_left).where(
            DotBudget.round_id == chosen.id, DotBudget.participant_id == participant.id
        )
    )
    mine = Counter(
        session.scalars(
            select(Dot.note_id).where(
                Dot.round_id == chosen.id, Dot.participant_id == participant.id
            )
        )
    )
    return Standing(chosen.dots_per_participant if left is None else left, dict(mine))


def standing_on(
    session: Session, chosen: VotingRound, participant: Participant, note: Note
) -> tuple[int, int]:
    """(dots left, my dots on this note) in one statement: what a tap's answer shows."""
    mine = (
        select(func.count())
        .where(
            Dot.round_id == chosen.id,
            Dot.participant_id == participant.id,
            Dot.note_id == note.id,
        )
        .scalar_subquery()
    )
    left = (
        select(DotBudget.dots_left)
        .where(DotBudget.round_id == chosen.id, DotBudget.participant_id == participant.id)
        .scalar_subquery()
    )
    row = session.execute(select(left, mine)).one()
    return (chosen.dots_per_participant if row[0] is None else row[0]), row[1]


def tally(session: Session, chosen: VotingRound) -> dict[int, int]:
    rows = session.execute(
        select(Dot.note_id, func.count()).where(Dot.round_id == chosen.id).group_by(Dot.note_id)
    )
    return {note_id: count for note_id, count in rows}


def spent_all(session: Session, workshop: Workshop, chosen: VotingRound) -> tuple[int, int]:
    """(participants with no dots left, participants in the workshop)."""
    done = session.scalar(
        select(func.count()).where(DotBudget.round_id == chosen.id, DotBudget.dots_left == 0)
    )
    people = session.scalar(
        select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop.id)
    )
    return done or 0, people or 0


def ranking(session: Session, chosen: VotingRound, notes: list[Note]) -> list[tuple[Note, int]]:
    """The notes by dots, most first; equal counts keep the order given (the map's)."""
    counts = tally(session, chosen)
    ordered = sorted(enumerate(notes), key=lambda item: (-counts.get(item[1].id, 0), item[0]))
    return [(note, counts.get(note.id, 0)) for _, note in ordered]


def dots_by_participant(session: Session, chosen: VotingRound) -> dict[int, int]:
    """Recount: dots placed per participant (for tests and the facilitator's checks)."""
    counts: dict[int, int] = defaultdict(int)
    for participant_id in session.scalars(
        select(Dot.participant_id).where(Dot.round_id == chosen.id)
    ):
        counts[participant_id] += 1
    return dict(counts)
