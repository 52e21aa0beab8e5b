"""Preparing a workshop (step 1, Scope): the brief, personas, stages, join code, status."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select

from cjm_workshop.models import Facilitator, Persona, Stage, Step, Workshop, WorkshopStatus
from cjm_workshop.models.base import utcnow
from cjm_workshop.models.workshop import STATUS_TRANSITIONS
from cjm_workshop.services import journey_map
from cjm_workshop.services.errors import (
    LastPersona,
    LastStage,
    StatusChangeNotAllowed,
)
from cjm_workshop.services.ordering import move_within, renumber
from cjm_workshop.services.room import DbSession, touch
from cjm_workshop.services.steps import end_voting, new_steps

# Easy to read aloud and to type: no 0/O, 1/I/L, U/V confusion, upper case only.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
JOIN_CODE_LENGTH = 8

# Stage models, named in the workshop's own language (this is content, not interface).
STAGE_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "acpra": {
        "en": ("Awareness", "Consideration", "Purchase", "Retention", "Advocacy"),
        "nl": ("Bewustwording", "Overweging", "Aankoop", "Behoud", "Aanbeveling"),
    },
    "aida": {
        "en": ("Attention", "Interest", "Desire", "Action"),
        "nl": ("Aandacht", "Interesse", "Verlangen", "Actie"),
    },
    "stdc": {
        "en": ("See", "Think", "Do", "Care"),
        "nl": ("Zien", "Denken", "Doen", "Zorgen"),
    },
}
CUSTOM_TEMPLATE = "custom"


@dataclass(frozen=True)
class PersonaFields:
    name: str
    description: str = ""
    goals: str = ""
    frustrations: str = ""


@dataclass(frozen=True)
class WorkshopFields:
    title: str
    journey: str
    goal: str
    language: str
    dots_per_participant: int
    anonymous: bool = False
    # None: the server's default (see services/retention.py).
    erase_names_after_days: int | None = None
    # What the console proposes when it opens dot voting.
    several_dots_per_note: bool = False
    own_note_dots: bool = True

    @classmethod
    def of(cls, workshop: Workshop) -> WorkshopFields:
        return cls(
            workshop.title,
            workshop.journey,
            workshop.goal,
            workshop.language,
            workshop.dots_per_participant,
            workshop.anonymous,
            workshop.erase_names_after_days,
            workshop.several_dots_per_note,
            workshop.own_note_dots,
        )


def generate_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(typed: str) -> str:
    """What a person typed or read aloud, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def format_join_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def unused_join_code(session: DbSession) -> str:
    while True:
        code = generate_join_code()
        if session.scalar(select(Workshop.id).where(Workshop.join_code == code)) is None:
            return code


def stage_names_for(template: str, language: str, custom: Sequence[str] = ()) -> list[str]:
    if template == CUSTOM_TEMPLATE:
        names = [name.strip() for name in custom if name.strip()]
    else:
        names = list(STAGE_TEMPLATES[template][language])
    if not names:
        raise LastStage("a journey needs at least one stage")
    return names


def create_workshop(
    session: DbSession,
    facilitator: Facilitator,
    fields: WorkshopFields,
    *,
    persona: PersonaFields,
    stage_template: str,
    custom_stages: Sequence[str] = (),
) -> Workshop:
    workshop = new_workshop(session, facilitator, fields)
    for position, name in enumerate(
        stage_names_for(stage_template, fields.language, custom_stages)
    ):
        workshop.stages.append(Stage(position=position, name=name))
    workshop.personas.append(Persona(position=0, **persona_values(persona)))
    session.add(workshop)
    session.flush()
    return workshop


def new_workshop(session: DbSession, facilitator: Facilitator, fields: WorkshopFields) -> Workshop:
    """A draft at its first step, with its own join code and token and the usual lanes
    (no stages or personas yet: the caller adds them)."""
    workshop = Workshop(
        facilitator=facilitator,
        join_code=unused_join_code(session),
        join_token=secrets.token_urlsafe(24),
        status=WorkshopStatus.DRAFT,
        current_step=Step.SCOPE,
        steps=new_steps(),
        lanes=journey_map.new_lanes(),
    )
    _apply(workshop, fields)
    return workshop


def update_workshop(session: DbSession, workshop: Workshop, fields: WorkshopFields) -> None:
    _apply(workshop, fields)
    touch(session, workshop.id)
    session.flush()


def delete_workshop(session: DbSession, workshop: Workshop) -> None:
    session.delete(workshop)
    session.flush()


def change_status(session: DbSession, workshop: Workshop, target: WorkshopStatus) -> None:
    if target not in STATUS_TRANSITIONS[workshop.status]:
        raise StatusChangeNotAllowed(f"{workshop.status} -> {target}")
    workshop.status = target
    # Names are erased a number of days after this (services/retention.py).
    workshop.closed_at = utcnow() if target is WorkshopStatus.CLOSED else None
    if target is WorkshopStatus.CLOSED:
        end_voting(session, workshop)  # a closed workshop takes nothing new from phones
    touch(session, workshop.id)
    session.flush()


def _apply(workshop: Workshop, fields: WorkshopFields) -> None:
    workshop.title = fields.title.strip()
    workshop.journey = fields.journey.strip()
    workshop.goal = fields.goal.strip()
    workshop.language = fields.language
    workshop.dots_per_participant = fields.dots_per_participant
    workshop.anonymous = fields.anonymous
    workshop.erase_names_after_days = fields.erase_names_after_days
    workshop.several_dots_per_note = fields.several_dots_per_note
    workshop.own_note_dots = fields.own_note_dots


def persona_values(fields: PersonaFields) -> dict[str, str]:
    return {
        "name": fields.name.strip(),
        "description": fields.description.strip(),
        "goals": fields.goals.strip(),
        "frustrations": fields.frustrations.strip(),
    }


# --- personas -------------------------------------------------------------------------


def add_persona(session: DbSession, workshop: Workshop, fields: PersonaFields) -> Persona:
    persona = Persona(position=len(workshop.personas), **persona_values(fields))
    workshop.personas.append(persona)
    touch(session, workshop.id)
    session.flush()
    return persona


def update_persona(session: DbSession, persona: Persona, fields: PersonaFields) -> None:
    for key, value in persona_values(fields).items():
        setattr(persona, key, value)
    touch(session, persona.workshop_id)
    session.flush()


def delete_persona(session: DbSession, persona: Persona) -> None:
    if len(persona.workshop.personas) <= 1:
        raise LastPersona("a workshop needs at least one persona")
    _remove(session, persona.workshop.personas, persona)


# --- stages ---------------------------------------------------------------------------


def add_stage(session: DbSession, workshop: Workshop, name: str) -> Stage:
    stage = Stage(position=len(workshop.stages), name=name.strip())
    workshop.stages.append(stage)
    touch(session, workshop.id)
    session.flush()
    return stage


def rename_stage(session: DbSession, stage: Stage, name: str) -> None:
    stage.name = name.strip()
    touch(session, stage.workshop_id)
    session.flush()


def move_stage(session: DbSession, stage: Stage, to_position: int) -> None:
    move_within(session, stage.workshop.stages, stage, to_position)


def delete_stage(session: DbSession, stage: Stage) -> None:
    if len(stage.workshop.stages) <= 1:
        raise LastStage("a journey needs at least one stage")
    workshop = stage.workshop
    _remove(session, workshop.stages, stage)
    journey_map.tidy(session, workshop)  # its notes now have no stage


Removable = TypeVar("Removable", Persona, Stage)


def _remove(session: DbSession, items: list[Removable], item: Removable) -> None:
    """Remove an item from its ordered collection and close the gap it leaves."""
    items.remove(item)
    session.flush()
    renumber(session, items)
