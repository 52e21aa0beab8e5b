"""Sign up (openly, by invitation, or not at all: SIGNUP), log in, log out, and a new
password through an e-mailed link.

Failed log-ins are limited per account and address (so one person's wrong passwords do not
lock colleagues in the same office out of theirs) and, more loosely, per address (against
trying many accounts). Sign-ups are limited per address; password-reset mails per address
and per account asked about.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from cjm_workshop.extensions import db, limiter, login_manager
from cjm_workshop.models import Facilitator
from cjm_workshop.services import accounts, invitations
from cjm_workshop.services.errors import EmailTaken, WrongPassword
from cjm_workshop.web.access import load_facilitator
from cjm_workshop.web.auth import bp
from cjm_workshop.web.auth.forms import (
    ForgotPasswordForm,
    InvitedSignupForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SignupForm,
)
from cjm_workshop.web.errors import domain_message, error_page
from cjm_workshop.web.htmx import is_htmx
from cjm_workshop.web.mail import compose, mail_configured, send_later
from cjm_workshop.web.urls import public_url, safe_next

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


login_manager.user_loader(load_facilitator)


def _log_in(facilitator: Facilitator, remember: bool = False) -> None:
    accounts.start_login(db.session, facilitator)
    db.session.commit()
    login_user(facilitator, remember=remember)


def _failed(response) -> bool:
    # Only failed attempts count: a successful log-in redirects.
    return response.status_code != 302


def _account_at_address() -> str:
    return f"{get_remote_address()} {accounts.normalise_email(request.form.get('email', ''))}"


def _signup_refused():
    """SIGNUP=invite: only through an invitation; closed: no accounts from the web at all."""
    if current_app.config["SIGNUP"] == "invite":
        return error_page(
            403,
            _(
                "On this server you can only sign up through an invitation. Ask a colleague "
                "who uses it to share a workshop with your e-mail address: you will get an "
                "invitation by e-mail."
            ),
        )
    return error_page(
        404,
        _("On this server new accounts are created by its administrator. Ask them for an account."),
    )


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("workshops.dashboard"))
    if current_app.config["SIGNUP"] != "open":
        return _signup_refused()
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


@bp.route("/signup/<token>", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def invited_signup(token: str):
    """Sign up through an invitation link (in every SIGNUP mode but closed): the address is
    fixed, and the workshop is shared with the new account."""
    if current_app.config["SIGNUP"] == "closed":
        return _signup_refused()
    invitation = invitations.open_invitation(db.session, token)
    account = accounts.find_by_email(db.session, invitation.email)
    if account is not None:  # signed up meanwhile: log in with it to accept
        if current_user.is_authenticated and current_user.id == account.id:
            invitations.accept_with_account(db.session, invitation)
            db.session.commit()
            flash(_("The workshop is shared with you."))
            return redirect(url_for("workshops.dashboard"))
        return render_template("auth/invitation_login.html", invitation=invitation)
    form = InvitedSignupForm()
    if form.validate_on_submit():
        try:
            facilitator = invitations.accept(
                db.session, invitation, name=form.name.data, password=form.password.data
            )
        except EmailTaken as error:
            db.session.rollback()
            form.name.errors.append(domain_message(error))
        else:
            if current_user.is_authenticated:  # somebody else's browser: theirs ends here
                accounts.end_login(db.session, current_user)
                logout_user()
            _log_in(facilitator)
            flash(_("Welcome, %(name)s! The workshop is shared with you.", name=facilitator.name))
            return redirect(url_for("workshops.dashboard"))
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form, invitation=invitation), status


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


# --- a forgotten password ----------------------------------------------------------------


def _address_asked_about() -> str:
    return f"reset {accounts.normalise_email(request.form.get('email', ''))}"


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_address_asked_about)
def forgot_password():
    """Always the same answer, whether or not the address has an account; without a mail
    server the page says who can help instead."""
    form = ForgotPasswordForm()
    if mail_configured() and form.validate_on_submit():
        facilitator = accounts.find_by_email(db.session, form.email.data)
        if facilitator is not None:
            token = accounts.reset_token(facilitator, current_app.config["SECRET_KEY"])
            link = public_url("auth.reset_password", token=token)
            language = str(get_locale())
            send_later(
                compose(
                    facilitator.email,
                    "password_reset",
                    language,
                    facilitator=facilitator,
                    link=link,
                )
            )
        flash(
            _(
                "If %(email)s has an account here, we have sent it a link to set a new "
                "password. The link works for one hour.",
                email=form.email.data,
            )
        )
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form, mail=mail_configured()), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """A new password through an e-mailed link: once, within the hour; every log-in of the
    account ends."""
    facilitator = accounts.account_for_reset(
        db.session,
        token,
        current_app.config["SECRET_KEY"],
        current_app.config["PASSWORD_RESET_SECONDS"],
    )
    form = PasswordResetForm()
    if form.validate_on_submit():
        accounts.set_password(db.session, facilitator, form.password.data)
        db.session.commit()
        if current_user.is_authenticated and current_user.id == facilitator.id:
            logout_user()  # its log-in here ended with the others
        flash(_("Your new password is set. Log in with it."))
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/reset_password.html", form=form, facilitator=facilitator), status
