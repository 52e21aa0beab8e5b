"""Domain tests: dot voting with an exact budget, and emotion ratings into a curve."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from cjm_workshop.models import (
    Dot,
    DotBudget,
    Note,
    NoteKind,
    Participant,
    RoundStatus,
    Step,
    Workshop,
)
from cjm_workshop.services import emotions, journey_map, notes, steps, voting
from cjm_workshop.services.errors import (
    BudgetBelowSpent,
    InvalidRating,
    InvalidVote,
    NoDotsLeft,
    RoundClosed,
    RoundStillOpen,
    StepClosed,
)


@pytest.fixture
def room(make):
    """The emotions step with four pain points (Anna wrote the first) and three people."""
    workshop = make.workshop()
    anna, bob, cas = (make.participant(workshop, name) for name in ("Anna", "Bob", "Cas"))
    pains = [
        make.note(workshop, anna if n == 0 else None, f"Pain {n}", kind="pain_point")
        for n in range(4)
    ]
    touchpoints = [
        make.note(workshop, None, f"Touchpoint {n}", kind="touchpoint", stage=stage)
        for n, stage in enumerate(workshop.stage_ids[:3])
    ]
    make.note(workshop, None, "Back in the emotions step", kind="pain_point")
    return workshop, (anna, bob, cas), pains, touchpoints


@pytest.fixture
def ready(session, room):
    record, people, pains, touchpoints = room
    workshop = session.get(Workshop, record.id)
    steps.set_contributions(session, workshop, Step.EMOTIONS, True)  # closed when left
    return (
        workshop,
        [session.get(Participant, p.id) for p in people],
        [session.get(Note, n) for n in pains],
        [session.get(Note, n) for n in touchpoints],
    )


def open_round(session, workshop, dots=3, several=False, own=True):
    return voting.open_round(
        session, workshop, NoteKind.PAIN_POINT, dots=dots, several_per_note=several, own_notes=own
    )


def vote(session, person, note, tap_key):
    """A tap of this person's on this note, in the latest round on its kind."""
    ballot = voting.ballot_for(session, person.workshop_id, person.id, note.id, tap_key)
    return voting.vote(session, ballot)


def take_back(session, person, note):
    voting.take_back(session, voting.ballot_for(session, person.workshop_id, person.id, note.id))


def recount(session, chosen) -> dict[int, int]:
    return voting.dots_by_participant(session, chosen)


def test_the_budget_is_exact_and_a_taken_back_dot_can_be_spent_again(session, ready):
    workshop, (anna, bob, _), pains, _ = ready
    chosen = open_round(session, workshop, dots=3)
    for n in range(3):
        vote(session, bob, pains[n], f"tap-{n}")
    with pytest.raises(NoDotsLeft):
        vote(session, bob, pains[3], "tap-3")
    assert voting.standing(session, chosen, bob).dots_left == 0
    take_back(session, bob, pains[0])
    assert voting.standing(session, chosen, bob) == voting.Standing(
        1, {pains[1].id: 1, pains[2].id: 1}
    )
    vote(session, bob, pains[3], "tap-4")
    assert recount(session, chosen) == {bob.id: 3}
    with pytest.raises(InvalidVote) as refused:
        take_back(session, bob, pains[0])  # no dot of Bob's there
    assert refused.value.reason == "no_dot"


def test_one_dot_per_note_unless_the_round_allows_several(session, ready):
    workshop, (_, bob, cas), pains, _ = ready
    single = open_round(session, workshop, dots=3)
    vote(session, bob, pains[1], "a")
    with pytest.raises(InvalidVote) as refused:
        vote(session, bob, pains[1], "b")
    assert refused.value.reason == "one_per_note"
    assert voting.standing(session, single, bob).dots_left == 2  # the refused dot came back
    voting.close_round(session, workshop, single)
    several = open_round(session, workshop, dots=3, several=True)
    for key in "xyz":
        vote(session, cas, pains[1], key)
    assert voting.tally(session, several) == {pains[1].id: 3}


def test_voting_on_ones_own_note_when_that_is_off(session, ready):
    workshop, (anna, bob, _), pains, _ = ready
    open_round(session, workshop, own=False)
    with pytest.raises(InvalidVote) as refused:
        vote(session, anna, pains[0], "own")
    assert refused.value.reason == "own"
    vote(session, bob, pains[0], "not-own")
    # Merged duplicates' authors count as authors of the note kept.
    journey_map.merge(session, workshop, pains[1], [pains[0]])
    with pytest.raises(InvalidVote):
        vote(session, anna, pains[1], "own-after-merge")
    # What her phone marks as hers before she taps: the same notes, merges followed up.
    journey_map.merge(session, workshop, pains[2], [pains[1]])
    mine = voting.own_note_ids(session, workshop.id, anna.id)
    assert mine & {p.id for p in pains} == {pains[0].id, pains[1].id, pains[2].id}
    assert voting.own_note_ids(session, workshop.id, bob.id).isdisjoint(p.id for p in pains)


def test_a_retried_tap_does_not_add_a_second_dot(session, ready):
    workshop, (_, bob, _), pains, _ = ready
    chosen = open_round(session, workshop, dots=3, several=True)
    first = vote(session, bob, pains[1], "same-key")
    again = vote(session, bob, pains[1], "same-key")
    assert again == first
    assert voting.standing(session, chosen, bob).dots_left == 2


def test_closed_rounds_hidden_notes_and_other_kinds_take_no_dots(session, ready, make):
    workshop, (_, bob, _), pains, touchpoints = ready
    chosen = open_round(session, workshop)
    with pytest.raises(InvalidVote):
        vote(session, bob, touchpoints[0], "kind")
    notes.set_hidden(session, pains[2], True)
    with pytest.raises(InvalidVote) as refused:
        vote(session, bob, pains[2], "hidden")
    assert refused.value.reason == "hidden"
    with pytest.raises(RoundStillOpen):
        open_round(session, workshop)
    voting.close_round(session, workshop, chosen)
    with pytest.raises(RoundClosed):
        vote(session, bob, pains[1], "closed")
    assert session.scalar(select(func.count()).select_from(Dot)) == 0


def test_a_note_of_another_workshop_takes_no_dot(session, ready, make):
    workshop, (_, bob, _), _, _ = ready
    session.commit()
    foreign_id = make.note(make.workshop(), None, "Elsewhere", kind="pain_point")
    open_round(session, workshop)
    with pytest.raises(InvalidVote):
        vote(session, bob, session.get(Note, foreign_id), "x")


def test_the_budget_cannot_drop_below_what_was_spent(session, ready):
    workshop, (_, bob, cas), pains, _ = ready
    chosen = open_round(session, workshop, dots=4)
    for n in range(3):
        vote(session, bob, pains[n], f"b{n}")
    vote(session, cas, pains[0], "c0")
    with pytest.raises(BudgetBelowSpent):
        voting.set_budget(session, workshop, chosen, 2)
    voting.set_budget(session, workshop, chosen, 3)
    assert voting.standing(session, chosen, bob).dots_left == 0
    assert voting.standing(session, chosen, cas).dots_left == 2
    voting.set_budget(session, workshop, chosen, 5)
    assert voting.standing(session, chosen, bob).dots_left == 2


def test_dots_follow_a_merge_and_an_undo(session, ready):
    workshop, (_, bob, cas), pains, _ = ready
    chosen = open_round(session, workshop, dots=3)
    vote(session, bob, pains[1], "b1")
    vote(session, bob, pains[2], "b2")  # Bob on both duplicates
    vote(session, cas, pains[2], "c2")
    journey_map.merge(session, workshop, pains[1], [pains[2]])
    # One dot per note: Bob's second dot went back to his budget; Cas's dot moved.
    assert voting.tally(session, chosen) == {pains[1].id: 2}
    assert voting.standing(session, chosen, bob).dots_left == 2
    journey_map.unmerge(session, workshop, pains[1])
    assert voting.tally(session, chosen) == {pains[1].id: 1, pains[2].id: 1}


def test_the_ranking_counts_dots_and_keeps_map_order_for_ties(session, ready):
    workshop, (anna, bob, cas), pains, _ = ready
    chosen = open_round(session, workshop, dots=3)
    for person, note in [(anna, 2), (bob, 2), (cas, 3), (bob, 1)]:
        vote(session, person, pains[note], f"{person.id}-{note}")
    ranked = voting.ranking(session, chosen, pains)
    assert [(note.text, count) for note, count in ranked] == [
        ("Pain 2", 2),
        ("Pain 1", 1),
        ("Pain 3", 1),
        ("Pain 0", 0),
    ]
    assert voting.spent_all(session, workshop, chosen) == (0, 3)


def test_the_suggested_budget(session, ready):
    workshop = ready[0]
    assert voting.suggested_dots(workshop, 0, 10) == workshop.dots_per_participant
    assert voting.suggested_dots(workshop, 4, 10) == 2
    assert voting.suggested_dots(workshop, 12, 10) == 4
    assert voting.suggested_dots(workshop, 30, 10) == 5
    assert voting.suggested_dots(workshop, 30, 20) == 4


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["vote", "vote", "take", "merge", "budget"]),
        st.integers(0, 2),
        st.integers(0, 4),
        st.integers(1, 6),
    ),
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS, several=st.booleans())
def test_any_sequence_keeps_every_budget_and_count_exact(session, room, operations, several):
    record, people, pain_ids, _ = room
    workshop = session.get(Workshop, record.id)
    everyone = [session.get(Participant, p.id) for p in people]
    chosen = open_round(session, workshop, dots=3, several=several)
    try:
        for number, (operation, who, which, dots) in enumerate(operations):
            person = everyone[who]
            on_map = [
                n for n in (session.get(Note, i) for i in pain_ids) if n.merged_into_id is None
            ]
            note = on_map[which % len(on_map)]
            try:
                with session.begin_nested():
                    if operation == "vote":
                        vote(session, person, note, f"k{number}")
                    elif operation == "take":
                        take_back(session, person, note)
                    elif operation == "merge" and len(on_map) > 1:
                        other = on_map[(which + 1) % len(on_map)]
                        journey_map.merge(session, workshop, note, [other])
                    elif operation == "budget":
                        voting.set_budget(session, workshop, chosen, dots)
            except (InvalidVote, NoDotsLeft, BudgetBelowSpent):
                pass
            placed = recount(session, chosen)
            budgets = dict(
                session.execute(
                    select(DotBudget.participant_id, DotBudget.dots_left).where(
                        DotBudget.round_id == chosen.id
                    )
                ).all()
            )
            for person_ in everyone:
                spent = placed.get(person_.id, 0)
                assert spent <= chosen.dots_per_participant
                assert spent + budgets.get(person_.id, chosen.dots_per_participant) == (
                    chosen.dots_per_participant
                )
            tallied = voting.tally(session, chosen)
            assert sum(tallied.values()) == sum(placed.values())
            if not several:
                pairs = session.execute(
                    select(Dot.participant_id, Dot.note_id).where(Dot.round_id == chosen.id)
                ).all()
                assert len(pairs) == len(set(pairs))
    finally:
        session.rollback()


# --- emotion ratings -----------------------------------------------------------------


def test_ratings_are_changed_not_added_and_checked(session, ready, make):
    workshop, (anna, bob, _), pains, touchpoints = ready
    emotions.rate(session, workshop, anna, touchpoints[0], 2)
    emotions.rate(session, workshop, anna, touchpoints[0], 4)
    assert emotions.ratings_by(session, workshop, anna) == {touchpoints[0].id: 4}
    for score in (0, 6, -1):
        with pytest.raises(InvalidRating) as refused:
            emotions.rate(session, workshop, anna, touchpoints[0], score)
        assert refused.value.reason == "scale"
    with pytest.raises(InvalidRating):
        emotions.rate(session, workshop, anna, pains[0], 3)  # not a touchpoint
    steps.go_to_step(session, workshop, Step.ACTIONS)
    with pytest.raises(StepClosed):
        emotions.rate(session, workshop, bob, touchpoints[0], 3)


def test_the_curve_has_median_spread_count_and_flags_disagreement(session, ready):
    workshop, people, _, touchpoints = ready
    for person, scores in zip(people, [(1, 4), (2, 4), (5, 5)], strict=True):
        for touchpoint, score in zip(touchpoints[:2], scores, strict=True):
            emotions.rate(session, workshop, person, touchpoint, score)
    points = emotions.curve(session, workshop, touchpoints)
    assert [(p.count, p.median) for p in points] == [(3, 2.0), (3, 4.0), (0, None)]
    assert points[0].disagreement and not points[1].disagreement
    assert points[0].low <= 2.0 <= points[0].high
    assert points[0].stage == workshop.stages[0].name


def test_ratings_of_merged_touchpoints_count_once_per_participant(session, ready):
    workshop, (anna, bob, _), _, touchpoints = ready
    emotions.rate(session, workshop, anna, touchpoints[0], 1)
    emotions.rate(session, workshop, anna, touchpoints[1], 5)  # the duplicate
    emotions.rate(session, workshop, bob, touchpoints[1], 4)
    journey_map.merge(session, workshop, touchpoints[0], [touchpoints[1]])
    [point] = emotions.curve(session, workshop, [touchpoints[0]])
    assert point.count == 2 and point.median == 2.5  # Anna's own rating of the kept one: 1


def test_leaving_the_step_closes_its_round(session, ready):
    workshop, (_, bob, _), pains, _ = ready
    chosen = open_round(session, workshop)
    vote(session, bob, pains[1], "before")
    steps.go_to_step(session, workshop, Step.ACTIONS)
    session.refresh(chosen)
    assert chosen.status is RoundStatus.CLOSED
    with pytest.raises(RoundClosed):
        vote(session, bob, pains[2], "after")
    assert voting.tally(session, chosen) == {pains[1].id: 1}  # what was given stays


def test_the_top_five_are_the_notes_ranked_fifth_or_better_ties_included(session, make):
    workshop = make.workshop()
    made = [make.note(workshop, None, f"Pain {n}", kind="pain_point") for n in range(8)]
    notes = [session.get(Note, note_id) for note_id in made]
    counts = [5, 4, 3, 2, 1, 1, 1, 0]  # places 1 2 3 4 5 5 5 and none
    ranked = list(zip(notes, counts, strict=True))
    assert voting.top(ranked) == ranked[:7]
    assert voting.top_places({n.id: c for n, c in ranked}) == {
        n.id: place for (n, _), place in zip(ranked, (1, 2, 3, 4, 5, 5, 5), strict=False)
    }
    assert voting.top(list(zip(notes[:3], [2, 0, 0], strict=True))) == [(notes[0], 2)]
    assert voting.top([(note, None) for note in notes]) == []  # before a reveal
