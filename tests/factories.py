"""Test data made through the real domain services, committed, returned as plain records."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from flask import Flask

from cjm_workshop.extensions import db
from cjm_workshop.services import accounts, joining, steps
from cjm_workshop.services import workshops as service
from cjm_workshop.services.workshops import PersonaFields, WorkshopFields

PASSWORD = "correct horse battery"  # noqa: S105 - test data
_numbers = itertools.count(1)


@dataclass(frozen=True)
class FacilitatorRecord:
    id: int
    email: str


@dataclass(frozen=True)
class WorkshopRecord:
    id: int
    join_code: str
    join_token: str
    stage_ids: tuple[int, ...]
    persona_ids: tuple[int, ...]
    lane_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ParticipantRecord:
    id: int
    workshop_id: int
    token: str
    display_name: str


def live_events(session, workshop) -> list[tuple[str, int | None]]:
    """The changes recorded for phones and the board, oldest first."""
    from sqlalchemy import select

    from cjm_workshop.models import LiveEvent

    rows = session.scalars(
        select(LiveEvent).where(LiveEvent.workshop_id == workshop.id).order_by(LiveEvent.id)
    )
    return [(event.kind.value, event.note_id) for event in rows]


def row_counts(session) -> dict[str, int]:
    """How many rows every table holds (to show that a refusal wrote nothing)."""
    from sqlalchemy import func, select

    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _record(workshop) -> WorkshopRecord:
    return WorkshopRecord(
        workshop.id,
        workshop.join_code,
        workshop.join_token,
        tuple(stage.id for stage in workshop.stages),
        tuple(persona.id for persona in workshop.personas),
        tuple(lane.id for lane in workshop.lanes),
    )


def workshop_fields(**overrides) -> WorkshopFields:
    values = {
        "title": "Booking a dentist appointment",
        "journey": "A patient books a first appointment online.",
        "goal": "30% fewer phone calls about appointments.",
        "language": "en",
        "dots_per_participant": 5,
    } | overrides
    return WorkshopFields(**values)


class Factories:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def facilitator(self, email: str | None = None, name: str = "Frida") -> FacilitatorRecord:
        email = email or f"facilitator{next(_numbers)}@example.org"
        with self.app.app_context():
            facilitator = accounts.create_facilitator(
                db.session, email=email, name=name, password=PASSWORD
            )
            db.session.commit()
            return FacilitatorRecord(facilitator.id, facilitator.email)

    def workshop(
        self,
        facilitator: FacilitatorRecord | None = None,
        *,
        template: str = "acpra",
        personas: int = 1,
        **fields,
    ) -> WorkshopRecord:
        facilitator = facilitator or self.facilitator()
        with self.app.app_context():
            from cjm_workshop.models import Facilitator

            owner = db.session.get(Facilitator, facilitator.id)
            workshop = service.create_workshop(
                db.session,
                owner,
                workshop_fields(**fields),
                persona=PersonaFields(name="Fatima", description="Busy parent"),
                stage_template=template,
            )
            for number in range(2, personas + 1):
                service.add_persona(db.session, workshop, PersonaFields(name=f"Persona {number}"))
            db.session.commit()
            return _record(workshop)

    def record(self, workshop_id: int) -> WorkshopRecord:
        """The record of a workshop made elsewhere (through the web, say)."""
        from cjm_workshop.models import Workshop

        with self.app.app_context():
            return _record(db.session.get(Workshop, workshop_id))

    def version(
        self, workshop: WorkshopRecord, owner: FacilitatorRecord, *, with_notes: bool = False
    ) -> WorkshopRecord:
        """The next version of the workshop's journey, owned by `owner`."""
        from cjm_workshop.models import Facilitator, Workshop
        from cjm_workshop.services import versions

        with self.app.app_context():
            copy = versions.clone(
                db.session,
                db.session.get(Workshop, workshop.id),
                db.session.get(Facilitator, owner.id),
                with_notes=with_notes,
            )
            db.session.commit()
            return _record(copy)

    def step(self, workshop: WorkshopRecord, step: str) -> None:
        """The room moves on to `step` (as the facilitator's step button does)."""
        from cjm_workshop.models import Step, Workshop

        with self.app.app_context():
            steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step(step))
            db.session.commit()

    def participant(self, workshop: WorkshopRecord, name: str = "Anna") -> ParticipantRecord:
        with self.app.app_context():
            from cjm_workshop.models import Workshop

            participant = joining.join(
                db.session, db.session.get(Workshop, workshop.id), name, join_key=None
            )
            db.session.commit()
            return ParticipantRecord(
                participant.id, workshop.id, participant.token, participant.display_name
            )

    def participants(self, workshop: WorkshopRecord, count: int) -> list[ParticipantRecord]:
        """A room of `count` participants, joined in one transaction."""
        with self.app.app_context():
            from cjm_workshop.models import Workshop

            room = db.session.get(Workshop, workshop.id)
            joined = [
                joining.join(db.session, room, f"Phone {n}", join_key=None) for n in range(count)
            ]
            db.session.commit()
            return [ParticipantRecord(p.id, workshop.id, p.token, p.display_name) for p in joined]

    def phone(self, workshop: WorkshopRecord, participant: ParticipantRecord):
        """A participant's phone: a client carrying their identity for this workshop."""
        client = self.app.test_client()
        client.set_cookie(f"cjm_p_{workshop.join_code}", participant.token)
        return client

    def note(
        self,
        workshop: WorkshopRecord,
        participant: ParticipantRecord | None = None,
        text: str = "Patients phone because the site shows no free slots",
        step: str | None = None,
        *,
        kind: str = "insight",
        stage: int | None = None,
        persona: int | None = None,
        touchpoint: int | None = None,
        pain_point: int | None = None,
    ) -> int:
        """A note of `kind` (default an insight) by `participant`, or by proxy, added in the
        step that collects that kind (or `step`), which this opens. `stage` is a stage id;
        touchpoints, customer actions and pain points without one go to the first stage; a pain
        point may name its `touchpoint`, an opportunity its `pain_point` (note ids)."""
        from cjm_workshop.models import (
            Channel,
            Note,
            NoteKind,
            Participant,
            ResearchSource,
            Step,
            Workshop,
        )
        from cjm_workshop.models.note import STAGE_REQUIRED
        from cjm_workshop.services import notes, steps

        note_kind = NoteKind(kind)
        if stage is None and note_kind in STAGE_REQUIRED:
            stage = workshop.stage_ids[0]
        with self.app.app_context():
            room = db.session.get(Workshop, workshop.id)
            steps.go_to_step(db.session, room, Step(step) if step else notes.KIND_STEP[note_kind])
            author = db.session.get(Participant, participant.id) if participant else None
            fields = notes.NoteFields(
                kind=note_kind,
                text=text,
                stage_id=stage,
                persona_id=persona,
                source=ResearchSource.INTERVIEW if note_kind is NoteKind.INSIGHT else None,
                channel=Channel.WEBSITE if note_kind is NoteKind.TOUCHPOINT else None,
                touchpoint_id=touchpoint,
                pain_point_id=pain_point,
            )
            note: Note = notes.add_note(
                db.session, room, fields, f"factory-{next(_numbers)}", participant=author
            )
            db.session.commit()
            return note.id

    def member(self, workshop: WorkshopRecord, account: FacilitatorRecord, role: str) -> int:
        """Share the workshop with this account (co_facilitator or organizer)."""
        from cjm_workshop.models import Role, WorkshopMember

        with self.app.app_context():
            member = WorkshopMember(
                workshop_id=workshop.id, facilitator_id=account.id, role=Role(role)
            )
            db.session.add(member)
            db.session.commit()
            return member.id

    def action(
        self, workshop: WorkshopRecord, title: str = "Add a call-back button", **fields
    ) -> int:
        """An action of the workshop (owner Sanne, medium impact and effort)."""
        from cjm_workshop.models import Workshop
        from cjm_workshop.services import actions

        source = fields.pop("source", None)
        with self.app.app_context():
            action = actions.add_action(
                db.session,
                db.session.get(Workshop, workshop.id),
                actions.ActionFields(title, fields.pop("owner", "Sanne"), **fields),
                source,
            )
            db.session.commit()
            return action.id

    def voting_round(
        self, workshop: WorkshopRecord, dots: int = 3, kind: str = "pain_point", **rules
    ) -> int:
        """An open dot-voting round on pain points (or `kind`)."""
        from cjm_workshop.models import NoteKind, Workshop
        from cjm_workshop.services import voting

        with self.app.app_context():
            chosen = voting.open_round(
                db.session,
                db.session.get(Workshop, workshop.id),
                NoteKind(kind),
                dots=dots,
                several_per_note=rules.get("several_per_note", False),
                own_notes=rules.get("own_notes", True),
            )
            db.session.commit()
            return chosen.id

    def close_round(self, workshop: WorkshopRecord, round_id: int) -> None:
        from cjm_workshop.models import VotingRound, Workshop
        from cjm_workshop.services import voting

        with self.app.app_context():
            room = db.session.get(Workshop, workshop.id)
            voting.close_round(db.session, room, db.session.get(VotingRound, round_id))
            db.session.commit()

    def ratings(self, workshop: WorkshopRecord, scores: dict[tuple[int, int], int]) -> None:
        """Emotion ratings {(participant id, touchpoint id): score}, in the emotions step."""
        from cjm_workshop.models import Note, Participant, Step, Workshop
        from cjm_workshop.services import emotions, steps

        with self.app.app_context():
            room = db.session.get(Workshop, workshop.id)
            steps.go_to_step(db.session, room, Step.EMOTIONS)
            steps.set_contributions(db.session, room, Step.EMOTIONS, True)
            for (person, note), score in scores.items():
                emotions.rate(
                    db.session,
                    room,
                    db.session.get(Participant, person),
                    db.session.get(Note, note),
                    score,
                )
            db.session.commit()

    def dots(self, workshop: WorkshopRecord, placed: dict[int, list[int]]) -> int:
        """A dot-voting round on pain points with dots {participant id: [note ids]},
        closed and revealed; returns the round's id."""
        from cjm_workshop.models import NoteKind, Workshop
        from cjm_workshop.services import voting

        round_id = self.voting_round(workshop, dots=5, several_per_note=True)
        with self.app.app_context():
            for person, notes in placed.items():
                for tap, note in enumerate(notes):
                    ballot = voting.ballot_for(db.session, workshop.id, person, note, f"t{tap}")
                    voting.vote(db.session, ballot)
            room = db.session.get(Workshop, workshop.id)
            chosen = voting.latest_round(db.session, room, NoteKind.PAIN_POINT)
            voting.close_round(db.session, room, chosen)
            voting.reveal(db.session, room, chosen)
            db.session.commit()
        return round_id
