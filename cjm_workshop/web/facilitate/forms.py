"""The facilitator's forms that are the console's alone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from cjm_workshop.web.forms import AppForm


class RemoveParticipantForm(AppForm):
    notes = RadioField(
        _l("Their notes"),
        choices=[
            SelectChoice("keep", _l("Keep them on the map, marked with “removed”")),
            SelectChoice(
                "hide", _l("Take them off the map (hidden: you can still show one again)")
            ),
        ],
        default="keep",
    )
