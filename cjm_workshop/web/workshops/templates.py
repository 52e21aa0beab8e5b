"""The facilitator's own templates: save a workshop's set-up under a name, list, rename and
delete them (starting a workshop from one is on the new-workshop page). Each template is
its facilitator's alone: anybody else gets 404."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cjm_workshop.extensions import db
from cjm_workshop.services import templates
from cjm_workshop.services.errors import TemplateRefused
from cjm_workshop.web.access import own_template_or_404, run_workshop_or_404
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.forms import ConfirmForm
from cjm_workshop.web.workshops import bp
from cjm_workshop.web.workshops.forms import TemplateNameForm


@bp.get("/templates")
def template_list():
    return render_template(
        "workshops/templates.html",
        templates=templates.templates_of(db.session, current_user),
        button_form=ConfirmForm(formdata=None),
    )


@bp.get("/templates/<int:template_id>")
def template_view(template_id: int):
    """What a template holds, before starting a workshop from it."""
    template = own_template_or_404(template_id)
    return render_template(
        "workshops/template.html",
        template=template,
        setup=templates.read_setup(template),
        button_form=ConfirmForm(formdata=None),
    )


def _named(form: TemplateNameForm, change) -> bool:
    """Whether `change(name)` was made; a refusal is said at the name, nothing written."""
    if not form.validate_on_submit():
        return False
    try:
        change(form.name.data)
    except TemplateRefused as refused:
        db.session.rollback()
        form.name.errors = [domain_message(refused)]
        return False
    db.session.commit()
    return True


@bp.route("/<int:workshop_id>/template", methods=["GET", "POST"])
def save_template(workshop_id: int):
    """Save this workshop's set-up as a template of the visitor's own."""
    workshop = run_workshop_or_404(workshop_id)
    form = TemplateNameForm(data={"name": workshop.title})
    if _named(form, lambda name: templates.save_template(db.session, current_user, workshop, name)):
        flash(_("Template “%(name)s” saved.", name=form.name.data))
        return redirect(url_for(".template_list"), 303)
    return render_template(
        "workshops/save_template.html", form=form, workshop=workshop
    ), 422 if form.errors else 200


@bp.route("/templates/<int:template_id>/rename", methods=["GET", "POST"])
def rename_template(template_id: int):
    template = own_template_or_404(template_id)
    form = TemplateNameForm(data={"name": template.name})
    if _named(form, lambda name: templates.rename_template(db.session, template, name)):
        flash(_("Template renamed to “%(name)s”.", name=template.name))
        return redirect(url_for(".template_list"), 303)
    return render_template(
        "workshops/rename_template.html", form=form, template=template
    ), 422 if form.errors else 200


@bp.post("/templates/<int:template_id>/delete")
def delete_template(template_id: int):
    template = own_template_or_404(template_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = template.name
        templates.delete_template(db.session, template)
        db.session.commit()
        flash(_("Template “%(name)s” deleted.", name=name))
    return redirect(url_for(".template_list"), 303)
