"""The broadcaster: events reach the streams of their workshop, late commits included."""

from __future__ import annotations

import queue
import threading

import pytest
from sqlalchemy.engine import make_url

from cjm_workshop import live
from cjm_workshop.extensions import db
from cjm_workshop.live import KEEPALIVE, NOTIFY_CHANNEL, Broadcaster, latest_event_id
from cjm_workshop.models import LiveEvent, LiveEventKind
from cjm_workshop.services.room import touch
from tests.conftest import AuthActions


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


def test_on_postgresql_a_committed_event_notifies_the_broadcasters(app, database_url, make):
    """The wake-up comes from a trigger on the event table (no statement of the app's)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite's processes ring a doorbell (tests/live)")
    import psycopg

    room = make.workshop()
    address = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(address.render_as_string(hide_password=False), autocommit=True) as ear:
        ear.execute(f"LISTEN {NOTIFY_CHANNEL}")
        with app.app_context():
            touch(db.session, room.id)
            touch(db.session, room.id)
            db.session.commit()
        heard = list(ear.notifies(timeout=10, stop_after=1))
    assert [(n.channel, n.payload) for n in heard] == [(NOTIFY_CHANNEL, "")]


def test_stop_ends_every_stream(app, make):
    room = make.workshop()
    hub = Broadcaster(app)
    with app.app_context():
        inbox = hub.subscribe(room.id)
    hub.stop()
    assert inbox.get(timeout=1) is None


class OpenStream:
    """An event stream read in a thread of its own, as a server thread serves one screen (a
    streamed response keeps its request context until it ends). Keep-alive comments, which
    come whenever the broadcaster's tick does, are left out unless asked for."""

    def __init__(self, client, url: str, keepalives: bool = False) -> None:
        self.keepalives = keepalives
        self.chunks: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(client, url), daemon=True)
        self._thread.start()
        assert self.next().startswith("retry:")  # subscribed

    def _read(self, client, url: str) -> None:
        response = client.get(url)
        try:
            for chunk in response.response:
                text = chunk.decode()
                if not self.keepalives:
                    text = text.replace(f": {KEEPALIVE}\n\n", "")
                if text:
                    self.chunks.put(text)
        finally:
            response.close()
            self.chunks.put(None)

    def next(self) -> str | None:
        return self.chunks.get(timeout=30)

    def until(self, start: str) -> str:
        """The first chunk that starts so (events of other kinds may come first)."""
        while (chunk := self.next()) is not None:
            if chunk.startswith(start):
                return chunk
        raise AssertionError(f"the stream ended without {start!r}")

    def rest(self) -> list[str]:
        """Everything up to the end of the stream."""
        chunks = []
        while (chunk := self.next()) is not None:
            chunks.append(chunk)
        return chunks


def end_streams(app, workshop_id: int) -> None:
    """End the workshop's open streams as a shutdown would, leaving the app's hub running."""
    hub = app.extensions["cjm_live"]
    with hub._lock:
        inboxes = list(hub._subscribers.get(workshop_id, ()))
    for inbox in inboxes:
        inbox.put(None)


def test_a_phone_past_its_stream_cap_ends_its_oldest_stream_not_the_server(app, make):
    room = make.workshop()
    anna, ben = make.participant(room, "Anna"), make.participant(room, "Ben")
    url = f"/w/{room.join_code}/events"
    annas = [OpenStream(make.phone(room, anna), url) for _ in range(3)]
    OpenStream(make.phone(room, ben), url)
    OpenStream(make.phone(room, anna), url)  # a fourth stream of Anna's
    ended = annas[0].until("event: superseded\n")
    assert "Reload this page" in ended
    assert annas[0].next() is None  # and that stream is over
    hub = app.extensions["cjm_live"]
    held = {holder: len(streams) for holder, streams in hub._held.items()}
    assert held[f"participant {anna.id}"] == 3
    assert held[f"participant {ben.id}"] == 1
    end_streams(app, room.id)


def test_an_address_past_its_stream_cap_ends_its_oldest_phone_stream_not_the_board(
    app, client, me, make, monkeypatch
):
    monkeypatch.setitem(app.config, "LIVE_STREAMS_PER_ADDRESS", 5)
    room = make.workshop(me)
    board = OpenStream(client, f"/workshops/{room.id}/events?view=board")  # same address
    phones = [make.phone(room, make.participant(room, f"P{n}")) for n in range(6)]
    streams = [OpenStream(phone, f"/w/{room.join_code}/events") for phone in phones]
    streams[0].until("event: superseded\n")
    end_streams(app, room.id)
    for kept in (board, *streams[1:]):
        assert not any(chunk.startswith("event: superseded") for chunk in kept.rest())


def test_an_open_board_ends_when_its_log_in_is_ended_elsewhere(app, client, auth, make):
    frida = make.facilitator("frida@example.org")
    auth.login("frida@example.org")
    room = make.workshop(frida)
    board = OpenStream(client, f"/workshops/{room.id}/events?view=board")
    elsewhere = app.test_client()
    AuthActions(elsewhere).login("frida@example.org")
    elsewhere.post("/account/logout-elsewhere")
    make.participant(room, "Anna")  # the next event: the board asks whether it may go on
    assert board.until("event: ").startswith("event: refresh")
    assert board.next() is None  # the stream is over
    page = f"http://localhost/workshops/{room.id}/board"
    part = client.get(page, headers={"HX-Request": "true", "HX-Current-URL": page})
    assert part.status_code == 401  # and its part reloads into the log-in page, whole
    assert part.headers["HX-Redirect"] == f"/login?next=/workshops/{room.id}/board"


def test_the_broadcasters_tick_keeps_every_open_stream_alive(app, client, me, make, monkeypatch):
    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.2)
    monkeypatch.setattr(live, "KEEPALIVE_FALLBACK_SECONDS", 3600)  # only the tick, then
    room = make.workshop(me)
    board = OpenStream(client, f"/workshops/{room.id}/events?view=board", keepalives=True)
    anna = make.phone(room, make.participant(room, "Anna"))
    phone = OpenStream(anna, f"/w/{room.join_code}/events", keepalives=True)
    for stream in (board, phone):  # (written with any event that came meanwhile)
        while ": keepalive\n\n" not in (chunk := stream.next() or ""):
            assert chunk, "the stream ended without its keep-alive"
    end_streams(app, room.id)


def test_an_idle_broadcaster_sleeps_between_ticks(app, make, monkeypatch):
    """With nobody connected, no tick may turn its wait into a busy loop."""
    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.05)
    monkeypatch.setattr(live, "SAFETY_POLL_SECONDS", 0.05)
    hub = Broadcaster(app)
    hub._postgres = False  # (waits on its in-process wake-up, whatever the database)
    polls = []
    monkeypatch.setattr(hub, "_poll", lambda: polls.append(1))
    waits = []
    real_wait = hub._wake.wait
    monkeypatch.setattr(
        hub._wake, "wait", lambda timeout: waits.append(timeout) or real_wait(timeout)
    )
    thread = threading.Thread(target=hub._loop, args=(None,), daemon=True)
    thread.start()
    for _ in range(200):  # (a few are enough; ends a loop that stopped waiting at all)
        if len(waits) >= 5:
            break
        real_wait(0.05)
    hub.stopping.set()
    hub._wake.set()
    thread.join(10)
    assert len(waits) >= 5
    assert min(waits[1:]) > 0  # every wait sleeps, also once a tick is due
    assert polls == []  # and nothing is read while no screen is connected
