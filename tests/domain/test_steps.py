"""Domain tests: the step engine's transitions and who may contribute when."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjm_workshop.models import STEPS, Step, StepState, Workshop, WorkshopStatus
from cjm_workshop.services import steps
from cjm_workshop.services.errors import StepNotCurrent, WorkshopClosed
from cjm_workshop.services.workshops import change_status
from tests.factories import Factories, live_events


@pytest.fixture
def workshop(session, make):
    return session.get(Workshop, make.workshop().id)


def states(workshop) -> dict[str, str]:
    return {s.step.value: s.state.value for s in workshop.steps}


def test_a_new_workshop_stands_in_scope_with_scope_open(workshop):
    assert workshop.current_step is Step.SCOPE
    assert states(workshop) == {
        "scope": "open",
        "research": "not_started",
        "touchpoints": "not_started",
        "visualize": "not_started",
        "emotions": "not_started",
        "actions": "not_started",
    }
    assert steps.accepts_contributions(workshop, Step.SCOPE)
    assert not steps.accepts_contributions(workshop, Step.RESEARCH)


def test_going_forward_opens_the_next_step_and_only_it_takes_notes(session, workshop):
    before = live_events(session, workshop)
    steps.go_to_step(session, workshop, Step.RESEARCH)
    assert workshop.current_step is Step.RESEARCH
    assert states(workshop)["research"] == "open"
    assert workshop.status is WorkshopStatus.LIVE
    assert live_events(session, workshop) == [*before, ("refresh", None)]
    assert steps.accepts_contributions(workshop, Step.RESEARCH)
    assert not steps.accepts_contributions(workshop, Step.SCOPE)


def test_going_back_and_forward_again_finds_the_step_open(session, workshop):
    steps.go_to_step(session, workshop, Step.RESEARCH)
    steps.go_to_step(session, workshop, Step.SCOPE)
    assert not steps.accepts_contributions(workshop, Step.RESEARCH)
    steps.go_to_step(session, workshop, Step.RESEARCH)
    assert states(workshop)["research"] == "open"
    assert steps.accepts_contributions(workshop, Step.RESEARCH)


def test_a_step_the_facilitator_closed_stays_closed_until_reopened(session, workshop):
    steps.go_to_step(session, workshop, Step.RESEARCH)
    steps.set_contributions(session, workshop, Step.RESEARCH, False)
    steps.go_to_step(session, workshop, Step.TOUCHPOINTS)
    steps.go_to_step(session, workshop, Step.RESEARCH)
    assert states(workshop)["research"] == "closed"
    assert not steps.accepts_contributions(workshop, Step.RESEARCH)
    steps.set_contributions(session, workshop, Step.RESEARCH, True)
    assert steps.accepts_contributions(workshop, Step.RESEARCH)


def test_jumping_ahead_leaves_skipped_steps_not_started(session, workshop):
    steps.go_to_step(session, workshop, Step.EMOTIONS)
    assert states(workshop)["touchpoints"] == "not_started"
    assert states(workshop)["emotions"] == "open"
    assert steps.next_step(workshop) is Step.ACTIONS
    assert steps.previous_step(workshop) is Step.VISUALIZE


def test_first_and_last_steps_have_no_neighbour_beyond(session, workshop):
    assert steps.previous_step(workshop) is None
    steps.go_to_step(session, workshop, Step.ACTIONS)
    assert steps.next_step(workshop) is None


def test_only_the_current_step_opens_or_closes(session, workshop):
    with pytest.raises(StepNotCurrent):
        steps.set_contributions(session, workshop, Step.RESEARCH, True)
    steps.set_contributions(session, workshop, Step.SCOPE, False)
    assert not steps.accepts_contributions(workshop, Step.SCOPE)


def test_a_closed_workshop_changes_no_step_and_takes_nothing(session, workshop):
    change_status(session, workshop, WorkshopStatus.CLOSED)
    with pytest.raises(WorkshopClosed):
        steps.go_to_step(session, workshop, Step.RESEARCH)
    with pytest.raises(WorkshopClosed):
        steps.set_contributions(session, workshop, Step.SCOPE, True)
    assert not steps.accepts_contributions(workshop, Step.SCOPE)
    assert workshop.current_step is Step.SCOPE


@given(route=st.lists(st.sampled_from(STEPS), max_size=12))
@settings(max_examples=30, deadline=None)
def test_only_the_current_step_ever_takes_notes(app, route):
    from cjm_workshop.extensions import db

    record = Factories(app).workshop()
    with app.app_context():
        workshop = db.session.get(Workshop, record.id)
        visited = {Step.SCOPE}
        for step in route:
            steps.go_to_step(db.session, workshop, step)
            visited.add(step)
            accepting = [s for s in STEPS if steps.accepts_contributions(workshop, s)]
            assert accepting == [workshop.current_step]
            for state in workshop.steps:
                assert (state.state is StepState.NOT_STARTED) == (state.step not in visited)
        db.session.rollback()
