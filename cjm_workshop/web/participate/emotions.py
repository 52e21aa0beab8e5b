"""Step 5 on the phone: rating touchpoints and spending dots.

Answers with the phone's live part (live.js swaps it in; a refusal carries its message in
the phone's language), or, for plain forms, a redirect back to the step.
"""

from __future__ import annotations

import secrets

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, RoundStatus, Workshop
from cjm_workshop.services import emotions, joining, voting
from cjm_workshop.services.errors import DomainError, RoundClosed
from cjm_workshop.services.workshops import normalise_join_code
from cjm_workshop.web.access import part_or_404
from cjm_workshop.web.emotions import vote_texts
from cjm_workshop.web.errors import domain_message, error_page
from cjm_workshop.web.htmx import is_htmx, render
from cjm_workshop.web.participate.routes import (
    _live_context,
    _participant_or_redirect,
    bp,
    code_attempts,
)
from cjm_workshop.web.workshops.forms import ConfirmForm


def _answer(
    workshop: Workshop, participant, anchor: str, error: DomainError | None = None, **extra
):
    message = {f"{anchor}_error_message": domain_message(error)} if error is not None else {}
    if is_htmx() or error is not None:
        return render(
            "participate/brief.html",
            partial="participate/_live.html",
            status=error.status if error is not None else 200,
            **_live_context(workshop, participant),
            **message,
            **extra,
        )
    return redirect(url_for(".brief", code=workshop.join_code, _anchor=anchor), 303)


@bp.post("/w/<code>/ratings/<int:note_id>")
@code_attempts
def rate(code: str, note_id: int):
    workshop, participant, response = _participant_or_redirect(code)
    if response is not None:
        return response
    if not ConfirmForm().validate_on_submit():
        abort(400)
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
    workshop: Workshop, participant, chosen, note: Note, error: DomainError | None = None
):
    """A tap's answer: only what changed (live.js), or the page / a redirect."""
    if not is_htmx():
        return _answer(workshop, participant, "vote", error)
    message = domain_message(error) if error is not None else ""
    if chosen is None:
        html = render_template("emotions/_vote.html", vote_error_message=message)
        return html, error.status if error is not None else 200
    left, mine = voting.standing_on(db.session, chosen, participant, note)
    html = render_template(
        "emotions/_tap.html",
        workshop=workshop,
        round=chosen,
        note=note,
        left=left,
        mine=mine,
        tap_key=secrets.token_urlsafe(12),  # the next tap on this note is a new one
        vote_text=vote_texts(),
        vote_error_message=message,
    )
    return html, error.status if error is not None else 200


def _stranger():
    """Unknown code or identity: one answer for both, so the route tells nothing about codes
    (and needs no join-code throttle, which would cost every tap of a room)."""
    return error_page(403, _("Join the workshop first: open the join link or type the code."))


@bp.post("/w/<code>/dots")
def dot(code: str):
    """action=add (with the tap's key) or action=remove, on note_id. CSRF is checked for
    every POST by Flask-WTF's CSRFProtect before this runs."""
    participant = joining.participant_by_code(
        db.session, code, request.cookies.get(f"cjm_p_{normalise_join_code(code)}")
    )
    if participant is None:
        return _stranger()
    workshop = participant.workshop
    note = part_or_404(Note, workshop, request.form.get("note_id", 0, type=int))
    action = request.form.get("action")
    tap_key = request.form.get("tap_key", "")
    if action not in ("add", "remove") or (action == "add" and not 8 <= len(tap_key) <= 64):
        abort(400)
    chosen = voting.latest_round(db.session, workshop, note.kind)
    try:
        if chosen is None or (chosen.status is not RoundStatus.OPEN and action == "remove"):
            raise RoundClosed(code)
        if action == "add":
            voting.vote(db.session, workshop, chosen, participant, note, tap_key)
        else:
            voting.take_back(db.session, workshop, chosen, participant, note)
    except DomainError as error:
        db.session.rollback()
        return _vote_answer(workshop, participant, chosen, note, error)
    db.session().expire_on_commit = False  # the answer reads what it needs afresh anyway
    db.session.commit()
    return _vote_answer(workshop, participant, chosen, note)
