"""Engine tuning: the same behaviour on the embedded SQLite file and on PostgreSQL.

SQLite gets WAL, a busy timeout and foreign keys on every connection. A transaction starts
as a reader (a deferred BEGIN): reading takes no lock, so a slow request (an import being
parsed and checked, a poster's data being read) holds nobody up. Its first write (or a row
lock the services ask for, or a savepoint) makes it a writer: the reads so far are let go,
the writer lock is taken and BEGIN IMMEDIATE starts a fresh snapshot, so what it reads from
then on is current and no other writer runs until it commits. That is what PostgreSQL's READ
COMMITTED with the services' row locks gives, and writers hold the lock only as long as
their writes take.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

BUSY_TIMEOUT_SECONDS = 10
WRITER_POLL_SECONDS = 0.0005
# The dialect's insert(): both have on_conflict_do_nothing/do_update with the same arguments.
Upsert = Callable[[Any], postgresql.Insert | sqlite.Insert]
WRITING_WORDS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")


def tune_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}",
            "PRAGMA foreign_keys=ON",
        ):
            cursor.execute(pragma)
        cursor.close()

    writers = WriterLock(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(connection, _cursor, statement, _parameters, context, _many) -> None:
        if connection.info.get("cjm_writer") or not writes(statement, context):
            return
        raw = connection.connection.driver_connection
        if raw.in_transaction:
            raw.execute("ROLLBACK")  # nothing written yet: only the read snapshot goes
        if writers.acquire(timeout=BUSY_TIMEOUT_SECONDS):
            connection.info["cjm_writer"] = True
        try:
            raw.execute("BEGIN IMMEDIATE")
        except Exception:
            _release(connection)
            raise

    def _release(connection) -> None:
        if connection.info.pop("cjm_writer", False):
            writers.release()

    def _end(connection, statement: str) -> None:
        # These events come before SQLAlchemy ends the transaction: the writer lock is let go
        # only once it has ended, or the next writer would meet SQLite's own lock and sleep
        # in its busy handler (in growing steps, and holding up a gevent worker whole).
        if connection.info.get("cjm_writer"):
            try:
                connection.connection.driver_connection.execute(statement)
            except sqlite3.Error:
                pass  # still open: SQLAlchemy's own COMMIT tries again and reports the error
            finally:
                _release(connection)

    @event.listens_for(engine, "commit")
    def _on_commit(connection) -> None:
        _end(connection, "COMMIT")

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection) -> None:
        _end(connection, "ROLLBACK")


def writes(statement: str, context) -> bool:
    """Whether a statement writes, or locks rows to write them (SQLite ignores FOR UPDATE)."""
    if statement.lstrip()[:9].upper().startswith(WRITING_WORDS):
        return True
    if context is None:
        return False
    if context.isinsert or context.isupdate or context.isdelete:
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


class WriterLock:
    """Writers queue here instead of in SQLite's busy handler, which sleeps in growing steps
    (with gthread workers that turned a join rush's p95 from 0.2 s into 1 s, and left one
    worker idle while another wrote): a thread lock within a process, and a lock on a file
    beside the database across processes, tried every half millisecond. After the busy
    timeout a writer goes on to SQLite's own lock (which then answers "database is
    locked" rather than waiting for ever on a stuck writer)."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        self._path = f"{database}.writer-lock" if database and database != ":memory:" else None
        self._fd = -1
        self._pid = 0

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            return False
        if self._path is None:
            return True
        while True:
            try:
                fcntl.flock(self._process_fd(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self._threads.release()
                    return False
                time.sleep(WRITER_POLL_SECONDS)

    def release(self) -> None:
        if self._path is not None:
            fcntl.flock(self._process_fd(), fcntl.LOCK_UN)
        self._threads.release()

    def _process_fd(self) -> int:
        # Opened by each process itself: a file inherited across a fork shares its lock.
        if self._pid != os.getpid():
            assert self._path is not None  # only called with a file
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
            weakref.finalize(self, os.close, self._fd)
        return self._fd


def read_snapshot(session) -> None:
    """Every read from here to the end of the transaction sees the database at one moment,
    whatever commits meanwhile (an export taken while phones post must import again):
    REPEATABLE READ on PostgreSQL; on SQLite a read transaction is one snapshot already."""
    session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def end_session(scoped, logger) -> None:
    """Close a request's or stream's (scoped) session for good. On a connection the database
    dropped, closing fails too (its rollback cannot reach the server) although nothing is
    left to keep or release: the session is then forgotten, and what it ends goes on (that
    error answered 500 for a note, and ended a board's stream)."""
    try:
        scoped.remove()
    except SQLAlchemyError:
        logger.warning("database: closed a session whose connection was lost", exc_info=True)
        scoped.registry.clear()


def read_only_connection(engine: Engine):
    """A connection for reads on the side (live updates): never waits for the write lock."""
    return engine.connect().execution_options(read_only=True)


def insert_for(session: Session | scoped_session[Any]) -> Upsert:
    """INSERT with ON CONFLICT (do nothing / do update) for the database in use."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert
