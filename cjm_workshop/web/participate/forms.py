"""Joining forms: the display name (the code typed by hand is web.forms.JoinCodeForm, which
the home page shows too)."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField

from cjm_workshop.models.participant import DISPLAY_NAME_MAX
from cjm_workshop.web.forms import AppForm, required_text, strip


class JoinNameForm(AppForm):
    display_name = StringField(
        _l("Your name"),
        validators=required_text(DISPLAY_NAME_MAX),
        filters=[strip],
        description=_l("Shown to the facilitator. A first name is enough."),
        render_kw={"autocomplete": "given-name", "maxlength": DISPLAY_NAME_MAX},
    )
    # A nonce per form: pressing "Join" twice, or a retry after a dropped connection,
    # finds the participant the first press created.
    join_key = HiddenField(default=lambda: secrets.token_urlsafe(16))
    k = HiddenField()
