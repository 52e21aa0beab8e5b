"""Per-request defaults: security headers, a session that outlives a long workshop."""

from __future__ import annotations

from collections.abc import Callable

from flask import Config, Flask, Response, current_app, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from cjm_workshop import housekeeping, labels
from cjm_workshop.database import end_session
from cjm_workshop.extensions import db
from cjm_workshop.services import transfer
from cjm_workshop.services.language import language_of
from cjm_workshop.services.workshops import format_join_code
from cjm_workshop.version import __version__
from cjm_workshop.web.i18n import LANGUAGE_NAMES

STATUS_LABELS = {"draft": _l("Draft"), "live": _l("Live"), "closed": _l("Closed")}


# Requests that may carry more than MAX_CONTENT_LENGTH, and the file each may carry: a
# whole workshop, a spreadsheet of research insights. The form around the file gets room
# on top; a file just over its limit is then refused by its reader, with a message that
# names the limit, and a far larger request before anybody reads it (413).
LARGE_UPLOADS: dict[str, Callable[[Config], int]] = {
    "workshops.import_json": lambda config: transfer.MAX_DOCUMENT_BYTES,
    "facilitate.import_research": lambda config: config["RESEARCH_IMPORT_MAX_BYTES"],
}
FORM_ROOM = 64 * 1024


def upload_limit() -> int | None:
    """How large a file this request may carry, if it is an upload."""
    limit = LARGE_UPLOADS.get(request.endpoint or "")
    return limit(current_app.config) if limit is not None else None


def register(app: Flask) -> None:
    app.jinja_env.globals["version"] = __version__

    @app.url_value_preprocessor
    def _upload_limit(endpoint: str | None, _values: dict | None) -> None:
        # Runs before every before_request hook, so before CSRF protection reads the form.
        limit = upload_limit()
        if limit is not None:
            request.max_content_length = limit + FORM_ROOM

    @app.after_request
    def _long_session(response: Response) -> Response:
        # The CSRF token lives in the session; keep it across a whole day of workshop.
        # Only a session this request wrote: marking every new one permanent sent a cookie
        # (and `Vary: Cookie`) with answers that need none. (Set once: a changed session
        # is re-sent anyway; an emptied one is left to be deleted.)
        if session.modified and session and not session.permanent:
            session.permanent = True
        return response

    @app.context_processor
    def _page_language() -> dict:
        return {
            "current_language": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "status_labels": STATUS_LABELS,
            "kind_labels": labels.NOTE_KIND_LABELS,
            "source_labels": labels.SOURCE_LABELS,
            "channel_labels": labels.CHANNEL_LABELS,
            "lane_labels": labels.LANE_LABELS,
            "step_titles": labels.STEP_TITLES,
            "step_state_labels": labels.STEP_STATE_LABELS,
            "role_labels": labels.ROLE_LABELS,
            "action_status_labels": labels.ACTION_STATUS_LABELS,
            "level_labels": labels.LEVEL_LABELS,
            "quadrant_labels": labels.QUADRANT_LABELS,
            # Links to /signup only where it works (SIGNUP=open).
            "signup_open": app.config["SIGNUP"] == "open",
        }

    app.add_template_filter(format_join_code, "join_code")
    app.add_template_filter(lambda seconds: f"{seconds // 60}:{seconds % 60:02d}", "clock")
    app.add_template_filter(format_date, "format_date")
    # A note's own language (lang="…"): `text|language_of(workshop.language)`.
    app.add_template_filter(language_of, "language_of")
    # A UTC time from the database, in the app's time zone (TIMEZONE): "Monday 1 March 09:00".
    app.add_template_filter(
        lambda moment: format_datetime(moment, "EEEE d MMMM HH:mm"), "format_datetime"
    )

    @app.after_request
    def _end_transaction(response: Response) -> Response:
        # Views commit what they mean to keep; whatever is left is discarded now rather
        # than at teardown, so that SQLite's write lock (BEGIN IMMEDIATE) is released
        # before later after-request work, such as the rate limiter counting a failed
        # attempt on its own connection. Registered after the extensions, so it runs first.
        end_session(db.session, app.logger)
        return response

    @app.after_request
    def _housekeeping(response: Response) -> Response:
        # Now and then, after the response has gone: old live events, names due for erasure.
        return housekeeping.after_response(app, response)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # same-origin (not no-referrer): Flask-WTF's HTTPS referrer check needs it.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.is_secure:  # served over HTTPS: browsers stay on it for a year
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        return response
