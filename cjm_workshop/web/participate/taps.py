"""A phone's taps: rating touchpoints (step 5) and spending dots (steps 5 and 6, on pain points
and on opportunities).

Answers with the phone's live part (live.js swaps it in; a refusal carries its message in
the phone's language), or, for plain forms, a redirect back to the step.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Participant, Workshop
from cjm_workshop.services import emotions, voting
from cjm_workshop.services.errors import DomainError
from cjm_workshop.services.workshops import normalise_join_code
from cjm_workshop.web.access import part_or_404
from cjm_workshop.web.dots import vote_texts
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.htmx import is_htmx, render
from cjm_workshop.web.participate import bp
from cjm_workshop.web.participate.routes import (
    code_attempts,
    live_context,
    participant_view,
    stranger,
)


def _answer(
    workshop: Workshop, participant, anchor: str, error: DomainError | None = None, **extra
):
    message = {f"{anchor}_error_message": domain_message(error)} if error is not None else {}
    if is_htmx() or error is not None:
        return render(
            "participate/brief.html",
            partial="participate/_live.html",
            status=error.status if error is not None else 200,
            **live_context(workshop, participant),
            **message,
            **extra,
        )
    return redirect(url_for(".brief", code=workshop.join_code, _anchor=anchor), 303)


@bp.post("/w/<code>/ratings/<int:note_id>")
@code_attempts
@participant_view
def rate(workshop: Workshop, participant: Participant, note_id: int):
    note = part_or_404(Note, workshop, note_id)
    score = request.form.get("score", type=int)
    try:
        emotions.rate(db.session, workshop, participant, note, score if score else 0)
    except DomainError as error:
        db.session.rollback()
        return _answer(workshop, participant, "rate", error)
    db.session.commit()
    return _answer(workshop, participant, "rate")


def _vote_answer(
    code: str, ballot: voting.Ballot, tap: voting.Tap | None, error: DomainError | None = None
):
    """A tap's answer, after the tap's transaction ended: only what changed (live.js), or
    the page / a redirect. A refused tap changed nothing: the ballot shows how it stands."""
    if not is_htmx():
        workshop = db.get_or_404(Workshop, ballot.workshop_id)
        participant = db.session.get(Participant, ballot.participant_id)
        return _answer(workshop, participant, "vote", error)
    status = error.status if error is not None else 200
    message = domain_message(error) if error is not None else ""
    if ballot.round is None:
        return render_template("dots/_panel.html", vote_error_message=message), status
    standing = tap or ballot
    # Only macros with arguments: rendered without the page context (whose processors
    # would look up the user and the language's labels for every tap). The form carries
    # the token the tap came with: it was just checked, and tokens do not expire.
    html = current_app.jinja_env.get_template("dots/_tap.html").render(
        code=code,
        round=ballot.round,
        note=ballot.note,
        left=standing.dots_left,
        mine=standing.mine,
        own=not ballot.round.own_notes
        and ballot.note is not None
        and voting.is_own(db.session, ballot.note, ballot.participant_id),
        tap_key=secrets.token_urlsafe(12),  # the next tap on this note is a new one
        csrf=request.form.get("csrf_token") or generate_csrf(),
        vote_text=vote_texts(),
        vote_error_message=message,
    )
    return html, status


@bp.post("/w/<code>/dots")
def dot(code: str):
    """action=add (with the tap's key) or action=remove, on note_id. CSRF is checked for
    every POST by Flask-WTF's CSRFProtect before this runs."""
    code = normalise_join_code(code)
    token = request.cookies.get(f"cjm_p_{code}")
    note_id = request.form.get("note_id", 0, type=int)
    action = request.form.get("action")
    tap_key = request.form.get("tap_key", "")
    ballot = (
        voting.ballot_by_token(db.session, code, token, note_id, tap_key)
        if code and token
        else None
    )
    if ballot is None:
        return stranger()  # no guess to count: it tells nothing about codes
    if ballot.note is None:
        abort(404)
    if action not in ("add", "remove") or (action == "add" and not 8 <= len(tap_key) <= 64):
        abort(400)
    try:
        tap = (
            voting.vote(db.session, ballot)
            if action == "add"
            else voting.take_back(db.session, ballot)
        )
    except DomainError as error:
        db.session.rollback()
        return _vote_answer(code, ballot, None, error)
    db.session.commit()
    return _vote_answer(code, ballot, tap)
