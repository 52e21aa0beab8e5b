"""Live updates: server-sent events fed by one broadcaster thread per process.

The broadcaster tails the `live_event` table (one small query every 100 ms, and only while
some screen is connected) and hands each new row to the streams watching that workshop.
Because the table is the only channel, a change made through any gunicorn worker or any
app server sharing the database reaches every screen. A stream starts by replaying the
events after the last one its screen saw (`?after=` or the browser's Last-Event-ID), so a
phone that was offline catches up without a reload.

A note event is loaded once per process, and rendered once per process and per fragment
(everything that changes its HTML), not once per connected phone. Streams end at once when the process shuts down.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, has_app_context, stream_with_context
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from cjm_workshop.database import read_only_connection
from cjm_workshop.extensions import db
from cjm_workshop.models import LiveEvent, LiveEventKind, Note
from cjm_workshop.services.steps import LIVE_TOUCHED

POLL_SECONDS = 0.1
NOTIFY_CHANNEL = "cjm_live"
KEEPALIVE_SECONDS = 15
REPLAY_LIMIT = 300  # a screen further behind than this reloads its live part instead
GAP_SECONDS = 5.0  # how long an id skipped over may still turn up (a late commit)
MAX_GAP_TRACKING = 10_000
SENT_MEMORY = 2_000
BUILD_WAIT_SECONDS = 10  # how long a stream waits for another one building the same thing


@dataclass(frozen=True)
class EventRow:
    id: int
    workshop_id: int
    kind: LiveEventKind
    note_id: int | None


class Broadcaster:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._subscribers: dict[int, set[queue.SimpleQueue]] = {}
        self._last_id: int | None = None
        self._gaps: dict[int, float] = {}  # event ids skipped over, and since when
        self.prepared = _OncePerProcess()  # what was built for an event and kind of screen
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self._wake = threading.Event()

    def subscribe(self, workshop_id: int) -> queue.SimpleQueue:
        inbox: queue.SimpleQueue = queue.SimpleQueue()
        with self._lock:
            if self._last_id is None:
                self._last_id = latest_event_id()
            self._subscribers.setdefault(workshop_id, set()).add(inbox)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cjm-live", daemon=True)
                self._thread.start()
        return inbox

    def unsubscribe(self, workshop_id: int, inbox: queue.SimpleQueue) -> None:
        with self._lock:
            watchers = self._subscribers.get(workshop_id, set())
            watchers.discard(inbox)
            if not watchers:
                self._subscribers.pop(workshop_id, None)

    def forget_position(self) -> None:
        """Start tailing from the beginning again (tests empty the tables between runs, and
        SQLite then hands out the same ids again)."""
        with self._lock:
            self._last_id = 0
            self._gaps.clear()
        self.prepared.clear()

    def wake(self) -> None:
        """A change was committed in this process: look at once."""
        self._wake.set()

    def stop(self) -> None:
        """End every stream now (process shutdown)."""
        self.stopping.set()
        self._wake.set()
        with self._lock:
            for watchers in self._subscribers.values():
                for inbox in watchers:
                    inbox.put(None)

    def _run(self) -> None:
        listener = self._listen()
        try:
            self._loop(listener)
        finally:
            if listener is not None:
                listener.close()

    def _loop(self, listener) -> None:
        while not self.stopping.is_set():
            if listener is not None:
                try:  # woken at once by a commit's NOTIFY, or after POLL_SECONDS anyway
                    for _ in listener.notifies(timeout=POLL_SECONDS, stop_after=1):
                        pass
                except Exception:
                    self.app.logger.exception("live: listening failed; polling instead")
                    listener = None
            else:  # woken at once by a commit in this process, or after POLL_SECONDS anyway
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()
                if self.stopping.is_set():
                    break
            with self._lock:
                if not self._subscribers:
                    continue
            try:
                self._poll()
            except Exception:  # a database hiccup must not end live updates for good
                self.app.logger.exception("live: polling failed")

    def _listen(self):
        """On PostgreSQL, a connection of its own that LISTENs for commits' notifications."""
        with self.app.app_context():
            url = db.engine.url
        if url.get_backend_name() != "postgresql":
            return None
        import psycopg

        try:
            connection = psycopg.connect(
                url.set(drivername="postgresql").render_as_string(hide_password=False),
                autocommit=True,
            )
            connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error:
            self.app.logger.exception("live: cannot LISTEN; polling instead")
            return None
        return connection

    def _poll(self) -> None:
        last = self._last_id or 0
        with self.app.app_context():
            rows = events_after(last, also=tuple(self._gaps))
        now = time.monotonic()
        for missing, since in list(self._gaps.items()):
            if now - since > GAP_SECONDS:
                del self._gaps[missing]  # rolled back: that id will never appear
        if not rows:
            return
        found = {row.id for row in rows}
        newest = max(last, *found)
        if newest - last < MAX_GAP_TRACKING:
            # On PostgreSQL a transaction can commit after one that took a later id; keep
            # looking for the ids skipped over for a few seconds.
            for missing in range(last + 1, newest):
                if missing not in found:
                    self._gaps.setdefault(missing, now)
        with self._lock:
            self._last_id = newest
            for row in rows:
                self._gaps.pop(row.id, None)
                for inbox in self._subscribers.get(row.workshop_id, ()):
                    inbox.put(row)


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(LIVE_TOUCHED, False) and has_app_context():
        hub = current_app.extensions.get("cjm_live")
        if hub is not None:
            hub.wake()


def latest_event_id(session: Session | None = None) -> int:
    """The newest event id. A page being rendered passes its own session: reading on a
    second connection while the request holds one would let a busy server run out of them
    (every thread holding one connection and waiting for another)."""
    query = select(db.func.max(LiveEvent.id))
    if session is not None:
        return session.execute(query).scalar() or 0
    with read_only_connection(db.engine) as connection:
        return connection.execute(query).scalar() or 0


def events_after(
    after_id: int,
    workshop_id: int | None = None,
    limit: int | None = None,
    also: tuple[int, ...] = (),
):
    newer = LiveEvent.id > after_id
    query = select(LiveEvent.id, LiveEvent.workshop_id, LiveEvent.kind, LiveEvent.note_id).where(
        or_(newer, LiveEvent.id.in_(also)) if also else newer
    )
    if workshop_id is not None:
        query = query.where(LiveEvent.workshop_id == workshop_id)
    query = query.order_by(LiveEvent.id)
    if limit is not None:
        query = query.limit(limit)
    with read_only_connection(db.engine) as connection:
        return [EventRow(*row) for row in connection.execute(query)]


def broadcaster() -> Broadcaster:
    app = current_app._get_current_object()
    if "cjm_live" not in app.extensions:
        app.extensions["cjm_live"] = Broadcaster(app)
    return app.extensions["cjm_live"]


def sse(event: str, data: dict | str, event_id: int | None = None) -> str:
    """One server-sent event; `data` may come serialized already (see as_data)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = data if isinstance(data, str) else as_data(data)
    return f"{head}event: {event}\ndata: {body}\n\n"


def as_data(payload: dict) -> str:
    """Serialize an event's data once per process, not once per connected screen."""
    return json.dumps(payload, separators=(",", ":"))


def stream(
    workshop_id: int, after_id: int, render_note: Callable[[int, int], str | None]
) -> Iterator[str]:
    """The event stream of one screen. `render_note(note_id, event_id)` returns the data
    this viewer gets for a note event, serialized (None: the note is gone for them)."""
    hub = broadcaster()
    inbox = hub.subscribe(workshop_id)
    try:
        yield "retry: 2000\n\n"
        backlog = events_after(after_id, workshop_id, REPLAY_LIMIT + 1) if after_id else []
        db.session.remove()
        if len(backlog) > REPLAY_LIMIT:
            yield sse("refresh", {}, backlog[-1].id)
            backlog = []
        sent: OrderedDict[int, None] = OrderedDict()  # ids this screen has had (recent ones)
        for row in backlog:
            yield _message(row, render_note)
            sent[row.id] = None
        while not hub.stopping.is_set():
            try:
                row = inbox.get(timeout=KEEPALIVE_SECONDS)
            except queue.Empty:
                yield ": keepalive\n\n"
                continue
            if row is None:
                return
            if row.id in sent:
                continue  # replayed already, or offered twice
            yield _message(row, render_note)
            sent[row.id] = None
            if len(sent) > SENT_MEMORY:
                sent.popitem(last=False)
    finally:
        hub.unsubscribe(workshop_id, inbox)
        db.session.remove()


def _message(row: EventRow, render_note: Callable[[int, int], str | None]) -> str:
    if row.kind is LiveEventKind.PRESENCE:
        return sse("presence", {}, row.id)
    if row.kind is LiveEventKind.MAP:
        return sse("map", {}, row.id)
    if row.kind is not LiveEventKind.NOTE or row.note_id is None:
        return sse("refresh", {}, row.id)
    try:
        payload = render_note(row.note_id, row.id)
    except Exception:
        # The database hiccupped, or the note went while it was read: never say it is gone
        # because of that; the screen reloads its live part instead.
        current_app.logger.exception("live: note %s could not be rendered", row.note_id)
        return sse("refresh", {}, row.id)
    finally:
        db.session.remove()  # never hold a transaction open across a long stream
    if payload is None:
        return sse("note-gone", {"id": row.note_id}, row.id)
    return sse("note", payload, row.id)


class _OncePerProcess:
    """What every stream of this process sends for one event and kind of viewer, built once.

    All streams of a workshop wake for the same event at the same moment: the first builds,
    the others wait for its result instead of building it again.
    """

    def __init__(self, size: int = 4096) -> None:
        self._items: OrderedDict[tuple, _Pending] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        """The value built for `key`. A build that fails is not remembered: its error goes to
        the streams waiting for it, and the next one to ask builds again."""
        with self._lock:
            pending = self._items.get(key)
            builder = pending is None
            if builder:
                pending = self._items[key] = _Pending()
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        if builder:
            try:
                pending.value = build()
            except BaseException as error:
                pending.error = error
                with self._lock:
                    if self._items.get(key) is pending:
                        del self._items[key]
                raise
            finally:
                pending.done.set()
        elif not pending.done.wait(timeout=BUILD_WAIT_SECONDS):
            raise TimeoutError(f"still building {key!r}")
        if pending.error is not None:
            raise pending.error
        return pending.value


class _Pending:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


def once_per_process(key: tuple, build: Callable[[], Any]) -> Any:
    """Build what every stream of this process sends for one event and kind of screen once."""
    return broadcaster().prepared.get(key, build)


def load_note(note_id: int) -> Note | None:
    return db.session.get(Note, note_id)


def after_id(request) -> int:
    """The last event a screen saw: the browser's Last-Event-ID on a reconnect, else ?after=."""
    value = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    return int(value) if value.isdigit() else 0


def event_stream_response(
    workshop_id: int, after: int, render_note: Callable[[int, int], str | None]
) -> Response:
    db.session.remove()  # the stream opens short sessions of its own
    response = Response(
        stream_with_context(stream(workshop_id, after, render_note)),
        mimetype="text/event-stream",
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    return response
