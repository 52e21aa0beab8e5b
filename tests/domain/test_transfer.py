"""Domain tests: a workshop as a JSON document and back (services/transfer.py).

Export → import → export gives the same document; random documents come back exactly; and
malformed or hostile files are refused with a reason and nothing written."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from cjm_workshop.extensions import db
from cjm_workshop.models import (
    LANE_KINDS,
    STEPS,
    ActionStatus,
    Channel,
    DismissedDuplicate,
    Facilitator,
    Level,
    Note,
    NoteKind,
    Participant,
    ResearchSource,
    Step,
    StepState,
    Workshop,
    WorkshopStatus,
)
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import (
    duplicates,
    emotions,
    joining,
    journey_map,
    notes,
    steps,
    transfer,
    voting,
    workshops,
)
from cjm_workshop.services.errors import InvalidWorkshopFile, WorkshopNotFound
from tests.factories import row_counts


@pytest.fixture
def importer(make, session):
    session.commit()  # (on SQLite the factories write only when this session does not)
    return session.get(Facilitator, make.facilitator("importer@example.org").id)


@pytest.fixture
def rich(make, session):
    """A workshop that went through every step: two personas, three participants, notes of
    every kind (proxy, hidden, private and revealed, merged, moved, without a stage), a
    hidden and a moved lane, ratings, two rounds with dots, and actions with sources."""
    session.commit()
    record = make.workshop(personas=2, title="Tandarts — online boeken", anonymous=False)
    anna, bob, cas = (make.participant(record, name) for name in ("Anna", "Bob", "Cas"))
    first, second = record.stage_ids[:2]
    persona = record.persona_ids[1]
    make.note(record, anna, "Reviews matter", persona=persona)
    make.note(record, None, "Support log: 40 calls a day")
    site = make.note(record, anna, "Website", kind="touchpoint", stage=first)
    site_copy = make.note(record, bob, "The website", kind="touchpoint", stage=first)
    app_ = make.note(record, cas, "App", kind="touchpoint", stage=second)
    make.note(record, bob, "Compares dentists", kind="customer_action", stage=first)
    pains = [
        make.note(record, person, f"Pain {n}", kind="pain_point", stage=second)
        for n, person in enumerate((anna, bob, None))
    ]
    workshop = session.get(Workshop, record.id)
    get = session.get
    journey_map.merge(session, workshop, get(Note, site), [get(Note, site_copy)])
    journey_map.nudge(session, workshop, get(Note, pains[2]), "up")
    notes.set_hidden(session, get(Note, pains[1]), True)
    workshops.add_stage(session, workshop, "Nazorg")
    workshops.delete_stage(session, workshop.stages[0])  # its notes have no stage now
    lane = next(lane for lane in workshop.lanes if lane.kind.value == "insight")
    journey_map.set_lane_hidden(session, workshop, lane, True)
    journey_map.move_lane(session, workshop, lane, 0)
    notes.set_private(session, workshop, Step.EMOTIONS, True)
    notes.reveal(session, workshop, Step.EMOTIONS)
    steps.set_contributions(session, workshop, Step.EMOTIONS, True)
    people = [get(Participant, p.id) for p in (anna, bob, cas)]
    for person, score in zip(people, (1, 4, 5), strict=True):
        emotions.rate(session, workshop, person, get(Note, app_), score)
    emotions.rate(session, workshop, people[0], get(Note, site), 2)
    chosen = voting.open_round(
        session, workshop, NoteKind.PAIN_POINT, dots=3, several_per_note=True, own_notes=False
    )
    for n, person in enumerate(people[1:]):
        for tap in range(2):
            ballot = voting.ballot_for(session, record.id, person.id, pains[0], f"t{n}{tap}")
            voting.vote(session, ballot)
    voting.take_back(session, voting.ballot_for(session, record.id, people[2].id, pains[0]))
    voting.reveal(session, workshop, chosen)
    voting.close_round(session, workshop, chosen)
    session.commit()
    idea = make.note(record, cas, "Call-back button", kind="opportunity")
    with_link = notes.NoteFields(
        kind=NoteKind.OPPORTUNITY, text="Show free slots", pain_point_id=pains[0]
    )
    notes.add_note(session, workshop, with_link, "k-link", participant=get(Participant, bob.id))
    voting.open_round(
        session, workshop, NoteKind.OPPORTUNITY, dots=1, several_per_note=False, own_notes=True
    )
    voting.vote(session, voting.ballot_for(session, record.id, anna.id, idea, "o1"))
    session.commit()
    duplicates.dismiss_group(session, workshop, [get(Note, app_), get(Note, pains[0])])
    session.commit()
    make.action(record, "Call back within a day", source=idea, due_date=date(2027, 3, 1))
    make.action(record, "Fix the slots", source=pains[0], impact=Level.HIGH, effort=Level.LOW)
    make.action(record, "Train the desk", status=ActionStatus.DONE, impact=Level.LOW)
    session.expire_all()
    return session.get(Workshop, record.id)


def test_export_import_export_gives_the_same_document(session, rich, importer):
    document = transfer.export_workshop(session, rich)
    copied = transfer.import_workshop(session, document, importer)
    session.commit()
    assert transfer.export_workshop(session, copied) == document
    # ... also through the JSON text, as a file would carry it
    again = transfer.import_workshop(session, transfer.export_json(session, rich), importer)
    assert transfer.export_workshop(session, again) == document


def test_the_document_is_rich_and_pseudonymous(session, rich):
    document = transfer.export_workshop(session, rich)
    assert document["format"] == "cjm-workshop" and document["version"] == 2
    keys = {n["text"]: n["key"] for n in document["notes"]}
    assert document["not_duplicates"] == [{"note": keys["App"], "other_note": keys["Pain 0"]}]
    assert [p["key"] for p in document["participants"]] == ["P1", "P2", "P3"]
    assert {n["kind"] for n in document["notes"]} == {kind.value for kind in NoteKind}
    assert any(n["merged_into"] for n in document["notes"])
    assert any(n["stage"] is None and n["kind"] == "touchpoint" for n in document["notes"])
    assert any(n["touchpoint"] is None and n["kind"] == "pain_point" for n in document["notes"])
    assert any(n["pain_point"] for n in document["notes"])
    assert len(document["emotion_ratings"]) == 4 and len(document["voting_rounds"]) == 2
    assert len(document["dots"]) == 4 and all(a["owner"] for a in document["actions"])
    assert document["lanes"][0] == {"kind": "insight", "hidden": True}
    text = json.dumps(document)
    for secret in ("Anna", "Bob", "Cas", rich.join_code, rich.join_token, "k-link", "t00"):
        assert secret not in text
    people = session.scalars(select(Participant).where(Participant.workshop_id == rich.id))
    assert not any(person.token in text for person in people)


def test_an_import_is_a_new_workshop_of_the_importer(session, rich, importer):
    copied = transfer.import_workshop(session, transfer.export_workshop(session, rich), importer)
    assert copied.facilitator_id == importer.id != rich.facilitator_id
    assert copied.join_code != rich.join_code and copied.join_token != rich.join_token
    assert [p.display_name for p in copied.participants] == ["P1", "P2", "P3"]
    assert copied.status is rich.status and copied.current_step is rich.current_step
    assert copied.timer_ends_at is None
    # It runs like any workshop: the room sees the same map, the same curve and ranking.
    for kind in (NoteKind.TOUCHPOINT, NoteKind.PAIN_POINT):
        assert [n.text for n in journey_map.room_notes(session, copied, kind)] == [
            n.text for n in journey_map.room_notes(session, rich, kind)
        ]
    touchpoints = journey_map.room_notes(session, copied, NoteKind.TOUCHPOINT)
    original = journey_map.room_notes(session, rich, NoteKind.TOUCHPOINT)
    assert [(p.median, p.count) for p in emotions.curve(session, copied, touchpoints)] == [
        (p.median, p.count) for p in emotions.curve(session, rich, original)
    ]


def test_organizers_of_an_anonymous_workshop_get_no_authors(session, rich, importer):
    document = transfer.export_workshop(session, rich, authors=False)
    assert all(note["author"] is None for note in document["notes"])
    copied = transfer.import_workshop(session, document, importer)
    assert transfer.export_workshop(session, copied) == document


# --- random workshops ------------------------------------------------------------------

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))


def _maybe(draw, keys: list[str]) -> str | None:
    return draw(st.none() | st.sampled_from(keys)) if keys else None


@st.composite
def documents(draw) -> dict:
    """A valid document in the form an export has (keys in order, dense positions)."""
    persona_keys = [f"persona-{n}" for n in range(1, draw(st.integers(1, 3)) + 1)]
    stage_keys = [f"stage-{n}" for n in range(1, draw(st.integers(1, 3)) + 1)]
    people = [f"P{n}" for n in range(1, draw(st.integers(0, 4)) + 1)]
    kinds = draw(st.lists(st.sampled_from(list(NoteKind)), max_size=8))
    note_keys = [f"note-{n}" for n in range(1, len(kinds) + 1)]
    of_kind = {
        kind: [k for k, c in zip(note_keys, kinds, strict=True) if c is kind] for kind in NoteKind
    }
    notes_ = []
    for number, kind in enumerate(kinds):
        notes_.append(
            {
                "key": note_keys[number],
                "kind": kind.value,
                "step": draw(st.sampled_from(STEPS)).value,
                "text": draw(TEXT),
                "stage": _maybe(draw, stage_keys),
                "persona": _maybe(draw, persona_keys),
                "source": draw(st.sampled_from(ResearchSource)).value
                if kind is NoteKind.INSIGHT
                else None,
                "channel": draw(st.sampled_from(Channel)).value
                if kind is NoteKind.TOUCHPOINT
                else None,
                "touchpoint": _maybe(draw, of_kind[NoteKind.TOUCHPOINT])
                if kind is NoteKind.PAIN_POINT
                else None,
                "pain_point": _maybe(draw, of_kind[NoteKind.PAIN_POINT])
                if kind is NoteKind.OPPORTUNITY
                else None,
                "author": _maybe(draw, people),
                "by_facilitator": draw(st.booleans()),
                "hidden": draw(st.booleans()),
                "position": draw(st.integers(0, 5)),
                "merged_into": _maybe(draw, note_keys[:number]),  # backwards: no circles
            }
        )
    cells: dict[tuple, list[dict]] = {}
    for note in draw(st.permutations(notes_)):
        if note["merged_into"] is None:
            cells.setdefault((note["kind"], note["stage"]), []).append(note)
    for members in cells.values():
        for position, note in enumerate(members):
            note["position"] = position
    pairs = (
        draw(st.sets(st.tuples(st.sampled_from(people), st.sampled_from(note_keys))))
        if people and note_keys
        else set()
    )
    ratings = [
        {
            "participant": person,
            "note": note,
            "score": draw(st.integers(1, 5)),
            "rated_at": draw(MOMENTS).isoformat(timespec="microseconds") + "Z",
        }
        for person, note in sorted(pairs)
    ]
    rounds, budgets, dots = [], [], []
    for number in range(1, draw(st.integers(0, 3)) + 1):
        several, allowed = draw(st.booleans()), draw(st.integers(1, 20))
        rounds.append(
            {
                "key": f"round-{number}",
                "kind": draw(st.sampled_from(sorted(voting.ROUND_KINDS))).value,
                "status": "closed",
                "dots_per_participant": allowed,
                "several_per_note": several,
                "own_notes": draw(st.booleans()),
                "revealed": draw(st.booleans()),
            }
        )
        for person in draw(st.lists(st.sampled_from(people), unique=True)) if people else []:
            on = draw(
                st.lists(st.sampled_from(note_keys), max_size=allowed, unique=not several)
                if note_keys
                else st.just([])
            )
            taps = len(on) + draw(st.integers(0, 3))
            budget = {"round": f"round-{number}", "participant": person, "taps": taps}
            budgets.append(budget | {"dots_left": draw(st.integers(0, allowed - len(on)))})
            slots = draw(st.permutations(range(1, taps + 1)))
            for index, note in enumerate(on):
                dots.append(
                    {
                        "round": f"round-{number}",
                        "participant": person,
                        "note": note,
                        "cast_on": draw(st.sampled_from(note_keys)),
                        "slot": slots[index] if several else 0,
                    }
                )
    if rounds and draw(st.booleans()):
        rounds[-1]["status"] = "open"
    actions = [
        {
            "title": draw(TEXT),
            "owner": draw(TEXT),
            "next_step": draw(st.just("") | TEXT),
            "due_date": draw(st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1))),
            "status": draw(st.sampled_from(ActionStatus)).value,
            "impact": draw(st.sampled_from(Level)).value,
            "effort": draw(st.sampled_from(Level)).value,
            "source": _maybe(draw, note_keys),
            "stage": _maybe(draw, stage_keys),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    for action in actions:
        action["due_date"] = action["due_date"] and action["due_date"].isoformat()
    # "Not duplicates": pairs of two notes, each pair once, the earlier note first
    not_duplicates = [
        {"note": note_keys[first], "other_note": note_keys[second]}
        for first, second in draw(
            st.lists(
                st.tuples(
                    st.integers(0, len(note_keys) - 1), st.integers(0, len(note_keys) - 1)
                ).filter(lambda pair: pair[0] < pair[1]),
                unique=True,
                max_size=4,
            )
            if len(note_keys) > 1
            else st.just([])
        )
    ]
    return {
        "format": "cjm-workshop",
        "version": 2,
        "workshop": {
            "title": draw(TEXT),
            "journey": draw(TEXT),
            "goal": draw(TEXT),
            "language": draw(st.sampled_from(["en", "nl"])),
            "dots_per_participant": draw(st.integers(1, 20)),
            "anonymous": draw(st.booleans()),
            "several_dots_per_note": draw(st.booleans()),
            "own_note_dots": draw(st.booleans()),
            "status": draw(st.sampled_from(WorkshopStatus)).value,
            "current_step": draw(st.sampled_from(STEPS)).value,
        },
        "steps": [
            {
                "step": step.value,
                "state": draw(st.sampled_from(StepState)).value,
                "private": draw(st.booleans()),
                "revealed": draw(st.booleans()),
                "prompt": draw(st.just("") | TEXT),
                "timebox_minutes": draw(st.none() | st.integers(1, 120)),
                "facilitator_notes": draw(st.just("") | TEXT),
            }
            for step in STEPS
        ],
        "personas": [
            {
                "key": key,
                "name": draw(TEXT),
                "description": draw(st.just("") | TEXT),
                "goals": draw(st.just("") | TEXT),
                "frustrations": draw(st.just("") | TEXT),
            }
            for key in persona_keys
        ],
        "stages": [{"key": key, "name": draw(TEXT)} for key in stage_keys],
        "lanes": [
            {"kind": kind.value, "hidden": draw(st.booleans())}
            for kind in draw(st.permutations(LANE_KINDS))
        ],
        "participants": [{"key": key} for key in people],
        "notes": notes_,
        "emotion_ratings": ratings,
        "voting_rounds": rounds,
        "dot_budgets": budgets,
        "dots": dots,
        "actions": actions,
        "not_duplicates": not_duplicates,
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=documents())
def test_random_workshops_come_back_exactly(session, importer, document):
    try:
        imported = transfer.import_workshop(session, copy.deepcopy(document), importer)
        session.expire_all()
        assert transfer.export_workshop(session, imported) == document
    finally:
        session.rollback()


# --- refused files -----------------------------------------------------------------------


@pytest.fixture
def small(make, session):
    """A valid document with a bit of everything to break."""
    session.commit()
    record = make.workshop()
    anna = make.participant(record, "Anna")
    make.note(record, anna, "Website", kind="touchpoint")
    pain = make.note(record, anna, "Slow", kind="pain_point")
    make.voting_round(record, dots=2)
    voting.vote(session, voting.ballot_for(session, record.id, anna.id, pain, "k"))
    session.commit()
    make.action(record, source=pain)
    return transfer.export_workshop(session, session.get(Workshop, record.id))


def _set(path: str, value):
    def change(document):
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


def _append(collection: str, item):
    return lambda document: document[collection].append(item)


BROKEN = [
    ("version", _set("version", 3), "version"),
    ("no version", lambda d: d.pop("version"), "format"),
    ("other format", _set("format", "trello"), "format"),
    ("number as text", _set("workshop.dots_per_participant", "5"), "invalid"),
    ("number out of range", _set("workshop.dots_per_participant", 99), "invalid"),
    ("boolean as number", _set("notes.0.hidden", 1), "invalid"),
    ("unknown enum", _set("notes.0.kind", "sticky"), "invalid"),
    ("unknown language", _set("workshop.language", "fr"), "invalid"),
    ("text too long", _set("notes.0.text", "x" * 281), "too_long"),
    ("empty title", _set("workshop.title", ""), "empty"),
    ("missing field", lambda d: d["notes"][0].pop("text"), "missing"),
    ("unknown field", _set("workshop.owner_email", "x@example.org"), "unknown_field"),
    ("not a list", _set("notes", {"a": 1}), "invalid"),
    (
        "too many personas",
        _set("personas", [{"key": f"p{n}", "name": "P"} for n in range(51)]),
        "too_many",
    ),
    ("no stages", _set("stages", []), "too_few"),
    ("a step twice", _set("steps.1.step", "scope"), "steps"),
    ("a lane twice", _set("lanes.1.kind", "customer_action"), "lanes"),
    ("a key twice", _append("participants", {"key": "P1"}), "duplicate"),
    ("dangling stage", _set("notes.0.stage", "stage-99"), "reference"),
    ("dangling author", _set("notes.0.author", "P7"), "reference"),
    ("dangling round", _set("dots.0.round", "round-9"), "reference"),
    ("dangling action source", _set("actions.0.source", "note-9"), "reference"),
    ("dangling action stage", _set("actions.0.stage", "stage-9"), "reference"),
    ("merged into itself", _set("notes.0.merged_into", "note-1"), "merge_circle"),
    (
        "dangling not-duplicate",
        _append("not_duplicates", {"note": "note-1", "other_note": "note-9"}),
        "reference",
    ),
    (
        "a note not a duplicate of itself",
        _append("not_duplicates", {"note": "note-2", "other_note": "note-2"}),
        "duplicate",
    ),
    (
        "a pair twice, once each way round",
        lambda d: d["not_duplicates"].extend(
            [{"note": "note-1", "other_note": "note-2"}, {"note": "note-2", "other_note": "note-1"}]
        ),
        "duplicate",
    ),
    ("channel on a pain point", _set("notes.1.channel", "app"), "kind_mismatch"),
    ("touchpoint link to a pain point", _set("notes.1.touchpoint", "note-2"), "kind_mismatch"),
    ("round on touchpoints", _set("voting_rounds.0.kind", "touchpoint"), "invalid"),
    (
        "two open rounds",
        _append(
            "voting_rounds",
            {
                "key": "round-2",
                "kind": "opportunity",
                "status": "open",
                "dots_per_participant": 1,
            },
        ),
        "open_rounds",
    ),
    ("more dots than the budget", _set("dot_budgets.0.dots_left", 2), "dots"),
    ("a dot without budget", _set("dot_budgets", []), "dots"),
    (
        "second dot on a one-dot note",
        _append(
            "dots",
            {
                "round": "round-1",
                "participant": "P1",
                "note": "note-2",
                "cast_on": "note-2",
                "slot": 1,
            },
        ),
        "dots",
    ),
    (
        "rating twice",
        _set(
            "emotion_ratings",
            [
                {
                    "participant": "P1",
                    "note": "note-1",
                    "score": 3,
                    "rated_at": "2026-01-01T10:00:00Z",
                },
            ]
            * 2,
        ),
        "duplicate",
    ),
    (
        "score off the scale",
        _set(
            "emotion_ratings",
            [
                {
                    "participant": "P1",
                    "note": "note-1",
                    "score": 6,
                    "rated_at": "2026-01-01T10:00:00Z",
                },
            ],
        ),
        "invalid",
    ),
]


@pytest.mark.parametrize(("change", "reason"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_documents_are_refused_with_nothing_written(
    session, small, importer, change, reason
):
    document = copy.deepcopy(small)
    transfer.import_workshop(session, copy.deepcopy(small), importer)  # the original is fine
    session.rollback()
    before = row_counts(session)
    change(document)
    with pytest.raises(InvalidWorkshopFile) as refused:
        transfer.import_workshop(session, document, importer)
    assert refused.value.reason == reason
    session.rollback()
    assert row_counts(session) == before


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not_json"),
        (b"\xff\xfe not text", "not_json"),
        (b"{'format': 'cjm-workshop'}", "not_json"),
        (b"[" * 100_000 + b"]" * 100_000, "not_json"),  # nested far too deep
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "not_json"),
        (b"[]", "format"),
        (b'"cjm-workshop"', "format"),
        (b'{"format": "cjm-workshop", "version": "1"}', "version"),
        (b" " * (transfer.MAX_DOCUMENT_BYTES + 1), "too_large"),
    ],
)
def test_files_that_are_no_document_are_refused(session, importer, raw, reason):
    before = row_counts(session)
    with pytest.raises(InvalidWorkshopFile) as refused:
        transfer.import_workshop(session, raw, importer)
    assert refused.value.reason == reason
    assert refused.value.status == (413 if reason == "too_large" else 400)
    session.rollback()
    assert row_counts(session) == before


def test_the_where_of_a_refusal_points_into_the_file(session, small, importer):
    document = copy.deepcopy(small)
    document["notes"][1]["stage"] = "stage-99"
    with pytest.raises(InvalidWorkshopFile) as refused:
        transfer.import_workshop(session, document, importer)
    assert refused.value.params == {"where": "notes[1].stage", "value": "stage-99"}
    document["notes"][1]["stage"] = None
    document["notes"][1]["text"] = "x" * 300
    with pytest.raises(InvalidWorkshopFile) as refused:
        transfer.import_workshop(session, document, importer)
    assert refused.value.params == {"where": "notes[1].text", "limit": 280}


def test_a_failure_while_writing_leaves_nothing_behind(session, small, importer, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    before = row_counts(session)

    inserted = transfer._inserted

    def conflict(session, model, rows, **options):
        if model is transfer.ActionItem:  # the last rows, after the notes and dots
            raise IntegrityError("INSERT", {}, Exception("simulated"))
        return inserted(session, model, rows, **options)

    monkeypatch.setattr(transfer, "_inserted", conflict)
    with pytest.raises(InvalidWorkshopFile) as refused:
        transfer.import_workshop(session, small, importer)
    assert refused.value.reason == "conflict"
    session.commit()  # what the caller would commit holds nothing of the import
    assert row_counts(session) == before


def test_an_import_is_written_in_parts_that_nobody_sees_until_the_last(
    app, session, rich, importer, monkeypatch
):
    monkeypatch.setattr(transfer, "IMPORT_PART_ROWS", 2)
    seen: list[bool] = []  # at each commit of the import: was the new workshop in sight?

    def look(_session) -> None:
        with Session(db.engine) as other:
            codes = other.scalars(select(Workshop.join_code).where(Workshop.importing)).all()
            for code in codes:
                try:
                    joining.find_workshop(other, code)
                except WorkshopNotFound:
                    seen.append(False)
                else:
                    seen.append(True)

    document = transfer.export_workshop(session, rich)
    event.listen(session, "after_commit", look)
    try:
        copied = transfer.import_workshop(session, document, importer)
    finally:
        event.remove(session, "after_commit", look)
    assert len(seen) >= 8  # participants, notes, links, ratings, dots and actions in parts
    assert not any(seen)
    assert joining.find_workshop(session, copied.join_code).id == copied.id
    assert transfer.export_workshop(session, copied) == document


def test_a_failed_import_deletes_its_parts(session, small, importer, monkeypatch):
    def died(*_args, **_kwargs):
        raise KeyboardInterrupt

    before = row_counts(session)
    monkeypatch.setattr(transfer._Prepared, "_insert", died)  # after the workshop's part
    with pytest.raises(KeyboardInterrupt):
        transfer.import_workshop(session, small, importer)
    assert row_counts(session) == before


def test_an_abandoned_import_is_deleted_by_the_next(make, session, small, importer):
    # What an import's process leaves behind when it is killed half-way: no one cleans up.
    old, recent = make.workshop(), make.workshop()
    for workshop, age in ((old, transfer.UNFINISHED_IMPORT_HOURS * 60 + 1), (recent, 5)):
        session.execute(
            update(Workshop)
            .where(Workshop.id == workshop.id)
            .values(importing=True, created_at=utcnow() - timedelta(minutes=age))
        )
    session.commit()
    transfer.import_workshop(session, small, importer)
    left = session.scalars(select(Workshop.id).where(Workshop.importing)).all()
    assert left == [recent.id]
    assert session.get(Workshop, old.id) is None


def test_gaps_in_a_cell_close_and_the_order_stays(session, small, importer):
    document = copy.deepcopy(small)
    stage = document["notes"][0]["stage"]
    for number, position in enumerate((7, 3)):
        document["notes"].append(
            {
                "key": f"extra-{number}",
                "kind": "touchpoint",
                "step": "touchpoints",
                "text": f"Extra {number}",
                "stage": stage,
                "channel": "app",
                "position": position,
            }
        )
    copied = transfer.import_workshop(session, document, importer)
    cell = journey_map.cell_notes(
        session, copied.id, (journey_map.LaneKind.TOUCHPOINT, copied.stages[0].id)
    )
    assert [(n.text, n.position) for n in cell] == [("Website", 0), ("Extra 1", 1), ("Extra 0", 2)]


def test_rating_times_keep_their_moment(session, small, importer):
    document = copy.deepcopy(small)
    document["emotion_ratings"] = [
        {"participant": "P1", "note": "note-1", "score": 2, "rated_at": "2026-05-01T12:00:00+02:00"}
    ]
    copied = transfer.import_workshop(session, document, importer)
    exported = transfer.export_workshop(session, copied)
    assert exported["emotion_ratings"][0]["rated_at"] == "2026-05-01T10:00:00.000000Z"
    assert datetime.fromisoformat(exported["emotion_ratings"][0]["rated_at"]) == datetime(
        2026, 5, 1, 10, tzinfo=UTC
    )


def test_a_closed_workshop_comes_back_closed_and_can_be_reopened(session, small, importer):
    document = copy.deepcopy(small)
    document["workshop"]["status"] = "closed"
    document["voting_rounds"][0]["status"] = "closed"
    copied = transfer.import_workshop(session, document, importer)
    assert copied.status is WorkshopStatus.CLOSED
    workshops.change_status(session, copied, WorkshopStatus.LIVE)
    newcomer = joining.join(session, copied, "P1", join_key=None)
    assert newcomer.display_name == "P1 2"  # the pseudonyms are taken like any name


def test_a_long_chain_of_merges_is_accepted_and_a_circle_at_its_end_refused(small):
    document = copy.deepcopy(small)
    first = document["notes"][0]
    chain = [
        first | {"key": f"chain-{n}", "position": n, "merged_into": f"chain-{n + 1}"}
        for n in range(3000)
    ]
    chain[-1]["merged_into"] = None
    document["notes"] = [*document["notes"], *chain]
    transfer.read_document(copy.deepcopy(document))
    chain[-1]["merged_into"] = "chain-1500"
    with pytest.raises(InvalidWorkshopFile) as refused:
        transfer.read_document(document)
    assert refused.value.reason == "merge_circle"


def test_a_version_1_file_is_still_read(session, rich, importer):
    """Files written before "not duplicates" came into the document (version 2)."""
    document = transfer.export_workshop(session, rich)
    older = copy.deepcopy(document) | {"version": 1}
    del older["not_duplicates"]
    copied = transfer.import_workshop(session, older, importer)
    assert transfer.export_workshop(session, copied) == document | {"not_duplicates": []}


def test_not_duplicates_come_back_and_stay_dismissed(session, rich, importer):
    copied = transfer.import_workshop(session, transfer.export_workshop(session, rich), importer)
    texts = [
        sorted(note.text for note in group) for group in duplicates.suggestions(session, copied)
    ]
    assert texts == [
        sorted(note.text for note in group) for group in duplicates.suggestions(session, rich)
    ]
    pair = session.scalars(select(DismissedDuplicate).filter_by(workshop_id=copied.id)).one()
    assert {session.get(Note, pair.note_id).text, session.get(Note, pair.other_note_id).text} == {
        "App",
        "Pain 0",
    }
