"""A whole workshop as one JSON document, and back: for backups and moving between servers.

The document (format "cjm-workshop", version 2; see docs/workshop-json.md) holds the
settings, steps, personas, stages, lanes, notes with their places on the map, emotion
ratings, voting rounds with budgets and dots, actions, and the pairs of notes the
facilitator said are not duplicates. Participants are pseudonymous:
"P1", "P2", ... in join order, with no name, token or key of any kind. Parts refer to each
other by keys that are local to the document, never by database ids, so exporting what an
import made gives the same document again.

An import is checked completely before anything is written: first the shape, by the
pydantic models below (types, enums, lengths, counts), then the rules the services keep
(every reference points into the document, one open round, budgets, merges without
circles). Anything wrong raises InvalidWorkshopFile saying what and where, before anything
is written, so a refusal leaves nothing behind.
"""

from __future__ import annotations

import codecs
import enum
import json
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from sqlalchemy import URL, create_engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from cjm_workshop.database import tune_engine
from cjm_workshop.models import (
    LANE_KINDS,
    NOTE_TEXT_MAX,
    SCORES,
    STEPS,
    ActionItem,
    ActionStatus,
    Channel,
    DismissedDuplicate,
    Dot,
    DotBudget,
    EmotionRating,
    Facilitator,
    Lane,
    LaneKind,
    Level,
    Note,
    NoteKind,
    Participant,
    Persona,
    ResearchSource,
    RoundStatus,
    Stage,
    Step,
    StepState,
    VotingRound,
    Workshop,
    WorkshopStatus,
    WorkshopStep,
)
from cjm_workshop.models.action import ACTION_NEXT_STEP_MAX, ACTION_OWNER_MAX, ACTION_TITLE_MAX
from cjm_workshop.models.base import utcnow
from cjm_workshop.models.step import (
    FACILITATOR_NOTES_MAX,
    STEP_PROMPT_MAX,
    TIMEBOX_MAX,
    TIMEBOX_MIN,
)
from cjm_workshop.models.workshop import (
    DOTS_MAX,
    DOTS_MIN,
    GOAL_MAX,
    JOURNEY_MAX,
    PERSONA_NAME_MAX,
    PERSONA_TEXT_MAX,
    STAGE_NAME_MAX,
    TITLE_MAX,
    Language,
)
from cjm_workshop.services.actions import actions_of
from cjm_workshop.services.errors import InvalidWorkshopFile
from cjm_workshop.services.room import DbSession
from cjm_workshop.services.voting import ROUND_KINDS
from cjm_workshop.services.workshops import unused_join_code

Format = Literal["cjm-workshop"]
# Version 2 added `not_duplicates`; version 1 files (without it) are still read.
Version = Literal[1, 2]
FORMAT: Format = "cjm-workshop"
VERSION: Version = 2

# Hostile or broken files are refused before they cost much: the size of the file, and
# per collection a count far above any real workshop (300 notes is a big one).
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_PERSONAS = 50
MAX_STAGES = 50
MAX_PARTICIPANTS = 2_000
MAX_NOTES = 10_000
MAX_RATINGS = 50_000
MAX_ROUNDS = 200
MAX_BUDGETS = 20_000
MAX_DOTS = 50_000
MAX_ACTIONS = 2_000
MAX_NOT_DUPLICATES = 50_000
MAX_POSITION = MAX_NOTES
MAX_TAPS = 100_000

Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]


# Texts hold no control characters but tab and line breaks (PostgreSQL stores no NUL at all).
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    """A text's rule, for `Annotated[str, _text(...)]`."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=PLAIN_TEXT)


def _many(max_length: int, min_length: int = 0) -> Any:
    """A list's length, for `Annotated[list[...], _many(...)]`."""
    return Field(min_length=min_length, max_length=max_length)


class _Part(BaseModel):
    # Strict: "5" is no number and 1 is no boolean; unknown fields are refused, so a typo
    # never silently drops data.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class WorkshopPart(_Part):
    title: Annotated[str, _text(TITLE_MAX, 1)]
    journey: Annotated[str, _text(JOURNEY_MAX, 1)]
    goal: Annotated[str, _text(GOAL_MAX, 1)]
    language: Language
    dots_per_participant: Annotated[int, Field(ge=DOTS_MIN, le=DOTS_MAX)]
    anonymous: bool = False
    several_dots_per_note: bool = False
    own_note_dots: bool = True
    status: WorkshopStatus = WorkshopStatus.DRAFT
    current_step: Step = Step.SCOPE


class StepPart(_Part):
    step: Step
    state: StepState
    private: bool = False
    revealed: bool = False
    # The facilitator's set-up: a backup is theirs, so it keeps their private notes too.
    prompt: Annotated[str, _text(STEP_PROMPT_MAX)] = ""
    timebox_minutes: Annotated[int, Field(ge=TIMEBOX_MIN, le=TIMEBOX_MAX)] | None = None
    facilitator_notes: Annotated[str, _text(FACILITATOR_NOTES_MAX)] = ""


class PersonaPart(_Part):
    key: Key
    name: Annotated[str, _text(PERSONA_NAME_MAX, 1)]
    description: Annotated[str, _text(PERSONA_TEXT_MAX)] = ""
    goals: Annotated[str, _text(PERSONA_TEXT_MAX)] = ""
    frustrations: Annotated[str, _text(PERSONA_TEXT_MAX)] = ""


class StagePart(_Part):
    key: Key
    name: Annotated[str, _text(STAGE_NAME_MAX, 1)]


class LanePart(_Part):
    kind: LaneKind
    hidden: bool = False


class ParticipantPart(_Part):
    key: Key


class NotePart(_Part):
    key: Key
    kind: NoteKind
    step: Step
    text: Annotated[str, _text(NOTE_TEXT_MAX, 1)]
    stage: Key | None = None
    persona: Key | None = None
    source: ResearchSource | None = None
    channel: Channel | None = None
    touchpoint: Key | None = None
    pain_point: Key | None = None
    author: Key | None = None
    by_facilitator: bool = False
    hidden: bool = False
    position: Annotated[int, Field(ge=0, le=MAX_POSITION)] = 0
    merged_into: Key | None = None


class RatingPart(_Part):
    participant: Key
    note: Key
    score: Annotated[int, Field(ge=min(SCORES), le=max(SCORES))]
    rated_at: datetime


def _voted_on(kind: NoteKind) -> NoteKind:
    if kind not in ROUND_KINDS:
        raise ValueError("rounds are on pain points or opportunities")
    return kind


class RoundPart(_Part):
    key: Key
    kind: Annotated[NoteKind, AfterValidator(_voted_on)]
    status: RoundStatus
    dots_per_participant: Annotated[int, Field(ge=DOTS_MIN, le=DOTS_MAX)]
    several_per_note: bool = False
    own_notes: bool = True
    revealed: bool = False


class BudgetPart(_Part):
    round: Key
    participant: Key
    dots_left: Annotated[int, Field(ge=0, le=DOTS_MAX)]
    taps: Annotated[int, Field(ge=0, le=MAX_TAPS)]


class DotPart(_Part):
    round: Key
    participant: Key
    note: Key
    cast_on: Key
    slot: Annotated[int, Field(ge=0, le=MAX_TAPS)]


class ActionPart(_Part):
    title: Annotated[str, _text(ACTION_TITLE_MAX, 1)]
    owner: Annotated[str, _text(ACTION_OWNER_MAX, 1)]
    next_step: Annotated[str, _text(ACTION_NEXT_STEP_MAX)] = ""
    due_date: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    impact: Level = Level.MEDIUM
    effort: Level = Level.MEDIUM
    source: Key | None = None
    stage: Key | None = None


class NotDuplicatesPart(_Part):
    """Two notes the facilitator said are not duplicates (services/duplicates.py)."""

    note: Key
    other_note: Key


class WorkshopDocument(_Part):
    """Version 2 of the document; docs/workshop-json.md describes every field."""

    format: Format
    version: Version
    workshop: WorkshopPart
    steps: Annotated[list[StepPart], _many(len(STEPS), len(STEPS))]
    personas: Annotated[list[PersonaPart], _many(MAX_PERSONAS, 1)]
    stages: Annotated[list[StagePart], _many(MAX_STAGES, 1)]
    lanes: Annotated[list[LanePart], _many(len(LANE_KINDS), len(LANE_KINDS))]
    participants: Annotated[list[ParticipantPart], _many(MAX_PARTICIPANTS)] = []
    notes: Annotated[list[NotePart], _many(MAX_NOTES)] = []
    emotion_ratings: Annotated[list[RatingPart], _many(MAX_RATINGS)] = []
    voting_rounds: Annotated[list[RoundPart], _many(MAX_ROUNDS)] = []
    dot_budgets: Annotated[list[BudgetPart], _many(MAX_BUDGETS)] = []
    dots: Annotated[list[DotPart], _many(MAX_DOTS)] = []
    actions: Annotated[list[ActionPart], _many(MAX_ACTIONS)] = []
    not_duplicates: Annotated[list[NotDuplicatesPart], _many(MAX_NOT_DUPLICATES)] = []


# --- export ----------------------------------------------------------------------------


def _keys(prefix: str, ids: Iterable[int]) -> dict[int, str]:
    return {id_: f"{prefix}{number}" for number, id_ in enumerate(ids, start=1)}


def _timestamp(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _columns(row: Any, part: type[_Part], **given: Any) -> dict[str, Any]:
    """A row as a part of the document: the fields named like its columns, as JSON values,
    and the ones `given` (references by key, which no column holds)."""
    values = {}
    for name in part.model_fields:
        value = given[name] if name in given else getattr(row, name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        values[name] = value
    return values


def export_workshop(
    session: DbSession, workshop: Workshop, *, authors: bool = True, private_notes: bool = True
) -> dict[str, Any]:
    """The workshop as a version-1 document (plain JSON data). With authors=False the notes
    carry no author (for readers who may not see who wrote what: anonymous workshops); with
    private_notes=False the steps carry no facilitator's notes (for readers who do not run
    the workshop)."""
    kept_private = {} if private_notes else {"facilitator_notes": ""}

    def of_workshop(model: Any, *order: Any) -> list[Any]:
        query = select(model).where(model.workshop_id == workshop.id)
        return list(session.scalars(query.order_by(*order)))

    people = of_workshop(Participant, Participant.joined_at, Participant.id)
    notes = of_workshop(Note, Note.id)
    rounds = of_workshop(VotingRound, VotingRound.id)
    round_ids = [r.id for r in rounds]
    budgets = session.scalars(
        select(DotBudget).where(DotBudget.round_id.in_(round_ids)).order_by(DotBudget.id)
    )
    dots = session.scalars(select(Dot).where(Dot.round_id.in_(round_ids)).order_by(Dot.id))
    keys = {
        "persona": _keys("persona-", (p.id for p in workshop.personas)),
        "stage": _keys("stage-", (s.id for s in workshop.stages)),
        "participant": _keys("P", (p.id for p in people)),
        "note": _keys("note-", (n.id for n in notes)),
        "round": _keys("round-", round_ids),
    }

    def key(collection: str, id_: int | None) -> str | None:
        return None if id_ is None else keys[collection][id_]

    return {
        "format": FORMAT,
        "version": VERSION,
        "workshop": _columns(workshop, WorkshopPart),
        "steps": [
            _columns(state, StepPart, **kept_private)
            for state in sorted(workshop.steps, key=lambda s: STEPS.index(s.step))
        ],
        "personas": [_columns(p, PersonaPart, key=key("persona", p.id)) for p in workshop.personas],
        "stages": [_columns(s, StagePart, key=key("stage", s.id)) for s in workshop.stages],
        "lanes": [_columns(lane, LanePart) for lane in workshop.lanes],
        "participants": [{"key": key("participant", p.id)} for p in people],
        "notes": [
            _columns(
                n,
                NotePart,
                key=key("note", n.id),
                stage=key("stage", n.stage_id),
                persona=key("persona", n.persona_id),
                touchpoint=key("note", n.touchpoint_id),
                pain_point=key("note", n.pain_point_id),
                author=key("participant", n.author_id) if authors else None,
                merged_into=key("note", n.merged_into_id),
            )
            for n in notes
        ],
        "emotion_ratings": [
            _columns(
                r,
                RatingPart,
                participant=key("participant", r.participant_id),
                note=key("note", r.note_id),
                rated_at=_timestamp(r.updated_at),
            )
            for r in of_workshop(EmotionRating, EmotionRating.id)
        ],
        "voting_rounds": [_columns(r, RoundPart, key=key("round", r.id)) for r in rounds],
        "dot_budgets": [
            _columns(
                b,
                BudgetPart,
                round=key("round", b.round_id),
                participant=key("participant", b.participant_id),
            )
            for b in budgets
        ],
        "dots": [
            _columns(
                d,
                DotPart,
                round=key("round", d.round_id),
                participant=key("participant", d.participant_id),
                note=key("note", d.note_id),
                cast_on=key("note", d.cast_on_id),
            )
            for d in dots
        ],
        "actions": [
            _columns(a, ActionPart, source=key("note", a.source_id), stage=key("stage", a.stage_id))
            for a in actions_of(session, workshop)
        ],
        "not_duplicates": [
            {"note": key("note", pair.note_id), "other_note": key("note", pair.other_note_id)}
            for pair in of_workshop(DismissedDuplicate, DismissedDuplicate.id)
        ],
    }


def export_json(
    session: DbSession, workshop: Workshop, *, authors: bool = True, private_notes: bool = True
) -> str:
    """The document as text: indented, so that it diffs and reads well; UTF-8 as is."""
    document = export_workshop(session, workshop, authors=authors, private_notes=private_notes)
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# --- reading and checking --------------------------------------------------------------


def read_document(document: bytes | str | dict[str, Any]) -> WorkshopDocument:
    """A checked document, or InvalidWorkshopFile saying what is wrong and where."""
    if isinstance(document, dict):
        document = json.dumps(document)
    raw = document.encode() if isinstance(document, str) else document
    raw = raw.removeprefix(codecs.BOM_UTF8)  # as some editors save UTF-8
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InvalidWorkshopFile("too_large", limit=MAX_DOCUMENT_BYTES // (1024 * 1024))
    try:
        # pydantic's own JSON parser: it also refuses absurdly deep nesting.
        parsed = WorkshopDocument.model_validate_json(raw)
    except ValidationError as error:
        raise _refusal(error) from None
    _check_rules(parsed)
    return parsed


def _where(location: Iterable[int | str]) -> str:
    where = ""
    for part in location:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else part)
    return where


def _refusal(error: ValidationError) -> InvalidWorkshopFile:
    """The first problem pydantic found, as a reason the web and the CLI can word."""
    problems = error.errors(include_url=False)
    for problem in problems:
        if problem["type"] == "json_invalid":
            return InvalidWorkshopFile("not_json")
    for problem in problems:  # what the file is decides how to read the rest
        top = problem["loc"][0] if problem["loc"] else "format"
        if top == "format" or (top == "version" and problem["type"] == "missing"):
            return InvalidWorkshopFile("format")
        if top == "version":
            return InvalidWorkshopFile("version", value=str(problem["input"])[:20])
    problem = problems[0]
    where, context = _where(problem["loc"]), problem.get("ctx", {})
    kinds = {
        "missing": "missing",
        "extra_forbidden": "unknown_field",
        "string_too_long": "too_long",
        "too_long": "too_many",
        "string_too_short": "empty",
        "too_short": "too_few",
    }
    reason = kinds.get(problem["type"], "invalid")
    if problem["type"] == "string_pattern_mismatch" and context.get("pattern") == PLAIN_TEXT:
        reason = "control_characters"
    limit = context.get("max_length") if reason in ("too_long", "too_many") else None
    if reason == "too_few":
        limit = context.get("min_length")
    return InvalidWorkshopFile(reason, where=where, limit=limit)


class _Keys:
    """The keys of one collection, each once; references into it must resolve."""

    def __init__(self, collection: str, parts: list[Any]) -> None:
        self.collection = collection
        self.index: dict[str, int] = {}
        for number, part in enumerate(parts):
            if part.key in self.index:
                raise InvalidWorkshopFile("duplicate", where=f"{collection}[{number}].key")
            self.index[part.key] = number

    def resolve(self, key: str | None, where: str) -> None:
        if key is not None and key not in self.index:
            raise InvalidWorkshopFile("reference", where=where, value=key)


def _unique(items: Iterable[tuple[Any, ...]], collection: str) -> None:
    seen: set[tuple[Any, ...]] = set()
    for number, item in enumerate(items):
        if item in seen:
            raise InvalidWorkshopFile("duplicate", where=f"{collection}[{number}]")
        seen.add(item)


def _check_rules(document: WorkshopDocument) -> None:
    """What the services keep true, checked before anything is written."""
    if sorted(STEPS.index(s.step) for s in document.steps) != list(range(len(STEPS))):
        raise InvalidWorkshopFile("steps")
    if {lane.kind for lane in document.lanes} != set(LANE_KINDS):
        raise InvalidWorkshopFile("lanes")
    personas = _Keys("personas", document.personas)
    stages = _Keys("stages", document.stages)
    people = _Keys("participants", document.participants)
    notes = _Keys("notes", document.notes)
    rounds = _Keys("voting_rounds", document.voting_rounds)
    _check_notes(document, notes, stages, personas, people)
    for number, rating in enumerate(document.emotion_ratings):
        people.resolve(rating.participant, f"emotion_ratings[{number}].participant")
        notes.resolve(rating.note, f"emotion_ratings[{number}].note")
    _unique(((r.participant, r.note) for r in document.emotion_ratings), "emotion_ratings")
    if sum(r.status is RoundStatus.OPEN for r in document.voting_rounds) > 1:
        raise InvalidWorkshopFile("open_rounds")
    _check_dots(document, rounds, people, notes)
    for number, action in enumerate(document.actions):
        notes.resolve(action.source, f"actions[{number}].source")
        stages.resolve(action.stage, f"actions[{number}].stage")
    for number, pair in enumerate(document.not_duplicates):
        notes.resolve(pair.note, f"not_duplicates[{number}].note")
        notes.resolve(pair.other_note, f"not_duplicates[{number}].other_note")
        if pair.note == pair.other_note:  # a note is never its own duplicate
            raise InvalidWorkshopFile("duplicate", where=f"not_duplicates[{number}]")
    _unique(
        (tuple(sorted((pair.note, pair.other_note))) for pair in document.not_duplicates),
        "not_duplicates",
    )


def _check_notes(
    document: WorkshopDocument, notes: _Keys, stages: _Keys, personas: _Keys, people: _Keys
) -> None:
    kinds = {note.key: note.kind for note in document.notes}
    for number, note in enumerate(document.notes):
        where = f"notes[{number}]"
        stages.resolve(note.stage, f"{where}.stage")
        personas.resolve(note.persona, f"{where}.persona")
        people.resolve(note.author, f"{where}.author")
        for field in ("touchpoint", "pain_point", "merged_into"):
            notes.resolve(getattr(note, field), f"{where}.{field}")
        # The fields of one kind of note only, as the services keep them.
        fitting = {
            "source": (note.source is not None) == (note.kind is NoteKind.INSIGHT),
            "channel": (note.channel is not None) == (note.kind is NoteKind.TOUCHPOINT),
            "touchpoint": note.touchpoint is None
            or (note.kind is NoteKind.PAIN_POINT and kinds[note.touchpoint] is NoteKind.TOUCHPOINT),
            "pain_point": note.pain_point is None
            or (
                note.kind is NoteKind.OPPORTUNITY and kinds[note.pain_point] is NoteKind.PAIN_POINT
            ),
        }
        for field, fits in fitting.items():
            if not fits:
                raise InvalidWorkshopFile("kind_mismatch", where=f"{where}.{field}")
    # No note may end up merged into itself. Each note is walked once: a chain is followed
    # only as far as a note already known to end well (linear, also for one long chain).
    merged_into = {note.key: note.merged_into for note in document.notes if note.merged_into}
    ends_well: set[str] = set()
    for number, note in enumerate(document.notes):
        path: dict[str, None] = {}
        current: str | None = note.key
        while current is not None and current not in ends_well:
            if current in path:
                raise InvalidWorkshopFile("merge_circle", where=f"notes[{number}].merged_into")
            path[current] = None
            current = merged_into.get(current)
        ends_well.update(path)


def _check_dots(document: WorkshopDocument, rounds: _Keys, people: _Keys, notes: _Keys) -> None:
    budgets: dict[tuple[str, str], BudgetPart] = {}
    for number, budget in enumerate(document.dot_budgets):
        where = f"dot_budgets[{number}]"
        rounds.resolve(budget.round, f"{where}.round")
        people.resolve(budget.participant, f"{where}.participant")
        if (budget.round, budget.participant) in budgets:
            raise InvalidWorkshopFile("duplicate", where=where)
        budgets[(budget.round, budget.participant)] = budget
    placed: Counter[tuple[str, str]] = Counter()
    for number, dot in enumerate(document.dots):
        where = f"dots[{number}]"
        rounds.resolve(dot.round, f"{where}.round")
        people.resolve(dot.participant, f"{where}.participant")
        notes.resolve(dot.note, f"{where}.note")
        notes.resolve(dot.cast_on, f"{where}.cast_on")
        chosen = document.voting_rounds[rounds.index[dot.round]]
        spent_from = budgets.get((dot.round, dot.participant))
        # A dot is spent from a budget (made on the first tap); one dot per note has slot
        # 0, several are numbered by the budget's taps.
        if spent_from is None:
            raise InvalidWorkshopFile("dots", where=where)
        slots = range(1, spent_from.taps + 1) if chosen.several_per_note else range(1)
        if dot.slot not in slots:
            raise InvalidWorkshopFile("dots", where=f"{where}.slot")
        placed[(dot.round, dot.participant)] += 1
    _unique(((d.round, d.participant, d.note, d.slot) for d in document.dots), "dots")
    for number, budget in enumerate(document.dot_budgets):
        chosen = document.voting_rounds[rounds.index[budget.round]]
        spent = placed[(budget.round, budget.participant)]
        if budget.dots_left + spent > chosen.dots_per_participant or spent > budget.taps:
            raise InvalidWorkshopFile("dots", where=f"dot_budgets[{number}]")


# --- import ----------------------------------------------------------------------------


IMPORT_PART_ROWS = 50  # rows an import writes per transaction
IMPORT_TIME_LIMIT = 120.0  # seconds the app waits for an import (see import_file)
UNFINISHED_IMPORT_HOURS = 1  # after this, a workshop still being imported was abandoned


def import_workshop(
    session: DbSession, document: bytes | str | dict[str, Any], facilitator: Facilitator
) -> Workshop:
    """A new workshop, owned by `facilitator`, made exactly as the document describes it,
    with a join code and QR token of its own. Commits; refused documents (InvalidWorkshopFile)
    write nothing.

    Everything is checked and prepared before the first write. The rows then go in as bulk
    inserts, IMPORT_PART_ROWS to a transaction: on SQLite a writer holds the one writer lock
    until it commits, and the largest file written in one transaction held it 0.3 s, which
    every phone's note waited out. Until the last part is in the workshop is `importing`:
    nobody can open, join or list it. An import that fails half-way deletes what it wrote;
    one whose process died is deleted by the first import after UNFINISHED_IMPORT_HOURS."""
    prepared = _Prepared.of(document, session.get_bind().dialect)
    abandoned = utcnow() - timedelta(hours=UNFINISHED_IMPORT_HOURS)
    session.execute(delete(Workshop).where(Workshop.importing, Workshop.created_at < abandoned))
    session.commit()
    try:
        workshop = prepared.write(session, facilitator, unused_join_code(session))
        workshop.importing = False
        session.commit()
    except BaseException as error:
        session.rollback()
        if prepared.workshop_id is not None:  # its parts cascade
            session.execute(delete(Workshop).where(Workshop.id == prepared.workshop_id))
            session.commit()
        if isinstance(error, IntegrityError):  # the checks should make this unreachable
            raise InvalidWorkshopFile("conflict") from error
        raise
    return workshop


def import_file(database: URL, path: str, facilitator_id: int) -> tuple[Any, ...]:
    """import_workshop of the file at `path` as the app runs it, in a process of its own
    (offload.in_process): checking and preparing a large file is a second of computing,
    which would stop every phone its worker serves. On a connection of its own; returns
    ("imported", id, title, join code) or ("refused", reason, params)."""
    engine = create_engine(database, poolclass=NullPool)
    tune_engine(engine)
    try:
        with Session(engine) as session:
            facilitator = session.get_one(Facilitator, facilitator_id)
            try:
                workshop = import_workshop(session, Path(path).read_bytes(), facilitator)
            except InvalidWorkshopFile as refused:
                return ("refused", refused.reason, refused.params)
            return ("imported", workshop.id, workshop.title, workshop.join_code)
    finally:
        engine.dispose()


def _stored(dialect: Any, model: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` as the driver takes them: column defaults filled in, values converted by their
    column types (enums, times). Done before the first write: it is half the work."""
    if not rows:
        return []
    table = model.__table__
    defaults = {
        c.name: c.default
        for c in table.columns
        if c.default is not None and c.name not in rows[0] and not c.primary_key
    }
    convert = {
        name: process
        for name in {*rows[0], *defaults}
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    }
    stored = []
    for row in rows:
        full = row | {
            name: default.arg(None) if default.is_callable else default.arg
            for name, default in defaults.items()
        }
        for name, process in convert.items():
            if full[name] is not None:
                full[name] = process(full[name])
        stored.append(full)
    return stored


def _inserted(
    session: DbSession, model: Any, rows: list[dict[str, Any]], *, key: str = ""
) -> list[int]:
    """Insert `rows` (as _stored made them, plus plain ids) with one executemany of the
    driver: SQLAlchemy's bulk insert spent as long again on parameters, inside SQLite's writer
    lock. With `key` (a column of unique random values the rows carry) their new ids, in the
    order of the rows (RETURNING in row order would insert one row at a time on SQLite)."""
    if not rows:
        return []
    dialect = session.get_bind().dialect
    names = list(rows[0])
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    table, columns = quote(model.__tablename__), ", ".join(map(quote, names))
    marks = ", ".join([mark] * len(names))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - ours, values bound
    values = [tuple(row[name] for name in names) for row in rows]
    # New ids come after every id committed so far: read them back as one range of the
    # primary key (rows other writers added meanwhile are in it too, and are not asked for).
    before = session.execute(select(func.max(model.id))).scalar() or 0 if key else 0
    session.connection().exec_driver_sql(sql, values)
    if not key:
        return []
    column = getattr(model, key)
    found: dict[Any, int] = dict(
        session.execute(select(column, model.id).where(model.id > before)).all()
    )
    return [found[row[key]] for row in rows]


class _Prepared:
    """The rows of an import, made before anything is written (ids filled in while writing)."""

    def __init__(self, document: WorkshopDocument, dialect: Any) -> None:
        self.document, self.dialect = document, dialect
        self.workshop_id: int | None = None  # once its first part is written
        now = utcnow()
        self.people = [
            {
                "display_name": f"P{number}",  # the pseudonym, never a key from the file
                "name_key": f"p{number}",
                "token": secrets.token_urlsafe(32),
                "joined_at": now + timedelta(microseconds=number),  # keeps the join order
            }
            for number, _part in enumerate(document.participants, start=1)
        ]
        self.people = _stored(dialect, Participant, self.people)
        positions = _dense_positions(document.notes)
        self.notes = [
            {
                "kind": part.kind,
                "step": part.step,
                "text": part.text,
                "source": part.source,
                "channel": part.channel,
                "by_facilitator": part.by_facilitator,
                "hidden": part.hidden,
                "position": positions[number],
                "idempotency_key": secrets.token_urlsafe(24),
            }
            for number, part in enumerate(document.notes)
        ]
        self.notes = _stored(dialect, Note, self.notes)
        self.now = now

    @classmethod
    def of(cls, document: bytes | str | dict[str, Any], dialect: Any) -> _Prepared:
        """The rows of a document, checked (InvalidWorkshopFile if it is refused)."""
        return cls(read_document(document), dialect)

    def _insert(
        self, session: DbSession, model: Any, rows: list[dict[str, Any]], *, key: str = ""
    ) -> list[Any]:
        """`rows` (as _stored made them) in parts; with `key`, their new ids (_inserted)."""
        return _in_parts(session, rows, lambda part: _inserted(session, model, part, key=key))

    def _stored(self, model: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _stored(self.dialect, model, rows)

    def write(self, session: DbSession, facilitator: Facilitator, join_code: str) -> Workshop:
        """Writes the workshop in parts, a transaction each; `importing` until the caller
        says it is done."""
        document = self.document
        steps = {part.step: part for part in document.steps}
        workshop = Workshop(
            facilitator_id=facilitator.id,
            join_code=join_code,
            join_token=secrets.token_urlsafe(24),
            **document.workshop.model_dump(),
            steps=[WorkshopStep(**steps[step].model_dump()) for step in STEPS],
            lanes=[
                Lane(kind=lane.kind, position=position, hidden=lane.hidden)
                for position, lane in enumerate(document.lanes)
            ],
            personas=[
                Persona(position=position, **persona.model_dump(exclude={"key"}))
                for position, persona in enumerate(document.personas)
            ],
            stages=[
                Stage(position=position, name=stage.name)
                for position, stage in enumerate(document.stages)
            ],
            importing=True,
        )
        session.add(workshop)
        session.flush()
        self.workshop_id = workshop.id
        persona_id: dict[str | None, int] = {
            p.key: row.id for p, row in zip(document.personas, workshop.personas, strict=True)
        }
        stage_id: dict[str | None, int] = {
            s.key: row.id for s, row in zip(document.stages, workshop.stages, strict=True)
        }
        session.commit()
        person_ids = self._insert(
            session,
            Participant,
            [row | {"workshop_id": self.workshop_id} for row in self.people],
            key="token",
        )
        person_id: dict[str | None, int] = dict(
            zip((p.key for p in document.participants), person_ids, strict=True)
        )
        note_ids = self._insert(
            session,
            Note,
            [
                row
                | {
                    "workshop_id": self.workshop_id,
                    "stage_id": stage_id.get(part.stage),
                    "persona_id": persona_id.get(part.persona),
                    "author_id": person_id.get(part.author),
                }
                for row, part in zip(self.notes, document.notes, strict=True)
            ],
            key="idempotency_key",
        )
        note_id: dict[str | None, int] = dict(
            zip((n.key for n in document.notes), note_ids, strict=True)
        )
        links = [
            {
                "id": note_id[part.key],
                "touchpoint_id": note_id.get(part.touchpoint),
                "pain_point_id": note_id.get(part.pain_point),
                "merged_into_id": note_id.get(part.merged_into),
            }
            for part in document.notes
            if part.touchpoint or part.pain_point or part.merged_into
        ]

        def link(part: list[Any]) -> list[Any]:
            session.execute(update(Note), part)
            return []

        _in_parts(session, links, link)
        self._insert(
            session,
            EmotionRating,
            self._stored(
                EmotionRating,
                [
                    {
                        "workshop_id": self.workshop_id,
                        "participant_id": person_id[r.participant],
                        "note_id": note_id[r.note],
                        "score": r.score,
                        "updated_at": r.rated_at.astimezone(UTC).replace(tzinfo=None)
                        if r.rated_at.tzinfo
                        else r.rated_at,
                    }
                    for r in document.emotion_ratings
                ],
            ),
        )
        rounds = [
            VotingRound(workshop_id=self.workshop_id, **part.model_dump(exclude={"key"}))
            for part in document.voting_rounds
        ]
        session.add_all(rounds)  # a few: objects are fine
        session.flush()
        round_ids = [row.id for row in rounds]
        round_id = dict(zip((r.key for r in document.voting_rounds), round_ids, strict=True))
        session.commit()
        self._insert(
            session,
            DotBudget,
            self._stored(
                DotBudget,
                [
                    {
                        "round_id": round_id[b.round],
                        "participant_id": person_id[b.participant],
                        "dots_left": b.dots_left,
                        "taps": b.taps,
                    }
                    for b in document.dot_budgets
                ],
            ),
        )
        self._insert(
            session,
            Dot,
            self._stored(
                Dot,
                [
                    {
                        "round_id": round_id[d.round],
                        "participant_id": person_id[d.participant],
                        "note_id": note_id[d.note],
                        "cast_on_id": note_id[d.cast_on],
                        "slot": d.slot,
                        "tap_key": secrets.token_urlsafe(24),
                    }
                    for d in document.dots
                ],
            ),
        )
        self._insert(
            session,
            ActionItem,
            self._stored(
                ActionItem,
                [
                    {
                        "workshop_id": self.workshop_id,
                        "source_id": note_id.get(part.source),
                        "stage_id": stage_id.get(part.stage),
                        "created_at": self.now,  # actions list by creation, then id: file order
                        **part.model_dump(exclude={"source", "stage"}),
                    }
                    for part in document.actions
                ],
            ),
        )
        pairs = (
            DismissedDuplicate.ordered(note_id[p.note], note_id[p.other_note])
            for p in document.not_duplicates
        )
        self._insert(
            session,
            DismissedDuplicate,
            self._stored(
                DismissedDuplicate,
                [
                    {"workshop_id": self.workshop_id, "note_id": first, "other_note_id": second}
                    for first, second in pairs
                ],
            ),
        )
        session.expire(workshop)  # its collections were written around the ORM
        return workshop


def _in_parts(
    session: DbSession, rows: list[Any], write: Callable[[list[Any]], list[Any]]
) -> list[Any]:
    """`write` for each IMPORT_PART_ROWS of `rows`, a transaction each, and what it returns.
    After each part the import pauses for as long as the part took: the room's own writes
    (a note is one short transaction) go in between instead of queueing behind part after
    part (which held them up a quarter of a second at the 95th percentile)."""
    written: list[Any] = []
    for start in range(0, len(rows), IMPORT_PART_ROWS):
        began = time.monotonic()
        written += write(rows[start : start + IMPORT_PART_ROWS])
        session.commit()
        time.sleep(time.monotonic() - began)
    return written


def _dense_positions(notes: list[NotePart]) -> list[int]:
    """Each map cell's notes at 0, 1, 2, ... in the order of their positions (gaps in a
    hand-edited file close); merged notes are off the map and keep theirs."""
    positions = [note.position for note in notes]
    cells: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for number, note in enumerate(notes):
        if note.merged_into is None:
            cells[(note.kind, note.stage)].append(number)
    for members in cells.values():
        members.sort(key=lambda number: (notes[number].position, number))
        for position, number in enumerate(members):
            positions[number] = position
    return positions
