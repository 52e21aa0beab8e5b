"""Dashboard, preparing a workshop (brief, personas, stages, status) and the projector page."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from cjm_workshop.extensions import db, limiter
from cjm_workshop.models import (
    Invitation,
    Participant,
    Persona,
    Role,
    Stage,
    Workshop,
    WorkshopMember,
    WorkshopStatus,
)
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import invitations, presession, sharing, templates, versions
from cjm_workshop.services import workshops as service
from cjm_workshop.services.errors import InvalidResearchWindow, ShareRefused
from cjm_workshop.web.access import (
    own_template_or_404,
    owned_workshop_or_404,
    part_or_404,
    run_workshop_or_404,
)
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.forms import ConfirmForm
from cjm_workshop.web.htmx import is_htmx, render
from cjm_workshop.web.mail import compose, mail_configured, send_now
from cjm_workshop.web.urls import is_loopback_address, public_url
from cjm_workshop.web.workshops import bp
from cjm_workshop.web.workshops.forms import (
    OWN_TEMPLATE_PREFIX,
    MoveForm,
    NewVersionForm,
    NewWorkshopForm,
    PersonaForm,
    ResearchWindowForm,
    ShareForm,
    StageForm,
    StatusForm,
    WorkshopForm,
    own_template_id,
)


@bp.before_request
@login_required
def _facilitators_only() -> None:
    """Every page here belongs to a logged-in facilitator."""


def _form_status(form) -> int:
    return 422 if form.errors else 200


@bp.get("/")
def dashboard():
    workshops = db.session.scalars(
        select(Workshop)
        .where(Workshop.facilitator_id == current_user.id, ~Workshop.importing)
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    ).all()
    shared = sharing.shared_with(db.session, current_user.id)
    everything = [*workshops, *(w for w, _ in shared)]
    return render_template(
        "workshops/dashboard.html",
        workshops=workshops,
        shared=shared,
        counts=_participant_counts([w.id for w in everything]),
        numbered=_numbered(everything),
        WorkshopStatus=WorkshopStatus,
        Role=Role,
    )


def _participant_counts(workshop_ids: list[int]) -> dict[int, int]:
    if not workshop_ids:
        return {}
    rows = db.session.execute(
        select(Participant.workshop_id, func.count())
        .where(Participant.workshop_id.in_(workshop_ids))
        .group_by(Participant.workshop_id)
    )
    return {workshop_id: count for workshop_id, count in rows}


@bp.route("/new", methods=["GET", "POST"])
def create():
    """A new workshop from a built-in stage model or one of the facilitator's templates
    (?template=<id> chooses one; another facilitator's is not found)."""
    form = NewWorkshopForm(templates=templates.templates_of(db.session, current_user))
    if request.method == "GET":
        form.language.data = str(get_locale())  # the facilitator's own language first
        if "template" in request.args:
            chosen = own_template_or_404(request.args.get("template", 0, type=int))
            form.stage_template.data = f"{OWN_TEMPLATE_PREFIX}{chosen.id}"
            form.show_settings(templates.read_setup(chosen))
    own_id = own_template_id(form.stage_template.data)
    template = own_template_or_404(own_id) if own_id is not None else None
    if form.validate_on_submit():
        if template is None:
            workshop = service.create_workshop(
                db.session,
                current_user,
                form.workshop_fields(),
                persona=form.persona.form.persona_fields(),
                stage_template=form.stage_template.data,
                custom_stages=form.custom_stage_names(),
            )
        else:
            workshop = templates.start_from_template(
                db.session,
                current_user,
                form.workshop_fields(),
                template,
                persona=form.added_persona(),
            )
        db.session.commit()
        flash(_("Workshop created. Share the join code when the room is ready."))
        return redirect(url_for(".overview", workshop_id=workshop.id))
    return render_template("workshops/new.html", form=form), _form_status(form)


def _overview_context(workshop: Workshop) -> dict:
    join_url = public_url("participate.join_link", code=workshop.join_code)
    return {
        "workshop": workshop,
        "join_url": join_url,
        "loopback": is_loopback_address(join_url),
        "persona_form": PersonaForm(formdata=None),
        "stage_form": StageForm(formdata=None),
        "button_form": ConfirmForm(formdata=None),
        "participant_count": len(workshop.participants),
        "WorkshopStatus": WorkshopStatus,
        "owner": workshop.facilitator_id == current_user.id,
        "members": sharing.members(db.session, workshop),
        "invitations": invitations.pending(db.session, workshop),
        "invitations_allowed": current_app.config["SIGNUP"] != "closed",
        "mail_configured": mail_configured(),
        # The link of an invitation that could not be mailed, shown once beside it.
        "unsent_invitation": session.pop(UNSENT_INVITATION, None),
        "share_form": ShareForm(formdata=None),
        "version_form": NewVersionForm(formdata=None),
        "research_form": ResearchWindowForm.showing(
            workshop.research_opens_at, workshop.research_closes_at
        ),
        "research_window": presession.window(workshop, utcnow()).value,
        "window_days": presession.WINDOW_MAX.days,
        **versions_context(workshop),
    }


def versions_context(workshop: Workshop) -> dict:
    """The journey's versions the visitor may see; `numbered` when a number is worth showing."""
    listed = versions.versions_of(db.session, workshop, current_user.id)
    return {"versions": listed, "numbered": workshop.id in _numbered([w for w, _ in listed])}


def _numbered(seen: list[Workshop]) -> set[int]:
    """The workshops whose version number is worth showing: those of a journey of which the
    visitor sees several versions, and any version after the first."""
    journeys = Counter(workshop.journey_key for workshop in seen)
    return {w.id for w in seen if w.version > 1 or journeys[w.journey_key] > 1}


@bp.get("/<int:workshop_id>")
def overview(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    return render_template("workshops/overview.html", **_overview_context(workshop))


@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
def edit(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    form = WorkshopForm(obj=workshop)
    if form.validate_on_submit():
        service.update_workshop(db.session, workshop, form.workshop_fields())
        db.session.commit()
        flash(_("Workshop saved."))
        return redirect(url_for(".overview", workshop_id=workshop.id))
    return render_template("workshops/edit.html", form=form, workshop=workshop), _form_status(form)


@bp.route("/<int:workshop_id>/delete", methods=["GET", "POST"])
def delete(workshop_id: int):
    workshop = owned_workshop_or_404(workshop_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = workshop.title
        service.delete_workshop(db.session, workshop)
        db.session.commit()
        flash(_("Workshop “%(title)s” deleted.", title=title))
        return redirect(url_for(".dashboard"))
    return render_template("workshops/delete.html", form=form, workshop=workshop)


@bp.post("/<int:workshop_id>/status")
def change_status(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    form = StatusForm()
    if form.validate_on_submit() and form.target.data in {s.value for s in WorkshopStatus}:
        service.change_status(db.session, workshop, WorkshopStatus(form.target.data))
        db.session.commit()
    if request.form.get("back") == "console":  # closed or reopened from the console
        return redirect(url_for("facilitate.console", workshop_id=workshop.id), 303)
    return redirect(url_for(".overview", workshop_id=workshop.id))


# --- personas and stages: each change answers htmx with its section, others with a redirect


def _section(workshop: Workshop, name: str):
    if is_htmx():
        return render(f"workshops/_{name}.html", **_overview_context(workshop))
    return redirect(url_for(".overview", workshop_id=workshop.id, _anchor=name))


def _invalid_section(workshop: Workshop, name: str, **forms):
    context = _overview_context(workshop) | forms
    template = f"workshops/_{name}.html" if is_htmx() else "workshops/overview.html"
    return render_template(template, **context), 422


@bp.post("/<int:workshop_id>/personas")
def add_persona(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    form = PersonaForm()
    if not form.validate_on_submit():
        return _invalid_section(workshop, "personas", persona_form=form)
    service.add_persona(db.session, workshop, form.persona.form.persona_fields())
    db.session.commit()
    return _section(workshop, "personas")


@bp.route("/<int:workshop_id>/personas/<int:persona_id>/edit", methods=["GET", "POST"])
def edit_persona(workshop_id: int, persona_id: int):
    workshop = run_workshop_or_404(workshop_id)
    persona = part_or_404(Persona, workshop, persona_id)
    form = PersonaForm(
        data={
            "persona": {
                "name": persona.name,
                "description": persona.description,
                "goals": persona.goals,
                "frustrations": persona.frustrations,
            }
        }
    )
    if form.validate_on_submit():
        service.update_persona(db.session, persona, form.persona.form.persona_fields())
        db.session.commit()
        flash(_("Persona saved."))
        return redirect(url_for(".overview", workshop_id=workshop.id, _anchor="personas"))
    return render_template(
        "workshops/persona.html", form=form, workshop=workshop, persona=persona
    ), _form_status(form)


@bp.post("/<int:workshop_id>/personas/<int:persona_id>/delete")
def delete_persona(workshop_id: int, persona_id: int):
    workshop = run_workshop_or_404(workshop_id)
    persona = part_or_404(Persona, workshop, persona_id)
    service.delete_persona(db.session, persona)
    db.session.commit()
    return _section(workshop, "personas")


@bp.post("/<int:workshop_id>/stages")
def add_stage(workshop_id: int):
    workshop = run_workshop_or_404(workshop_id)
    form = StageForm()
    if not form.validate_on_submit():
        return _invalid_section(workshop, "stages", stage_form=form)
    service.add_stage(db.session, workshop, form.name.data)
    db.session.commit()
    return _section(workshop, "stages")


@bp.post("/<int:workshop_id>/stages/<int:stage_id>/rename")
def rename_stage(workshop_id: int, stage_id: int):
    workshop = run_workshop_or_404(workshop_id)
    stage = part_or_404(Stage, workshop, stage_id)
    form = StageForm()
    if not form.validate_on_submit():
        return _invalid_section(workshop, "stages", rename_errors={stage.id: form.name.errors})
    service.rename_stage(db.session, stage, form.name.data)
    db.session.commit()
    return _section(workshop, "stages")


@bp.post("/<int:workshop_id>/stages/<int:stage_id>/move")
def move_stage(workshop_id: int, stage_id: int):
    workshop = run_workshop_or_404(workshop_id)
    stage = part_or_404(Stage, workshop, stage_id)
    form = MoveForm()
    if form.validate_on_submit():
        service.move_stage(db.session, stage, form.position.data)
        db.session.commit()
    return _section(workshop, "stages")


@bp.post("/<int:workshop_id>/stages/<int:stage_id>/delete")
def delete_stage(workshop_id: int, stage_id: int):
    workshop = run_workshop_or_404(workshop_id)
    stage = part_or_404(Stage, workshop, stage_id)
    service.delete_stage(db.session, stage)
    db.session.commit()
    return _section(workshop, "stages")


@bp.post("/<int:workshop_id>/research-window")
def research_window(workshop_id: int):
    """Set or clear the window in which participants add research before the session."""
    workshop = run_workshop_or_404(workshop_id)
    form = ResearchWindowForm()
    if form.validate_on_submit():
        try:
            presession.set_window(
                db.session, workshop, *form.window(request.form.get("off") == "1"), now=utcnow()
            )
        except InvalidResearchWindow as error:
            form.closes_at.errors = [*form.closes_at.errors, domain_message(error)]
        else:
            db.session.commit()
            return _section(workshop, "research_window")
    return _invalid_section(workshop, "research_window", research_form=form)


# --- sharing: its facilitator only ---------------------------------------------------


def _sharer() -> str:
    return f"share {current_user.get_id()}"


# Each share may mail an invitation through the organisation's mail server: an account
# (sign-up may be open to anyone) must not turn it into a spam relay.
@bp.post("/<int:workshop_id>/members")
@limiter.limit("10 per minute;50 per hour", key_func=_sharer)
def share(workshop_id: int):
    """Share with an account, or invite an address that has none (by e-mail; without a
    mail server the owner gets the link to pass on)."""
    workshop = owned_workshop_or_404(workshop_id)
    form = ShareForm()
    if form.validate_on_submit():
        try:
            shared = invitations.share_or_invite(
                db.session,
                workshop,
                current_user,
                form.email.data,
                Role(form.role.data),
                valid_for=_invitation_lifetime(),
            )
        except ShareRefused as refused:
            db.session.rollback()
            form.email.errors = [domain_message(refused)]
        else:
            db.session.commit()
            if isinstance(shared, invitations.Invited):
                _send_invitation(workshop, shared)
            else:
                flash(_("Shared with %(email)s.", email=form.email.data))
            return redirect(url_for(".overview", workshop_id=workshop.id, _anchor="sharing"), 303)
    context = _overview_context(workshop) | {"share_form": form}
    return render_template("workshops/overview.html", **context), 422


UNSENT_INVITATION = "cjm_unsent_invitation"


def _invitation_lifetime() -> timedelta | None:
    if current_app.config["SIGNUP"] == "closed":
        return None  # no accounts from the web, not even invited ones
    return timedelta(days=current_app.config["INVITATION_DAYS"])


def _send_invitation(workshop: Workshop, invited: invitations.Invited) -> None:
    invitation = invited.invitation
    link = public_url("auth.invited_signup", token=invited.token)
    message = compose(
        invitation.email,
        "invitation",
        workshop.language,
        invitation=invitation,
        inviter=current_user,
        workshop=workshop,
        link=link,
    )
    if send_now(message):
        flash(
            _(
                "%(email)s has no account yet: we sent an invitation by e-mail. "
                "Signing up with it shares this workshop with them.",
                email=invitation.email,
            )
        )
    else:  # only now is the token known (the table keeps its hash): shown once, at its row
        session[UNSENT_INVITATION] = {"id": invitation.id, "link": link}
        flash(
            _(
                "%(email)s has no account yet, and the invitation could not be sent by "
                "e-mail: copy its link under Sharing and send it yourself.",
                email=invitation.email,
            ),
            "warning",
        )


@bp.post("/<int:workshop_id>/members/<int:member_id>/delete")
def unshare(workshop_id: int, member_id: int):
    workshop = owned_workshop_or_404(workshop_id)
    member = part_or_404(WorkshopMember, workshop, member_id)
    sharing.unshare(db.session, member)
    db.session.commit()
    return redirect(url_for(".overview", workshop_id=workshop.id, _anchor="sharing"), 303)


@bp.post("/<int:workshop_id>/invitations/<int:invitation_id>/delete")
def withdraw_invitation(workshop_id: int, invitation_id: int):
    workshop = owned_workshop_or_404(workshop_id)
    invitation = part_or_404(Invitation, workshop, invitation_id)
    invitations.withdraw(db.session, invitation)
    db.session.commit()
    flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email))
    return redirect(url_for(".overview", workshop_id=workshop.id, _anchor="sharing"), 303)
