"""SQLite writers queue on a lock shared by the app's processes (database.WriterLock)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine

from cjm_workshop.database import WriterLock, tune_engine


def _try_in_another_process(path: str, timeout: float, answer) -> None:
    answer.put(WriterLock(path).acquire(timeout=timeout))


def other_process_gets_it(path: str, timeout: float) -> bool:
    context = multiprocessing.get_context("spawn")  # a process of its own, as a worker is
    answer = context.Queue()
    child = context.Process(target=_try_in_another_process, args=(path, timeout, answer))
    child.start()
    got = answer.get(timeout=30)
    child.join(timeout=30)
    return got


def test_another_process_waits_until_the_writer_is_done(tmp_path):
    database = str(tmp_path / "cjm.sqlite3")
    writer = WriterLock(database)
    assert writer.acquire(timeout=1)
    # Held: another process gives up after its timeout (and goes on to SQLite's own lock).
    assert other_process_gets_it(database, timeout=0.3) is False
    writer.release()
    assert other_process_gets_it(database, timeout=5) is True


def test_threads_of_one_process_take_turns(tmp_path):
    writer = WriterLock(str(tmp_path / "cjm.sqlite3"))
    assert writer.acquire(timeout=1)
    waited = []
    second = threading.Thread(target=lambda: waited.append(writer.acquire(timeout=0.2)))
    second.start()
    second.join()
    assert waited == [False]
    writer.release()
    assert writer.acquire(timeout=1)
    writer.release()


def test_an_in_memory_database_needs_only_the_thread_lock():
    writer = WriterLock(":memory:")
    assert writer.acquire(timeout=1)
    writer.release()


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_the_lock_is_let_go_only_once_the_transaction_has_ended(tmp_path, monkeypatch, end):
    """The next writer then finds SQLite's own lock free, rather than sleeping in SQLite's
    busy handler (which, under gevent, holds up a whole worker)."""
    path = tmp_path / "cjm.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    tune_engine(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (text TEXT)")
    free_for_the_next: list[bool] = []
    release = WriterLock.release

    def next_writer_tries(lock) -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            free_for_the_next.append(True)
        except sqlite3.OperationalError:  # database is locked
            free_for_the_next.append(False)
        finally:
            other.close()
        release(lock)

    monkeypatch.setattr(WriterLock, "release", next_writer_tries)
    with engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO note VALUES ('a note')")
        getattr(connection, end)()
    engine.dispose()
    assert free_for_the_next == [True]
