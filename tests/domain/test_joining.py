"""Domain tests: participants join, names are disambiguated, retries find the first join."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cjm_workshop.models import Participant, Workshop, WorkshopStatus
from cjm_workshop.services import joining
from cjm_workshop.services.errors import WorkshopClosed, WorkshopNotFound
from cjm_workshop.services.workshops import format_join_code


@pytest.fixture
def records(make):
    # Made before the test's session opens its transaction (SQLite has one writer).
    return make.workshop(), make.workshop()


@pytest.fixture
def workshop(session, records):
    return session.get(Workshop, records[0].id)


@pytest.fixture
def other(session, records):
    return session.get(Workshop, records[1].id)


def test_join_creates_a_participant_with_a_secret_token(session, workshop):
    participant = joining.join(session, workshop, "  Anna   de  Vries ", "nonce-1")
    session.commit()
    assert participant.display_name == "Anna de Vries"
    assert participant.workshop_id == workshop.id
    assert len(participant.token) >= 40


def test_taken_names_are_disambiguated_case_insensitively(session, workshop):
    names = [
        joining.join(session, workshop, name, None).display_name
        for name in ["Anna", "anna", "ANNA", "Anna 2", "Bob"]
    ]
    assert names == ["Anna", "anna 2", "ANNA 3", "Anna 2 2", "Bob"]


def test_long_names_are_cut_to_the_limit(session, workshop):
    participant = joining.join(session, workshop, "x" * 500, None)
    assert participant.display_name == "x" * 40


def test_a_retried_join_returns_the_first_participant(session, workshop):
    first = joining.join(session, workshop, "Anna", "same-nonce")
    again = joining.join(session, workshop, "Anna", "same-nonce")
    session.commit()
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Participant)) == 1


def test_the_same_name_in_another_workshop_is_free(session, workshop, other):
    joining.join(session, workshop, "Anna", None)
    assert joining.join(session, other, "Anna", None).display_name == "Anna"


def test_find_workshop_accepts_the_code_as_read_aloud(session, workshop):
    typed = format_join_code(workshop.join_code).lower().replace("-", " - ")
    assert joining.find_workshop(session, typed).id == workshop.id


@pytest.mark.parametrize("typed", ["", "   ", "AAAA-AAAA", "<script>"])
def test_unknown_codes_are_not_found(session, workshop, typed):
    with pytest.raises(WorkshopNotFound):
        joining.find_workshop(session, typed)


def test_a_closed_workshop_cannot_be_joined(session, workshop):
    workshop.status = WorkshopStatus.CLOSED
    with pytest.raises(WorkshopClosed):
        joining.join(session, workshop, "Anna", None)
    assert session.scalar(select(func.count()).select_from(Participant)) == 0


def test_a_token_only_identifies_within_its_own_workshop(session, workshop, other):
    participant = joining.join(session, workshop, "Anna", None)
    assert joining.participant_by_token(session, workshop, participant.token) is participant
    assert joining.participant_by_token(session, other, participant.token) is None
    assert joining.participant_by_token(session, workshop, "") is None
