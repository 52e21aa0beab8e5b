"""Engine tuning: the same behaviour on the embedded SQLite file and on PostgreSQL.

SQLite gets WAL, a busy timeout and foreign keys on every connection, and its write
transactions start with BEGIN IMMEDIATE: with a plain (deferred) BEGIN, a transaction that
reads and then writes fails with "database is locked" instead of waiting for the lock.
Requests that cannot write (GET/HEAD) and read-only side connections keep a deferred BEGIN,
so readers never queue behind a writer.
"""

from __future__ import annotations

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
            "PRAGMA busy_timeout=10000",
            "PRAGMA foreign_keys=ON",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        reading = connection.get_execution_options().get("read_only") or (
            has_request_context()
            and (request.method in READ_ONLY_METHODS or g.get("cjm_committed", False))
        )
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "commit")
    def _on_commit(connection) -> None:
        # A view commits its change once; what it reads afterwards to answer (rendering the
        # saved note, say) must not queue for the write lock again.
        if has_request_context() and not connection.get_execution_options().get("read_only"):
            g.cjm_committed = True


def read_only_connection(engine: Engine):
    """A connection for reads on the side (live updates): never waits for the write lock."""
    return engine.connect().execution_options(read_only=True)
