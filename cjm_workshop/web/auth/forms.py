"""Sign-up, log-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, Length

from cjm_workshop.models.facilitator import EMAIL_MAX, NAME_MAX
from cjm_workshop.services.accounts import PASSWORD_MIN
from cjm_workshop.web.forms import AppForm, email_address, required_text, strip


def new_password(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            *required_text(200),
            Length(min=PASSWORD_MIN, message=_l("Use at least %(min)d characters.")),
        ],
    )


def repeated_password(label) -> PasswordField:
    return PasswordField(
        label, validators=[EqualTo("password", message=_l("The passwords do not match."))]
    )


class InvitedSignupForm(AppForm):
    """Sign-up through an invitation: the address is the invitation's."""

    name = StringField(_l("Your name"), validators=required_text(NAME_MAX), filters=[strip])
    password = new_password(_l("Password"))
    password_confirm = repeated_password(_l("Repeat password"))


class SignupForm(InvitedSignupForm):
    email = email_address()


class ForgotPasswordForm(AppForm):
    email = email_address()


class PasswordResetForm(AppForm):
    password = new_password(_l("New password"))
    password_confirm = repeated_password(_l("Repeat new password"))


class PasswordChangeForm(AppForm):
    current_password = PasswordField(_l("Current password"), validators=required_text(200))
    password = new_password(_l("New password"))
    password_confirm = repeated_password(_l("Repeat new password"))


class LoginForm(AppForm):
    email = EmailField(_l("E-mail address"), validators=required_text(EMAIL_MAX), filters=[strip])
    password = PasswordField(_l("Password"), validators=required_text(200))
    remember = BooleanField(_l("Remember me on this computer"))
