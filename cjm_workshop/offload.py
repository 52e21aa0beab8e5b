"""Work that must not hold up the other requests of a worker: done in a process of its own.

With gunicorn's gevent worker (the default, see gunicorn_conf.py) every request of a process
runs on one thread, taking turns only where it waits: a second spent computing would stop
every phone and board that process serves for that second. A native thread of the same
process is no way out: it shares the interpreter lock, and a request then waits for that
lock again after each of its queries (an import checked in gevent's thread pool made the
other phones of its worker twenty times slower). So such work (a poster's PDF, an import)
runs in a fresh process, forked from a small server process that imported what the work
needs once; the worker waits for the answer on a pipe and answers others meanwhile. A run
can be stopped at its time limit and gives its memory back when it ends.

The work is a module-level function: its arguments go in and its result comes back
pickled. It must not touch the request, the app or the app's database session (the
import opens a connection of its own).
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing import forkserver
from typing import Any, TypeVar

Result = TypeVar("Result")

# Forked from a server process, not from the app's workers (whose threads and event loop may
# hold locks a forked child would inherit), which imported the heavy parts once.
_processes = multiprocessing.get_context("forkserver")
_processes.set_forkserver_preload(["cjm_workshop.poster.pdf", "cjm_workshop.services.transfer"])


def start() -> None:
    """Start the server process the work is forked from, if it is not running. It imports
    what the work needs (a second or two), and the first run waits for it, blocking its
    worker meanwhile: gunicorn calls this as each worker starts (gunicorn_conf.py)."""
    forkserver.ensure_running()


class Unfinished(Exception):
    """The work took longer than its limit, failed (the message holds the traceback), or
    its process ended without an answer."""


def in_process(work: Callable[..., Result], *args: Any, limit: float) -> Result:
    """`work(*args)` in a process of its own, stopped after `limit` seconds."""
    receiving, sending = _processes.Pipe(duplex=False)
    process = _processes.Process(target=_run, args=(sending, work, args), daemon=True)
    process.start()
    sending.close()
    try:
        if not receiving.poll(limit):
            raise Unfinished(f"it took longer than {limit:g} s")
        try:
            outcome, value = receiving.recv()
        except EOFError:
            raise Unfinished("its process ended without an answer") from None
    finally:
        receiving.close()
        if process.is_alive():
            process.kill()
        process.join()
    if outcome != "done":
        raise Unfinished(value)
    return value


def _run(connection, work: Callable[..., Any], args: tuple) -> None:
    """In the work's process: sends ("done", result) or ("failed", traceback)."""
    try:
        outcome = ("done", work(*args))
    except Exception:  # noqa: BLE001 - reported to the app, which answers the user
        outcome = ("failed", traceback.format_exc(limit=5))
    try:
        connection.send(outcome)
    finally:
        connection.close()
