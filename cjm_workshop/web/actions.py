"""Step 6 on every screen: the action form, the impact/effort matrix and the pain points by
dots that opportunities and actions answer."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from cjm_workshop.extensions import db
from cjm_workshop.labels import ACTION_STATUS_LABELS, LEVEL_LABELS
from cjm_workshop.models import (
    ACTION_NEXT_STEP_MAX,
    ACTION_OWNER_MAX,
    ACTION_TITLE_MAX,
    LEVELS,
    ActionItem,
    ActionStatus,
    Level,
    Note,
    NoteKind,
    Quadrant,
    Workshop,
)
from cjm_workshop.services import actions, journey_map, voting
from cjm_workshop.services.actions import ActionFields
from cjm_workshop.web.forms import (
    AppForm,
    choice_label,
    optional_id,
    optional_text,
    required_text,
    strip,
)

# Top row first, as the matrix is drawn: impact up, effort to the right.
MATRIX_ORDER = (Quadrant.QUICK_WIN, Quadrant.BIG_BET, Quadrant.FILL_IN, Quadrant.MONEY_PIT)

# Pain points with their dots (None before the reveal), most dots first.
Ranked = Sequence[tuple[Note, int | None]]


class ActionForm(AppForm):
    title = StringField(_l("Action"), validators=required_text(ACTION_TITLE_MAX), filters=[strip])
    owner = StringField(
        _l("Owner"),
        validators=required_text(ACTION_OWNER_MAX),
        filters=[strip],
        description=_l("A name: who makes sure it happens."),
    )
    next_step = StringField(
        _l("Next step (optional)"),
        validators=optional_text(ACTION_NEXT_STEP_MAX),
        filters=[strip],
    )
    due_date = DateField(
        _l("Due date (optional)"),
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"placeholder": "2027-01-31"},
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, ACTION_STATUS_LABELS[s]) for s in ActionStatus],
        default=ActionStatus.OPEN.value,
    )
    impact = SelectField(
        _l("Expected impact"),
        choices=[SelectChoice(level.value, LEVEL_LABELS[level]) for level in LEVELS],
        default=Level.MEDIUM.value,
    )
    effort = SelectField(
        _l("Effort needed"),
        choices=[SelectChoice(level.value, LEVEL_LABELS[level]) for level in LEVELS],
        default=Level.MEDIUM.value,
    )
    source_id = SelectField(_l("Answers (optional)"), coerce=optional_id, validate_choice=False)
    stage_id = SelectField(
        _l("Stage on the map (optional)"),
        coerce=optional_id,
        validate_choice=False,
        description=_l("Empty: the stage of the note it answers."),
    )

    def fill_sources(self, workshop: Workshop, ranked: Ranked | None = None) -> None:
        """What an action may answer: opportunities first, then the pain points, each by
        dots (most first) once a vote on them was revealed; and the stages it may stand in."""
        none = SelectChoice("", "—")
        self.stage_id.choices = [none] + [
            SelectChoice(str(stage.id), choice_label(stage.name)) for stage in workshop.stages
        ]
        opportunities = ranked_notes(workshop, NoteKind.OPPORTUNITY)
        pains = ranked if ranked is not None else ranked_pain_points(workshop)
        self.source_id.choices = {
            "": [none],
            str(_l("Opportunities")): [
                SelectChoice(str(n.id), _with_dots(n, dots)) for n, dots in opportunities
            ],
            str(_l("Pain points")): [
                SelectChoice(str(n.id), _with_dots(n, dots)) for n, dots in pains
            ],
        }

    def action_fields(self) -> ActionFields:
        return ActionFields(
            title=self.title.data,
            owner=self.owner.data,
            next_step=self.next_step.data or "",
            due_date=self.due_date.data,
            status=ActionStatus(self.status.data),
            impact=Level(self.impact.data),
            effort=Level(self.effort.data),
            stage_id=self.stage_id.data,
        )

    def show(self, action: ActionItem) -> None:
        for name in ("title", "owner", "next_step", "due_date", "source_id", "stage_id"):
            getattr(self, name).data = getattr(action, name)
        for name in ("status", "impact", "effort"):
            getattr(self, name).data = getattr(action, name).value


def _with_dots(note: Note, dots: int | None) -> str:
    text = choice_label(note.text)
    return text if dots is None else f"{text} ({dots} •)"


def ranked_notes(workshop: Workshop, kind: NoteKind) -> Ranked:
    """The room's notes of `kind` by dots of the last revealed round on them (map order,
    no counts, before any reveal)."""
    notes = journey_map.room_notes(db.session, workshop, kind)
    chosen = voting.latest_round(db.session, workshop, kind)
    if not voting.shows_counts(chosen):
        return [(note, None) for note in notes]
    return voting.ranking(db.session, chosen, notes)


def ranked_pain_points(workshop: Workshop) -> Ranked:
    return ranked_notes(workshop, NoteKind.PAIN_POINT)


def top_pain_points(workshop: Workshop, ranked: Ranked | None = None) -> list[tuple[Note, int]]:
    """The room's top five pain points (ties included): what step 6 starts from."""
    return voting.top(ranked if ranked is not None else ranked_pain_points(workshop))


def actions_context(workshop: Workshop, form: ActionForm | None = None) -> dict:
    if form is None:
        form = ActionForm(formdata=None)
    ranked = ranked_pain_points(workshop)
    form.fill_sources(workshop, ranked)
    listed = actions.actions_of(db.session, workshop)
    return {
        "actions": listed,
        "matrix": actions.matrix(listed),
        "matrix_order": MATRIX_ORDER,
        "action_form": form,
        "top_pain_points": top_pain_points(workshop, ranked),
    }
