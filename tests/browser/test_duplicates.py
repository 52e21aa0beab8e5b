"""Suggested duplicates in a real browser: the facilitator merges one group from the panel
(the map and the projector follow, as for any merge) and dismisses another, without a
reload; the page is screenshot at 1440×900 and audited. A note unticked stays out of a merge."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cjm_workshop.extensions import db
from cjm_workshop.models import Step, Workshop
from cjm_workshop.services import steps
from tests.browser.test_live_session import laptop_and_board

pytestmark = pytest.mark.browser


def map_in_step_4(open_tab, app, workshop):
    """The room in step 4; Frida's laptop at the map page, and the projector beside it."""
    with app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step.VISUALIZE)
        db.session.commit()
    return laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/map"
    )


def test_merge_and_dismiss_from_the_suggestions_panel(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator, template="acpra")
    anna, bob = make.participant(workshop, "Anna"), make.participant(workshop, "Bob")
    awareness, consideration, purchase = workshop.stage_ids[:3]
    for who, text, kind, stage in [
        (anna, "Lange wachttijd aan de telefoon", "pain_point", consideration),
        (bob, "long wait on the phone", "pain_point", consideration),
        (anna, "App crasht bij betalen", "pain_point", purchase),
        (bob, "app crashed tijdens betaling", "pain_point", purchase),
        (anna, "App is traag bij inloggen", "pain_point", purchase),
        (bob, "Online afspraak maken", "customer_action", consideration),
        (anna, "online een afspraak maken", "customer_action", consideration),
        (bob, "Reviews lezen op Google", "customer_action", awareness),
        (anna, "Website van de praktijk", "touchpoint", awareness),
        (bob, "Afspraak online maken", "touchpoint", consideration),
    ]:
        make.note(workshop, who, text, kind=kind, stage=stage)
    laptop, board = map_in_step_4(open_tab, app, workshop)
    page = laptop.page
    panel = page.locator("#duplicates")
    expect(panel.locator("h2")).to_have_text("Suggested duplicates (3)")
    laptop.screenshot("duplicates-map-laptop")
    expect(board.page.locator("#map")).to_contain_text("long wait on the phone")

    laptop.act(
        "#duplicates .duplicate-group:has-text('long wait on the phone') button[name=keep] >> nth=0"
    )
    expect(panel.locator("h2")).to_have_text("Suggested duplicates (2)")
    # The map (on the laptop, through the live stream) and the projector follow the merge.
    expect(page.locator("#map")).not_to_contain_text("long wait on the phone")
    expect(board.page.locator("#map")).not_to_contain_text("long wait on the phone")
    expect(board.page.locator("#map")).to_contain_text("Lange wachttijd aan de telefoon")

    laptop.act(
        "#duplicates .duplicate-group:has-text('App crasht') button:has-text('Not duplicates')"
    )
    expect(panel.locator("h2")).to_have_text("Suggested duplicates (1)")
    expect(page.locator("#map")).to_contain_text("App crasht bij betalen")
    page.reload()
    laptop.audit()
    expect(page.locator("#duplicates h2")).to_have_text("Suggested duplicates (1)")
    expect(page.locator("#duplicates")).to_contain_text("afspraak maken")
    laptop.goto(f"/workshops/{workshop.id}/console")
    expect(page.locator("#duplicates h2")).to_have_text("Suggested duplicates (1)")

    # On the console: a group of two kinds says so; the touchpoint unticked stays on the map.
    group = page.locator("#duplicates .duplicate-group:has-text('afspraak maken')")
    expect(group.locator(".duplicate-kinds")).to_be_visible()
    group.get_by_label("Afspraak online maken").uncheck()
    laptop.act("#duplicates .duplicate-group:has-text('afspraak maken') button[name=keep] >> nth=0")
    expect(page.locator("#duplicates-status")).to_have_text("Merged 2 notes into one.")
    # Left out, not dismissed: the touchpoint is still suggested with the note kept.
    expect(group.locator(".duplicate-text")).to_have_count(2)
    expect(group).to_contain_text("Afspraak online maken")
    expect(board.page.locator("#map")).to_contain_text("Afspraak online maken")
    expect(board.page.locator("#map")).not_to_contain_text("online een afspraak maken")
    laptop.screenshot("duplicates-console-laptop")


def test_many_suggested_groups_scroll_sideways_whole(open_tab, make, app):
    """A rehearsal's seven groups stood in a box of rows capped in height: every "Not
    duplicates" button was cut in half at its bottom edge, with no sign of more below;
    in one row, a later one's page scrolled sideways too."""
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator, template="acpra")
    anna, bob = make.participant(workshop, "Anna"), make.participant(workshop, "Bob")
    s = workshop.stage_ids
    pairs = [
        ("Lange wachttijd aan de telefoon", "long wait on the phone"),
        ("polisvoorwaarden onleesbaar", "policy terms unreadable"),
        ("Uitbetaling duurt langer dan beloofd", "Payout takes longer than promised"),
        ("Kortingscode werkt niet", "kortingscod werkt niet!!"),
        ("Fietsen reserveren", "fiets vooraf reserveren"),
        ("handtekening vergeten", "forgot the signature"),
        ("lift doet het niet", "elevator does not work"),
    ]
    for n, (a, b) in enumerate(pairs):
        make.note(workshop, anna, a, kind="pain_point", stage=s[n % 5])
        make.note(workshop, bob, b, kind="pain_point", stage=s[n % 5])
    laptop, _board = map_in_step_4(open_tab, app, workshop)
    page = laptop.page
    expect(page.locator("#duplicates h2")).to_have_text("Suggested duplicates (7)")
    # One row that scrolls sideways: no group's buttons are cut by the panel's bottom edge.
    panel = page.locator("#duplicates .duplicate-groups").bounding_box()
    for button in page.locator("#duplicates button:has-text('Not duplicates')").all():
        assert (
            button.bounding_box()["y"] + button.bounding_box()["height"]
            <= panel["y"] + panel["height"]
        )
    # Only the strip scrolls: the page stays as wide as the laptop (the hidden "Merge into
    # this note: …" labels of a later rehearsal's groups made it 2,472 px wide).
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    laptop.screenshot("duplicates-many-groups")
