"""A workshop's own prompt, timebox and private notes per step, set up before or during the
session (from the overview, or from the console, which it then returns to)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from cjm_workshop.extensions import db
from cjm_workshop.labels import PARTICIPANT_PROMPTS, STEP_PROMPTS
from cjm_workshop.models import Step
from cjm_workshop.services import steps
from cjm_workshop.services.errors import InvalidStepSetup
from cjm_workshop.web.access import run_workshop_or_404
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.workshops import bp
from cjm_workshop.web.workshops.forms import StepSetupForm


def _from_console() -> bool:
    return request.values.get("back") == "console"


@bp.route("/<int:workshop_id>/steps/<step_name>", methods=["GET", "POST"])
def step_setup(workshop_id: int, step_name: str):
    workshop = run_workshop_or_404(workshop_id)
    try:
        step = Step(step_name)
    except ValueError:
        abort(404)
    state = workshop.step_state(step)
    form = StepSetupForm(obj=state)
    built_in_timebox = steps.TIMEBOX_MINUTES[step]
    form.timebox_minutes.description = ngettext(
        "Leave empty for the built-in %(num)d minute.",
        "Leave empty for the built-in %(num)d minutes.",
        built_in_timebox,
    )
    if form.validate_on_submit():
        try:
            steps.set_up_step(db.session, workshop, step, form.step_setup())
        except InvalidStepSetup as refused:  # the form's checks are the same: a safety net
            db.session.rollback()
            form.form_errors.append(domain_message(refused))
        else:
            db.session.commit()
            flash(_("Step saved."))
            if _from_console():
                return redirect(url_for("facilitate.console", workshop_id=workshop.id), 303)
            return redirect(url_for(".overview", workshop_id=workshop.id, _anchor="steps"), 303)
    return render_template(
        "workshops/step_setup.html",
        form=form,
        workshop=workshop,
        step=step,
        back_to_console=_from_console(),
        built_in=_built_in_prompts(workshop.language, step),
    ), 422 if form.errors or form.form_errors else 200


def _built_in_prompts(language: str, step: Step) -> tuple[str, str]:
    """The built-in texts the room would see, in the workshop's language (board, phone)."""
    with force_locale(language):
        return str(STEP_PROMPTS[step]), str(PARTICIPANT_PROMPTS[step])
