"""Domain tests: a workshop cloned as the next version of its journey, and its versions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cjm_workshop.models import (
    ActionItem,
    DismissedDuplicate,
    EmotionRating,
    Facilitator,
    Lane,
    LaneKind,
    Note,
    NoteKind,
    Participant,
    Role,
    Step,
    VotingRound,
    Workshop,
    WorkshopStatus,
)
from cjm_workshop.services import (
    duplicates,
    emotions,
    journey_map,
    notes,
    sharing,
    versions,
    workshops,
)
from cjm_workshop.services.sharing import Access
from cjm_workshop.services.workshops import PersonaFields


@pytest.fixture
def held(make):
    """A workshop that was run: two personas, arranged lanes, linked notes (one hidden, one
    merged, one private and never revealed), ratings, dots and an action."""
    owner = make.facilitator("owner@example.org")
    record = make.workshop(owner, personas=2, title="Booking", anonymous=True)
    anna, bob = make.participant(record, "Anna"), make.participant(record, "Bob")
    first, second = record.stage_ids[:2]
    hidden = make.note(record, None, "Hidden insight")
    insight = make.note(record, anna, "Patients call", persona=record.persona_ids[1])
    website = make.note(record, anna, "Website", kind="touchpoint", stage=first)
    app = make.note(record, bob, "App", kind="touchpoint", stage=first)
    desk = make.note(record, None, "Front desk", kind="touchpoint", stage=second)
    duplicate = make.note(record, bob, "Site", kind="touchpoint", stage=first)
    pain = make.note(record, anna, "No free slots", kind="pain_point", touchpoint=duplicate)
    ratings = {(anna.id, website): 2, (bob.id, website): 4, (anna.id, desk): 5}
    make.ratings(record, ratings)
    make.dots(record, {anna.id: [pain, pain], bob.id: [pain]})
    idea = make.note(record, bob, "Show slots", kind="opportunity", pain_point=pain)
    make.action(record, "Show free slots", source=pain)
    return (
        make,
        owner,
        record,
        {
            "website": website,
            "app": app,
            "desk": desk,
            "hidden": hidden,
            "insight": insight,
            "duplicate": duplicate,
            "pain": pain,
            "idea": idea,
        },
    )


def arrange(session, record, ids):
    """Hide a note, merge a duplicate, move a lane and hide another, write privately."""
    workshop = session.get(Workshop, record.id)
    notes.set_hidden(session, session.get(Note, ids["hidden"]), True)
    journey_map.merge(
        session, workshop, session.get(Note, ids["website"]), [session.get(Note, ids["duplicate"])]
    )
    lanes = {lane.kind: lane for lane in workshop.lanes}
    journey_map.move_lane(session, workshop, lanes[LaneKind.INSIGHT], 0)
    journey_map.set_lane_hidden(session, workshop, lanes[LaneKind.ACTION], True)
    notes.set_private(session, workshop, Step.VISUALIZE, True)  # a step of its own
    secret = Note(
        workshop_id=workshop.id,
        kind=NoteKind.OPPORTUNITY,
        step=Step.VISUALIZE,
        text="Never revealed",
        idempotency_key="secret",
    )
    session.add(secret)
    session.flush()
    return workshop


def count(session, model, workshop_id):
    query = select(func.count()).select_from(model).where(model.workshop_id == workshop_id)
    return session.scalar(query)


def test_a_version_copies_the_brief_personas_stages_and_lanes(session, held):
    make, owner, record, ids = held
    colleague_id = make.facilitator("colleague@example.org").id
    workshop = arrange(session, record, ids)
    colleague = session.get(Facilitator, colleague_id)
    copy = versions.clone(session, workshop, colleague)
    assert copy.facilitator_id == colleague.id
    assert (copy.title, copy.journey, copy.goal, copy.language) == (
        workshop.title,
        workshop.journey,
        workshop.goal,
        workshop.language,
    )
    assert (copy.dots_per_participant, copy.anonymous) == (5, True)
    assert [(p.position, p.name, p.description) for p in copy.personas] == [
        (p.position, p.name, p.description) for p in workshop.personas
    ]
    assert [s.name for s in copy.stages] == [s.name for s in workshop.stages]
    assert {s.id for s in copy.stages}.isdisjoint(record.stage_ids)
    lanes = lambda w: [(lane.kind, lane.hidden) for lane in w.lanes]  # noqa: E731
    assert lanes(copy) == lanes(workshop)
    assert lanes(copy)[0] == (LaneKind.INSIGHT, False)
    assert (LaneKind.ACTION, True) in lanes(copy)
    # a new workshop to run: its own code and token, a draft at the first step
    assert copy.join_code != workshop.join_code and copy.join_token != workshop.join_token
    assert (copy.status, copy.current_step) == (WorkshopStatus.DRAFT, Step.SCOPE)
    assert {s.step for s in copy.steps} == set(Step)
    assert (copy.journey_key, copy.version, copy.previous_version_id) == (
        workshop.journey_key,
        2,
        workshop.id,
    )
    for model in (Note, Participant, EmotionRating, VotingRound, ActionItem):
        assert count(session, model, copy.id) == 0, model


def test_a_version_with_notes_copies_what_the_room_saw_with_links_and_places(session, held):
    make, owner, record, ids = held
    workshop = arrange(session, record, ids)
    # "Not duplicates", said of two notes the room saw and of one it did not see
    get = session.get
    duplicates.dismiss_group(session, workshop, [get(Note, ids["app"]), get(Note, ids["desk"])])
    duplicates.dismiss_group(
        session, workshop, [get(Note, ids["hidden"]), get(Note, ids["insight"])]
    )
    before = journey_map.load_map(session, workshop, room=True)
    copy = versions.clone(session, workshop, workshop.facilitator, with_notes=True)
    after = journey_map.load_map(session, copy, room=True)
    stage_names = {s.id: s.name for s in workshop.stages} | {s.id: s.name for s in copy.stages}

    def cells(journey):
        return {
            (lane, stage_names.get(stage)): [n.text for n in found]
            for (lane, stage), found in journey.cells.items()
        }

    assert cells(after) == cells(before)
    copied = {
        note.text: note for note in session.scalars(select(Note).filter_by(workshop_id=copy.id))
    }
    assert set(copied) == {
        "Website",
        "App",
        "Front desk",
        "Patients call",
        "No free slots",
        "Show slots",
    }
    for cell in after.cells.values():  # dense places from 0 in every cell
        assert [note.position for note in cell] == list(range(len(cell)))
    assert copied["Show slots"].pain_point_id == copied["No free slots"].id
    # the pain point named the duplicate merged into "Website": it names the copy of that
    assert copied["No free slots"].touchpoint_id == copied["Website"].id
    assert copied["Patients call"].persona_id == copy.personas[1].id
    assert copied["Website"].channel is not None and copied["Patients call"].source is not None
    dismissed = session.scalars(select(DismissedDuplicate).filter_by(workshop_id=copy.id)).all()
    assert [{pair.note_id, pair.other_note_id} for pair in dismissed] == [
        {copied["App"].id, copied["Front desk"].id}
    ]
    for note in copied.values():
        assert (note.author_id, note.by_facilitator, note.hidden) == (None, True, False)
        assert note.merged_into_id is None
    # nobody's ratings, dots or actions come along; the first version keeps its own
    for model in (Participant, EmotionRating, VotingRound, ActionItem):
        assert count(session, model, copy.id) == 0, model
    assert count(session, EmotionRating, workshop.id) == 3
    assert emotions.curve(session, copy, journey_map.room_notes(session, copy, NoteKind.TOUCHPOINT))


def test_versions_are_numbered_and_listed_for_who_may_see_them(session, make):
    owner = make.facilitator("owner@example.org")
    organizer = make.facilitator("organizer@example.org")
    stranger = make.facilitator()
    records = make.workshop(owner), make.workshop(owner)
    first, other_journey = (session.get(Workshop, record.id) for record in records)
    second = versions.clone(session, first, first.facilitator)
    third = versions.clone(session, first, first.facilitator)  # from the first again: next number
    session.commit()
    assert [w.version for w in (first, second, third)] == [1, 2, 3]
    assert third.previous_version_id == first.id
    assert versions.versions_of(session, second, owner.id) == [
        (first, Access.OWNER),
        (second, Access.OWNER),
        (third, Access.OWNER),
    ]
    assert versions.versions_of(session, other_journey, owner.id) == [(other_journey, Access.OWNER)]
    sharing.share(session, third, organizer.email, Role.ORGANIZER)
    assert versions.versions_of(session, first, organizer.id) == [(third, Access.ORGANIZER)]
    assert versions.versions_of(session, first, stranger.id) == []


def test_deleting_a_middle_version_keeps_the_others_together(session, make):
    owner = make.facilitator("owner@example.org")
    first = session.get(Workshop, make.workshop(owner).id)
    second = versions.clone(session, first, first.facilitator)
    third = versions.clone(session, second, first.facilitator)
    session.commit()
    workshops.delete_workshop(session, second)
    session.commit()
    session.refresh(third)
    assert third.previous_version_id is None
    assert [w.version for w, _ in versions.versions_of(session, first, owner.id)] == [1, 3]
    fourth = versions.clone(session, third, first.facilitator)
    assert fourth.version == 4
    workshops.delete_workshop(session, first)
    session.commit()
    assert [w.version for w, _ in versions.versions_of(session, fourth, owner.id)] == [3, 4]


def test_a_version_keeps_lanes_in_order_and_new_personas_apart(session, make):
    owner = make.facilitator()
    first = session.get(Workshop, make.workshop(owner).id)
    second = versions.clone(session, first, first.facilitator)
    workshops.add_persona(session, second, PersonaFields(name="Only in version 2"))
    session.commit()
    assert [p.name for p in first.personas] == ["Fatima"]
    positions = session.scalars(select(Lane.position).filter_by(workshop_id=second.id))
    assert sorted(positions) == list(range(len(first.lanes)))


def test_the_figures_of_a_version(session, held):
    make, owner, record, ids = held
    workshop = session.get(Workshop, record.id)
    touchpoints = journey_map.room_notes(session, workshop, NoteKind.TOUCHPOINT)
    found = versions.figures(session, workshop, emotions.curve(session, workshop, touchpoints))
    assert (found.participants, found.notes, found.touchpoints, found.pain_points) == (2, 8, 4, 1)
    assert found.ratings == 3
    assert found.average_emotion == pytest.approx((2 + 4 + 5) / 3)


def test_top_pain_points_are_followed_by_their_words(session, make):
    record = make.workshop()
    ids = [
        make.note(record, None, text, kind="pain_point")
        for text in ("On hold  for ages", "No slots", "Too late", "on hold for ages", "No slots")
    ]
    on_hold, slots, late, on_hold_again, slots_again = (session.get(Note, n) for n in ids)
    earlier = versions.continuity(
        [on_hold, slots], [on_hold_again], [on_hold_again, slots_again], later=False
    )
    assert earlier == {on_hold.id: versions.Continuity.BOTH_TOPS}
    later = versions.continuity(
        [on_hold_again, late, slots_again], [on_hold], [on_hold, slots], later=True
    )
    assert later == {
        on_hold_again.id: versions.Continuity.BOTH_TOPS,
        late.id: versions.Continuity.NEW,
    }
