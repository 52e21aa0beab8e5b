"""Domain tests: the journey map's cells, moves, lanes, merges and what the room sees."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cjm_workshop.models import (
    Channel,
    LaneKind,
    Note,
    NoteKind,
    Participant,
    ResearchSource,
    Step,
    Workshop,
)
from cjm_workshop.services import journey_map, notes, steps, workshops
from cjm_workshop.services import room as room_rules
from cjm_workshop.services.errors import InvalidMove, MergeRefused
from tests.factories import live_events

TP, CA, INS = LaneKind.TOUCHPOINT, LaneKind.CUSTOMER_ACTION, LaneKind.INSIGHT


@pytest.fixture
def room(make):
    """A workshop (five stages) with three touchpoints in stage 1, one in stage 2, two
    customer actions in stage 1 and an insight without a stage; Anna and Bob wrote some."""
    workshop = make.workshop(personas=2)
    anna, bob = make.participant(workshop, "Anna"), make.participant(workshop, "Bob")
    first, second = workshop.stage_ids[:2]
    ids = {
        "tp1": make.note(workshop, anna, "Website", kind="touchpoint", stage=first),
        "tp2": make.note(workshop, bob, "Web site", kind="touchpoint", stage=first),
        "tp3": make.note(workshop, None, "Phone call", kind="touchpoint", stage=first),
        "tp4": make.note(workshop, anna, "Reminder e-mail", kind="touchpoint", stage=second),
        "ca1": make.note(workshop, bob, "Looks for a dentist", kind="customer_action"),
        "ca2": make.note(workshop, anna, "Asks friends", kind="customer_action"),
        "ins": make.note(workshop, bob, "People call at 8 o'clock", kind="insight"),
    }
    return workshop, ids


def texts(session, workshop, lane, stage_id) -> list[str]:
    return [n.text for n in journey_map.cell_notes(session, workshop.id, (lane, stage_id))]


def assert_dense(session, workshop_id: int) -> None:
    """Every cell's positions run 0..n-1 without a repeat (merged notes aside)."""
    cells = defaultdict(list)
    for note in session.scalars(select(Note).where(Note.workshop_id == workshop_id)):
        if note.merged_into_id is None:
            cells[journey_map.cell_of(note)].append(note.position)
    for cell, positions in cells.items():
        assert sorted(positions) == list(range(len(positions))), cell


def test_a_new_workshop_has_the_six_lanes_in_order(session, make):
    workshop = session.get(Workshop, make.workshop().id)
    assert [lane.kind for lane in workshop.lanes] == [
        LaneKind.CUSTOMER_ACTION,
        LaneKind.TOUCHPOINT,
        LaneKind.INSIGHT,
        LaneKind.PAIN_POINT,
        LaneKind.OPPORTUNITY,
        LaneKind.ACTION,
    ]
    assert not any(lane.hidden for lane in workshop.lanes)


def test_new_notes_go_to_the_end_of_their_cells(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first = record.stage_ids[0]
    assert texts(session, workshop, TP, first) == ["Website", "Web site", "Phone call"]
    assert [session.get(Note, ids[k]).position for k in ("tp1", "tp2", "tp3", "tp4")] == [
        0,
        1,
        2,
        0,
    ]
    assert_dense(session, workshop.id)


def test_moving_a_note_to_another_stage_places_it_and_closes_the_gap(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first, second = record.stage_ids[:2]
    before = len(live_events(session, workshop))
    note = session.get(Note, ids["tp2"])
    journey_map.move_note(session, workshop, note, lane=TP, stage_id=second, index=0)
    session.commit()
    assert texts(session, workshop, TP, first) == ["Website", "Phone call"]
    assert texts(session, workshop, TP, second) == ["Web site", "Reminder e-mail"]
    assert_dense(session, workshop.id)
    assert live_events(session, workshop)[before:] == [("map", ids["tp2"])]


def test_reordering_within_a_cell(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first = record.stage_ids[0]
    note = session.get(Note, ids["tp3"])
    journey_map.move_note(session, workshop, note, lane=TP, stage_id=first, index=0)
    assert texts(session, workshop, TP, first) == ["Phone call", "Website", "Web site"]
    journey_map.move_note(session, workshop, note, lane=TP, stage_id=first, index=2)
    assert texts(session, workshop, TP, first) == ["Website", "Web site", "Phone call"]
    assert_dense(session, workshop.id)


def test_the_buttons_move_a_note_left_right_up_and_down(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first, second = record.stage_ids[:2]
    note = session.get(Note, ids["tp2"])
    journey_map.nudge(session, workshop, note, "up")
    assert texts(session, workshop, TP, first) == ["Web site", "Website", "Phone call"]
    journey_map.nudge(session, workshop, note, "down")
    assert texts(session, workshop, TP, first) == ["Website", "Web site", "Phone call"]
    journey_map.nudge(session, workshop, note, "right")
    assert texts(session, workshop, TP, second) == ["Reminder e-mail", "Web site"]
    journey_map.nudge(session, workshop, note, "left")
    assert texts(session, workshop, TP, first) == ["Website", "Phone call", "Web site"]
    assert_dense(session, workshop.id)


@pytest.mark.parametrize(
    ("key", "direction"),
    [("tp1", "left"), ("tp1", "up"), ("tp3", "down"), ("ins", "right")],
)
def test_moves_past_the_edge_of_the_map_are_refused(session, room, key, direction):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    note = session.get(Note, ids[key])
    place = (note.stage_id, note.position)
    with pytest.raises(InvalidMove):
        journey_map.nudge(session, workshop, note, direction)
    session.rollback()
    note = session.get(Note, ids[key])
    assert (note.stage_id, note.position) == place


def test_a_note_without_a_stage_moves_left_into_the_last_stage(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    note = session.get(Note, ids["ins"])
    journey_map.nudge(session, workshop, note, "left")
    assert note.stage_id == record.stage_ids[-1]


def test_moving_to_another_lane_changes_the_kind_of_note(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first = record.stage_ids[0]
    steps.go_to_step(session, workshop, Step.EMOTIONS)
    pain = notes.add_note(
        session,
        workshop,
        notes.NoteFields(
            NoteKind.PAIN_POINT, "No slots online", stage_id=first, touchpoint_id=ids["tp1"]
        ),
        "pain-1",
    )
    touchpoint = session.get(Note, ids["tp1"])
    journey_map.move_note(session, workshop, touchpoint, lane=CA, stage_id=first, index=0)
    assert touchpoint.kind is NoteKind.CUSTOMER_ACTION and touchpoint.channel is None
    session.refresh(pain)
    assert pain.touchpoint_id is None  # it was linked to a touchpoint that is none any more
    assert texts(session, workshop, CA, first) == ["Website", "Looks for a dentist", "Asks friends"]
    insight = session.get(Note, ids["ins"])
    journey_map.move_note(session, workshop, insight, lane=TP, stage_id=first)
    assert insight.kind is NoteKind.TOUCHPOINT
    assert insight.channel is Channel.OTHER and insight.source is None
    journey_map.move_note(session, workshop, insight, lane=INS, stage_id=None)
    assert insight.source is ResearchSource.OTHER and insight.stage_id is None
    assert_dense(session, workshop.id)


def test_impossible_moves_are_refused_and_change_nothing(session, room, make):
    record, ids = room
    other = make.workshop()
    workshop = session.get(Workshop, record.id)
    note = session.get(Note, ids["tp1"])
    first = record.stage_ids[0]
    refused = [
        dict(lane=TP, stage_id=other.stage_ids[0]),  # a stage of another workshop
        dict(lane=TP, stage_id=first, index=3),  # past the end (3 with it, 2 without)
        dict(lane=TP, stage_id=first, index=-1),
        dict(lane=LaneKind.ACTION, stage_id=first),  # actions are not notes
        dict(lane=TP, stage_id=None),  # a touchpoint needs a stage
        dict(lane=TP, stage_id=999_999),
    ]
    for move in refused:
        with pytest.raises(InvalidMove):
            journey_map.move_note(session, workshop, note, **move)
        session.rollback()
    assert texts(session, workshop, TP, first) == ["Website", "Web site", "Phone call"]
    foreign = session.get(Workshop, other.id)
    with pytest.raises(InvalidMove):
        journey_map.move_note(session, foreign, note, lane=TP, stage_id=other.stage_ids[0])


def test_merging_keeps_every_author_and_closes_the_gaps(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first, second = record.stage_ids[:2]
    keep, dup, other_cell = (session.get(Note, ids[k]) for k in ("tp1", "tp2", "tp4"))
    journey_map.merge(session, workshop, keep, [dup, other_cell, dup])
    session.commit()
    assert texts(session, workshop, TP, first) == ["Website", "Phone call"]
    assert texts(session, workshop, TP, second) == []
    assert_dense(session, workshop.id)
    shown = journey_map.load_map(session, workshop, room=True)
    assert [n.text for n in shown.notes_in(TP, first)] == ["Website", "Phone call"]
    kept = shown.notes_in(TP, first)[0]
    assert [p.display_name for p in shown.authors(kept)] == ["Anna", "Bob"]
    assert shown.merged_count(kept) == 2
    assert not room_rules.visible_to_room(session.get(Note, ids["tp2"]))


def test_a_chain_of_merges_counts_every_note_and_undoes_one_step(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    tp1, tp2, tp3 = (session.get(Note, ids[k]) for k in ("tp1", "tp2", "tp3"))
    journey_map.merge(session, workshop, tp2, [tp1])
    journey_map.merge(session, workshop, tp3, [tp2])
    session.commit()
    shown = journey_map.load_map(session, workshop, room=False)
    kept = next(n for n in shown.notes_in(TP, record.stage_ids[0]) if n.id == tp3.id)
    assert shown.merged_count(kept) == 2
    assert [p.display_name for p in shown.authors(kept)] == ["Bob", "Anna"]
    assert [n.id for n in journey_map.unmerge(session, workshop, tp3)] == [tp2.id]
    session.commit()
    shown = journey_map.load_map(session, workshop, room=False)
    back = next(n for n in shown.notes_in(TP, record.stage_ids[0]) if n.id == tp2.id)
    assert shown.merged_count(back) == 1


def test_merge_refusals(session, room, make):
    record, ids = room
    foreign = make.note(make.workshop(), text="Elsewhere")
    workshop = session.get(Workshop, record.id)
    tp1, tp2, tp3 = (session.get(Note, ids[k]) for k in ("tp1", "tp2", "tp3"))
    cases = [
        (tp1, [tp1], "itself"),
        (tp1, [], "nothing"),
        (tp1, [session.get(Note, foreign)], "other_workshop"),
    ]
    for keep, duplicates, reason in cases:
        with pytest.raises(MergeRefused) as refused:
            journey_map.merge(session, workshop, keep, duplicates)
        assert refused.value.reason == reason
        session.rollback()
    journey_map.merge(session, workshop, tp1, [tp2])
    with pytest.raises(MergeRefused) as refused:
        journey_map.merge(session, workshop, tp3, [tp2])
    assert refused.value.reason == "already_merged"
    with pytest.raises(MergeRefused):
        journey_map.unmerge(session, workshop, tp3)  # nothing was merged into it


def test_undoing_a_merge_brings_the_duplicates_back(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first, second = record.stage_ids[:2]
    keep, dup, elsewhere = (session.get(Note, ids[k]) for k in ("tp3", "tp1", "tp4"))
    journey_map.merge(session, workshop, keep, [dup, elsewhere])
    session.commit()
    restored = journey_map.unmerge(session, workshop, keep)
    session.commit()
    assert {n.id for n in restored} == {ids["tp1"], ids["tp4"]}
    assert texts(session, workshop, TP, first) == ["Web site", "Phone call", "Website"]
    assert texts(session, workshop, TP, second) == ["Reminder e-mail"]
    assert_dense(session, workshop.id)


def test_deleting_a_note_closes_its_gap_and_takes_its_merged_duplicates(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first = record.stage_ids[0]
    journey_map.merge(
        session, workshop, session.get(Note, ids["tp1"]), [session.get(Note, ids["tp2"])]
    )
    notes.delete_note(session, session.get(Note, ids["tp1"]))
    session.commit()
    assert texts(session, workshop, TP, first) == ["Phone call"]
    assert session.get(Note, ids["tp2"]) is None
    assert_dense(session, workshop.id)


def test_removing_a_stage_moves_its_notes_to_no_stage_densely(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first = record.stage_ids[0]
    journey_map.move_note(
        session, workshop, session.get(Note, ids["ins"]), lane=INS, stage_id=first
    )
    notes.add_note(
        session,
        workshop,
        notes.NoteFields(NoteKind.INSIGHT, "Unplaced", source=ResearchSource.SURVEY),
        "later",
    )
    session.commit()
    workshops.delete_stage(session, workshop.stages[0])
    session.commit()
    assert_dense(session, workshop.id)


def test_lanes_reorder_and_hide(session, make):
    workshop = session.get(Workshop, make.workshop().id)
    touchpoints = workshop.lanes[1]
    journey_map.move_lane(session, workshop, touchpoints, 0)
    journey_map.set_lane_hidden(session, workshop, workshop.lanes[5], True)
    session.commit()
    shown = journey_map.load_map(session, workshop, room=True)
    assert [lane.kind for lane in shown.visible_lanes] == [
        TP,
        CA,
        INS,
        LaneKind.PAIN_POINT,
        LaneKind.OPPORTUNITY,
    ]
    assert sorted(lane.position for lane in workshop.lanes) == list(range(6))
    with pytest.raises(InvalidMove):
        journey_map.move_lane(session, workshop, touchpoints, 6)


def test_the_room_sees_no_hidden_or_merged_notes(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    notes.set_hidden(session, session.get(Note, ids["tp3"]), True)
    session.commit()
    room_map = journey_map.load_map(session, workshop, room=True)
    arranging = journey_map.load_map(session, workshop, room=False)
    first = record.stage_ids[0]
    assert [n.text for n in room_map.notes_in(TP, first)] == ["Website", "Web site"]
    assert [n.text for n in arranging.notes_in(TP, first)] == ["Website", "Web site", "Phone call"]
    assert room_map.unplaced and room_map.note_count == 6


def test_the_persona_filter_keeps_shared_notes(session, make):
    record = make.workshop(personas=2)
    fatima, other = record.persona_ids
    make.note(record, text="Fatima's", kind="touchpoint", persona=fatima)
    make.note(record, text="Other's", kind="touchpoint", persona=other)
    make.note(record, text="Everyone's", kind="touchpoint")
    workshop = session.get(Workshop, record.id)
    shown = journey_map.load_map(session, workshop, room=True, persona_id=fatima)
    assert [n.text for n in shown.notes_in(TP, record.stage_ids[0])] == ["Fatima's", "Everyone's"]


def test_a_participants_notes_keep_their_place_when_edited_into_another_stage(session, room):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    first, second = record.stage_ids[:2]
    steps.go_to_step(session, workshop, Step.TOUCHPOINTS)
    steps.set_contributions(session, workshop, Step.TOUCHPOINTS, True)
    note = session.get(Note, ids["tp1"])
    anna = session.get(Participant, note.author_id)
    fields = notes.NoteFields(
        NoteKind.TOUCHPOINT, "Website", stage_id=second, channel=Channel.WEBSITE
    )
    notes.edit_note(session, note, fields, participant=anna)
    assert texts(session, workshop, TP, second) == ["Reminder e-mail", "Website"]
    assert_dense(session, workshop.id)


MOVES = st.lists(
    st.tuples(
        st.sampled_from(["move", "nudge", "merge", "unmerge", "delete"]),
        st.integers(0, 6),
        st.integers(0, 6),
        st.sampled_from([TP, CA, INS]),
        st.sampled_from(["left", "right", "up", "down"]),
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=MOVES)
def test_any_sequence_of_changes_keeps_every_cell_dense(session, room, operations):
    record, ids = room
    workshop = session.get(Workshop, record.id)
    try:
        for operation, a, b, lane, direction in operations:
            on_map = list(
                session.scalars(
                    select(Note)
                    .where(Note.workshop_id == workshop.id, Note.merged_into_id.is_(None))
                    .order_by(Note.id)
                )
            )
            if not on_map:
                break
            note, other = on_map[a % len(on_map)], on_map[b % len(on_map)]
            stage_id = record.stage_ids[b % len(record.stage_ids)]
            try:
                with session.begin_nested():  # a refused change leaves the others standing
                    if operation == "move":
                        journey_map.move_note(
                            session, workshop, note, lane=lane, stage_id=stage_id, index=b % 3
                        )
                    elif operation == "nudge":
                        journey_map.nudge(session, workshop, note, direction)
                    elif operation == "merge":
                        journey_map.merge(session, workshop, note, [other])
                    elif operation == "unmerge":
                        journey_map.unmerge(session, workshop, note)
                    else:
                        notes.delete_note(session, note)
            except (InvalidMove, MergeRefused):
                pass
            assert_dense(session, workshop.id)
    finally:
        session.rollback()


def test_notes_appended_to_a_full_cell_keep_their_order_and_stay_dense(session, make):
    workshop = make.workshop()
    first = workshop.stage_ids[0]
    added = [
        make.note(workshop, None, f"Touchpoint {n}", kind="touchpoint", stage=first)
        for n in range(30)
    ]
    room = session.get(Workshop, workshop.id)
    assert texts(session, room, TP, first) == [f"Touchpoint {n}" for n in range(30)]
    notes.delete_note(session, session.get(Note, added[10]))
    session.commit()
    make.note(workshop, None, "Last one", kind="touchpoint", stage=first)
    session.expire_all()
    assert texts(session, room, TP, first)[-1] == "Last one"
    assert len(texts(session, room, TP, first)) == 30
    assert_dense(session, workshop.id)
