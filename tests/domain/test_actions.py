"""Domain tests: actions with owners, and the impact/effort matrix."""

from __future__ import annotations

from datetime import date

import pytest

from cjm_workshop.models import (
    ActionItem,
    ActionStatus,
    Level,
    Note,
    Quadrant,
    Workshop,
    WorkshopStatus,
)
from cjm_workshop.services import actions, workshops
from cjm_workshop.services.actions import ActionFields
from cjm_workshop.services.errors import InvalidAction, WorkshopClosed

L, M, H = Level.LOW, Level.MEDIUM, Level.HIGH


@pytest.fixture
def room(session, make):
    workshop = make.workshop()
    pain = make.note(workshop, None, "Nobody answers the phone", kind="pain_point")
    idea = make.note(workshop, None, "A call-back button", kind="opportunity")
    touchpoint = make.note(workshop, None, "Website", kind="touchpoint")
    foreign = make.note(make.workshop(), None, "Elsewhere", kind="opportunity")
    return session.get(Workshop, workshop.id), pain, idea, touchpoint, foreign


@pytest.mark.parametrize(
    ("impact", "effort", "quadrant"),
    [
        (H, L, Quadrant.QUICK_WIN),
        (M, L, Quadrant.QUICK_WIN),
        (H, M, Quadrant.BIG_BET),
        (H, H, Quadrant.BIG_BET),
        (M, M, Quadrant.BIG_BET),
        (L, L, Quadrant.FILL_IN),
        (L, M, Quadrant.MONEY_PIT),
        (L, H, Quadrant.MONEY_PIT),
    ],
)
def test_the_quadrant_rule_counts_anything_not_low_as_high(impact, effort, quadrant):
    assert Quadrant.of(impact, effort) is quadrant


def test_an_action_from_an_opportunity_keeps_every_field(session, room):
    workshop, _, idea, _, _ = room
    fields = ActionFields(
        title="Add a call-back button",
        owner="Sanne (web team)",
        next_step="Ask IT for the telephony API",
        due_date=date(2027, 1, 15),
        impact=H,
        effort=L,
    )
    action = actions.add_action(session, workshop, fields, idea)
    stored = session.get(ActionItem, action.id)
    assert (stored.title, stored.owner, stored.next_step, stored.due_date) == (
        "Add a call-back button",
        "Sanne (web team)",
        "Ask IT for the telephony API",
        date(2027, 1, 15),
    )
    assert stored.status is ActionStatus.OPEN
    assert stored.source_id == idea
    assert stored.quadrant is Quadrant.QUICK_WIN
    assert actions.matrix(actions.actions_of(session, workshop))[Quadrant.QUICK_WIN] == [stored]


def test_an_action_answers_a_pain_point_or_an_opportunity_of_this_workshop(session, room):
    workshop, pain, _, touchpoint, foreign = room
    assert actions.add_action(session, workshop, ActionFields("Fix", "Ann"), pain).source_id == pain
    for wrong in (touchpoint, foreign, 10_000):
        with pytest.raises(InvalidAction) as refused:
            actions.add_action(session, workshop, ActionFields("Fix", "Ann"), wrong)
        assert refused.value.reason == "source"
    assert len(actions.actions_of(session, workshop)) == 1


def test_dragging_across_a_line_takes_the_nearest_level(session, room):
    workshop = room[0]
    action = actions.add_action(session, workshop, ActionFields("Fix", "Ann", impact=H, effort=M))
    assert action.quadrant is Quadrant.BIG_BET
    actions.place(session, workshop, action, Quadrant.QUICK_WIN)
    assert (action.impact, action.effort) == (H, L)  # impact stays, effort crosses
    actions.place(session, workshop, action, Quadrant.MONEY_PIT)
    assert (action.impact, action.effort) == (L, M)
    actions.place(session, workshop, action, Quadrant.MONEY_PIT)  # already there: unchanged
    assert (action.impact, action.effort) == (L, M)


def test_the_buttons_step_one_level_and_stop_at_the_ends(session, room):
    workshop = room[0]
    action = actions.add_action(session, workshop, ActionFields("Fix", "Ann", impact=M, effort=L))
    actions.step(session, workshop, action, "impact", +1)
    actions.step(session, workshop, action, "impact", +1)
    assert action.impact is H
    actions.step(session, workshop, action, "effort", -1)
    assert action.effort is L
    with pytest.raises(InvalidAction):
        actions.step(session, workshop, action, "colour", +1)


def test_a_closed_workshop_keeps_its_actions_and_only_their_status_changes(session, room):
    workshop = room[0]
    action = actions.add_action(session, workshop, ActionFields("Fix", "Ann"))
    workshops.change_status(session, workshop, WorkshopStatus.CLOSED)
    with pytest.raises(WorkshopClosed):
        actions.add_action(session, workshop, ActionFields("More", "Bob"))
    with pytest.raises(WorkshopClosed):
        actions.place(session, workshop, action, Quadrant.FILL_IN)
    actions.set_status(session, workshop, action, ActionStatus.DONE)
    assert session.get(ActionItem, action.id).status is ActionStatus.DONE


def test_deleting_the_note_an_action_answers_keeps_the_action(session, room):
    workshop, _, idea, _, _ = room
    action = actions.add_action(session, workshop, ActionFields("Fix", "Ann"), idea)
    session.delete(session.get(Note, idea))
    session.flush()
    session.expire_all()
    assert session.get(ActionItem, action.id).source_id is None
