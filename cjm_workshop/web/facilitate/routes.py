"""The facilitator runs the room: steps, contributions, private writing, notes, the board."""

from __future__ import annotations

from functools import partial

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cjm_workshop import live
from cjm_workshop.extensions import db, limiter
from cjm_workshop.labels import step_prompt
from cjm_workshop.models import STEPS, Note, Participant, Step, Workshop
from cjm_workshop.services import joining, notes, presession, steps, timer
from cjm_workshop.services.errors import InvalidNote
from cjm_workshop.web.access import load_facilitator, part_or_404, run_workshop_or_404
from cjm_workshop.web.board import closing_figures, step_extras
from cjm_workshop.web.facilitate import bp
from cjm_workshop.web.facilitate.arrange import VOTED_IN, suggestions_context
from cjm_workshop.web.facilitate.forms import RemoveParticipantForm
from cjm_workshop.web.forms import ConfirmForm
from cjm_workshop.web.htmx import is_htmx, render, retarget
from cjm_workshop.web.i18n import speak
from cjm_workshop.web.journey import back_to_map
from cjm_workshop.web.notes import (
    Viewer,
    edit_form,
    forms_for_step,
    note_renderer,
    post_note,
)


@bp.before_request
@login_required
def _facilitators_only() -> None:
    """Every page here belongs to a logged-in facilitator (and owner, checked per view)."""


def _step_from_form(name: str = "step") -> Step:
    try:
        return Step(request.form.get(name, ""))
    except ValueError:
        abort(400)


def posted_flag(name: str) -> bool:
    """Whether the form posted this checkbox or button value as "1"."""
    return request.form.get(name) == "1"


def console_context(workshop: Workshop, forms=None, action_form=None) -> dict:
    step = workshop.current_step
    contributed = notes.contributor_ids(db.session, workshop, step)
    in_room = [p for p in workshop.participants if not p.removed]
    joined = len(in_room)
    state = workshop.step_state(step)
    return step_extras(workshop, action_form) | {
        "workshop": workshop,
        "step": step,
        "steps": STEPS,
        "state": state,
        "prompt": step_prompt(state),
        "timebox": steps.timebox_of(state),
        "previous": steps.previous_step(workshop),
        "next": steps.next_step(workshop),
        "forms": forms if forms is not None else forms_for_step(db.session, workshop, step),
        "notes": notes.notes_for(db.session, workshop, None, [step]),
        "joined": joined,
        "closing": closing_figures(workshop, Viewer("board")) if workshop.is_closed else None,
        "contributed": len(contributed),
        "waiting": [p.display_name for p in in_room if p.id not in contributed],
        "participants": workshop.participants,
        "button_form": ConfirmForm(formdata=None),
        "last_event": live.latest_event_id(db.session),
        "viewer": Viewer("console"),
        "timer": timer.view(workshop),
        **(
            suggestions_context(workshop, "console")
            if step is Step.VISUALIZE or step in VOTED_IN
            else {}
        ),
        # Research before the session, counted where the room starts (step 1).
        "early_insights": presession.insights_before_session(db.session, workshop)
        if step is Step.SCOPE and workshop.research_opens_at is not None
        else None,
    }


def back_to_console(workshop: Workshop):
    if is_htmx():
        return render("facilitate/_console.html", **console_context(workshop))
    return redirect(url_for(".console", workshop_id=workshop.id), 303)


@bp.get("/<int:workshop_id>/console")
def console(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    return render(
        "facilitate/console.html", partial="facilitate/_console.html", **console_context(workshop)
    )


@bp.post("/<int:workshop_id>/step")
def go_to_step(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    steps.go_to_step(db.session, workshop, _step_from_form())
    db.session.commit()
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/contributions")
def contributions(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    steps.set_contributions(db.session, workshop, _step_from_form(), posted_flag("open"))
    db.session.commit()
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/privacy")
def privacy(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    notes.set_private(db.session, workshop, _step_from_form(), posted_flag("private"))
    db.session.commit()
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/reveal")
def reveal(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    notes.reveal(db.session, workshop, _step_from_form())
    db.session.commit()
    return back_to_console(workshop)


TIMER_EXTENSIONS = frozenset({1, 5})


@bp.post("/<int:workshop_id>/timer")
def timer_control(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    action = request.form.get("action")
    if action == "start":
        timer.start(db.session, workshop)
    elif action == "set":  # any duration the facilitator types
        minutes = request.form.get("minutes", type=int)
        timer.start(db.session, workshop, minutes if minutes is not None else 0)
    elif action == "pause":
        timer.pause(db.session, workshop)
    elif (
        action == "extend"
        and (minutes := request.form.get("minutes", type=int)) in TIMER_EXTENSIONS
    ):
        timer.extend(db.session, workshop, minutes)
    elif action == "reset":
        timer.reset(db.session, workshop)
    else:
        abort(400)
    db.session.commit()
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/notes/<kind>")
def add_note(workshop_id: int, kind: str):
    """The facilitator types up a note for the room (proxy)."""
    workshop = run_workshop_or_404(workshop_id)
    posted = post_note(workshop, kind, Viewer("console"))
    if posted.answer is not None:  # like a phone's note: the board has it at once
        return posted.answer, 201
    if posted.note is not None:
        return back_to_console(workshop)
    return render(
        "facilitate/console.html",
        partial="facilitate/_console.html",
        status=posted.status,
        **console_context(workshop, posted.forms),
    )


def _from_map() -> bool:
    return request.values.get("back") == "map"


@bp.route("/<int:workshop_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
def edit_note(workshop_id: int, note_id: int):
    """The edit page, or (from the map, with htmx) the note's card turned into its form."""
    workshop = run_workshop_or_404(workshop_id)
    note = part_or_404(Note, workshop, note_id)
    form = edit_form(db.session, workshop, note, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            notes.edit_note(db.session, note, form.note_fields())
        except InvalidNote as error:
            form.refuse(error)
        else:
            db.session.commit()
            if _from_map():
                return back_to_map(workshop, anchor=f"note-{note.id}")
            return redirect(url_for(".console", workshop_id=workshop.id), 303)
    status = 422 if form.errors else 200
    if _from_map() and is_htmx():
        html = render_template(
            "map/_edit_note.html", form=form, workshop=workshop, note=note, kind=note.kind
        )
        return retarget(make_response(html, status), f"#note-{note.id}", "outerHTML")
    return render_template(
        "facilitate/edit_note.html", form=form, workshop=workshop, note=note, kind=note.kind
    ), status


@bp.post("/<int:workshop_id>/notes/<int:note_id>/hide")
def hide_note(workshop_id: int, note_id: int):
    workshop = run_workshop_or_404(workshop_id)
    note = part_or_404(Note, workshop, note_id)
    notes.set_hidden(db.session, note, posted_flag("hidden"))
    db.session.commit()
    if _from_map():
        return back_to_map(workshop, anchor=f"note-{note.id}")
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/notes/<int:note_id>/delete")
def delete_note(workshop_id: int, note_id: int):
    workshop = run_workshop_or_404(workshop_id)
    note = part_or_404(Note, workshop, note_id)
    notes.delete_note(db.session, note)
    db.session.commit()
    return back_to_console(workshop)


@bp.route("/<int:workshop_id>/participants/<int:participant_id>/remove", methods=["GET", "POST"])
def remove_participant(workshop_id: int, participant_id: int):
    """Take someone out of the room (they read along, add nothing); their notes stay,
    marked, or leave the map with them: the facilitator chooses on this page."""
    workshop = run_workshop_or_404(workshop_id)
    participant = part_or_404(Participant, workshop, participant_id)
    form = RemoveParticipantForm()
    if form.validate_on_submit():
        joining.remove_participant(
            db.session, workshop, participant, with_notes=form.notes.data == "hide"
        )
        db.session.commit()
        flash(_("%(name)s can no longer add anything.", name=participant.display_name))
        return redirect(url_for(".console", workshop_id=workshop.id), 303)
    authored = [n for n in notes.notes_for(db.session, workshop) if n.author_id == participant.id]
    return render_template(
        "facilitate/remove_participant.html",
        form=form,
        workshop=workshop,
        participant=participant,
        note_count=len(authored),
    ), (422 if form.errors else 200)


def _still_logged_in(user_id: str) -> bool:
    """An open console or board asks now and then: logging out elsewhere ends it too."""
    return load_facilitator(user_id) is not None


@bp.get("/<int:workshop_id>/events")
@limiter.exempt
def events(workshop_id: int):
    """The stream of the console (view=console: every note) or the board (only the room's)."""
    workshop = run_workshop_or_404(workshop_id)
    viewer = Viewer("console" if request.args.get("view") == "console" else "board")
    if viewer.screen == "board":
        speak(workshop.language)  # the board's notes in the room's language, like its page
    return live.event_stream_response(
        workshop.id,
        live.after_id(request),
        note_renderer(viewer),
        # A facilitator's screens are never closed for the room's phones at the same address.
        live.holders(f"account {current_user.id}", "LIVE_STREAMS_PER_ACCOUNT", address=False),
        allowed=partial(_still_logged_in, current_user.get_id()),
    )
