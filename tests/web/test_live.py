"""The broadcaster: events reach the streams of their workshop, late commits included."""

from __future__ import annotations

from cjm_workshop.extensions import db
from cjm_workshop.live import Broadcaster, latest_event_id
from cjm_workshop.models import LiveEvent, LiveEventKind


def add_event(app, workshop_id: int, event_id: int) -> None:
    with app.app_context():
        db.session.add(LiveEvent(id=event_id, workshop_id=workshop_id, kind=LiveEventKind.REFRESH))
        db.session.commit()


def drain(inbox) -> list[int]:
    ids = []
    while not inbox.empty():
        ids.append(inbox.get().id)
    return ids


def test_events_go_to_their_workshop_and_late_commits_are_not_lost(app, make):
    room, other = make.workshop(), make.workshop()
    hub = Broadcaster(app)
    hub.stopping.set()  # no thread: this test polls by hand
    with app.app_context():
        start = latest_event_id()
        mine, theirs = hub.subscribe(room.id), hub.subscribe(other.id)
    add_event(app, room.id, start + 2)  # committed first, though it took the later id
    add_event(app, other.id, start + 3)
    hub._poll()
    assert drain(mine) == [start + 2]
    assert drain(theirs) == [start + 3]
    add_event(app, room.id, start + 1)  # the slower transaction commits now
    hub._poll()
    assert drain(mine) == [start + 1]
    hub._poll()
    assert drain(mine) == []  # delivered once


def test_stop_ends_every_stream(app, make):
    room = make.workshop()
    hub = Broadcaster(app)
    with app.app_context():
        inbox = hub.subscribe(room.id)
    hub.stop()
    assert inbox.get(timeout=1) is None
