"""Live updates: server-sent events fed by one broadcaster thread per process.

The broadcaster tails the `live_event` table and hands each new row to the streams watching
that workshop. Because the table is the only channel, a change made through any gunicorn
worker or any app server sharing the database reaches every screen. A commit that wrote an
event wakes the broadcasters at once: on PostgreSQL the NOTIFY of a trigger on that table
(migration 0021), on SQLite a doorbell (a datagram to each process using the same database
file); a slow safety poll covers a wake-up that got lost. Nothing is polled while no screen
is connected. A stream starts by replaying the events after the last one its screen saw
(`?after=` or the browser's Last-Event-ID), so a phone that was offline catches up without a
reload.

A note event is loaded once per process, and rendered once per process and per fragment
(everything that changes its HTML), not once per connected phone. Streams end at once when the process shuts down.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import selectors
import socket
import tempfile
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, has_app_context, request
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine, bindparam, create_engine, event, or_, select
from sqlalchemy.orm import Session, aliased

from cjm_workshop.database import end_session, read_only_connection, tune_engine
from cjm_workshop.extensions import db
from cjm_workshop.models import (
    Channel,
    LiveEvent,
    LiveEventKind,
    Note,
    NoteKind,
    Participant,
    Persona,
    ResearchSource,
    Step,
    StepState,
    Workshop,
    WorkshopStatus,
    WorkshopStep,
)
from cjm_workshop.services.room import LIVE_TOUCHED, DbSession

POLL_SECONDS = 0.1  # when no wake-up channel works
SAFETY_POLL_SECONDS = 5.0  # with one: only in case a wake-up got lost (idle costs it)
# Reads of the event log at least this far apart: a room posting at once is read and written
# to each screen a handful of events at a time, not one read and one write per event.
GATHER_SECONDS = 0.02
LISTEN_RETRY_SECONDS = (1, 2, 4, 8, 15, 30)  # after losing PostgreSQL's LISTEN connection
NOTIFY_CHANNEL = "cjm_live"
ALLOWED_EVERY_SECONDS = 1.0
# Every stream of a process gets its keep-alive comment from the broadcaster's one tick:
# one wake-up of the process, where a timer per stream woke it for each screen in turn, most
# of what a connected room cost while nothing happened. A stream writes one itself only if
# no tick came for KEEPALIVE_FALLBACK_SECONDS (the broadcaster is gone).
KEEPALIVE_SECONDS = 15
KEEPALIVE_FALLBACK_SECONDS = 30
REPLAY_LIMIT = 300  # a screen further behind than this reloads its live part instead
GAP_SECONDS = 5.0  # how long an id skipped over may still turn up (a late commit)
MAX_GAP_TRACKING = 10_000
SENT_MEMORY = 2_000
BUILD_WAIT_SECONDS = 10  # how long a stream waits for another one building the same thing
SUPERSEDED = "superseded"  # put in a stream's inbox: a newer stream of its holder replaces it
KEEPALIVE = "keepalive"  # nothing came for a while
PAUSED_HERE = _l(
    "Live updates have moved to a newer window of yours. Reload this page to get them here."
)


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
        self._held: dict[str, deque[queue.SimpleQueue]] = {}  # streams per holder, oldest first
        self._last_id: int | None = None
        self._gaps: dict[int, float] = {}  # event ids skipped over, and since when
        self._read_at = 0.0  # when the event log was last read (monotonic)
        self._kept_alive_at = time.monotonic()
        self.prepared = _OncePerProcess()  # what was built for an event and kind of screen
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self._wake = threading.Event()
        with app.app_context():
            self._url = db.engine.url
        self._postgres = self._url.get_backend_name() == "postgresql"
        self._doorbell = Doorbell.for_url(self._url)
        self.listener = None  # PostgreSQL's LISTEN connection, while there is one

    def subscribe(self, workshop_id: int, caps: dict[str, int] | None = None) -> queue.SimpleQueue:
        """A new stream's inbox. `caps`: how many streams each of its holders (a participant,
        an account, an address) may have open in this process; past that the oldest ends."""
        inbox: queue.SimpleQueue = queue.SimpleQueue()
        with self._lock:
            if self._last_id is None:
                self._last_id = latest_event_id()
            self._subscribers.setdefault(workshop_id, set()).add(inbox)
            for holder, cap in (caps or {}).items():
                streams = self._held.setdefault(holder, deque())
                while streams and len(streams) >= cap:
                    streams.popleft().put(SUPERSEDED)
                streams.append(inbox)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cjm-live", daemon=True)
                self._thread.start()
        return inbox

    def unsubscribe(self, workshop_id: int, inbox: queue.SimpleQueue, holders=()) -> None:
        with self._lock:
            watchers = self._subscribers.get(workshop_id, set())
            watchers.discard(inbox)
            if not watchers:
                self._subscribers.pop(workshop_id, None)
            for holder in holders:
                streams = self._held.get(holder)
                if streams is not None and inbox in streams:
                    streams.remove(inbox)
                if not streams:
                    self._held.pop(holder, None)

    def forget_position(self) -> None:
        """Start tailing from the beginning again (tests empty the tables between runs, and
        SQLite then hands out the same ids again)."""
        with self._lock:
            self._last_id = 0
            self._gaps.clear()
        self.prepared.clear()

    def stop(self) -> None:
        """End every stream now (process shutdown)."""
        self.stopping.set()
        self._wake.set()
        if self._doorbell is not None:
            self._doorbell.ring()
        with self._lock:
            for watchers in self._subscribers.values():
                for inbox in watchers:
                    inbox.put(None)

    def keep_alive(self) -> None:
        """Have every stream of this process write its keep-alive comment now."""
        self._kept_alive_at = time.monotonic()
        with self._lock:
            for watchers in self._subscribers.values():
                for inbox in watchers:
                    inbox.put(KEEPALIVE)

    def _run(self) -> None:
        self.listener = self._listen()
        bell = self._doorbell.listen() if self._doorbell is not None else None
        try:
            self._loop(bell)
        finally:
            for channel in (self.listener, bell):
                if channel is not None:
                    channel.close()

    def _loop(self, bell) -> None:
        failures, retry_at = 0, 0.0
        while not self.stopping.is_set():
            if self.listener is None and self._postgres and time.monotonic() >= retry_at:
                self.listener = self._listen()  # back after a restart of the database?
                if self.listener is None:
                    delay = LISTEN_RETRY_SECONDS[min(failures, len(LISTEN_RETRY_SECONDS) - 1)]
                    failures, retry_at = failures + 1, time.monotonic() + delay
                else:
                    failures = 0
            # Awake by the next keep-alive tick at the latest.
            tick = self._kept_alive_at + KEEPALIVE_SECONDS - time.monotonic()
            longest = max(0.0, min(SAFETY_POLL_SECONDS, tick))
            if self.listener is not None:
                try:  # woken at once by a commit's NOTIFY, or after SAFETY_POLL_SECONDS anyway
                    _wait_for_notify(self.listener, longest)
                except Exception:
                    self.app.logger.warning("live: lost LISTEN; polling until it is back")
                    with contextlib.suppress(Exception):
                        self.listener.close()
                    self.listener, retry_at = None, time.monotonic() + LISTEN_RETRY_SECONDS[0]
            elif bell is not None:  # woken at once by a commit in any process
                bell.wait(longest)
            else:
                self._wake.wait(min(POLL_SECONDS, longest))
            self._wake.clear()
            rest = self._read_at + GATHER_SECONDS - time.monotonic()
            if rest > 0:  # read just now: what else commits meanwhile comes along
                self.stopping.wait(rest)
            if self.stopping.is_set():
                break
            if time.monotonic() - self._kept_alive_at >= KEEPALIVE_SECONDS:
                self.keep_alive()  # (to nobody while no screen is connected)
            with self._lock:
                if not self._subscribers:
                    continue
            self._read_at = time.monotonic()
            try:
                self._poll()
            except Exception:  # a database hiccup must not end live updates for good
                self.app.logger.exception("live: polling failed")

    def _listen(self):
        """On PostgreSQL, a connection of its own that LISTENs for commits' notifications
        (None: not PostgreSQL, or it cannot be reached now; polled meanwhile)."""
        if not self._postgres:
            return None
        import psycopg

        try:
            connection = psycopg.connect(
                self._url.set(drivername="postgresql").render_as_string(hide_password=False),
                autocommit=True,
                connect_timeout=5,
            )
            connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error as error:
            self.app.logger.warning("live: cannot LISTEN (%s); polling meanwhile", error)
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
        self._read_notes(rows)
        with self._lock:
            self._last_id = newest
            for row in rows:
                self._gaps.pop(row.id, None)
                for inbox in self._subscribers.get(row.workshop_id, ()):
                    inbox.put(row)

    def _read_notes(self, rows: list[EventRow]) -> None:
        """The notes these events are about, read in one query for the streams to find
        (`note_of_event`): one at a time, each stream's next note waited for the database
        (on PostgreSQL, behind every other greenlet), and a room posting at once outran the
        board by seconds. Read as they are handed out, so settings changed mid-session
        count at once. If the read fails, the streams read each note themselves."""
        wanted = {
            row.id: row.note_id
            for row in rows
            if row.kind is LiveEventKind.NOTE
            and row.note_id is not None
            and row.workshop_id in self._subscribers
        }
        if not wanted:
            return
        try:
            with self.app.app_context():
                notes = load_notes(set(wanted.values()))
        except Exception:
            self.app.logger.exception("live: could not read the events' notes")
            return
        for event_id, note_id in wanted.items():
            self.prepared.put(("live-note", event_id), notes.get(note_id))


def _wait_for_notify(listener, timeout: float) -> None:
    """Wait until a NOTIFY arrives on the LISTEN connection (or the timeout) and take what
    came. Waits on the connection's socket itself: psycopg's notifies() wakes ten times a
    second to look for Ctrl-C, which was most of what an idle server did. Raises if the
    database dropped the connection."""
    if _notified(listener.pgconn):
        return
    with selectors.DefaultSelector() as selector:
        selector.register(listener.fileno(), selectors.EVENT_READ)
        selector.select(timeout)
    _notified(listener.pgconn)


def _notified(connection) -> bool:
    """Read what the socket holds; True if a notification was among it."""
    connection.consume_input()
    found = False
    while connection.notifies() is not None:
        found = True
    return found


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: DbSession) -> None:
    """A commit that wrote an event wakes the broadcasters (PostgreSQL's NOTIFY went with
    the commit itself)."""
    if not session.info.pop(LIVE_TOUCHED, False):
        return
    doorbell = Doorbell.for_url(session.get_bind().engine.url)
    if doorbell is not None:
        doorbell.ring()
    elif has_app_context() and (hub := current_app.extensions.get("cjm_live")) is not None:
        hub._wake.set()  # an in-memory database: only this process can see it anyway


class Doorbell:
    """The processes using one SQLite file wake each other here: each broadcaster binds a
    datagram socket in a directory named after the file, and a commit that wrote a live event
    sends a byte to every socket there (a socket whose process has gone is removed). Only a
    wake-up: what happened is read from the `live_event` table as always."""

    _by_path: dict[str, Doorbell | None] = {}
    _guard = threading.Lock()

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._sender: socket.socket | None = None
        self._sender_pid = 0

    @classmethod
    def for_url(cls, url) -> Doorbell | None:
        """The doorbell of a SQLite database file (None for PostgreSQL or :memory:)."""
        database = url.database if url.get_backend_name() == "sqlite" else None
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        path = os.path.abspath(database)
        with cls._guard:
            if path not in cls._by_path:
                digest = hashlib.sha256(path.encode()).hexdigest()[:20]
                directory = os.path.join(tempfile.gettempdir(), f"cjm-live-{digest}")
                try:
                    os.makedirs(directory, mode=0o700, exist_ok=True)
                    usable = os.stat(directory).st_uid == os.getuid()
                except OSError:
                    usable = False
                cls._by_path[path] = cls(directory) if usable else None
            return cls._by_path[path]

    def listen(self) -> Bell | None:
        """This process's socket, to wait on (None: cannot bind one; poll instead)."""
        path = os.path.join(self.directory, f"{os.getpid()}-{threading.get_ident()}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            receiver.bind(path)
        except OSError:
            receiver.close()
            return None
        receiver.setblocking(False)
        return Bell(receiver, path)

    def ring(self) -> None:
        if self._sender is None or self._sender_pid != os.getpid():
            self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._sender.setblocking(False)
            self._sender_pid = os.getpid()
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return
        for entry in entries:
            try:
                self._sender.sendto(b"!", entry.path)
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)  # its process has gone
            except OSError:
                pass  # its buffer is full: it has been woken already


class Bell:
    """One broadcaster's end of the doorbell."""

    def __init__(self, receiver: socket.socket, path: str) -> None:
        self._receiver = receiver
        self._path = path
        self._selector = selectors.DefaultSelector()
        self._selector.register(receiver, selectors.EVENT_READ)

    def wait(self, timeout: float) -> bool:
        """Wait until rung or the timeout; True if it was rung."""
        rung = bool(self._selector.select(timeout))
        with contextlib.suppress(BlockingIOError):
            while self._receiver.recv(64):
                pass
        return rung

    def close(self) -> None:
        self._selector.close()
        self._receiver.close()
        with contextlib.suppress(OSError):
            os.unlink(self._path)


def latest_event_id(session: DbSession | None = None) -> int:
    """The newest event id. A page being rendered passes its own session: reading on a
    second connection while the request holds one would let a busy server run out of them
    (every thread holding one connection and waiting for another)."""
    query = select(db.func.max(LiveEvent.id))
    if session is not None:
        return session.execute(query).scalar() or 0
    with read_only_connection(live_engine()) as connection:
        return connection.execute(query).scalar() or 0


def oldest_event_id() -> int:
    """The oldest event kept (0: none). Events are pruned oldest first (services/retention.py),
    so a screen whose last event is below this one may have missed some."""
    with read_only_connection(live_engine()) as connection:
        return connection.execute(select(db.func.min(LiveEvent.id))).scalar() or 0


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
    with read_only_connection(live_engine()) as connection:
        return [EventRow(*row) for row in connection.execute(query)]


def _app() -> Flask:
    """The app itself, not the proxy (for a thread, a stream or a cache that outlives the
    request). Flask types `current_app` as the app, so the proxy's method is unknown to mypy."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


def broadcaster() -> Broadcaster:
    app = _app()
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
    app: Flask,
    locale: str,
    workshop_id: int,
    after_id: int,
    render_note: Callable[[int, int], str | None],
    caps: dict[str, int] | None = None,
    allowed: Callable[[], bool] | None = None,
) -> Iterator[bytes]:
    """The event stream of one screen, speaking `locale`. `render_note(note_id, event_id)`
    returns the data this viewer gets for a note event, serialized (None: the note is gone
    for them). `allowed()`, asked when the stream wakes (an event, a keep-alive) but at most
    once every ALLOWED_EVERY_SECONDS (a room posting at once woke a board's query 180 times a
    second), ends the stream when it says no (a log-in that ended): the screen reloads its
    part and is sent to log in.

    A stream keeps an app context, not the request it was opened by (the request's environ,
    headers, cookies and session were a seventh of a connected screen's memory), and yields
    bytes straight to the server (no layers of iterators between: each is stack kept per
    screen)."""
    with app.app_context():
        hub = broadcaster()
        inbox = hub.subscribe(workshop_id, caps)
        try:
            yield b"retry: 2000\n\n"
            backlog = events_after(after_id, workshop_id, REPLAY_LIMIT + 1) if after_id else []
            # Read after the backlog: what was pruned before it was read is below the oldest.
            pruned = bool(after_id) and after_id < oldest_event_id() - 1
            _end_session()
            if len(backlog) > REPLAY_LIMIT or pruned:
                # Too far behind to catch up event by event: the screen reloads its live
                # part, then goes on from the newest event (so a reconnect does not repeat it).
                yield sse("refresh", {}, max(latest_event_id(), after_id)).encode()
                backlog = []
            sent: OrderedDict[int, None] = OrderedDict()  # ids this screen has had (recent ones)
            asked = 0.0  # when `allowed` may be asked again
            if backlog:
                yield "".join(_message(row, render_note) for row in backlog).encode()
                sent.update((row.id, None) for row in backlog)
            while not hub.stopping.is_set():
                try:  # the broadcaster's tick comes first; this only if it stopped
                    first = inbox.get(timeout=KEEPALIVE_FALLBACK_SECONDS)
                except queue.Empty:
                    first = KEEPALIVE
                if first is None:
                    return
                if allowed is not None and first is not SUPERSEDED and time.monotonic() > asked:
                    asked = time.monotonic() + ALLOWED_EVERY_SECONDS
                    if not _still(allowed):
                        yield sse("refresh", {}).encode()
                        return
                # Whatever else arrived meanwhile goes out in the same write: a busy server
                # catches up on a screen with one system call, not one per event.
                out: list[str] = []
                for row in (first, *_waiting(inbox)):
                    if row is None:
                        return
                    if row is KEEPALIVE:
                        out.append(": keepalive\n\n")
                    elif row is SUPERSEDED:
                        # The screen stops reconnecting and says why.
                        with force_locale(locale):
                            said = {"message": str(PAUSED_HERE)}
                        yield "".join([*out, sse(SUPERSEDED, said)]).encode()
                        return
                    elif row.id not in sent:  # else replayed already, or offered twice
                        out.append(_message(row, render_note))
                        sent[row.id] = None
                        if len(sent) > SENT_MEMORY:
                            sent.popitem(last=False)
                if out:
                    yield "".join(out).encode()
        finally:
            hub.unsubscribe(workshop_id, inbox, caps or ())
            _end_session()


def _end_session() -> None:
    """Close the stream's database session, if it has one (most events are sent without
    reading anything); a lost connection does not end the stream."""
    if db.session.registry.has():
        end_session(db.session, current_app.logger)


def _waiting(inbox: queue.SimpleQueue, most: int = 200) -> list:
    """What else is in a stream's inbox now, without waiting."""
    rows: list = []
    while len(rows) < most:
        try:
            rows.append(inbox.get_nowait())
        except queue.Empty:
            break
    return rows


def _still(allowed: Callable[[], bool]) -> bool:
    try:
        return allowed()
    except Exception:  # the database hiccupped: that ends no log-in
        current_app.logger.exception("live: could not check the viewer's log-in")
        return True
    finally:
        _end_session()


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
        _end_session()  # never hold a transaction open across a long stream
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

    def put(self, key: tuple, value: Any) -> None:
        """`value`, built already, for `key` (unless one is built or being built)."""
        pending = _Pending()
        pending.value = value
        pending.done.set()
        with self._lock:
            if key not in self._items:
                self._keep(key, pending)

    def _keep(self, key: tuple, pending: _Pending) -> None:
        """Remember `pending` for `key`, forgetting the oldest past the size (lock held)."""
        self._items[key] = pending
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        """The value built for `key`. A build that fails is not remembered: its error goes to
        the streams waiting for it, and the next one to ask builds again."""
        pending = self._items.get(key)  # (one dict read: safe without the lock)
        if pending is not None and pending.done.is_set() and pending.error is None:
            return pending.value  # what nearly every stream finds: built already
        with self._lock:
            found = self._items.get(key)
            builder = found is None
            if found is None:
                pending = _Pending()
                self._keep(key, pending)
            else:
                pending = found
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


def live_engine() -> Engine:
    """The live path's reads (new events, notes to render) on a small pool of their own, so
    that they never queue behind requests holding the app's connections while they wait to
    write: delivery stays prompt while a room posts at once. (An in-memory SQLite database
    exists on one connection only: there the app's engine is used.)"""
    app = _app()
    engine = app.extensions.get("cjm_live_engine")
    if engine is None and os.environ.get("CJM_NO_LIVE_ENGINE"):
        engine = db.engine
    if engine is None:
        url = db.engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            engine = db.engine
        else:
            # A database server may have dropped a pooled connection (a restart); a file not.
            server = url.get_backend_name() != "sqlite"
            engine = create_engine(url, pool_size=2, max_overflow=8, pool_pre_ping=server)
            tune_engine(engine)
        engine = app.extensions.setdefault("cjm_live_engine", engine)
    return engine


@dataclass(frozen=True)
class Shown:
    """A linked row as a note shows it: its persona's name, a linked note's text."""

    name: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class LiveAuthor:
    display_name: str
    removed: bool


@dataclass(frozen=True)
class LiveStep:
    step: Step
    state: StepState
    private: bool
    revealed: bool


@dataclass(frozen=True)
class LiveWorkshop:
    """The workshop as a note's facts and markup read it: the note's own step only."""

    id: int
    join_code: str
    language: str
    anonymous: bool
    status: WorkshopStatus
    current_step: Step
    research_opens_at: datetime | None
    research_closes_at: datetime | None
    note_step: LiveStep

    @property
    def is_closed(self) -> bool:
        return self.status is WorkshopStatus.CLOSED

    def step_state(self, step: Step) -> LiveStep:
        assert step is self.note_step.step, "a live note knows its own step only"
        return self.note_step


@dataclass(frozen=True)
class LiveNote:
    """A note as a live event shows it: the attributes `_note.html` and its facts read, in
    one Core query on the live path's own connections. (Loading the note and its five
    relations through the ORM was a quarter of a busy server's CPU: each process does it
    once per event.) Read only; a page renders the real `Note`."""

    id: int
    workshop_id: int
    kind: NoteKind
    step: Step
    text: str
    stage_id: int | None
    source: ResearchSource | None
    channel: Channel | None
    author_id: int | None
    by_facilitator: bool
    hidden: bool
    merged_into_id: int | None
    persona: Shown | None
    touchpoint: Shown | None
    pain_point: Shown | None
    author: LiveAuthor | None
    workshop: LiveWorkshop


def _live_note_query():
    touchpoint, pain_point = aliased(Note), aliased(Note)
    return (
        select(
            Note.id,
            Note.workshop_id,
            Note.kind,
            Note.step,
            Note.text,
            Note.stage_id,
            Note.source,
            Note.channel,
            Note.author_id,
            Note.by_facilitator,
            Note.hidden,
            Note.merged_into_id,
            Persona.name.label("persona"),
            touchpoint.text.label("touchpoint"),
            pain_point.text.label("pain_point"),
            Participant.display_name,
            Participant.removed_at,
            Workshop.join_code,
            Workshop.language,
            Workshop.anonymous,
            Workshop.status,
            Workshop.current_step,
            Workshop.research_opens_at,
            Workshop.research_closes_at,
            WorkshopStep.state,
            WorkshopStep.private,
            WorkshopStep.revealed,
        )
        .join(Workshop, Workshop.id == Note.workshop_id)
        .join(
            WorkshopStep,
            (WorkshopStep.workshop_id == Note.workshop_id) & (WorkshopStep.step == Note.step),
        )
        .outerjoin(Persona, Persona.id == Note.persona_id)
        .outerjoin(touchpoint, touchpoint.id == Note.touchpoint_id)
        .outerjoin(pain_point, pain_point.id == Note.pain_point_id)
        .outerjoin(Participant, Participant.id == Note.author_id)
        .where(Note.id.in_(bindparam("note_ids", expanding=True)))
    )


_LIVE_NOTES = _live_note_query()


def note_of_event(event_id: int, note_id: int) -> LiveNote | None:
    """The note a live event is about (None: it is gone): as the broadcaster read it with
    its batch of events, else read now."""
    return once_per_process(("live-note", event_id), lambda: load_note(note_id))


def load_note(note_id: int) -> LiveNote | None:
    """A note as `LiveNote` (None: it is gone)."""
    return load_notes({note_id}).get(note_id)


def load_notes(note_ids: set[int]) -> dict[int, LiveNote]:
    """Notes as `LiveNote`, by id (the ones gone are missing)."""
    with live_engine().connect() as connection:
        rows = connection.execute(_LIVE_NOTES, {"note_ids": list(note_ids)}).all()
    return {row.id: _live_note(row) for row in rows}


def _live_note(row: Any) -> LiveNote:
    step = LiveStep(row.step, row.state, row.private, row.revealed)
    return LiveNote(
        id=row.id,
        workshop_id=row.workshop_id,
        kind=row.kind,
        step=row.step,
        text=row.text,
        stage_id=row.stage_id,
        source=row.source,
        channel=row.channel,
        author_id=row.author_id,
        by_facilitator=row.by_facilitator,
        hidden=row.hidden,
        merged_into_id=row.merged_into_id,
        persona=None if row.persona is None else Shown(name=row.persona),
        touchpoint=None if row.touchpoint is None else Shown(text=row.touchpoint),
        pain_point=None if row.pain_point is None else Shown(text=row.pain_point),
        author=(
            None
            if row.display_name is None
            else LiveAuthor(row.display_name, row.removed_at is not None)
        ),
        workshop=LiveWorkshop(
            id=row.workshop_id,
            join_code=row.join_code,
            language=row.language,
            anonymous=row.anonymous,
            status=row.status,
            current_step=row.current_step,
            research_opens_at=row.research_opens_at,
            research_closes_at=row.research_closes_at,
            note_step=step,
        ),
    )


def holders(who: str, per_identity: str, *, address: bool) -> dict[str, int]:
    """The stream caps of `who` ("participant 7", "account 3"), with the configured
    `per_identity` cap, and (`address`) the cap of the address it comes from: a room behind one
    Wi-Fi address may fill all but a few of a worker's threads, one identity only a few."""
    config = current_app.config
    caps = {who: config[per_identity]}
    if address:
        caps[f"address {request.remote_addr}"] = config["LIVE_STREAMS_PER_ADDRESS"]
    return caps


def after_id(request) -> int:
    """The last event a screen saw: the browser's Last-Event-ID on a reconnect, else ?after=."""
    value = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    return int(value) if value.isdigit() else 0


def event_stream_response(
    workshop_id: int,
    after: int,
    render_note: Callable[[int, int], str | None],
    caps: dict[str, int],
    allowed: Callable[[], bool] | None = None,
) -> Response:
    """A screen's stream. `caps`: how many streams each of its holders (see holders()) may
    have open in this process; a stream past that ends the holder's oldest (also one whose
    connection died unnoticed)."""
    _end_session()  # the stream opens short sessions of its own
    app, locale = _app(), str(get_locale())
    response = Response(
        stream(app, locale, workshop_id, after, render_note, caps, allowed),
        mimetype="text/event-stream",
        direct_passthrough=True,
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    return response
