"""Versions in a real browser: the facilitator makes version 2 of a journey with its notes,
the room runs it again, and the comparison shows both versions side by side."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_session import log_in

pytestmark = pytest.mark.browser

TOUCHPOINTS = [  # (stage index, text)
    (0, "Sees an ad for the practice"),
    (1, "Compares reviews online"),
    (2, "Books on the website"),
    (2, "Calls the front desk"),
    (3, "Gets a reminder text"),
    (4, "Recommends the dentist"),
]


def run_version(make, workshop, scores: dict[str, list[int]], dots: dict[str, list[str]]):
    """Participants rate the touchpoints (a score per touchpoint, 0: not rated) and spend
    their dots on the pain points named; the dots are revealed."""
    from sqlalchemy import select

    from cjm_workshop.extensions import db
    from cjm_workshop.models import Note, NoteKind

    with make.app.app_context():
        notes = db.session.scalars(select(Note).filter_by(workshop_id=workshop.id)).all()
        touchpoints = [n.id for n in notes if n.kind is NoteKind.TOUCHPOINT]
        touchpoints.sort(key=lambda n: [t for _, t in TOUCHPOINTS].index(_text(notes, n)))
        pains = {n.text: n.id for n in notes if n.kind is NoteKind.PAIN_POINT}
    people = {name: make.participant(workshop, name) for name in scores}
    make.ratings(
        workshop,
        {
            (people[name].id, touchpoint): score
            for name, row in scores.items()
            for touchpoint, score in zip(touchpoints, row, strict=True)
            if score
        },
    )
    make.dots(
        workshop, {people[name].id: [pains[t] for t in texts] for name, texts in dots.items()}
    )


def _text(notes, note_id):
    return next(n.text for n in notes if n.id == note_id)


def test_a_new_version_of_the_journey_and_the_comparison(open_tab, make):
    facilitator = make.facilitator("frida@example.org")
    first = make.workshop(facilitator, title="Booking a first dentist appointment")
    for stage, text in TOUCHPOINTS:
        make.note(first, None, text, kind="touchpoint", stage=first.stage_ids[stage])
    for text in ("No free slots shown online", "On hold for 20 minutes", "No confirmation"):
        make.note(first, None, text, kind="pain_point", stage=first.stage_ids[2])
    run_version(
        make,
        first,
        {
            "Anna": [3, 2, 1, 2, 4, 3],
            "Bram": [4, 3, 2, 1, 4, 4],
            "Cas": [3, 4, 1, 1, 5, 2],
            "Dewi": [4, 2, 2, 4, 3, 3],
        },
        {
            "Anna": ["No free slots shown online", "On hold for 20 minutes"],
            "Bram": ["No free slots shown online", "No confirmation"],
            "Cas": ["On hold for 20 minutes", "No free slots shown online"],
            "Dewi": ["No free slots shown online"],
        },
    )

    laptop = open_tab("laptop")
    log_in(laptop, "frida@example.org")
    laptop.goto(f"/workshops/{first.id}")
    laptop.page.check("#copy_notes")
    laptop.submit("button:has-text('Make a new version')")
    expect(laptop.page.locator(".flash")).to_contain_text("Version 2 is ready")
    expect(laptop.page.locator(".version-current")).to_contain_text("Version 2")
    laptop.page.locator("#versions").screenshot(path=_shot("versions-workshop-page"))
    second = make.record(int(laptop.page.url.rstrip("/").rsplit("/", 1)[1]))
    make.note(second, None, "Reminder text arrives too late", kind="pain_point")
    run_version(
        make,
        second,
        {
            "Eva": [4, 3, 4, 2, 4, 4],
            "Fons": [4, 4, 5, 3, 3, 4],
            "Gijs": [3, 3, 4, 2, 2, 5],
        },
        {
            "Eva": ["On hold for 20 minutes", "Reminder text arrives too late"],
            "Fons": ["Reminder text arrives too late", "On hold for 20 minutes"],
            "Gijs": ["Reminder text arrives too late"],
        },
    )

    laptop.goto(f"/workshops/{second.id}")
    laptop.submit("#versions a:has-text('Compare')")
    expect(laptop.page.locator(".curve-svg")).to_have_count(2)
    expect(laptop.page.locator(".compare-column").first).to_contain_text("Version 1")
    expect(laptop.page.locator(".compare-column").nth(1)).to_contain_text(
        "Reminder text arrives too late"
    )
    laptop.screenshot("versions-compare")

    laptop.submit(".lang-switch a:has-text('NL')")
    expect(laptop.page.locator("h2#curves-h")).to_have_text("Emotiecurves")
    expect(laptop.page.locator(".ranking-text").last).to_contain_text("ook in de top van versie 1")
    laptop.screenshot("versions-compare-nl")


def _shot(name: str) -> str:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")
