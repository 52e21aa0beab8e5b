"""The phone: joining by QR code or typed code, then the brief and each step's notes.

Unknown codes are counted and refused by `guesses`: per phone and per address, counting only
failed lookups, never refusing the QR link's token or a phone that joined already.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import (
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from cjm_workshop import live
from cjm_workshop.extensions import db
from cjm_workshop.labels import step_prompt
from cjm_workshop.models import STEPS, Note, NoteKind, Participant, Step, Workshop
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import joining, notes, presession, steps, timer
from cjm_workshop.services.errors import (
    InvalidNote,
    WorkshopClosed,
    WorkshopNotFound,
)
from cjm_workshop.services.presession import Window
from cjm_workshop.services.workshops import format_join_code, normalise_join_code
from cjm_workshop.web.access import (
    current_participant,
    forget_lookups,
    part_or_404,
    remember_participant,
    workshop_by_code,
)
from cjm_workshop.web.actions import top_pain_points
from cjm_workshop.web.dots import voting_context
from cjm_workshop.web.emotions import emotions_context
from cjm_workshop.web.errors import domain_message, error_page
from cjm_workshop.web.forms import JoinCodeForm
from cjm_workshop.web.htmx import is_htmx, render
from cjm_workshop.web.journey import shared_map
from cjm_workshop.web.notes import (
    Viewer,
    edit_form,
    forms_for_step,
    note_renderer,
    post_note,
)
from cjm_workshop.web.participate import bp, guesses
from cjm_workshop.web.participate.forms import JoinNameForm


def _too_many_attempts(seconds: int) -> Response:
    message = _(
        "Too many wrong codes. Try again in %(seconds)d seconds, or scan the QR code.",
        seconds=seconds,
    )
    return make_response(join_form_page(message, 429))


code_attempts = guesses.guarded(_too_many_attempts)


def stranger() -> tuple[str, int]:
    """Unknown code or identity: one answer for both, so the route tells nothing about codes."""
    return error_page(403, _("Join the workshop first: open the join link or type the code."))


def join_form_page(error: str | None = None, status: int = 200, form: JoinCodeForm | None = None):
    form = form or JoinCodeForm()
    if status == 404:
        guesses.mark_unknown_code()
    if error:
        form.code.errors = [*form.code.errors, error]
    return render_template("participate/join.html", form=form), status


def _find(code: str) -> Workshop:
    return joining.open_for_joining(workshop_by_code(code))


@bp.route("/join", methods=["GET", "POST"])
@code_attempts
def join():
    form = JoinCodeForm()
    if not form.validate_on_submit():
        return join_form_page(form=form, status=422 if form.errors else 200)
    try:
        workshop = _find(form.code.data)
    except (WorkshopNotFound, WorkshopClosed) as error:
        return join_form_page(domain_message(error), error.status, form)
    return redirect(url_for(".join_link", code=workshop.join_code), 303)


@bp.route("/j/<code>", methods=["GET", "POST"])
@code_attempts
def join_link(code: str):
    try:
        workshop = _find(code)
    except (WorkshopNotFound, WorkshopClosed) as error:
        form = JoinCodeForm(formdata=None, data={"code": code})
        return join_form_page(domain_message(error), error.status, form)
    if normalise_join_code(code) != code:
        asked: dict[str, Any] = request.args.to_dict()  # (the key, for one)
        return redirect(url_for(".join_link", code=workshop.join_code, **asked), 301)
    if current_participant(workshop) is not None:
        return redirect(url_for(".brief", code=workshop.join_code), 303)
    form = JoinNameForm(k=request.args.get("k", ""))
    if form.validate_on_submit():
        participant = joining.join(db.session, workshop, form.display_name.data, form.join_key.data)
        db.session.commit()
        response = redirect(url_for(".brief", code=workshop.join_code), 303)
        return remember_participant(response, participant)
    return render_template(
        "participate/name.html",
        form=form,
        workshop=workshop,
        code=format_join_code(workshop.join_code),
    ), (422 if form.errors else 200)


@bp.get("/w/<code>")
@code_attempts
def brief(code: str):
    try:
        workshop = workshop_by_code(code)
    except WorkshopNotFound as error:
        return join_form_page(domain_message(error), error.status)
    participant = current_participant(workshop)
    if participant is None:
        return redirect(url_for(".join_link", code=workshop.join_code), 303)
    return render(
        "participate/brief.html",
        partial="participate/_live.html",
        **live_context(workshop, participant),
    )


# --- the steps on the phone --------------------------------------------------------------


def participant_view(view=None, *, strangers=None):
    """A phone's view: called as view(workshop, participant, **url values but the code),
    for the phone that joined this workshop. Any other visitor is sent to join (or, with
    `strangers`, gets what it returns): the one place a phone is recognised."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(code: str, **values):
            try:
                workshop = workshop_by_code(code)
            except WorkshopNotFound as error:
                answer = join_form_page(domain_message(error), error.status)  # counts a guess
                return strangers() if strangers is not None else answer
            participant = current_participant(workshop)
            if participant is None:
                if strangers is not None:
                    return strangers()
                return redirect(url_for(".join_link", code=workshop.join_code), 303)
            return view(workshop, participant, **values)

        return wrapper

    return decorate(view) if view is not None else decorate


def live_context(workshop: Workshop, participant, forms=None) -> dict:
    step = workshop.current_step
    on_map = step is Step.VISUALIZE
    extra = emotions_context(workshop, participant) if step is Step.EMOTIONS else {}
    if step is Step.ACTIONS:
        extra = voting_context(workshop, NoteKind.OPPORTUNITY, participant) | {
            "top_pain_points": top_pain_points(workshop)
        }
    return (
        extra
        | _early_research(workshop, participant, forms)
        | {
            "map_html": shared_map(workshop, "phone", _map_src(workshop)) if on_map else None,
            "workshop": workshop,
            "participant": participant,
            "step": step,
            "prompt": step_prompt(workshop.step_state(step), phone=True),
            "accepting": steps.accepts_contributions(workshop, step),
            "forms": forms if forms is not None else forms_for_step(db.session, workshop, step),
            "notes": notes.notes_for(db.session, workshop, participant, [step]),
            "viewer": Viewer("phone", participant.id, not participant.removed),
            "step_number": STEPS.index(step) + 1,
            "step_count": len(STEPS),
            "last_event": live.latest_event_id(db.session),
            "timer": timer.view(workshop),
        }
    )


def _early_research(workshop: Workshop, participant: Participant, forms=None) -> dict:
    """Research before the session (services/presession.py) on the phone page of a workshop
    that has not started: when it opens or closed, and while it is open the insight form and
    the room's insights so far. A refused insight keeps its form, with the reason."""
    window = presession.window(workshop, utcnow())
    if window is Window.NONE:
        return {"early": None}
    kept = {kind: form for kind, form in (forms or {}).items() if kind is NoteKind.INSIGHT}
    fresh = forms_for_step(db.session, workshop, Step.RESEARCH) if window is Window.OPEN else {}
    return {
        "early": window,
        "early_prompt": workshop.step_state(Step.RESEARCH).prompt,  # the facilitator's own
        "early_forms": fresh | kept,
        "early_notes": notes.notes_for(db.session, workshop, participant, [Step.RESEARCH]),
    }


def _map_src(workshop: Workshop) -> str:
    return url_for(".journey_map", code=workshop.join_code)


@bp.get("/w/<code>/map")
@code_attempts
@participant_view
def journey_map(workshop: Workshop, _participant: Participant):
    """The read-only map, a stage at a time (what the phone reloads when the map changed)."""
    return shared_map(workshop, "phone", _map_src(workshop))


@bp.post("/w/<code>/notes/<kind>")
@code_attempts
@participant_view
def add_note(workshop: Workshop, participant: Participant, kind: str):
    viewer = Viewer("phone", participant.id, not participant.removed)
    posted = post_note(workshop, kind, viewer, participant)
    if posted.answer is not None:
        return posted.answer, 201
    if posted.note is not None:
        anchor = f"note-{posted.note.id}"
        return redirect(url_for(".brief", code=workshop.join_code, _anchor=anchor), 303)
    return render(
        "participate/brief.html",
        partial="participate/_live.html",
        status=posted.status,
        **live_context(workshop, participant, posted.forms),
    )


@bp.route("/w/<code>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@code_attempts
@participant_view
def edit_note(workshop: Workshop, participant: Participant, note_id: int):
    note = part_or_404(Note, workshop, note_id)
    if note.author_id != participant.id:
        abort(403)
    form = edit_form(db.session, workshop, note, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            notes.edit_note(db.session, note, form.note_fields(), participant=participant)
        except InvalidNote as error:
            form.refuse(error)
        else:
            db.session.commit()
            return redirect(
                url_for(".brief", code=workshop.join_code, _anchor=f"note-{note.id}"), 303
            )
    return render_template(
        "participate/edit_note.html", form=form, workshop=workshop, note=note, kind=note.kind
    ), (422 if form.errors else 200)


@bp.post("/w/<code>/notes/<int:note_id>/delete")
@code_attempts
@participant_view
def delete_note(workshop: Workshop, participant: Participant, note_id: int):
    note = part_or_404(Note, workshop, note_id)
    notes.delete_note(db.session, note, participant=participant)
    db.session.commit()
    if is_htmx():
        return "", 204
    return redirect(url_for(".brief", code=workshop.join_code), 303)


@bp.get("/w/<code>/events")
@participant_view(strangers=stranger)
def events(workshop: Workshop, participant: Participant):
    """Only for a phone that joined; anyone else gets one answer whether the code exists or
    not (an event stream is no page to be sent to join from)."""
    viewer = Viewer("phone", participant.id, not participant.removed)
    forget_lookups()
    return live.event_stream_response(
        workshop.id,
        live.after_id(request),
        note_renderer(viewer),
        live.holders(f"participant {participant.id}", "LIVE_STREAMS_PER_PHONE", address=True),
    )
