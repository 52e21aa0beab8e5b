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

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from sqlalchemy import Executable, Insert, and_, bindparam, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from cjm_workshop.database import Upsert, insert_for
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
    WorkshopStep,
)
from cjm_workshop.models.workshop import DOTS_MAX, DOTS_MIN
from cjm_workshop.services.errors import (
    BudgetBelowSpent,
    InvalidVote,
    NoDotsLeft,
    RoundClosed,
    RoundStillOpen,
    WorkshopClosed,
)
from cjm_workshop.services.room import DbSession, changed, lock, room_sees, touch

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


def latest_round(session: DbSession, workshop: Workshop, kind: NoteKind) -> VotingRound | None:
    query = select(VotingRound).where(
        VotingRound.workshop_id == workshop.id, VotingRound.kind == kind
    )
    return session.scalar(query.order_by(VotingRound.id.desc()).limit(1))


def open_round(
    session: DbSession,
    workshop: Workshop,
    kind: NoteKind,
    *,
    dots: int,
    several_per_note: bool,
    own_notes: bool,
) -> VotingRound:
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
    touch(session, workshop.id)
    session.flush()
    return chosen


def close_round(session: DbSession, workshop: Workshop, chosen: VotingRound) -> None:
    chosen.status = RoundStatus.CLOSED
    touch(session, workshop.id)
    session.flush()


def reveal(session: DbSession, workshop: Workshop, chosen: VotingRound) -> None:
    chosen.revealed = True
    touch(session, workshop.id)
    session.flush()


def set_budget(session: DbSession, workshop: Workshop, chosen: VotingRound, dots: int) -> None:
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
    touch(session, workshop.id)
    session.flush()


# --- dots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotNote:
    id: int
    text: str
    kind: NoteKind
    author_id: int | None
    visible: bool  # room.room_sees
    has_duplicates: bool  # notes merged into it (their authors count as its authors)


@dataclass(frozen=True)
class RoundRules:
    """A round as a tap sees it (named like VotingRound's columns: templates take either)."""

    id: int
    status: RoundStatus
    dots_per_participant: int
    several_per_note: bool
    own_notes: bool
    revealed: bool


@dataclass(frozen=True)
class Ballot:
    """Who taps which note, in which round, and how they stand: everything a tap needs,
    read in one statement. `note` is None for a note that is not in the participant's
    workshop; `round` is the latest round on the note's kind (None before the first);
    `earlier_dot` is the dot a tap with this key placed (a retried tap)."""

    workshop_id: int
    participant_id: int
    note: BallotNote | None
    round: RoundRules | None
    tap_key: str
    dots_left: int
    mine: int  # my dots on the note
    earlier_dot: int | None


@dataclass(frozen=True)
class Tap:
    """How the participant stands after a tap (the dot placed, if it placed one)."""

    dot_id: int | None
    dots_left: int
    mine: int


# A room taps at once, so a tap's statements are built once, on the tables (no ORM work
# per row), with their values as parameters: SQLAlchemy then also compiles each only once.
_PEOPLE, _WORKSHOPS, _NOTES = Participant.__table__, Workshop.__table__, Note.__table__
_STEPS, _ROUNDS, _BUDGETS, _DOTS = (
    WorkshopStep.__table__,
    VotingRound.__table__,
    DotBudget.__table__,
    Dot.__table__,
)
_duplicates = _NOTES.alias("duplicate")
_latest_round = (
    select(func.max(_ROUNDS.c.id))
    .where(_ROUNDS.c.workshop_id == _PEOPLE.c.workshop_id, _ROUNDS.c.kind == _NOTES.c.kind)
    .correlate(_PEOPLE, _NOTES)
    .scalar_subquery()
)
_my_dots = (_DOTS.c.round_id == _ROUNDS.c.id, _DOTS.c.participant_id == _PEOPLE.c.id)
_my_budget = (_BUDGETS.c.round_id == _ROUNDS.c.id, _BUDGETS.c.participant_id == _PEOPLE.c.id)
_ballot = (
    select(
        _PEOPLE.c.workshop_id,
        _PEOPLE.c.id,
        _NOTES.c.id,
        _NOTES.c.text,
        _NOTES.c.kind,
        _NOTES.c.author_id,
        _NOTES.c.hidden,
        _NOTES.c.merged_into_id,
        _STEPS.c.private,
        _STEPS.c.revealed,
        exists().where(_duplicates.c.merged_into_id == _NOTES.c.id),
        _ROUNDS.c.id,
        _ROUNDS.c.status,
        _ROUNDS.c.dots_per_participant,
        _ROUNDS.c.several_per_note,
        _ROUNDS.c.own_notes,
        _ROUNDS.c.revealed,
        select(_BUDGETS.c.dots_left).where(*_my_budget).scalar_subquery(),
        select(func.count()).where(*_my_dots, _DOTS.c.note_id == _NOTES.c.id).scalar_subquery(),
        select(_DOTS.c.id).where(*_my_dots, _DOTS.c.tap_key == bindparam("key")).scalar_subquery(),
    )
    .select_from(_PEOPLE)
    .join(_WORKSHOPS, _WORKSHOPS.c.id == _PEOPLE.c.workshop_id)
    .outerjoin(
        _NOTES,
        and_(_NOTES.c.id == bindparam("note"), _NOTES.c.workshop_id == _PEOPLE.c.workshop_id),
    )
    .outerjoin(
        _STEPS, and_(_STEPS.c.workshop_id == _NOTES.c.workshop_id, _STEPS.c.step == _NOTES.c.step)
    )
    .outerjoin(_ROUNDS, _ROUNDS.c.id == _latest_round)
)
_BY_TOKEN = (  # a participant the facilitator removed has no ballot
    _WORKSHOPS.c.join_code == bindparam("code"),
    _PEOPLE.c.token == bindparam("token"),
    _PEOPLE.c.removed_at.is_(None),
)
_BY_ID = (
    _WORKSHOPS.c.id == bindparam("workshop"),
    _PEOPLE.c.id == bindparam("person"),
    _PEOPLE.c.removed_at.is_(None),
)
_BALLOT_BY_TOKEN = _ballot.where(*_BY_TOKEN)
_BALLOT_BY_ID = _ballot.where(*_BY_ID)
# PostgreSQL only, first and on its own: a merge of the note waits for the dot, or goes
# first and the ballot read after it sees the merge. SQLite lets one writer in anyway.
_SHARE_BY_TOKEN = select(_WORKSHOPS.c.id).where(_BY_TOKEN[0]).with_for_update(read=True)
_SHARE_BY_ID = select(_WORKSHOPS.c.id).where(_BY_ID[0]).with_for_update(read=True)
_SPENT_BY_KEY = select(_DOTS.c.id).where(
    _DOTS.c.round_id == bindparam("round"),
    _DOTS.c.participant_id == bindparam("person"),
    _DOTS.c.tap_key == bindparam("key"),
)
_GIVE_BACK = (
    update(_BUDGETS)
    .where(
        _BUDGETS.c.round_id == bindparam("round"),
        _BUDGETS.c.participant_id == bindparam("person"),
    )
    .values(dots_left=_BUDGETS.c.dots_left + 1)
    .returning(_BUDGETS.c.dots_left)
)
_TAKE_BACK = delete(_DOTS).where(
    _DOTS.c.id
    == select(_DOTS.c.id)
    .where(
        _DOTS.c.round_id == bindparam("round"),
        _DOTS.c.participant_id == bindparam("person"),
        _DOTS.c.note_id == bindparam("note"),
    )
    .order_by(_DOTS.c.slot.desc())
    .limit(1)
    .scalar_subquery()
)


@functools.cache
def _writes(insert: Upsert) -> tuple[Insert, Insert]:
    """(spend, place) for the database's INSERT with ON CONFLICT. Spending takes a dot from
    the budget only if one is left, and makes the budget row on the first tap of a round
    (once, also when taps race); it returns the dots left and the taps so far, or no row.
    Placing returns the dot's id, or no row for a tap's key seen before or a second dot
    where one is allowed."""
    spend = (
        insert(_BUDGETS)
        .values(
            round_id=bindparam("round"),
            participant_id=bindparam("person"),
            dots_left=bindparam("dots") - 1,
            taps=1,
        )
        .on_conflict_do_update(
            index_elements=["round_id", "participant_id"],
            set_={"dots_left": _BUDGETS.c.dots_left - 1, "taps": _BUDGETS.c.taps + 1},
            where=_BUDGETS.c.dots_left > 0,
        )
        .returning(_BUDGETS.c.dots_left, _BUDGETS.c.taps)
    )
    place = (
        insert(_DOTS)
        .values(
            round_id=bindparam("round"),
            participant_id=bindparam("person"),
            note_id=bindparam("note"),
            cast_on_id=bindparam("note"),
            slot=bindparam("slot"),
            tap_key=bindparam("key"),
        )
        .on_conflict_do_nothing()
        .returning(_DOTS.c.id)
    )
    return spend, place


def ballot_by_token(
    session: DbSession, code: str, token: str, note_id: int, tap_key: str = ""
) -> Ballot | None:
    """A phone's ballot: the participant with this identity in the workshop with this code
    (None for an unknown code and a wrong identity alike)."""
    return _read_ballot(
        session,
        _SHARE_BY_TOKEN,
        _BALLOT_BY_TOKEN,
        code=code,
        token=token,
        note=note_id,
        key=tap_key,
    )


def ballot_for(
    session: DbSession, workshop_id: int, participant_id: int, note_id: int, tap_key: str = ""
) -> Ballot:
    """The ballot of a participant the facilitator votes for."""
    found = _read_ballot(
        session,
        _SHARE_BY_ID,
        _BALLOT_BY_ID,
        workshop=workshop_id,
        person=participant_id,
        note=note_id,
        key=tap_key,
    )
    if found is None:
        raise InvalidVote("participant")
    return found


def _read_ballot(
    session: DbSession, share: Executable, query: Executable, **params: Any
) -> Ballot | None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(share, params)
    row = session.execute(query, params).first()
    if row is None:
        return None
    (workshop_id, participant_id, note_id, text, kind, author_id, hidden, merged_into) = row[:8]
    private, revealed, has_duplicates, round_id = row[8:12]
    note = None
    if note_id is not None:
        visible = room_sees(
            hidden=hidden, merged=merged_into is not None, private=private, revealed=revealed
        )
        note = BallotNote(note_id, text, kind, author_id, visible, has_duplicates)
    rules = RoundRules(round_id, *row[12:17]) if round_id is not None else None
    left, mine, earlier = row[17:]
    if left is None:  # no tap yet in this round
        left = rules.dots_per_participant if rules is not None else 0
    return Ballot(workshop_id, participant_id, note, rules, params["key"], left, mine, earlier)


def authors_of(session: DbSession, note_id: int) -> set[int]:
    """The authors of a note and of every duplicate merged into it."""
    found, pending = set(), [note_id]
    author = session.scalar(select(Note.author_id).where(Note.id == note_id))
    if author is not None:
        found.add(author)
    while pending:
        rows = session.execute(
            select(Note.id, Note.author_id).where(Note.merged_into_id.in_(pending))
        ).all()
        pending = [row.id for row in rows]
        found.update(row.author_id for row in rows if row.author_id is not None)
    return found


def is_own(session: DbSession, note: BallotNote, participant_id: int) -> bool:
    """Does this note count as the participant's own (in a round not on one's own notes)?
    Theirs, or one of theirs was merged into it."""
    return note.author_id == participant_id or (
        note.has_duplicates and participant_id in authors_of(session, note.id)
    )


def own_note_ids(session: DbSession, workshop_id: int, participant_id: int) -> frozenset[int]:
    """The notes of a workshop that count as the participant's own (`is_own`), at once: each
    they wrote, and each one of theirs was merged into, as far up as merges go."""
    rows = session.execute(
        select(Note.id, Note.author_id, Note.merged_into_id).where(
            Note.workshop_id == workshop_id,
            (Note.author_id == participant_id) | Note.merged_into_id.is_not(None),
        )
    ).all()
    into = {row.id: row.merged_into_id for row in rows if row.merged_into_id is not None}
    found: set[int] = set()
    for row in rows:
        note_id: int | None = row.id if row.author_id == participant_id else None
        while note_id is not None and note_id not in found:
            found.add(note_id)
            note_id = into.get(note_id)
    return frozenset(found)


def vote(session: DbSession, ballot: Ballot) -> Tap:
    """Place one of the participant's dots on the ballot's note; a retried tap finds the dot
    the first one placed. What the ballot shows is refused without a write; the budget row
    decides the rest (its conditional upsert is exact when taps race)."""
    note, rules, me = ballot.note, ballot.round, ballot.participant_id
    if note is None or note.kind not in ROUND_KINDS:
        raise InvalidVote("note")
    if ballot.earlier_dot is not None:  # also when the round closed after the first try
        return Tap(ballot.earlier_dot, ballot.dots_left, ballot.mine)
    if rules is None or rules.status is not RoundStatus.OPEN:
        raise RoundClosed(str(ballot.workshop_id))
    if not note.visible:
        raise InvalidVote("hidden")
    if not rules.own_notes and is_own(session, note, me):
        raise InvalidVote("own")
    if ballot.mine and not rules.several_per_note:
        raise InvalidVote("one_per_note")
    if ballot.dots_left == 0:
        raise NoDotsLeft(str(me))
    mine = {"round": rules.id, "person": me, "key": ballot.tap_key}
    spend, place = _writes(insert_for(session))
    spent = session.execute(spend, mine | {"dots": rules.dots_per_participant}).first()
    if spent is None:  # a tap from the same phone took the last dot meanwhile
        raise NoDotsLeft(str(me))
    slot = spent.taps if rules.several_per_note else 0
    placed = session.scalar(place, mine | {"note": note.id, "slot": slot})
    if placed is None:  # the same tap twice at once, or two taps on a one-dot note
        left = session.scalar(_GIVE_BACK, mine)
        earlier = session.scalar(_SPENT_BY_KEY, mine)
        if earlier is None:
            raise InvalidVote("one_per_note")
        return Tap(earlier, left, ballot.mine + 1)
    _announce(session, ballot.workshop_id, rules)
    return Tap(placed, spent.dots_left, ballot.mine + 1)


def take_back(session: DbSession, ballot: Ballot) -> Tap:
    """Take one of the participant's dots off the note and give it back to their budget."""
    note, rules = ballot.note, ballot.round
    if note is None:
        raise InvalidVote("note")
    if rules is None or rules.status is not RoundStatus.OPEN:
        raise RoundClosed(str(ballot.workshop_id))
    mine = {"round": rules.id, "person": ballot.participant_id, "note": note.id}
    if not ballot.mine or changed(session.execute(_TAKE_BACK, mine)) != 1:
        raise InvalidVote("no_dot")  # none there, or a simultaneous take-back won
    left = session.scalar(_GIVE_BACK, mine)
    _announce(session, ballot.workshop_id, rules)
    return Tap(None, left, ballot.mine - 1)


def _announce(session: DbSession, workshop_id: int, rules: RoundRules) -> None:
    """Before the reveal only the facilitator's screens count; after it, everyone's."""
    kind = None if rules.revealed else LiveEventKind.PRESENCE
    touch(session, workshop_id, kind=kind)


# --- merges (called by the journey map) ------------------------------------------------


def follow_merge(session: DbSession, keep: Note, duplicates: list[Note]) -> None:
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


def follow_unmerge(session: DbSession, keep: Note, restored: list[Note]) -> None:
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
    own: frozenset[int] = frozenset()  # notes this round does not let me dot: my own


def standing(session: DbSession, chosen: VotingRound, participant: Participant) -> Standing:
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
    own = (
        frozenset()
        if chosen.own_notes
        else own_note_ids(session, chosen.workshop_id, participant.id)
    )
    return Standing(chosen.dots_per_participant if left is None else left, dict(mine), own)


def tally(session: DbSession, chosen: VotingRound) -> dict[int, int]:
    rows = session.execute(
        select(Dot.note_id, func.count()).where(Dot.round_id == chosen.id).group_by(Dot.note_id)
    )
    return {note_id: count for note_id, count in rows}


def spent_all(session: DbSession, workshop: Workshop, chosen: VotingRound) -> tuple[int, int]:
    """(participants with no dots left, participants in the workshop)."""
    done = session.scalar(
        select(func.count()).where(DotBudget.round_id == chosen.id, DotBudget.dots_left == 0)
    )
    people = session.scalar(
        select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop.id)
    )
    return done or 0, people or 0


def ranking(session: DbSession, chosen: VotingRound, notes: list[Note]) -> list[tuple[Note, int]]:
    """The notes by dots, most first; equal counts keep the order given (the map's)."""
    counts = tally(session, chosen)
    ordered = sorted(enumerate(notes), key=lambda item: (-counts.get(item[1].id, 0), item[0]))
    return [(note, counts.get(note.id, 0)) for _, note in ordered]


def shows_counts(chosen: VotingRound | None) -> TypeGuard[VotingRound]:
    """The rule for every screen and output: a round's dots are counted in public only
    once the facilitator revealed them."""
    return chosen is not None and chosen.revealed


def ranks(counts: dict[int, int]) -> dict[int, int]:
    """Standard competition ranks (1, 2, 2, 4) of the notes that got dots: the number every
    output gives a note (poster, summary)."""
    ordered = sorted((count for count in counts.values() if count), reverse=True)
    return {note: ordered.index(count) + 1 for note, count in counts.items() if count}


TOP_PLACES = 5  # "the top five" of every screen and output


def top_places(counts: dict[int, int]) -> dict[int, int]:
    """The places of the top five: the notes ranked fifth or better, ties included (so it can
    be more than five notes), never a note without dots."""
    return {note: place for note, place in ranks(counts).items() if place <= TOP_PLACES}


def top(ranked: Sequence[tuple[Note, int | None]]) -> list[tuple[Note, int]]:
    """The top five of a ranking (notes by dots, most first), in its order: what the board
    sets large, the phones and the console start step 6 from, versions compare."""
    places = top_places({note.id: dots or 0 for note, dots in ranked})
    return [(note, dots or 0) for note, dots in ranked if note.id in places]


def dots_by_participant(session: DbSession, chosen: VotingRound) -> dict[int, int]:
    """Recount: dots placed per participant (for tests and the facilitator's checks)."""
    counts: dict[int, int] = defaultdict(int)
    for participant_id in session.scalars(
        select(Dot.participant_id).where(Dot.round_id == chosen.id)
    ):
        counts[participant_id] += 1
    return dict(counts)
