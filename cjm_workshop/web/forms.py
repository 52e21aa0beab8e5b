"""Field helpers shared by the forms of every blueprint."""

from __future__ import annotations

import functools

from babel.support import NullTranslations, Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Email, Length

from cjm_workshop.models.facilitator import EMAIL_MAX


class AppForm(FlaskForm):
    """Every form of the app: Flask-WTF's, with WTForms' own messages ("Not a valid integer
    value.") in the request's language from a catalogue read once per process and language
    (Flask-WTF parses it again for every request: a tenth of a note's POST)."""

    class Meta:
        def get_translations(self, form):
            return _wtforms_catalogue(str(get_locale()))


@functools.cache
def _wtforms_catalogue(locale: str) -> NullTranslations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def required_text(max_length: int, min_length: int = 1) -> list:
    """Required after trimming, with a limit the message names."""
    return [
        DataRequired(message=_l("This field is required.")),
        Length(
            min=min_length,
            max=max_length,
            message=_l("Use between %(min)d and %(max)d characters."),
        ),
    ]


def optional_text(max_length: int) -> list:
    return [Length(max=max_length, message=_l("Use at most %(max)d characters."))]


def optional_id(value):
    """A select's id, or None for "—"; anything else never matches an id (the domain then
    answers "not part of this workshop")."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


CHOICE_CHARS = 60  # of a note's text in a list to choose from


def choice_label(text: str) -> str:
    """A note's text as a list to choose from shows it: whole, or cut with an ellipsis."""
    if len(text) <= CHOICE_CHARS:
        return text
    return text[: CHOICE_CHARS - 1].rstrip() + "…"


# --- forms more than one blueprint shows ----------------------------------------------


class ConfirmForm(AppForm):
    """A button and its CSRF token: deleting, logging out."""


class JoinCodeForm(AppForm):
    code = StringField(
        _l("Workshop code"),
        validators=required_text(12),
        filters=[strip],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )


def email_address() -> EmailField:
    """One real address (no list, no line breaks): a log-in, a sign-up, a share."""
    return EmailField(
        _l("E-mail address"),
        validators=[
            *required_text(EMAIL_MAX),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
        filters=[strip],
    )
