"""Sign up, log in and log out.

Failed log-ins are limited per account and address (so one person's wrong passwords do not
lock colleagues in the same office out of theirs) and, more loosely, per address (against
trying many accounts). Sign-ups are limited per address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from cjm_workshop.extensions import db, limiter, login_manager
from cjm_workshop.models import Facilitator
from cjm_workshop.services import accounts
from cjm_workshop.services.errors import EmailTaken, WrongPassword
from cjm_workshop.web.auth import bp
from cjm_workshop.web.auth.forms import LoginForm, PasswordChangeForm, SignupForm
from cjm_workshop.web.errors import domain_message
from cjm_workshop.web.htmx import is_htmx
from cjm_workshop.web.urls import safe_next

login_manager.session_protection = "basic"


@login_manager.unauthorized_handler
def _not_logged_in():
    """Pages send visitors to log in; actions (a participant's phone posting to a facilitator
    control, say) are simply refused."""
    if is_htmx():  # a part of a page that was open when the log-in ended: the whole page goes
        page = urlsplit(request.headers.get("HX-Current-URL") or request.referrer or "")
        back = safe_next(page.path + (f"?{page.query}" if page.query else ""))
        flash(_("You were logged out. Please log in again."), "info")
        return "", 401, {"HX-Redirect": url_for("auth.login", next=back)}
    if request.method not in ("GET", "HEAD"):
        abort(403)
    flash(_("Please log in to see this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@login_manager.user_loader
def _load_facilitator(user_id: str) -> Facilitator | None:
    """Only a log-in that was not ended: logging out, "log out everywhere" and a password
    change end it on the server, so a copied session or remember-me cookie is worth nothing."""
    return accounts.logged_in(db.session, user_id)


def _log_in(facilitator: Facilitator, remember: bool = False) -> None:
    accounts.start_login(db.session, facilitator)
    db.session.commit()
    login_user(facilitator, remember=remember)


def _failed(response) -> bool:
    # Only failed attempts count: a successful log-in redirects.
    return response.status_code != 302


def _account_at_address() -> str:
    return f"{get_remote_address()} {accounts.normalise_email(request.form.get('email', ''))}"


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("workshops.dashboard"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            facilitator = accounts.create_facilitator(
                db.session, email=form.email.data, name=form.name.data, password=form.password.data
            )
        except EmailTaken as error:
            form.email.errors.append(domain_message(error))
        else:
            _log_in(facilitator)
            flash(_("Welcome, %(name)s! Create your first workshop.", name=facilitator.name))
            return redirect(url_for("workshops.dashboard"))
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    "10 per minute;40 per hour", methods=["POST"], key_func=_account_at_address, deduct_when=_failed
)
@limiter.limit("60 per minute;300 per hour", methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("workshops.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        facilitator = accounts.authenticate(
            db.session, email=form.email.data, password=form.password.data
        )
        if facilitator is not None:
            _log_in(facilitator, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("workshops.dashboard"))
        form.password.errors.append(_("E-mail address or password is wrong."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    accounts.end_login(db.session, current_user)
    db.session.commit()
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The account: its password (changing it logs out every other browser) and log-ins."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, current_user, form.current_password.data, form.password.data
            )
        except WrongPassword as error:
            form.current_password.errors.append(domain_message(error))
        else:
            db.session.commit()
            flash(_("Your password is changed. Every other browser is logged out."))
            return redirect(url_for("auth.account"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/account.html", form=form), status


@bp.post("/account/logout-elsewhere")
@login_required
def logout_elsewhere():
    ended = accounts.end_other_logins(db.session, current_user)
    db.session.commit()
    flash(
        ngettext(
            "Logged out in %(num)d other browser.",
            "Logged out in %(num)d other browsers.",
            ended,
        )
    )
    return redirect(url_for("auth.account"), 303)
