"""Step 6 in real browsers: the top pain point gets an idea from a phone, the facilitator
turns it into an action with an owner, and the board shows it in the 2×2 matrix."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cjm_workshop.extensions import db
from cjm_workshop.models import Step, VotingRound, Workshop
from cjm_workshop.services import steps, voting
from tests.browser.test_live_session import join, laptop_and_board

pytestmark = pytest.mark.browser


def test_top_pain_point_to_opportunity_to_action_in_the_matrix(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    voters = [make.participant(workshop, name) for name in ("Cas", "Dirk")]
    # A long Dutch compound once made the phone's list wider than the phone.
    queue_text = "Queue at the desk: klanttevredenheidsonderzoeksresultaten"
    queue = make.note(workshop, None, queue_text, kind="pain_point")
    parking = make.note(workshop, None, "No parking nearby", kind="pain_point")
    round_id = make.voting_round(workshop, dots=1)
    with app.app_context():
        for person, note in zip(voters, (queue, queue), strict=True):
            voting.vote(
                db.session, voting.ballot_for(db.session, workshop.id, person.id, note, "k")
            )
        room = db.session.get(Workshop, workshop.id)
        voting.reveal(db.session, room, db.session.get(VotingRound, round_id))
        steps.go_to_step(db.session, room, Step.ACTIONS)
        db.session.commit()

    console, board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/console"
    )
    anna = open_tab("phone")
    join(anna, workshop, "Anna")

    # The phone shows the pain point with most dots first, and answers it with an idea.
    top = anna.page.locator(".top-pains .ranking-item")
    expect(top.first).to_contain_text("Queue at the desk")
    expect(top.first).to_contain_text("2 dots")
    expect(top).to_have_count(1)  # "No parking nearby" got no dot
    # (a page wider than the phone makes a phone's browser zoom the whole page out)
    assert anna.page.evaluate("document.documentElement.scrollWidth <= screen.width")
    anna.page.fill("#opportunity-text", "A ticket machine with numbers")
    anna.page.select_option("#opportunity-pain_point_id", label=queue_text)
    anna.page.click("form[data-note-form] button[type=submit]")
    expect(anna.page.locator("[data-note-status]").first).to_have_text("Saved")
    anna.screenshot("actions-phone")

    # The facilitator turns it into an action with an owner.
    console.goto(f"/workshops/{workshop.id}/console")
    console.page.select_option("#source_id", label="A ticket machine with numbers")
    console.page.fill("#title", "Install a ticket machine")
    console.page.fill("#owner", "Sanne (facilities)")
    console.page.fill("#due_date", "2027-01-31")
    console.page.select_option("#impact", "high")
    console.page.select_option("#effort", "low")
    console.act("button:has-text('Add action')")
    quick_wins = console.page.locator(".quadrant-quick_win")
    expect(quick_wins).to_contain_text("Install a ticket machine")

    # The board shows it in the matrix, live, and follows a move made with the buttons.
    expect(board.page.locator(".quadrant-quick_win")).to_contain_text("Sanne (facilities)")
    board.audit()
    board.screenshot("actions-board")
    console.act(".quadrant-quick_win button:has-text('→')")
    expect(console.page.locator(".quadrant-big_bet")).to_contain_text("Install a ticket machine")
    expect(board.page.locator(".quadrant-big_bet")).to_contain_text("Install a ticket machine")
    expect(board.page.locator(".quadrant-quick_win .matrix-card")).to_have_count(0)
    console.screenshot("actions-console")
    assert parking  # present on the map, never among the top pain points
    for tab in (console, board, anna):
        tab.check_everything_audited()


@pytest.mark.parametrize("locale", ["en-GB", "nl-NL"])
def test_the_results_actions_table_keeps_every_control_in_view(open_tab, make, locale):
    """A long Dutch compound in what an action answers once pushed the table past its
    box: the status control was cut off ("Upd") or hidden. Every column keeps its share."""
    from tests.browser.test_live_session import log_in

    owner = make.facilitator("frida@example.org")
    workshop = make.workshop(owner, language="nl")
    idea = make.note(
        workshop,
        None,
        "Stuur de afsprakenbevestigingsmail direct met ophaalcode",
        kind="opportunity",
    )
    make.action(
        workshop,
        "Send the booking confirmation within one minute, with the pick-up code by SMS",
        owner="Joost van Langeveld-de Vries",
        source=idea,
        next_step="Find out why the mail queue waits 20 minutes; ask the e-mail provider",
    )
    laptop = open_tab("laptop", locale=locale)
    log_in(laptop, "frida@example.org")
    laptop.goto(f"/workshops/{workshop.id}/results")
    box = laptop.page.locator(".table-scroll")
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    edge = box.bounding_box()
    for control in ("select", "button"):
        shown = laptop.page.locator(f".status-form {control}").bounding_box()
        assert shown["x"] + shown["width"] <= edge["x"] + edge["width"] + 0.5, control
    box.screenshot(path=f"screenshots/results-actions-{locale}.png")
    # The map takes the window's width (less a margin), not the text's; the page still
    # does not scroll sideways.
    widths = laptop.page.evaluate(
        "() => [document.querySelector('.results-map').getBoundingClientRect().width,"
        " document.querySelector('main').clientWidth, innerWidth,"
        " document.documentElement.scrollWidth]"
    )
    map_width, main_width, window, page = widths
    assert map_width > main_width and map_width >= window - 60 and page <= window, widths
    laptop.page.locator(".results-map").screenshot(path=f"screenshots/results-map-{locale}.png")
