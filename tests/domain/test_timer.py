"""Domain tests: the step timer runs on a server-side end time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cjm_workshop.models import Step, Workshop, WorkshopStatus
from cjm_workshop.services import steps, timer
from cjm_workshop.services.errors import TimerNotRunning, WorkshopClosed
from cjm_workshop.services.workshops import change_status

T0 = datetime(2026, 11, 24, 9, 0, 0)


@pytest.fixture
def workshop(session, make):
    return session.get(Workshop, make.workshop().id)


def test_start_uses_the_step_timebox(session, workshop):
    steps.go_to_step(session, workshop, Step.RESEARCH)
    timer.start(session, workshop, now=T0)
    assert workshop.timer_ends_at == T0 + timedelta(minutes=15)
    assert timer.view(workshop, T0 + timedelta(minutes=5)) == timer.TimerView(
        "running", 600, T0 + timedelta(minutes=15)
    )
    assert timer.view(workshop, T0 + timedelta(minutes=16)).state == "done"


def test_pause_keeps_the_seconds_left_and_resume_continues(session, workshop):
    timer.start(session, workshop, minutes=3, now=T0)
    timer.pause(session, workshop, now=T0 + timedelta(seconds=50))
    assert timer.view(workshop, T0 + timedelta(hours=1)) == timer.TimerView("paused", 130, None)
    with pytest.raises(TimerNotRunning):
        timer.pause(session, workshop, now=T0)
    timer.start(session, workshop, now=T0 + timedelta(hours=1))
    assert timer.view(workshop, T0 + timedelta(hours=1)).seconds_left == 130


def test_extend_adds_minutes_running_or_paused(session, workshop):
    timer.start(session, workshop, minutes=1, now=T0)
    timer.extend(session, workshop, 2, now=T0 + timedelta(seconds=30))
    assert timer.view(workshop, T0 + timedelta(seconds=30)).seconds_left == 150
    timer.pause(session, workshop, now=T0 + timedelta(seconds=30))
    timer.extend(session, workshop, 1, now=T0)
    assert timer.view(workshop).seconds_left == 210


def test_reset_and_step_change_stop_the_timer(session, workshop):
    timer.start(session, workshop, now=T0)
    timer.reset(session, workshop)
    assert timer.view(workshop).state == "idle"
    timer.start(session, workshop, now=T0)
    steps.go_to_step(session, workshop, Step.RESEARCH)
    assert timer.view(workshop).state == "idle"


def test_a_closed_workshop_starts_no_timer(session, workshop):
    change_status(session, workshop, WorkshopStatus.CLOSED)
    with pytest.raises(WorkshopClosed):
        timer.start(session, workshop)
