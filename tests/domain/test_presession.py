"""Domain tests: research before the session, open and closed by the clock (a fixed one),
and a separate rule from the step engine's (which still opens only the current step)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from cjm_workshop.models import (
    Note,
    NoteKind,
    Participant,
    ResearchSource,
    Step,
    StepState,
    Workshop,
    WorkshopStatus,
)
from cjm_workshop.services import notes, presession, steps
from cjm_workshop.services.errors import (
    InvalidResearchWindow,
    ResearchEnded,
    ResearchNotOpenYet,
    StepClosed,
    WorkshopClosed,
)
from cjm_workshop.services.presession import Window
from cjm_workshop.services.workshops import change_status

OPENS = datetime(2027, 3, 1, 9, 0)
CLOSES = datetime(2027, 3, 8, 9, 0)
BEFORE, DURING, AFTER = OPENS - timedelta(minutes=1), OPENS + timedelta(days=2), CLOSES


@pytest.fixture
def anna_record(make):
    return make.participant(make.workshop(), "Anna")


@pytest.fixture
def workshop(session, anna_record):
    room = session.get(Workshop, anna_record.workshop_id)
    presession.set_window(session, room, OPENS, CLOSES, now=OPENS - timedelta(days=7))
    return room


@pytest.fixture
def anna(session, workshop, anna_record):
    return session.get(Participant, anna_record.id)


def insight(text: str = "Patients call because the site shows no slots") -> notes.NoteFields:
    return notes.NoteFields(kind=NoteKind.INSIGHT, text=text, source=ResearchSource.INTERVIEW)


def note_count(session, workshop) -> int:
    return session.scalar(select(func.count()).where(Note.workshop_id == workshop.id))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (BEFORE, Window.NOT_YET),
        (OPENS, Window.OPEN),
        (DURING, Window.OPEN),
        (CLOSES - timedelta(seconds=1), Window.OPEN),
        (AFTER, Window.ENDED),
    ],
)
def test_the_window_by_the_clock(workshop, now, expected):
    assert presession.window(workshop, now) is expected


def test_during_the_window_a_participant_adds_an_insight(session, workshop, anna):
    note = notes.add_note(session, workshop, insight(), "k1", participant=anna, now=DURING)
    assert note.step is Step.RESEARCH and note.author_id == anna.id
    assert presession.insights_before_session(session, workshop) == 1
    # The step engine is untouched: scope is the open step, research not started.
    assert workshop.current_step is Step.SCOPE
    assert workshop.step_state(Step.RESEARCH).state is StepState.NOT_STARTED
    assert not steps.accepts_contributions(workshop, Step.RESEARCH)


@pytest.mark.parametrize(("now", "error"), [(BEFORE, ResearchNotOpenYet), (AFTER, ResearchEnded)])
def test_outside_the_window_nothing_is_written(session, workshop, anna, now, error):
    with pytest.raises(error):
        notes.add_note(session, workshop, insight(), "k1", participant=anna, now=now)
    assert note_count(session, workshop) == 0


def test_the_window_takes_research_insights_only(session, workshop, anna):
    touchpoint = notes.NoteFields(
        kind=NoteKind.TOUCHPOINT, text="Website", stage_id=workshop.stages[0].id
    )
    with pytest.raises(StepClosed) as refused:
        notes.add_note(session, workshop, touchpoint, "k1", participant=anna, now=DURING)
    assert type(refused.value) is StepClosed


def test_no_window_no_research_before_the_session(session, workshop, anna):
    presession.set_window(session, workshop, None, None, now=BEFORE)
    assert presession.window(workshop, DURING) is Window.NONE
    with pytest.raises(StepClosed) as refused:
        notes.add_note(session, workshop, insight(), "k1", participant=anna, now=DURING)
    assert type(refused.value) is StepClosed


def test_once_the_session_starts_the_steps_rule_alone_decides(session, workshop, anna):
    change_status(session, workshop, WorkshopStatus.LIVE)  # "Start workshop", still in scope
    assert presession.window(workshop, DURING) is Window.NONE
    with pytest.raises(StepClosed):
        notes.add_note(session, workshop, insight(), "k1", participant=anna, now=DURING)
    steps.go_to_step(session, workshop, Step.RESEARCH)
    # In the research step the insight is taken whatever the window says.
    notes.add_note(session, workshop, insight(), "k2", participant=anna, now=AFTER)
    assert note_count(session, workshop) == 1


def test_a_closed_workshop_says_so_not_the_window(session, workshop, anna):
    change_status(session, workshop, WorkshopStatus.CLOSED)
    with pytest.raises(WorkshopClosed):
        notes.add_note(session, workshop, insight(), "k1", participant=anna, now=DURING)
    assert presession.window(workshop, DURING) is Window.NONE


@pytest.mark.parametrize(
    ("opens", "closes", "reason"),
    [
        (OPENS, None, "incomplete"),
        (None, CLOSES, "incomplete"),
        (OPENS, OPENS, "order"),
        (CLOSES, OPENS, "order"),
        (OPENS, OPENS + timedelta(days=60, minutes=1), "too_long"),
        (OPENS - timedelta(days=9), OPENS - timedelta(days=8), "past"),
    ],
)
def test_a_window_that_does_not_work_is_refused_and_nothing_changes(
    session, workshop, opens, closes, reason
):
    with pytest.raises(InvalidResearchWindow) as refused:
        presession.set_window(session, workshop, opens, closes, now=OPENS - timedelta(days=7))
    assert refused.value.reason == reason
    assert (workshop.research_opens_at, workshop.research_closes_at) == (OPENS, CLOSES)


def test_sixty_days_is_the_longest_window(session, workshop):
    closes = OPENS + timedelta(days=60)
    presession.set_window(session, workshop, OPENS, closes, now=BEFORE)
    assert workshop.research_closes_at == closes


def test_a_started_workshop_gets_no_window_but_may_clear_one(session, workshop):
    change_status(session, workshop, WorkshopStatus.LIVE)
    with pytest.raises(InvalidResearchWindow) as refused:
        presession.set_window(session, workshop, OPENS, CLOSES, now=BEFORE)
    assert refused.value.reason == "started"
    presession.set_window(session, workshop, None, None, now=BEFORE)
    assert workshop.research_opens_at is None and workshop.research_closes_at is None


def test_the_count_leaves_out_hidden_and_facilitators_notes(session, workshop, anna):
    kept = notes.add_note(session, workshop, insight("one"), "k1", participant=anna, now=DURING)
    hidden = notes.add_note(session, workshop, insight("two"), "k2", participant=anna, now=DURING)
    notes.set_hidden(session, hidden, True)
    notes.add_note(session, workshop, insight("proxy"), "k3")  # the facilitator, for the room
    assert kept.id and presession.insights_before_session(session, workshop) == 1
