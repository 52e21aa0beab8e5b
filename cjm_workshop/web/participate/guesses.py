"""Guessed join codes: only failed lookups count, and only unproven requests are refused.

A whole room shares one Wi-Fi address, so one phone mistyping must not lock the others out.
An unknown code counts against the phone that typed it (its session) and against the address:
a phone is refused after 10 a minute (60 an hour), an address only after 100 a minute (600 an
hour), more than a room mistypes and a vanishing share of 29^8 possible codes. While refused,
a request by typed code gets 429 with Retry-After whether the code exists or not; a request
that proves its right to the workshop is never refused: the QR link's token, or the phone's
own participant cookie (so a room that joined goes on reading and posting).

The counters live in Flask-Limiter's storage (the app's database by default), shared by
every worker and app server.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Iterator
from functools import wraps

from flask import Response, g, make_response, request, session
from limits import RateLimitItem, parse_many

from cjm_workshop.extensions import db, limiter
from cjm_workshop.services.errors import WorkshopNotFound
from cjm_workshop.services.workshops import normalise_join_code
from cjm_workshop.web.access import current_participant, workshop_by_code

PER_PHONE = parse_many("10/minute;60/hour")
PER_ADDRESS = parse_many("100/minute;600/hour")
SCOPE = "join-code"
FAILED = "cjm_unknown_code"  # set on g by the page that answers "no such workshop"


def _buckets() -> Iterator[tuple[RateLimitItem, str, str]]:
    phone = session.get("device")
    if phone:
        for item in PER_PHONE:
            yield item, "phone", phone
    for item in PER_ADDRESS:
        yield item, "address", request.remote_addr or "unknown"


def seconds_refused() -> int | None:
    """How long this phone or address must wait before typing codes again (None: it may)."""
    for item, kind, key in _buckets():
        if not limiter.limiter.test(item, SCOPE, kind, key):
            reset = limiter.limiter.get_window_stats(item, SCOPE, kind, key).reset_time
            return max(1, int(reset - time.time()) + 1)
    return None


def count_failure() -> None:
    session.setdefault("device", secrets.token_urlsafe(12))
    for item, kind, key in _buckets():
        limiter.limiter.hit(item, SCOPE, kind, key)


def mark_unknown_code() -> None:
    """The page answering this request says there is no such workshop: count it."""
    g.setdefault(FAILED, True)


def _proves_right(code: str | None) -> bool:
    """The QR link's token or the phone's own participant cookie for this very workshop."""
    code = normalise_join_code(code or "")
    if not code or not (request.values.get("k") or request.cookies.get(f"cjm_p_{code}")):
        return False
    try:
        workshop = workshop_by_code(code)
    except WorkshopNotFound:
        return False
    token = request.values.get("k", "")
    if token and hmac.compare_digest(workshop.join_token, token):
        return True
    return current_participant(workshop) is not None


def guarded(refusal: Callable[[int], Response]):
    """For a route that looks a workshop up by code: refuse while this phone or address is
    over its limit (unless the request proves its right), and count the unknown codes."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            # A phone that proves its right is never refused, so its counters are not even
            # read (two lookups by key, where the counters were four; a room posts a lot).
            wait = None if _proves_right(kwargs.get("code")) else seconds_refused()
            if wait is not None:
                response = refusal(wait)
                response.headers["Retry-After"] = str(wait)
                return response
            response = make_response(view(*args, **kwargs))
            if g.get(FAILED):
                db.session.rollback()  # nothing to keep; the counter writes on its own connection
                count_failure()
            return response

        return wrapper

    return decorate
