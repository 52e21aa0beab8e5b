"""Forms for preparing a workshop."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from cjm_workshop.models.sharing import Role
from cjm_workshop.models.step import (
    FACILITATOR_NOTES_MAX,
    STEP_PROMPT_MAX,
    TIMEBOX_MAX,
    TIMEBOX_MIN,
)
from cjm_workshop.models.template import TEMPLATE_NAME_MAX
from cjm_workshop.models.workshop import (
    DOTS_MAX,
    DOTS_MIN,
    ERASE_DAYS_MAX,
    ERASE_DAYS_MIN,
    GOAL_MAX,
    JOURNEY_MAX,
    PERSONA_NAME_MAX,
    PERSONA_TEXT_MAX,
    STAGE_NAME_MAX,
    TITLE_MAX,
)
from cjm_workshop.services.errors import InvalidResearchWindow
from cjm_workshop.services.steps import StepSetup
from cjm_workshop.services.templates import Setup
from cjm_workshop.services.workshops import CUSTOM_TEMPLATE, PersonaFields, WorkshopFields
from cjm_workshop.web.forms import AppForm, email_address, optional_text, required_text, strip
from cjm_workshop.web.i18n import LANGUAGE_NAMES

CUSTOM_STAGES_MAX = 12


def stage_template_choices() -> list[SelectChoice]:
    return [
        SelectChoice("acpra", _l("Awareness – Consideration – Purchase – Retention – Advocacy")),
        SelectChoice("aida", _l("AIDA: Attention – Interest – Desire – Action")),
        SelectChoice("stdc", _l("See – Think – Do – Care")),
        SelectChoice(CUSTOM_TEMPLATE, _l("Custom: my own stages")),
    ]


class WorkshopForm(AppForm):
    title = StringField(_l("Title"), validators=required_text(TITLE_MAX), filters=[strip])
    journey = StringField(
        _l("The journey in one sentence"),
        validators=required_text(JOURNEY_MAX),
        filters=[strip],
        description=_l("For example: a patient books a dentist appointment online."),
    )
    goal = StringField(
        _l("Measurable goal"),
        validators=required_text(GOAL_MAX),
        filters=[strip],
        description=_l(
            "For example: a third fewer phone calls about appointments within six months."
        ),
    )
    language = SelectField(
        _l("Language of the workshop"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        description=_l("Used for the stage names and, later, the poster."),
    )
    dots_per_participant = IntegerField(
        _l("Dots per participant"),
        default=5,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(
                min=DOTS_MIN,
                max=DOTS_MAX,
                message=_l("Choose between %(min)d and %(max)d dots."),
            ),
        ],
    )

    anonymous = BooleanField(
        _l("Anonymous notes"),
        description=_l("Participants never see who wrote a note. You still do."),
    )

    several_dots_per_note = BooleanField(
        _l("Several dots on one note"),
        description=_l("What the console proposes when you open dot voting."),
    )
    own_note_dots = BooleanField(
        _l("Dots on one's own notes"),
        default=True,
        description=_l("What the console proposes when you open dot voting."),
    )

    erase_names_after_days = IntegerField(
        _l("Erase participants' names after (days)"),
        validators=[
            Optional(),
            NumberRange(
                min=ERASE_DAYS_MIN,
                max=ERASE_DAYS_MAX,
                message=_l("Enter a number of days from %(min)d to %(max)d, or leave it empty."),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The server's default, as the admin set it, in the hint.
        default = current_app.config["ERASE_NAMES_AFTER_DAYS"]
        if default is None:
            hint = _l(
                "Counted from when the workshop is closed; the notes stay, and each person "
                "becomes “Participant 1”, “Participant 2” and so on. Leave empty to keep "
                "the names."
            )
        else:
            hint = _l(
                "Counted from when the workshop is closed; the notes stay, and each person "
                "becomes “Participant 1”, “Participant 2” and so on. Leave empty for this "
                "server's default: %(days)d days.",
                days=default,
            )
        self.erase_names_after_days.description = hint

    def show_settings(self, setup: Setup) -> None:
        """Started from a template: its settings, shown on the form (and kept unless
        changed there: the form decides)."""
        self.dots_per_participant.data = setup.dots_per_participant
        self.several_dots_per_note.data = setup.several_dots_per_note
        self.own_note_dots.data = setup.own_note_dots
        self.anonymous.data = setup.anonymous
        self.erase_names_after_days.data = setup.erase_names_after_days

    def workshop_fields(self) -> WorkshopFields:
        return WorkshopFields(
            erase_names_after_days=self.erase_names_after_days.data,
            anonymous=bool(self.anonymous.data),
            title=self.title.data,
            journey=self.journey.data,
            goal=self.goal.data,
            language=self.language.data,
            dots_per_participant=self.dots_per_participant.data,
            several_dots_per_note=bool(self.several_dots_per_note.data),
            own_note_dots=bool(self.own_note_dots.data),
        )


class PersonaSubform(Form):
    """The fields of a persona; used alone and inside the new-workshop form."""

    name = StringField(
        _l("Persona name"), validators=required_text(PERSONA_NAME_MAX), filters=[strip]
    )
    description = TextAreaField(
        _l("Short description"), validators=optional_text(PERSONA_TEXT_MAX), filters=[strip]
    )
    goals = TextAreaField(_l("Goals"), validators=optional_text(PERSONA_TEXT_MAX), filters=[strip])
    frustrations = TextAreaField(
        _l("Frustrations"), validators=optional_text(PERSONA_TEXT_MAX), filters=[strip]
    )

    def persona_fields(self) -> PersonaFields:
        return PersonaFields(
            name=self.name.data or "",
            description=self.description.data or "",
            goals=self.goals.data or "",
            frustrations=self.frustrations.data or "",
        )


class PersonaForm(AppForm):
    persona = FormField(PersonaSubform, label=_l("Persona"))


OWN_TEMPLATE_PREFIX = "own-"


def own_template_id(choice: str | None) -> int | None:
    """The id in an own template's choice ("own-12"); None for a built-in stage model."""
    if not choice or not choice.startswith(OWN_TEMPLATE_PREFIX):
        return None
    number = choice.removeprefix(OWN_TEMPLATE_PREFIX)
    return int(number) if number.isdecimal() else 0


class NewWorkshopForm(WorkshopForm):
    """Creating a workshop also chooses its stage model (a built-in one, or one of the
    facilitator's templates) and describes its first persona."""

    stage_template = RadioField(_l("Start from"), choices=stage_template_choices, default="acpra")
    custom_stages = TextAreaField(
        _l("Your stages, one per line"),
        description=_l("Only used with “Custom”."),
        validators=optional_text(CUSTOM_STAGES_MAX * (STAGE_NAME_MAX + 1)),
        filters=[strip],
    )
    persona = FormField(PersonaSubform, label=_l("First persona"))

    def __init__(self, *args, templates=(), **kwargs) -> None:
        """`templates`: the facilitator's own, offered after the built-in stage models."""
        super().__init__(*args, **kwargs)
        self.stage_template.choices = [
            *stage_template_choices(),
            *(SelectChoice(f"{OWN_TEMPLATE_PREFIX}{t.id}", t.name) for t in templates),
        ]

    def from_own_template(self) -> bool:
        return own_template_id(self.stage_template.data) is not None

    def validate(self, extra_validators=None) -> bool:
        if self.from_own_template():
            # An own template brings its personas: the first persona is then optional (and
            # added to them when given).
            self.persona.form.name.validators = [
                Optional(),
                *optional_text(PERSONA_NAME_MAX),
            ]
        return super().validate(extra_validators)

    def added_persona(self) -> PersonaFields | None:
        """The persona typed in, or None (from an own template, none was)."""
        fields = self.persona.form.persona_fields()
        return fields if fields.name else None

    def validate_custom_stages(self, field) -> None:
        if self.stage_template.data != CUSTOM_TEMPLATE:
            return
        names = self.custom_stage_names()
        if not names:
            raise ValidationError(_l("Enter at least one stage, one per line."))
        if len(names) > CUSTOM_STAGES_MAX:
            raise ValidationError(_l("Use at most %(max)d stages.", max=CUSTOM_STAGES_MAX))
        if any(len(name) > STAGE_NAME_MAX for name in names):
            raise ValidationError(
                _l("A stage name has at most %(max)d characters.", max=STAGE_NAME_MAX)
            )

    def custom_stage_names(self) -> list[str]:
        return [
            line.strip() for line in (self.custom_stages.data or "").splitlines() if line.strip()
        ]


class StageForm(AppForm):
    name = StringField(_l("New stage"), validators=required_text(STAGE_NAME_MAX), filters=[strip])


class MoveForm(AppForm):
    position = IntegerField(validators=[InputRequired()])


class StatusForm(AppForm):
    target = HiddenField(validators=[InputRequired()])


class ShareForm(AppForm):
    email = email_address()
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.CO_FACILITATOR.value, _l("Co-facilitator: runs the workshop")),
            SelectChoice(
                Role.ORGANIZER.value,
                _l("Organizer: views, exports and updates action status"),
            ),
        ],
        default=Role.ORGANIZER.value,
    )


class ImportForm(AppForm):
    file = FileField(
        _l("Workshop file (JSON)"),
        validators=[
            FileRequired(message=_l("Choose a workshop file.")),
            FileAllowed(["json"], message=_l("Choose a .json file exported by CJM Workshop.")),
        ],
        description=_l("A file downloaded with “Workshop as JSON” on a results page."),
        render_kw={"accept": ".json,application/json"},
    )


class NewVersionForm(AppForm):
    """Making the next version of a workshop's journey."""

    copy_notes = BooleanField(
        _l("Copy the notes"),
        description=_l(
            "The notes the room saw on the map, in their places. Without it, the new version "
            "starts with an empty map."
        ),
    )


class ResearchWindowForm(AppForm):
    """When participants may add research insights before the session, in the facilitator's
    local time (TIMEZONE); both empty, or the "turn off" button, clears it."""

    opens_at = DateTimeLocalField(_l("From"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Until"), validators=[Optional()], format="%Y-%m-%dT%H:%M")

    @classmethod
    def showing(cls, opens_at: datetime | None, closes_at: datetime | None):
        """The form filled with a stored window (UTC), in local time."""
        local = {
            "opens_at": to_user_timezone(opens_at).replace(tzinfo=None) if opens_at else None,
            "closes_at": to_user_timezone(closes_at).replace(tzinfo=None) if closes_at else None,
        }
        return cls(formdata=None, data=local)

    def window(self, turn_off: bool) -> tuple[datetime | None, datetime | None]:
        """The window asked for, in UTC (naive, as the database keeps it)."""
        if turn_off:
            return None, None
        return _utc(self.opens_at.data), _utc(self.closes_at.data)


def _utc(local: datetime | None) -> datetime | None:
    try:
        return to_utc(local).replace(tzinfo=None) if local is not None else None
    except OverflowError:  # before the year 1 in UTC: long past
        raise InvalidResearchWindow("past") from None


class TemplateNameForm(AppForm):
    """Saving a workshop as a template, or renaming one."""

    name = StringField(
        _l("Template name"),
        validators=required_text(TEMPLATE_NAME_MAX),
        filters=[strip],
        description=_l("Only you see your templates."),
    )


class StepSetupForm(AppForm):
    """A step's prompt, timebox and private notes, for one workshop."""

    prompt = TextAreaField(
        _l("Prompt for the room"),
        validators=optional_text(STEP_PROMPT_MAX),
        filters=[strip],
        description=_l(
            "Shown on the phones and, from step 2 on, under the projector's header. Leave "
            "empty for the built-in text, in the workshop's language."
        ),
    )
    timebox_minutes = IntegerField(
        _l("Timebox (minutes)"),
        validators=[
            Optional(),
            NumberRange(
                min=TIMEBOX_MIN,
                max=TIMEBOX_MAX,
                message=_l("Enter a number of minutes from %(min)d to %(max)d."),
            ),
        ],
        render_kw={"inputmode": "numeric", "min": TIMEBOX_MIN, "max": TIMEBOX_MAX},
    )
    facilitator_notes = TextAreaField(
        _l("Your private notes"),
        validators=optional_text(FACILITATOR_NOTES_MAX),
        filters=[strip],
        description=_l(
            "Your script for this step: what to say, what to watch. Only you and your "
            "co-facilitators see it, on the console; never the projector, the phones, the "
            "poster or the exports (only the JSON backup keeps it)."
        ),
        render_kw={"rows": 6},
    )

    def step_setup(self) -> StepSetup:
        return StepSetup(
            prompt=self.prompt.data or "",
            timebox_minutes=self.timebox_minutes.data,
            facilitator_notes=self.facilitator_notes.data or "",
        )
