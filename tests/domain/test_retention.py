"""Domain tests: old live events pruned, participants' names erased when due (retention)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from cjm_workshop.models import (
    Facilitator,
    LiveEvent,
    LoginSession,
    Note,
    Participant,
    Workshop,
    WorkshopStatus,
)
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import accounts, retention
from cjm_workshop.services import workshops as service

DAY = timedelta(days=1)


def event_ids(session) -> list[int]:
    return list(session.scalars(select(LiveEvent.id).order_by(LiveEvent.id)))


def age_events(session, ids, by: timedelta) -> None:
    session.execute(update(LiveEvent).where(LiveEvent.id.in_(ids)).values(created_at=utcnow() - by))


def test_pruning_removes_old_events_and_keeps_recent_ones(session, make):
    room = make.workshop()
    for name in ("Anna", "Ben", "Carla", "Dirk"):
        make.participant(room, name)
    ids = event_ids(session)
    old, recent = ids[:3], ids[3:]
    age_events(session, old, 2 * DAY)

    assert retention.prune_live_events(session, before=utcnow() - DAY) == len(old)
    assert event_ids(session) == recent
    assert retention.prune_live_events(session, before=utcnow() - DAY) == 0  # idempotent


def test_pruning_keeps_the_newest_event_however_old(session, make):
    """SQLite would hand its id out again, and the broadcasters would miss what reuses it."""
    room = make.workshop()
    make.participant(room, "Anna")
    ids = event_ids(session)
    age_events(session, ids, 30 * DAY)

    retention.prune_live_events(session, before=utcnow() - DAY)

    assert event_ids(session) == [ids[-1]]


def test_pruning_goes_a_batch_at_a_time_oldest_first(session, make):
    room = make.workshop()
    for name in ("Anna", "Ben", "Carla", "Dirk"):
        make.participant(room, name)
    ids = event_ids(session)
    age_events(session, ids[:-1], 2 * DAY)

    assert retention.prune_live_events(session, before=utcnow() - DAY, batch=2) == 2
    assert event_ids(session) == ids[2:]
    assert retention.prune_live_events(session, before=utcnow() - DAY, batch=100) == len(ids) - 3
    assert event_ids(session) == [ids[-1]]


@pytest.fixture
def closed_room(session, make):
    """A closed workshop with three participants (one of them removed) and a note each."""
    record = make.workshop()
    people = [make.participant(record, name) for name in ("Zoë", "Participant 1", "Anna")]
    notes = [make.note(record, person, f"note of {person.display_name}") for person in people]
    workshop = session.get(Workshop, record.id)
    session.get(Participant, people[2].id).removed_at = utcnow()
    service.change_status(session, workshop, WorkshopStatus.CLOSED)
    return workshop, people, notes


def names(session, workshop) -> list[str]:
    query = select(Participant.display_name).where(Participant.workshop_id == workshop.id)
    return list(session.scalars(query.order_by(Participant.joined_at, Participant.id)))


def erase_due(session, *, after: timedelta, default_days: int | None = 30):
    return retention.erase_due_names(session, now=utcnow() + after, default_days=default_days)


def test_names_are_erased_once_the_days_after_closing_have_passed(session, closed_room):
    workshop, people, note_ids = closed_room
    assert workshop.closed_at is not None
    assert erase_due(session, after=29 * DAY) == []  # not before
    assert names(session, workshop) == ["Zoë", "Participant 1", "Anna"]

    assert erase_due(session, after=30 * DAY + timedelta(minutes=1)) == [workshop]

    assert names(session, workshop) == ["Participant 1", "Participant 2", "Participant 3"]
    for person in people:
        erased = session.get(Participant, person.id)
        assert erased.token != person.token  # the phone's cookie is a stranger's now
        assert erased.name_key == erased.display_name.casefold()
        assert erased.join_key is None
    assert session.get(Participant, people[2].id).removed  # still removed from the room
    # The notes stay, with their authors.
    authors = session.execute(select(Note.id, Note.author_id).where(Note.id.in_(note_ids)))
    assert dict(authors.all()) == dict(zip(note_ids, [p.id for p in people], strict=True))
    assert workshop.names_erased_at is not None


def test_erasing_again_changes_no_name(session, closed_room):
    workshop, _people, _notes = closed_room
    erase_due(session, after=31 * DAY)
    first = names(session, workshop)
    assert erase_due(session, after=40 * DAY) == []  # done already
    retention.erase_names(session, workshop, now=utcnow())  # even when asked directly
    assert names(session, workshop) == first


def test_open_workshops_keep_their_names(session, make):
    live, draft = make.workshop(), make.workshop()
    make.participant(live, "Anna")
    make.participant(draft, "Ben")
    service.change_status(session, session.get(Workshop, live.id), WorkshopStatus.LIVE)

    assert erase_due(session, after=400 * DAY) == []
    assert names(session, session.get(Workshop, live.id)) == ["Anna"]


def test_reopening_a_workshop_starts_the_count_again(session, closed_room):
    workshop, _people, _notes = closed_room
    service.change_status(session, workshop, WorkshopStatus.LIVE)
    assert workshop.closed_at is None
    assert erase_due(session, after=100 * DAY) == []


def test_the_workshops_own_setting_wins_over_the_servers(session, closed_room):
    workshop, _people, _notes = closed_room
    workshop.erase_names_after_days = 0
    assert erase_due(session, after=timedelta(0), default_days=None) == [workshop]
    assert names(session, workshop)[0] == "Participant 1"


def test_without_a_default_only_workshops_that_ask_are_erased(session, closed_room):
    workshop, _people, _notes = closed_room
    assert erase_due(session, after=1000 * DAY, default_days=None) == []
    workshop.erase_names_after_days = 7
    assert erase_due(session, after=6 * DAY, default_days=None) == []
    assert erase_due(session, after=8 * DAY, default_days=None) == [workshop]


def test_names_come_in_the_workshops_language(session, make):
    record = make.workshop(language="nl")
    make.participant(record, "Anna")
    workshop = session.get(Workshop, record.id)
    service.change_status(session, workshop, WorkshopStatus.CLOSED)
    retention.erase_names(session, workshop, now=utcnow())
    assert names(session, workshop) == ["Deelnemer 1"]


def test_housekeeping_does_all_three_and_reports_it(session, closed_room):
    workshop, _people, _notes = closed_room
    age_events(session, event_ids(session)[:2], 3 * DAY)
    accounts.start_login(session, session.get(Facilitator, workshop.facilitator_id))
    session.flush()
    done = retention.housekeeping(
        session, now=utcnow() + 31 * DAY, erase_after_days=30, login_lasts=30 * DAY
    )
    assert done.logins_ended == 1
    assert session.scalar(select(func.count()).select_from(LoginSession)) == 0
    assert done.workshops_erased == (workshop.id,)
    # Every event older than a day at that moment but the newest; then the erasure's own.
    assert done.events_pruned >= 2
    assert session.scalar(select(func.count()).select_from(LiveEvent)) == 2


def test_log_ins_older_than_a_log_in_lasts_are_deleted(session, make):
    facilitator = session.get(Facilitator, make.facilitator().id)
    for days in (29, 31, 400):
        accounts.start_login(session, facilitator)
        session.flush()
        session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == accounts.hashed_token(facilitator.login_token))
            .values(created_at=utcnow() - days * DAY)
        )
    done = retention.housekeeping(session, now=utcnow(), login_lasts=30 * DAY)
    assert done.logins_ended == 2
    left = session.scalars(select(LoginSession.created_at)).all()
    assert [round((utcnow() - begun) / DAY) for begun in left] == [29]
