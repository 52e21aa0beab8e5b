"""Error pages in the visitor's language, and the mapping of domain errors to messages."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import Any

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from cjm_workshop.extensions import db
from cjm_workshop.models import NOTE_TEXT_MAX
from cjm_workshop.models.step import (
    FACILITATOR_NOTES_MAX,
    STEP_PROMPT_MAX,
    TIMEBOX_MAX,
    TIMEBOX_MIN,
)
from cjm_workshop.models.template import TEMPLATE_NAME_MAX
from cjm_workshop.services import errors as domain
from cjm_workshop.services.presession import WINDOW_MAX
from cjm_workshop.services.research_import import size_text
from cjm_workshop.web.hooks import upload_limit
from cjm_workshop.web.htmx import is_htmx, retarget

DOMAIN_MESSAGES = {
    domain.EmailTaken: _l("An account with this e-mail address already exists."),
    domain.WorkshopNotFound: _l(
        "There is no workshop with this code. Check the code and try again."
    ),
    domain.WorkshopClosed: _l(
        "This workshop has been closed. Ask the facilitator for the new code."
    ),
    domain.LastPersona: _l("A workshop needs at least one persona."),
    domain.LastStage: _l("A journey needs at least one stage."),
    domain.StatusChangeNotAllowed: _l("The workshop cannot change to that status now."),
    domain.InvalidMove: _l("That position does not exist."),
    domain.StepClosed: _l("This step is closed: the facilitator has moved on."),
    domain.ResearchNotOpenYet: _l(
        "Research insights cannot be added yet: the page says from when. Your text is kept here."
    ),
    domain.ResearchEnded: _l(
        "The time for research insights before the workshop is over. "
        "Your text is kept here: add it when the workshop starts."
    ),
    domain.ParticipantRemoved: _l(
        "The facilitator has removed you from this workshop: you can read along, but not add anything."
    ),
    domain.WrongPassword: _l("That is not your current password."),
    domain.IdempotencyConflict: _l(
        "This note could not be matched to your earlier one. Your text is kept here: send it again."
    ),
    domain.IdempotencyKeyReused: _l(
        "Your note was saved already, with the text it had then. "
        "Your changed text is kept here: send it to add it as a new note."
    ),
    domain.NoDotsLeft: _l("You have no dots left. Take one back to place it elsewhere."),
    domain.RoundClosed: _l("Voting is closed."),
    domain.RoundStillOpen: _l("Another voting round is still open: close it first."),
    domain.BudgetBelowSpent: _l(
        "Someone has already spent more dots than that: the budget cannot go that low."
    ),
    domain.StepNotCurrent: _l("The room is in another step now. The page shows where it is."),
    domain.NotYourNote: _l("Only the person who wrote a note can change it."),
    domain.TimerNotRunning: _l("The timer is not running."),
    domain.InsightRowsRefused: _l(
        "The rows below cannot become research insights, so nothing can be imported. "
        "Fix them in the file and upload it again."
    ),
}

# Messages for refusals that say why (their `reason`).
REASON_MESSAGES: dict[type[domain.DomainError], dict[str, Any]] = {
    domain.InvalidResearchWindow: {
        "incomplete": _l("Give both a start and an end, or neither to turn it off."),
        "order": _l("The end must come after the start."),
        "too_long": _l("The window can be at most %(days)d days long.", days=WINDOW_MAX.days),
        "past": _l("The end has already passed: choose an end in the future."),
        "started": _l("The workshop has started: research is now added in step 2."),
    },
    domain.InvalidNote: {
        "empty": _l("Write something first."),
        "too_long": _l("A note has at most %(max)d characters.", max=NOTE_TEXT_MAX),
        "stage_required": _l("Choose the stage."),
        "unknown_stage": _l("That stage is not part of this workshop."),
        "unknown_persona": _l("That persona is not part of this workshop."),
        "source_required": _l("Choose the source."),
        "channel_required": _l("Choose the channel."),
        "unknown_touchpoint": _l("That touchpoint is not part of this workshop."),
        "unknown_pain_point": _l("That pain point is not part of this workshop."),
        "kind": _l("This kind of note does not belong here."),
    },
    domain.InvalidAction: {
        "source": _l("Choose an opportunity or a pain point of this workshop."),
        "stage": _l("Choose a stage of this workshop."),
        "axis": _l("Move an action up or down (impact) or left or right (effort)."),
    },
    domain.ShareRefused: {
        "no_account": _l(
            "There is no account with this e-mail address. Ask them to sign up first."
        ),
        "no_account_no_signup": _l(
            "There is no account with this e-mail address. On this server accounts are "
            "created by its administrator: ask them to create one, then share again."
        ),
        "owner": _l("This is your own workshop."),
    },
    domain.InvitationRefused: {
        "unknown": _l(
            "This invitation link does not work: it was withdrawn, replaced by a newer "
            "invitation, or copied incompletely. Ask for a new invitation."
        ),
        "expired": _l(
            "This invitation has expired. Ask the person who invited you to send a new one."
        ),
        "used": _l("This invitation has been used already. Log in with the account it created."),
    },
    domain.ResetLinkRefused: {
        "unknown": _l(
            "This link to set a new password does not work: it may have been copied "
            "incompletely. Ask for a new one."
        ),
        "expired": _l("This link to set a new password has expired. Ask for a new one."),
        "used": _l(
            "This link to set a new password has been used already (or the password was "
            "changed since). Ask for a new one if you need to."
        ),
    },
    domain.MergeRefused: {
        "itself": _l("A note cannot be merged with itself: select two or more different notes."),
        "nothing": _l("Select two or more notes to merge."),
        "other_workshop": _l("Only notes of this workshop can be merged."),
        "already_merged": _l("One of these notes has been merged already."),
        "nothing_merged": _l("Nothing has been merged into this note."),
        "keep_one": _l("Choose the note to keep."),
    },
    domain.SuggestionRefused: {
        "other_workshop": _l("Only notes of this workshop can be suggested as duplicates."),
        "too_few": _l("Leave two or more notes of the suggestion ticked."),
        "keep_one": _l("Choose the note to keep."),
    },
    domain.SuggestionOutdated: {
        "gone": _l(
            "One of these notes has been deleted meanwhile. Nothing was changed: "
            "the suggestions are up to date again."
        ),
        "merged": _l(
            "One of these notes has been merged meanwhile. Nothing was changed: "
            "the suggestions are up to date again."
        ),
        "hidden": _l(
            "One of these notes has been hidden meanwhile. Nothing was changed: "
            "the suggestions are up to date again."
        ),
    },
    domain.InvalidVote: {
        "own": _l("You cannot vote on your own pain point in this round."),
        "one_per_note": _l("One dot per pain point in this round."),
        "no_dot": _l("You have no dot on this pain point."),
        "hidden": _l("This pain point is not on the map (any more)."),
        "note": _l("You cannot vote on that."),
        "kind": _l("You cannot vote on that."),
        "dots": _l("Choose between 1 and 20 dots."),
        "participant": _l("That participant is not in this workshop."),
    },
    domain.InvalidWorkshopFile: {
        "too_large": _l("The file is too large: a workshop file has at most %(limit)s MB."),
        "not_json": _l("This file is not JSON. Choose a workshop file exported by CJM Workshop."),
        "format": _l("This is not a CJM Workshop file."),
        "version": _l(
            "This file has version %(value)s of the workshop format; this server reads versions 1 and 2."
        ),
        "missing": _l("Something is missing in the file, at %(where)s."),
        "unknown_field": _l("The file holds something unknown, at %(where)s."),
        "invalid": _l("A value in the file is of the wrong type or unknown, at %(where)s."),
        "too_long": _l(
            "A text in the file is too long (at most %(limit)s characters), at %(where)s."
        ),
        "empty": _l("A text in the file is empty, at %(where)s."),
        "too_many": _l("The file holds too many items (at most %(limit)s), at %(where)s."),
        "too_few": _l("The file needs at least %(limit)s item(s) at %(where)s."),
        "duplicate": _l("Something appears twice in the file, at %(where)s."),
        "reference": _l("The file refers to “%(value)s”, which it does not contain, at %(where)s."),
        "steps": _l("The file must list each of the six steps once."),
        "lanes": _l("The file must list each of the six lanes of the map once."),
        "kind_mismatch": _l("A field does not fit this kind of note, at %(where)s."),
        "merge_circle": _l("Notes are merged into each other in a circle, at %(where)s."),
        "control_characters": _l(
            "A text in the file holds control characters (such as NUL), at %(where)s."
        ),
        "open_rounds": _l("Only one voting round can be open."),
        "dots": _l("These dots do not fit the round's budget or rules, at %(where)s."),
        "conflict": _l("The file contradicts itself and cannot be imported."),
    },
    domain.InvalidInsightFile: {
        "too_large": _l("The file is too large: it may have at most %(limit)s."),
        "not_table": _l(
            "Choose a CSV file or an Excel workbook (.xlsx). An .xls or .ods file: "
            "save it as .xlsx or CSV first."
        ),
        "broken_workbook": _l(
            "This file cannot be read as an Excel workbook. Open it in Excel or "
            "LibreOffice, save it as .xlsx or CSV, and upload it again."
        ),
        "encoding": _l(
            "The text in this file is in an encoding that cannot be read. "
            "Save it as “CSV UTF-8” and upload it again."
        ),
        "unpacked_too_large": _l(
            "This workbook holds too much data. Save the sheet with the insights as CSV "
            "and upload that."
        ),
        "too_many_columns": _l(
            "The file has more than %(limit)s columns. Keep the columns with the insights "
            "and upload it again."
        ),
        "no_header": _l(
            "Row 1 is empty: it must name the columns, such as Insight, Source, Stage and Persona."
        ),
        "empty": _l("The file is empty."),
        "no_rows": _l("The file has a header row, but no insights below it."),
        "too_many_rows": _l(
            "The file has more than %(limit)s rows of insights. Split it and import the "
            "parts one by one."
        ),
        "no_text_column": _l("Choose the column that holds the insights' text."),
        "no_such_column": _l("That column is not in the file."),
        "same_column": _l("Choose a different column for each field."),
        "expired": _l(
            "This upload is no longer here: it was imported already, or it is more than "
            "two hours old. Upload the file again."
        ),
        "closed": _l("This workshop is closed: reopen it to import research insights."),
    },
    domain.InvalidInsightRow: {
        "empty_text": _l("Row %(row)s: the text in column %(column)s is empty."),
        "too_long": _l(
            "Row %(row)s: the text in column %(column)s is longer than %(most)s characters."
        ),
        "formula": _l(
            "Row %(row)s: a formula in column %(column)s; paste values instead "
            "(Paste Special, Values) and upload the file again."
        ),
        "unknown_stage": _l(
            "Row %(row)s: “%(value)s” in column %(column)s is not a stage of this workshop."
        ),
        "unknown_source": _l(
            "Row %(row)s: “%(value)s” in column %(column)s names none of the sources "
            "(interview, survey, analytics, sales or support log, usability test, other), "
            "or two of them. Write one of them in the cell, or leave it empty for “other”."
        ),
        "unknown_persona": _l(
            "Row %(row)s: “%(value)s” in column %(column)s is not a persona of this workshop."
        ),
    },
    domain.InvalidStepSetup: {
        "timebox": _l(
            "Enter a number of minutes from %(min)d to %(max)d.", min=TIMEBOX_MIN, max=TIMEBOX_MAX
        ),
        "prompt_too_long": _l("A prompt has at most %(max)d characters.", max=STEP_PROMPT_MAX),
        "notes_too_long": _l(
            "Your private notes have at most %(max)d characters.", max=FACILITATOR_NOTES_MAX
        ),
    },
    domain.TemplateRefused: {
        "name_empty": _l("Give the template a name."),
        "name_too_long": _l(
            "A template name has at most %(max)d characters.", max=TEMPLATE_NAME_MAX
        ),
        "name_taken": _l(
            "You already have a template with this name. Choose another name, or rename or "
            "delete the other one first."
        ),
        "unreadable": _l(
            "This template cannot be read any more (it was saved by another version of the "
            "app). Save it again from a workshop."
        ),
    },
    domain.InvalidTimer: {
        "minutes": _l("Set the timer to a whole number of minutes from 1 to 180."),
    },
    domain.InvalidRating: {
        "scale": _l("Choose one of the five faces."),
        "touchpoint": _l("That touchpoint is not on the map (any more)."),
    },
}


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Not allowed"),
    410: _l("Link no longer valid"),
    413: _l("Too much data"),
    429: _l("Too many attempts"),
    503: _l("Not available right now"),
    500: _l("Something went wrong"),
}
ERROR_TEXTS = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist (any more)."),
    405: _l("This page cannot be used that way."),
    413: _l("What you sent is too large."),
    429: _l("Please wait a minute before you try again."),
    503: _l("The database cannot be reached right now. Nothing was saved: try again in a moment."),
    500: _l("The error has been logged. Please try again in a moment."),
}

# Fields never echoed back into a page, and fields nobody typed (not shown, only resent).
SECRET_FIELDS = frozenset({"password", "password_confirm", "current_password", "csrf_token"})
MACHINE_FIELDS = frozenset({"join_key", "k", "position", "target", "remember"})


# Said for a refusal without a message of its own (a test sees that none is left): it
# claims nothing that did not happen.
NOT_POSSIBLE = _l("That is not possible right now.")


def domain_message(error: domain.DomainError) -> str:
    reasons = REASON_MESSAGES.get(type(error))
    if reasons is not None:
        message = str(reasons.get(getattr(error, "reason", ""), NOT_POSSIBLE))
        params = getattr(error, "params", None)  # where and how much, in the message
        return message % defaultdict(str, params) if params is not None else message
    return str(DOMAIN_MESSAGES.get(type(error), NOT_POSSIBLE))


def error_page(status: int, message: str | None = None):
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=ERROR_TITLES.get(status, ERROR_TITLES[500]),
            message=message or ERROR_TEXTS.get(status, ERROR_TEXTS[500]),
        ),
        status,
    )


def _refusal(app: Flask, status: int, message: str):
    """The error page, or for htmx (and live.js) the message alone, said where the page
    shows messages: nothing on the page is replaced, nothing typed is lost."""
    if is_htmx():
        flash_html = render_template("_flash_message.html", message=message, category="error")
        return retarget(app.make_response((flash_html, status)), "#flash")
    return error_page(status, message)


def register(app: Flask) -> None:
    @app.errorhandler(domain.DomainError)
    def _domain_error(error: domain.DomainError):
        return _refusal(app, error.status, domain_message(error))

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        # A stale or missing token must not lose what was typed: show it again with a
        # fresh token and ask to send once more.
        fields = [
            (name, value)
            for name, value in request.form.items(multi=True)
            if name not in SECRET_FIELDS
        ]
        html = render_template(
            "errors/resend.html",
            fields=fields,
            machine_fields=MACHINE_FIELDS,
            action=request.full_path.rstrip("?"),
        )
        if is_htmx():
            return retarget(app.make_response((html, 400)), "main")
        return html, 400

    @app.errorhandler(OperationalError)
    def _database_away(error: OperationalError):
        # The database is restarting, unreachable or (SQLite) busy for longer than the busy
        # timeout: nothing was saved; say so, and when to try again.
        app.logger.warning("database unavailable: %s", error.orig)
        with contextlib.suppress(Exception):
            db.session.rollback()
        response = app.make_response(_refusal(app, 503, str(ERROR_TEXTS[503])))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded):
        response = app.make_response(_refusal(app, 429, str(ERROR_TEXTS[429])))
        response.headers["Retry-After"] = str(error.limit.limit.get_expiry())
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.response is not None:  # a page made for this error (e.g. the join throttle)
            return error.response
        status = error.code or 500
        message = str(ERROR_TEXTS.get(status, ERROR_TEXTS[500]))
        limit = upload_limit() if status == 413 else None
        if limit is not None:  # a file far over its limit: say the limit
            message = domain_message(domain.InvalidInsightFile("too_large", limit=size_text(limit)))
        return _refusal(app, status, message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        return error_page(500)
