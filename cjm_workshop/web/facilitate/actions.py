"""The facilitator turns opportunities and pain points into actions and places them in the
impact/effort matrix; organizers update their status."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from cjm_workshop.extensions import db
from cjm_workshop.models import ActionItem, ActionStatus, Quadrant
from cjm_workshop.services import actions
from cjm_workshop.services.errors import InvalidAction
from cjm_workshop.web.access import part_or_404, run_workshop_or_404, viewed_workshop_or_404
from cjm_workshop.web.actions import ActionForm
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.facilitate import bp
from cjm_workshop.web.facilitate.routes import back_to_console, console_context
from cjm_workshop.web.htmx import is_htmx, render


def _form_page(workshop, form: ActionForm, action: ActionItem | None, status: int = 200):
    """The form to add an action is on the console; an action is edited on its own page."""
    if action is None:
        context = console_context(workshop, action_form=form)
        return render(
            "facilitate/console.html", partial="facilitate/_console.html", status=status, **context
        )
    form.fill_sources(workshop)
    page = render_template("actions/edit.html", workshop=workshop, action=action, action_form=form)
    return page, status


def _save(workshop, action: ActionItem | None):
    """Add (action None) or change an action from the posted form; with the form's messages
    (422) and nothing saved when it breaks a rule."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _form_page(workshop, form, action, 422)
    try:
        if action is None:
            actions.add_action(db.session, workshop, form.action_fields(), form.source_id.data)
        else:
            actions.update_action(
                db.session, workshop, action, form.action_fields(), form.source_id.data
            )
    except InvalidAction as refused:
        db.session.rollback()
        wrong = form.stage_id if refused.reason == "stage" else form.source_id
        wrong.errors = [domain_message(refused)]
        return _form_page(workshop, form, action, 422)
    db.session.commit()
    if is_htmx():
        return back_to_console(workshop)
    return redirect(url_for(".console", workshop_id=workshop.id, _anchor="actions-h"), 303)


@bp.post("/<int:workshop_id>/actions")
def add_action(workshop_id: int):
    return _save(run_workshop_or_404(workshop_id), None)


@bp.route("/<int:workshop_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(workshop_id: int, action_id: int):
    workshop = run_workshop_or_404(workshop_id)
    action = part_or_404(ActionItem, workshop, action_id)
    if request.method == "POST":
        return _save(workshop, action)
    form = ActionForm(formdata=None)
    form.show(action)
    return _form_page(workshop, form, action)


@bp.post("/<int:workshop_id>/actions/<int:action_id>/delete")
def delete_action(workshop_id: int, action_id: int):
    workshop = run_workshop_or_404(workshop_id)
    action = part_or_404(ActionItem, workshop, action_id)
    actions.delete_action(db.session, workshop, action)
    db.session.commit()
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/actions/<int:action_id>/place")
def place_action(workshop_id: int, action_id: int):
    """quadrant=… (dropped into the matrix), or axis=impact|effort with by=1|-1 (buttons)."""
    workshop = run_workshop_or_404(workshop_id)
    action = part_or_404(ActionItem, workshop, action_id)
    quadrant = request.form.get("quadrant")
    if quadrant:
        try:
            actions.place(db.session, workshop, action, Quadrant(quadrant))
        except ValueError:
            abort(400)
    else:
        actions.step(
            db.session,
            workshop,
            action,
            request.form.get("axis", ""),
            request.form.get("by", 0, type=int),
        )
    db.session.commit()
    return back_to_console(workshop)


@bp.post("/<int:workshop_id>/actions/<int:action_id>/status")
def action_status(workshop_id: int, action_id: int):
    """Organizers too, also after the workshop closed."""
    workshop, _access = viewed_workshop_or_404(workshop_id)
    action = part_or_404(ActionItem, workshop, action_id)
    try:
        status = ActionStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    actions.set_status(db.session, workshop, action, status)
    db.session.commit()
    return redirect(url_for("workshops.results", workshop_id=workshop.id, _anchor="actions"), 303)
