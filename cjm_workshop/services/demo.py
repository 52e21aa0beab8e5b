"""A realistic Dutch demo workshop, so that a new installation shows a filled app at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cjm_workshop.models import Facilitator, Workshop
from cjm_workshop.services import accounts, joining
from cjm_workshop.services.workshops import (
    PersonaFields,
    WorkshopFields,
    add_persona,
    create_workshop,
)

DEMO_EMAIL = "demo@cjm.example"
DEMO_PASSWORD = "demo-workshop"  # noqa: S105 - printed by `make run` on purpose
DEMO_TITLE = "Online een afspraak bij de tandarts maken"


def seed_demo(session: Session) -> tuple[Facilitator, Workshop, bool]:
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
    for name in ("Sanne", "Ahmed", "Joost"):
        joining.join(session, workshop, name, join_key=f"demo-{name}")
    return facilitator, workshop, True


def _workshops(session: Session, facilitator: Facilitator) -> list[Workshop]:
    return list(session.scalars(select(Workshop).where(Workshop.facilitator_id == facilitator.id)))
