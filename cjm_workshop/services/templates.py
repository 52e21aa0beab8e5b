"""A facilitator's own templates: a workshop's set-up saved under a name, to start others.

A template holds what is prepared before a session: the stages (names and order), the
lanes (order and which are hidden), the personas (name and texts, not their notes), each
step's prompt, timebox and private notes, and the voting and room settings. It holds no
brief (title, journey, goal: each workshop has its own), no participants and no notes.
A template is its facilitator's alone; nobody else sees or uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cjm_workshop.models import (
    STEPS,
    Facilitator,
    LaneKind,
    Persona,
    Stage,
    Step,
    Workshop,
    WorkshopTemplate,
)
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
    PERSONA_NAME_MAX,
    PERSONA_TEXT_MAX,
    STAGE_NAME_MAX,
)
from cjm_workshop.services.errors import TemplateRefused
from cjm_workshop.services.journey_map import arrange_new_lanes
from cjm_workshop.services.room import DbSession
from cjm_workshop.services.steps import StepSetup, apply_step_setup
from cjm_workshop.services.workshops import (
    PersonaFields,
    WorkshopFields,
    new_workshop,
    persona_values,
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonaSetup(_Part):
    name: Annotated[str, Field(min_length=1, max_length=PERSONA_NAME_MAX)]
    description: Annotated[str, Field(max_length=PERSONA_TEXT_MAX)] = ""
    goals: Annotated[str, Field(max_length=PERSONA_TEXT_MAX)] = ""
    frustrations: Annotated[str, Field(max_length=PERSONA_TEXT_MAX)] = ""


class LaneSetup(_Part):
    kind: LaneKind
    hidden: bool = False


class StepPart(_Part):
    step: Step
    prompt: Annotated[str, Field(max_length=STEP_PROMPT_MAX)] = ""
    timebox_minutes: Annotated[int, Field(ge=TIMEBOX_MIN, le=TIMEBOX_MAX)] | None = None
    facilitator_notes: Annotated[str, Field(max_length=FACILITATOR_NOTES_MAX)] = ""


class Setup(_Part):
    """What a template holds, as it is stored (JSON)."""

    stages: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=STAGE_NAME_MAX)]], Field(min_length=1)
    ]
    lanes: list[LaneSetup]
    personas: Annotated[list[PersonaSetup], Field(min_length=1)]
    steps: list[StepPart]
    dots_per_participant: Annotated[int, Field(ge=DOTS_MIN, le=DOTS_MAX)]
    several_dots_per_note: bool = False
    own_note_dots: bool = True
    anonymous: bool = False
    erase_names_after_days: Annotated[int, Field(ge=ERASE_DAYS_MIN, le=ERASE_DAYS_MAX)] | None = (
        None
    )
    board_prompt: bool = True
    board_sound: bool = False


def setup_of(workshop: Workshop) -> Setup:
    return Setup(
        stages=[stage.name for stage in workshop.stages],
        lanes=[LaneSetup(kind=lane.kind, hidden=lane.hidden) for lane in workshop.lanes],
        personas=[
            PersonaSetup(
                name=p.name, description=p.description, goals=p.goals, frustrations=p.frustrations
            )
            for p in workshop.personas
        ],
        steps=[
            StepPart(
                step=state.step,
                prompt=state.prompt,
                timebox_minutes=state.timebox_minutes,
                facilitator_notes=state.facilitator_notes,
            )
            for state in sorted(workshop.steps, key=lambda s: STEPS.index(s.step))
        ],
        dots_per_participant=workshop.dots_per_participant,
        several_dots_per_note=workshop.several_dots_per_note,
        own_note_dots=workshop.own_note_dots,
        anonymous=workshop.anonymous,
        erase_names_after_days=workshop.erase_names_after_days,
        board_prompt=workshop.board_prompt,
        board_sound=workshop.board_sound,
    )


def read_setup(template: WorkshopTemplate) -> Setup:
    try:
        return Setup.model_validate(template.setup)
    except ValidationError as error:  # written by an older or changed server
        raise TemplateRefused("unreadable") from error


def templates_of(session: DbSession, facilitator: Facilitator) -> list[WorkshopTemplate]:
    query = select(WorkshopTemplate).where(WorkshopTemplate.facilitator_id == facilitator.id)
    return list(session.scalars(query.order_by(WorkshopTemplate.name, WorkshopTemplate.id)))


def _checked_name(
    session: DbSession, facilitator_id: int, name: str, template_id: int | None = None
) -> str:
    name = " ".join(name.split())
    if not name:
        raise TemplateRefused("name_empty")
    if len(name) > TEMPLATE_NAME_MAX:
        raise TemplateRefused("name_too_long")
    # "Tandarts" and "tandarts" are one name to a person choosing from the list (compared
    # here: SQLite's lower() knows no letters beyond ASCII; a facilitator has a few).
    others = select(WorkshopTemplate.name).where(
        WorkshopTemplate.facilitator_id == facilitator_id,
        WorkshopTemplate.id != (template_id or 0),
    )
    if name.casefold() in {other.casefold() for other in session.scalars(others)}:
        raise TemplateRefused("name_taken")
    return name


def save_template(
    session: DbSession, facilitator: Facilitator, workshop: Workshop, name: str
) -> WorkshopTemplate:
    """The workshop's set-up as a new template of `facilitator`'s."""
    template = WorkshopTemplate(
        facilitator_id=facilitator.id,
        name=_checked_name(session, facilitator.id, name),
        setup=setup_of(workshop).model_dump(mode="json"),
    )
    with _unique_name(session):
        session.add(template)
    return template


def rename_template(session: DbSession, template: WorkshopTemplate, name: str) -> None:
    checked = _checked_name(session, template.facilitator_id, name, template.id)
    with _unique_name(session):
        template.name = checked


@contextmanager
def _unique_name(session: DbSession) -> Iterator[None]:
    """Written in a savepoint: the same name saved twice at once (a double click reaching
    two workers) passes the check in both; the unique index decides, and says it nicely."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        raise TemplateRefused("name_taken") from None


def delete_template(session: DbSession, template: WorkshopTemplate) -> None:
    session.delete(template)
    session.flush()


def start_from_template(
    session: DbSession,
    facilitator: Facilitator,
    fields: WorkshopFields,
    template: WorkshopTemplate,
    *,
    persona: PersonaFields | None = None,
) -> Workshop:
    """A new workshop with what `fields` hold, as the person starting it sees them on the
    form (the brief, language, dots and voting rules, anonymity, when names are erased: the
    form shows the template's first, see web/workshops/routes.py), and everything else from
    the template (its stages in the words they were saved in); `persona` joins the
    template's personas, last."""
    setup = read_setup(template)
    workshop = new_workshop(session, facilitator, fields)
    workshop.board_prompt, workshop.board_sound = setup.board_prompt, setup.board_sound
    workshop.stages.extend(Stage(position=i, name=name) for i, name in enumerate(setup.stages))
    workshop.personas.extend(
        Persona(position=i, **saved.model_dump()) for i, saved in enumerate(setup.personas)
    )
    if persona is not None:
        workshop.personas.append(Persona(position=len(setup.personas), **persona_values(persona)))
    arrange_new_lanes(workshop.lanes, [(lane.kind, lane.hidden) for lane in setup.lanes])
    for part in setup.steps:
        apply_step_setup(
            workshop.step_state(part.step),
            StepSetup(part.prompt, part.timebox_minutes, part.facilitator_notes),
        )
    session.add(workshop)
    session.flush()
    return workshop
