"""A workshop with something in every lane, rated touchpoints, revealed dots on pain points
and actions with owners, and helpers to read a PDF back."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, NoteKind, Participant, VotingRound, Workshop
from cjm_workshop.models.step import Step
from cjm_workshop.poster import layout, render
from cjm_workshop.services import emotions, steps, voting


@dataclass(frozen=True)
class Room:
    workshop: object  # WorkshopRecord
    stages: list[str]
    pain_points: dict[str, int]  # text -> dots
    owners: list[str]
    touchpoints: list[str]


def pdf_text(pdf: bytes, *pages: int) -> str:
    """The text of the PDF in drawing order (pdftotext -raw), optionally of some pages."""
    command = ["pdftotext", "-raw", "-enc", "UTF-8"]
    if pages:
        command += ["-f", str(pages[0]), "-l", str(pages[-1])]
    done = subprocess.run(
        [*command, "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode()


SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: bytes) -> tuple[list[float], str]:
    """An SVG's viewBox and all its text, in document order."""
    root = ElementTree.fromstring(svg)
    box = [float(v) for v in root.get("viewBox").split()]
    return box, " ".join(" ".join(element.itertext()) for element in root.iter(f"{SVG}text"))


MAP_URL = "https://cjm.example/workshops/1/results"


def make_poster(app, workshop_id: int, size: str = "A1") -> render.Poster:
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        chosen = layout.FORMATS[size]
        html = render.poster_html(db.session, workshop, chosen, MAP_URL)
        return render.make_pdf(workshop, html, chosen)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def give_dots(app, workshop, votes: dict[int, int]) -> None:
    """Each pain point (id) gets that many dots from different participants (taking turns,
    so that nobody runs out of dots first); revealed."""
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        steps.go_to_step(db.session, room, Step.EMOTIONS)
        chosen = voting.open_round(
            db.session, room, NoteKind.PAIN_POINT, dots=5, several_per_note=False, own_notes=True
        )
        people = list(db.session.query(Participant).filter_by(workshop_id=workshop.id))
        turn = 0
        for note_id, count in votes.items():
            for person in (people[(turn + k) % len(people)] for k in range(count)):
                key = f"poster-{note_id}-{person.id}"
                ballot = voting.ballot_for(db.session, workshop.id, person.id, note_id, key)
                voting.vote(db.session, ballot)
            turn += count
        voting.reveal(db.session, room, db.session.get(VotingRound, chosen.id))
        db.session.commit()


@pytest.fixture
def room(app, make) -> Room:
    facilitator = make.facilitator("owner@example.org")
    workshop = make.workshop(facilitator, title="Booking a dentist online")
    people = [make.participant(workshop, name) for name in ("Anna", "Bob", "Chris", "Dee")]
    touchpoints = ["Searches for a dentist on Google", "Fills in the intake form"]
    touch_ids = [
        make.note(workshop, people[0], text, kind="touchpoint", stage=workshop.stage_ids[i])
        for i, text in enumerate(touchpoints)
    ]
    make.note(workshop, people[1], "Compares two practices", kind="customer_action")
    make.note(workshop, people[1], "Half the calls are about bookings", kind="insight")
    pains = {"No free slots shown": 3, "The form asks three times for the address": 1}
    pain_ids = {
        text: make.note(workshop, people[2], text, kind="pain_point", stage=workshop.stage_ids[1])
        for text in pains
    }
    with app.app_context():
        room_ = db.session.get(Workshop, workshop.id)
        steps.go_to_step(db.session, room_, Step.EMOTIONS)
        for person, score in zip(people, (2, 1, 2, 5), strict=True):
            for note_id in touch_ids:
                emotions.rate(
                    db.session,
                    room_,
                    db.session.get(Participant, person.id),
                    db.session.get(Note, note_id),
                    score,
                )
        db.session.commit()
    give_dots(app, workshop, {pain_ids[text]: dots for text, dots in pains.items()})
    opportunity = make.note(workshop, people[3], "Show free slots online", kind="opportunity")
    make.action(workshop, "Publish the calendar", owner="Sanne", source=opportunity)
    make.action(workshop, "Shorten the intake form", owner="Joost de Vries")
    with app.app_context():
        stages = [stage.name for stage in db.session.get(Workshop, workshop.id).stages]
    return Room(workshop, stages, pains, ["Sanne", "Joost de Vries"], touchpoints)


WORDS = [
    "klant",
    "website",
    "afspraak",
    "tandarts",
    "bevestiging",
    "wachttijd",
    "telefoon",
    "formulier",
    "herinnering",
    "Zoë",
    "café",
    "één",
    "Überweisung",
    "receptionist",
    "https://www.example.org/very/long/address/path",
    "onduidelijkheidsverklaringsformulier",
    "&",
    "<",
    ">",
    '"',
    "'",
    "42",
    "%",
    "€",
    "—",
    "✓",
    "😀",
]


def crowded(app, make, notes: int, seed: int = 7, language: str = "en") -> int:
    """A workshop with `notes` notes of every kind and length (up to 280 characters, long
    words, emoji, markup characters) spread unevenly over its stages; its id."""
    import random

    from cjm_workshop.models import Channel, ResearchSource, Step
    from cjm_workshop.services import notes as note_service

    rng = random.Random(seed)
    workshop = make.workshop(title="A crowded workshop " + "x" * 90, language=language)
    kinds = [
        NoteKind.CUSTOMER_ACTION,
        NoteKind.TOUCHPOINT,
        NoteKind.INSIGHT,
        NoteKind.PAIN_POINT,
        NoteKind.OPPORTUNITY,
    ]
    with app.app_context():
        room = db.session.get(Workshop, workshop.id)
        steps.go_to_step(db.session, room, Step.VISUALIZE)
        for number in range(notes):
            kind = rng.choice(kinds)
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 45)))[:280]
            fields = note_service.NoteFields(
                kind=kind,
                text=text,
                # Skewed: the first stages get most notes.
                stage_id=workshop.stage_ids[min(int(rng.expovariate(0.6)), 4)],
                channel=rng.choice(list(Channel)) if kind is NoteKind.TOUCHPOINT else None,
                source=ResearchSource.INTERVIEW if kind is NoteKind.INSIGHT else None,
            )
            note_service.add_note(db.session, room, fields, f"crowd-{number}")
        db.session.commit()
    return workshop.id
