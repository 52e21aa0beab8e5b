"""Joining by QR code or typed code, and the brief the phone shows afterwards.

Wrong codes are rate-limited per address, counting only failed attempts: a whole room
shares one Wi-Fi address. The QR link carries the workshop's long random join token,
which exempts it from the limit altogether.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cjm_workshop.extensions import db, limiter
from cjm_workshop.models import Workshop
from cjm_workshop.services import joining
from cjm_workshop.services.errors import WorkshopClosed, WorkshopNotFound
from cjm_workshop.services.workshops import format_join_code, normalise_join_code
from cjm_workshop.web.access import current_participant, remember_participant
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.participate.forms import JoinCodeForm, JoinNameForm

bp = Blueprint("participate", __name__)

FAILED_CODE_STATUSES = frozenset({403, 404})


def _carries_join_token() -> bool:
    token = request.values.get("k", "")
    code = normalise_join_code(request.view_args.get("code", "") if request.view_args else "")
    if not token or not code:
        return False
    workshop = db.session.query(Workshop).filter_by(join_code=code).one_or_none()
    return workshop is not None and hmac.compare_digest(workshop.join_token, token)


def _too_many_attempts(_limit) -> Response:
    message = _("Too many wrong codes from this network. Wait a minute and try again.")
    return make_response(join_form_page(message, 429))


code_attempts = limiter.shared_limit(
    "10 per minute;60 per hour",
    scope="join-code",
    deduct_when=lambda response: response.status_code in FAILED_CODE_STATUSES,
    exempt_when=_carries_join_token,
    on_breach=_too_many_attempts,
)


def join_form_page(error: str | None = None, status: int = 200, form: JoinCodeForm | None = None):
    form = form or JoinCodeForm()
    if error:
        form.code.errors = [*form.code.errors, error]
    return render_template("participate/join.html", form=form), status


def _find(code: str) -> Workshop:
    return joining.open_for_joining(joining.find_workshop(db.session, code))


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
        return redirect(url_for(".join_link", code=workshop.join_code, **request.args), 301)
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
        workshop = joining.find_workshop(db.session, code)
    except WorkshopNotFound as error:
        return join_form_page(domain_message(error), error.status)
    participant = current_participant(workshop)
    if participant is None:
        return redirect(url_for(".join_link", code=workshop.join_code), 303)
    return render_template("participate/brief.html", workshop=workshop, participant=participant)
