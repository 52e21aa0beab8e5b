"""A realistic Dutch demo workshop, so that a new installation shows a filled app at once."""

from __future__ import annotations

from sqlalchemy import select

from cjm_workshop.models import (
    Channel,
    Facilitator,
    NoteKind,
    Participant,
    ResearchSource,
    Workshop,
)
from cjm_workshop.services import accounts, joining
from cjm_workshop.services.notes import NoteFields, add_note
from cjm_workshop.services.room import DbSession
from cjm_workshop.services.workshops import (
    PersonaFields,
    WorkshopFields,
    add_persona,
    create_workshop,
)

DEMO_EMAIL = "demo@cjm.example"
DEMO_PASSWORD = "demo-workshop"  # noqa: S105 - printed by `make run` on purpose
DEMO_TITLE = "Online een afspraak bij de tandarts maken"


def seed_demo(session: DbSession) -> tuple[Facilitator, Workshop, bool]:
    """Create the demo facilitator and workshop unless they exist. Returns (.., created)."""
    facilitator = accounts.find_by_email(session, DEMO_EMAIL)
    if facilitator is None:
        facilitator = accounts.create_facilitator(
            session, email=DEMO_EMAIL, name="Demo Facilitator", password=DEMO_PASSWORD
        )
    existing = next((w for w in _workshops(session, facilitator) if w.title == DEMO_TITLE), None)
    if existing is not None:
        return facilitator, existing, False
    workshop = create_workshop(
        session,
        facilitator,
        WorkshopFields(
            title=DEMO_TITLE,
            journey="Een patiënt zoekt een nieuwe tandarts en boekt online een eerste afspraak.",
            goal="30% minder telefoontjes over afspraken binnen zes maanden.",
            language="nl",
            dots_per_participant=5,
        ),
        persona=PersonaFields(
            name="Fatima, drukke ouder",
            description="38 jaar, werkt vier dagen, plant afspraken voor zichzelf en twee kinderen.",
            goals="Snel een tijd vinden die past naast werk en school; zeker weten dat het gelukt is.",
            frustrations="Bellen tijdens kantooruren; formulieren die per kind opnieuw moeten; "
            "geen bevestiging krijgen.",
        ),
        stage_template="acpra",
    )
    add_persona(
        session,
        workshop,
        PersonaFields(
            name="Henk, gepensioneerd",
            description="71 jaar, gebruikt een tablet, heeft een kunstgebit en een vaste tandarts nodig.",
            goals="Persoonlijk contact; begrijpen wat de behandeling kost.",
            frustrations="Kleine letters, inlogcodes via sms, onduidelijke vergoedingen.",
        ),
    )
    people = [
        joining.join(session, workshop, name, join_key=f"demo-{name}")
        for name in ("Sanne", "Ahmed", "Joost")
    ]
    _demo_notes(session, workshop, people)
    return facilitator, workshop, True


# (kind, stage index or None, text, channel or source, author index)
DEMO_NOTES = [
    (
        NoteKind.INSIGHT,
        2,
        "40% van de telefoontjes gaat over een afspraak verzetten",
        ResearchSource.SUPPORT_LOG,
        0,
    ),
    (
        NoteKind.INSIGHT,
        None,
        "Ouders boeken het liefst 's avonds, als de praktijk dicht is",
        ResearchSource.INTERVIEW,
        1,
    ),
    (
        NoteKind.INSIGHT,
        1,
        "Bezoekers haken af op de pagina met vergoedingen",
        ResearchSource.ANALYTICS,
        2,
    ),
    (NoteKind.TOUCHPOINT, 0, "Zoekt 'tandarts in de buurt' op Google", Channel.WEBSITE, 0),
    (
        NoteKind.TOUCHPOINT,
        0,
        "Vraagt in de schoolapp-groep naar een goede tandarts",
        Channel.SOCIAL_MEDIA,
        1,
    ),
    (NoteKind.TOUCHPOINT, 1, "Leest reviews en openingstijden op de site", Channel.WEBSITE, 2),
    (NoteKind.TOUCHPOINT, 2, "Belt de praktijk om 8 uur: in de wacht", Channel.PHONE, 0),
    (
        NoteKind.TOUCHPOINT,
        2,
        "Vult het inschrijfformulier in, per kind opnieuw",
        Channel.WEBSITE,
        1,
    ),
    (NoteKind.TOUCHPOINT, 3, "Krijgt een herinnering per sms", Channel.APP, 2),
    (NoteKind.CUSTOMER_ACTION, 1, "Vergelijkt twee praktijken op afstand en vergoeding", None, 0),
    (NoteKind.CUSTOMER_ACTION, 2, "Zoekt een tijd die past naast werk en school", None, 1),
    (NoteKind.CUSTOMER_ACTION, 4, "Raadt de praktijk aan bij de buren", None, 2),
]


def _demo_notes(session: DbSession, workshop: Workshop, people: list[Participant]) -> None:
    """What the room wrote in an earlier run, so that the map has something to arrange."""
    stages = workshop.stages
    for number, (kind, stage, text, detail, author) in enumerate(DEMO_NOTES):
        fields = NoteFields(
            kind=kind,
            text=text,
            stage_id=stages[stage].id if stage is not None else None,
            source=detail if isinstance(detail, ResearchSource) else None,
            channel=detail if isinstance(detail, Channel) else None,
        )
        note = add_note(session, workshop, fields, f"demo-note-{number}")  # typed up for the room
        note.author_id, note.by_facilitator = people[author].id, False
    session.flush()


def _workshops(session: DbSession, facilitator: Facilitator) -> list[Workshop]:
    return list(session.scalars(select(Workshop).where(Workshop.facilitator_id == facilitator.id)))
