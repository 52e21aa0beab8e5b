"""Domain tests: notes by role and step state, idempotency, private writing and anonymity."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cjm_workshop.models import (
    Channel,
    Note,
    NoteKind,
    Participant,
    ResearchSource,
    Step,
    Workshop,
    WorkshopStatus,
)
from cjm_workshop.services import notes, steps
from cjm_workshop.services.errors import (
    IdempotencyConflict,
    IdempotencyKeyReused,
    InvalidNote,
    NotYourNote,
    StepClosed,
    WorkshopClosed,
)
from cjm_workshop.services.notes import NoteFields
from cjm_workshop.services.workshops import change_status
from tests.factories import live_events


@pytest.fixture
def records(make):
    workshop = make.workshop(personas=2)
    other = make.workshop()
    return workshop, other, make.participant(workshop, "Anna"), make.participant(workshop, "Bob")


@pytest.fixture
def room(session, records):
    workshop_record, other_record, anna, bob = records
    workshop = session.get(Workshop, workshop_record.id)
    steps.go_to_step(session, workshop, Step.RESEARCH)
    return (
        workshop,
        session.get(Workshop, other_record.id),
        session.get(Participant, anna.id),
        session.get(Participant, bob.id),
    )


def insight(text="Patients call because the website shows no free slots", **extra):
    return NoteFields(kind=NoteKind.INSIGHT, text=text, source=ResearchSource.INTERVIEW, **extra)


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Note))


def test_a_participant_adds_a_note_to_the_open_step(session, room):
    workshop, _, anna, _ = room
    before = live_events(session, workshop)
    note = notes.add_note(
        session, workshop, insight(stage_id=workshop.stages[0].id), "k1", participant=anna
    )
    assert (note.kind, note.step, note.author_id, note.by_facilitator) == (
        NoteKind.INSIGHT,
        Step.RESEARCH,
        anna.id,
        False,
    )
    assert note.stage_id == workshop.stages[0].id
    assert live_events(session, workshop) == [*before, ("note", note.id)]


def test_the_same_key_twice_makes_one_note(session, room):
    workshop, _, anna, bob = room
    first = notes.add_note(session, workshop, insight(), "same-key", participant=anna)
    again = notes.add_note(session, workshop, insight(), "same-key", participant=anna)
    assert again.id == first.id
    assert count(session) == 1
    with pytest.raises(IdempotencyKeyReused):  # the same key must carry the same note
        notes.add_note(session, workshop, insight("changed on retry"), "same-key", participant=anna)
    assert count(session) == 1
    with pytest.raises(IdempotencyConflict):
        notes.add_note(session, workshop, insight(), "same-key", participant=bob)
    assert count(session) == 1


def test_a_retry_after_the_step_closed_gets_the_saved_note(session, room):
    workshop, _, anna, _ = room
    first = notes.add_note(session, workshop, insight(), "sent-once", participant=anna)
    steps.set_contributions(session, workshop, Step.RESEARCH, False)
    again = notes.add_note(session, workshop, insight(), "sent-once", participant=anna)
    assert again.id == first.id  # the phone's retry hears "saved", not "closed"
    with pytest.raises(StepClosed):
        notes.add_note(session, workshop, insight(), "never-sent", participant=anna)
    assert count(session) == 1


def test_notes_go_only_to_the_current_open_step(session, room):
    workshop, _, anna, _ = room
    touchpoint = NoteFields(
        kind=NoteKind.TOUCHPOINT,
        text="Booking page",
        channel=Channel.WEBSITE,
        stage_id=workshop.stages[0].id,
    )
    with pytest.raises(StepClosed):
        notes.add_note(session, workshop, touchpoint, "k1", participant=anna)
    steps.set_contributions(session, workshop, Step.RESEARCH, False)
    with pytest.raises(StepClosed):
        notes.add_note(session, workshop, insight(), "k2", participant=anna)
    assert count(session) == 0
    # The facilitator adds notes for the room (proxy) in any step.
    proxy = notes.add_note(session, workshop, touchpoint, "k3")
    assert proxy.by_facilitator and proxy.author_id is None and proxy.step is Step.TOUCHPOINTS


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (NoteFields(kind=NoteKind.INSIGHT, text="   ", source=ResearchSource.SURVEY), "empty"),
        (
            NoteFields(kind=NoteKind.INSIGHT, text="x" * 281, source=ResearchSource.SURVEY),
            "too_long",
        ),
        (NoteFields(kind=NoteKind.INSIGHT, text="No source"), "source_required"),
    ],
)
def test_bad_notes_are_refused_and_nothing_is_written(session, room, fields, reason):
    workshop, _, anna, _ = room
    with pytest.raises(InvalidNote) as refused:
        notes.add_note(session, workshop, fields, "k", participant=anna)
    assert refused.value.reason == reason
    assert count(session) == 0


def test_stages_personas_and_links_must_belong_to_the_workshop(session, room):
    workshop, other, anna, _ = room
    with pytest.raises(InvalidNote, match="unknown_stage"):
        notes.add_note(
            session, workshop, insight(stage_id=other.stages[0].id), "a", participant=anna
        )
    with pytest.raises(InvalidNote, match="unknown_stage"):
        notes.add_note(session, workshop, insight(stage_id=999_999), "b", participant=anna)
    with pytest.raises(InvalidNote, match="unknown_persona"):
        notes.add_note(
            session, workshop, insight(persona_id=other.personas[0].id), "c", participant=anna
        )
    assert count(session) == 0
    steps.go_to_step(session, workshop, Step.EMOTIONS)
    research_note = notes.add_note(session, workshop, insight(), "d")
    pain = NoteFields(
        kind=NoteKind.PAIN_POINT,
        text="No free slots",
        stage_id=workshop.stages[1].id,
        touchpoint_id=research_note.id,
    )
    with pytest.raises(InvalidNote, match="unknown_touchpoint"):
        notes.add_note(session, workshop, pain, "e", participant=anna)
    no_stage = NoteFields(kind=NoteKind.PAIN_POINT, text="No free slots")
    with pytest.raises(InvalidNote, match="stage_required"):
        notes.add_note(session, workshop, no_stage, "f", participant=anna)


def test_pain_points_link_touchpoints_and_opportunities_link_pain_points(session, room):
    workshop, _, anna, _ = room
    stage = workshop.stages[2].id
    touchpoint = notes.add_note(
        session,
        workshop,
        NoteFields(
            kind=NoteKind.TOUCHPOINT, text="Booking form", channel=Channel.WEBSITE, stage_id=stage
        ),
        "t",
    )
    steps.go_to_step(session, workshop, Step.EMOTIONS)
    pain = notes.add_note(
        session,
        workshop,
        NoteFields(
            kind=NoteKind.PAIN_POINT,
            text="Form loses input",
            stage_id=stage,
            touchpoint_id=touchpoint.id,
        ),
        "p",
        participant=anna,
    )
    steps.go_to_step(session, workshop, Step.ACTIONS)
    idea = notes.add_note(
        session,
        workshop,
        NoteFields(kind=NoteKind.OPPORTUNITY, text="Autosave the form", pain_point_id=pain.id),
        "o",
        participant=anna,
    )
    assert pain.touchpoint_id == touchpoint.id
    assert idea.pain_point_id == pain.id


def test_participants_change_only_their_own_notes_while_the_step_is_open(session, room):
    workshop, _, anna, bob = room
    note = notes.add_note(session, workshop, insight(), "k", participant=anna)
    with pytest.raises(NotYourNote):
        notes.edit_note(session, note, insight("Bob was here"), participant=bob)
    with pytest.raises(NotYourNote):
        notes.delete_note(session, note, participant=bob)
    notes.edit_note(session, note, insight("Sharper wording"), participant=anna)
    assert note.text == "Sharper wording"
    steps.go_to_step(session, workshop, Step.TOUCHPOINTS)
    with pytest.raises(StepClosed):
        notes.edit_note(session, note, insight("Too late"), participant=anna)
    with pytest.raises(StepClosed):
        notes.delete_note(session, note, participant=anna)
    # The facilitator may, at any time.
    notes.edit_note(session, note, insight("Edited by the facilitator"))
    notes.set_hidden(session, note, True)
    assert note.hidden
    notes.delete_note(session, note)
    assert count(session) == 0


def test_a_closed_workshop_takes_no_notes(session, room):
    workshop, _, anna, _ = room
    mine = notes.add_note(session, workshop, insight(), "first", participant=anna)
    change_status(session, workshop, WorkshopStatus.CLOSED)
    with pytest.raises(WorkshopClosed):  # the real reason, not that the step moved on
        notes.add_note(session, workshop, insight(), "a", participant=anna)
    with pytest.raises(WorkshopClosed):
        notes.add_note(session, workshop, insight(), "b")
    with pytest.raises(WorkshopClosed):
        notes.edit_note(session, mine, insight("Changed"), participant=anna)


def test_private_writing_until_reveal(session, room):
    workshop, _, anna, bob = room
    notes.set_private(session, workshop, Step.RESEARCH, True)
    mine = notes.add_note(session, workshop, insight("Anna's"), "a", participant=anna)
    assert notes.can_see(mine, anna)
    assert notes.can_see(mine, None)  # the facilitator
    assert not notes.can_see(mine, bob)
    assert notes.notes_for(session, workshop, bob) == []
    notes.reveal(session, workshop, Step.RESEARCH)
    assert notes.notes_for(session, workshop, bob) == [mine]


def test_hidden_notes_are_gone_for_everyone_but_the_author_and_facilitator(session, room):
    workshop, _, anna, bob = room
    mine = notes.add_note(session, workshop, insight(), "a", participant=anna)
    notes.set_hidden(session, mine, True)
    assert notes.notes_for(session, workshop, bob) == []
    assert notes.notes_for(session, workshop, anna) == [mine]
    assert notes.notes_for(session, workshop) == [mine]


def test_anonymity_hides_authors_from_participants_only(session, room):
    workshop, _, anna, _ = room
    assert notes.shows_author(workshop, anna)
    workshop.anonymous = True
    assert not notes.shows_author(workshop, anna)
    assert notes.shows_author(workshop, None)


def test_contributors_are_counted_per_step(session, room):
    workshop, _, anna, bob = room
    notes.add_note(session, workshop, insight(), "a", participant=anna)
    notes.add_note(session, workshop, insight("two"), "b", participant=anna)
    notes.add_note(session, workshop, insight("proxy"), "c")
    assert notes.contributor_ids(session, workshop, Step.RESEARCH) == {anna.id}
    assert notes.contributor_ids(session, workshop, Step.TOUCHPOINTS) == set()


def test_an_opportunity_takes_the_stage_of_the_pain_point_it_answers(session, make):
    record = make.workshop()
    anna = make.participant(record)
    third = record.stage_ids[2]
    pain = make.note(record, anna, "On hold for 20 minutes", kind="pain_point", stage=third)
    answered = make.note(record, anna, "A call-back button", kind="opportunity", pain_point=pain)
    chosen = make.note(
        record,
        anna,
        "Show free slots on the site",
        kind="opportunity",
        pain_point=pain,
        stage=record.stage_ids[0],
    )
    loose = make.note(record, anna, "Evening hours", kind="opportunity")
    assert session.get(Note, answered).stage_id == third  # where it hurts
    assert session.get(Note, chosen).stage_id == record.stage_ids[0]  # where it was put
    assert session.get(Note, loose).stage_id is None  # answers nothing: no stage yet
