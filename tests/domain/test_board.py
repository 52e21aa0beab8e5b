"""Domain tests: the projector's settings and its spotlight."""

from __future__ import annotations

import pytest

from cjm_workshop.models import Step, Workshop
from cjm_workshop.services import board, steps
from cjm_workshop.services.board import Spotlight
from cjm_workshop.services.errors import InvalidMove
from tests.factories import live_events


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("stage:12", Spotlight("stage", "12")),
        ("lane:touchpoint", Spotlight("lane", "touchpoint")),
        ("note:7", Spotlight("note", "7")),
        ("ranking", Spotlight("ranking")),
        ("", None),
        (None, None),
        ("stage:", None),
        ("stage:x", None),
        ("note:-1", None),
        ("lane:nonsense", None),
        ("ranking:3", None),
        ("everything", None),
    ],
)
def test_a_spotlight_is_read_from_its_value_or_not_at_all(value, expected):
    assert Spotlight.parse(value) == expected
    if expected is not None:
        assert Spotlight.parse(expected.value) == expected


def test_the_spotlight_reaches_the_board_and_leaves_with_the_step(session, make):
    record = make.workshop()
    note = make.note(record, text="Calls because the site shows no slots")  # research step
    workshop = session.get(Workshop, record.id)
    before = len(live_events(session, workshop))
    board.set_spotlight(session, workshop, Spotlight("note", str(note)))
    session.commit()
    assert board.spotlight_of(workshop) == Spotlight("note", str(note))
    assert len(live_events(session, workshop)) == before + 1  # every board refreshes
    steps.go_to_step(session, workshop, Step.TOUCHPOINTS)
    assert workshop.spotlight is None  # the new step is shown whole


def test_only_the_workshops_own_stage_or_note_can_be_spotlit(session, make):
    mine, other = make.workshop(), make.workshop()
    foreign_note = make.note(other)
    workshop = session.get(Workshop, mine.id)
    for spotlight in (
        Spotlight("stage", str(other.stage_ids[0])),
        Spotlight("note", str(foreign_note)),
        Spotlight("note", "999999"),
    ):
        with pytest.raises(InvalidMove):
            board.set_spotlight(session, workshop, spotlight)
    assert workshop.spotlight is None


def test_prompt_and_sound_are_the_facilitators_choice(session, make):
    workshop = session.get(Workshop, make.workshop().id)
    assert workshop.board_prompt and not workshop.board_sound  # the defaults
    board.set_board(session, workshop, prompt=False, sound=True)
    session.commit()
    session.refresh(workshop)
    assert not workshop.board_prompt and workshop.board_sound
