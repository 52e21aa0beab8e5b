"""Housekeeping now and then, with nothing to set up: old live events pruned, names
erased when due and log-ins that ran out deleted (services/retention.py).

Each process runs it after a response has gone out (never in its way), at most once every
HOUSEKEEPING_EVERY_MINUTES, the first time soon after it starts. It costs a few queries
(indexed but for the small table of log-ins), so several workers each doing it is harmless;
`flask cjm prune` does the same for an admin who prefers a timer (then
HOUSEKEEPING_EVERY_MINUTES=0).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from flask import Flask, Response

from cjm_workshop.config import login_lasts
from cjm_workshop.extensions import db
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import retention


def run(app: Flask) -> retention.Housekeeping:
    """One round, committed (an app context of its own)."""
    config = app.config
    kept = timedelta(hours=config["LIVE_EVENTS_KEPT_HOURS"])
    with app.app_context():
        try:
            now = utcnow()
            done = retention.housekeeping(
                db.session,
                now=now,
                events_kept=kept,
                erase_after_days=config["ERASE_NAMES_AFTER_DAYS"],
                login_lasts=login_lasts(config),
            )
            db.session.commit()
            pruned, more = done.events_pruned, done.events_pruned == retention.PRUNE_BATCH
            while more:  # a long history: one batch per transaction, the room posts meanwhile
                batch = retention.prune_live_events(db.session, before=now - kept)
                db.session.commit()
                pruned, more = pruned + batch, batch == retention.PRUNE_BATCH
            done = retention.Housekeeping(pruned, done.workshops_erased, done.logins_ended)
        finally:
            db.session.remove()
    if done.events_pruned or done.workshops_erased or done.logins_ended:
        app.logger.info(
            "housekeeping: %d live events pruned, names erased in workshops %s, %d log-ins ended",
            done.events_pruned,
            list(done.workshops_erased) or "none",
            done.logins_ended,
        )
    return done


class Schedule:
    """When this process is due next."""

    def __init__(self, every_minutes: int) -> None:
        self.every = every_minutes * 60
        self.next_at = 0.0  # due at once: a restarted server catches up
        self._lock = threading.Lock()

    def claim(self) -> bool:
        """True once per period: the caller runs it."""
        if not self.every or time.monotonic() < self.next_at:
            return False
        with self._lock:
            if time.monotonic() < self.next_at:
                return False
            self.next_at = time.monotonic() + self.every
            return True


def after_response(app: Flask, response: Response) -> Response:
    """Run a round once this response is sent, if this process is due."""
    schedule = app.extensions.get("cjm_housekeeping")
    if schedule is None:
        schedule = app.extensions.setdefault(
            "cjm_housekeeping", Schedule(app.config["HOUSEKEEPING_EVERY_MINUTES"])
        )
    if not response.is_streamed and schedule.claim():
        response.call_on_close(lambda: _quietly(app))
    return response


def _quietly(app: Flask) -> None:
    """A failed round is logged and tried again next period: it must not bother anyone."""
    try:
        run(app)
    except Exception:
        app.logger.exception("housekeeping failed")
