"""Step 5 in real browsers: two phones rate touchpoints and the curve appears on the board;
a phone spends its dots and cannot add more; counts stay hidden until the reveal."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cjm_workshop.extensions import db
from tests.browser.test_live_session import join, laptop_and_board

pytestmark = pytest.mark.browser


def test_ratings_draw_the_curve_and_dot_voting_stays_hidden_until_the_reveal(open_tab, make):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    first, second = workshop.stage_ids[:2]
    make.note(workshop, None, "Finds the website", kind="touchpoint", stage=first)
    make.note(workshop, None, "Calls the practice", kind="touchpoint", stage=second)
    for text in ("No free slots online", "On hold for 20 minutes", "No confirmation"):
        make.note(workshop, None, text, kind="pain_point", stage=second)

    console, board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/console"
    )
    anna, bram = open_tab("phone"), open_tab("phone")
    join(anna, workshop, "Anna")
    join(bram, workshop, "Bram")

    # Two phones rate the first touchpoint: the board draws it, and flags the disagreement.
    expect(board.page.locator(".curve-count").first).to_have_text("0 ratings")
    anna.page.locator(".rate-item").first.locator("button[value='1']").click()
    expect(anna.page.locator(".rate-item").first.locator("button[value='1']")).to_have_attribute(
        "aria-pressed", "true"
    )
    bram.page.locator(".rate-item").first.locator("button[value='5']").click()
    expect(board.page.locator(".curve-count").first).to_have_text("2 ratings")
    expect(board.page.locator(".curve-disagree")).to_have_count(1)
    anna.screenshot("emotions-phone-rating")

    # The facilitator opens voting with two dots each; the phones switch by themselves.
    console.page.fill("#round-dots", "2")
    console.act("button:has-text('Open voting')")
    expect(anna.page.locator("[data-dots-left]")).to_have_text("2 dots left")
    pains = anna.page.locator(".vote-item")
    pains.nth(0).locator("button[value='add']").click()
    expect(anna.page.locator("[data-dots-left]")).to_have_text("1 dot left")
    pains.nth(1).locator("button[value='add']").click()
    expect(anna.page.locator("[data-dots-left]")).to_have_text("No dots left")
    for n in range(3):
        expect(
            anna.page.locator(".vote-item").nth(n).locator("button[value='add']")
        ).to_be_disabled()
    anna.screenshot("emotions-phone-voting")
    bram.page.locator(".vote-item").nth(0).locator("button[value='add']").click()
    expect(bram.page.locator("[data-dots-left]")).to_have_text("1 dot left")
    # A pain point posted while the vote is open can be voted on at once (a rehearsal saw
    # it only in the notes' list until a reload, and ranked with 0 dots).
    make.note(workshop, None, "Reminder comes too late", kind="pain_point", stage=second)
    late = bram.page.locator(".vote-item", has_text="Reminder comes too late")
    expect(late).to_have_count(1)
    expect(board.page.locator(".live-part")).to_contain_text("Reminder comes too late")
    late.locator("button[value='add']").click()
    expect(bram.page.locator("[data-dots-left]")).to_have_text("No dots left")
    expect(console.page.locator(".vote-progress")).to_contain_text(
        "1 of 2 participants have spent all their dots."
    )

    # No counts anywhere until the reveal; then the ranking on the board and the phones.
    expect(board.page.locator(".ranking")).to_have_count(0)
    expect(board.page.locator(".board-voting")).to_be_visible()
    board.screenshot("emotions-board-voting")
    console.act("button:has-text('Reveal the counts')")
    expect(board.page.locator(".ranking-text")).to_have_text(
        [
            "No free slots online",
            "On hold for 20 minutes",
            "Reminder comes too late",
            "No confirmation",
        ]
    )
    expect(board.page.locator(".ranking-count")).to_have_text(
        ["2 dots", "1 dot", "1 dot", "0 dots"]
    )
    expect(anna.page.locator(".ranking-count").first).to_have_text("2 dots")
    assert anna.page.evaluate("window.__sameDocument") is True
    board.screenshot("emotions-board-ranking")
    console.audit()
    console.screenshot("emotions-console")
    anna.audit()


def test_a_message_goes_once_the_next_action_is_taken(open_tab, make, app):
    """A rehearsal's console kept "Someone has already spent more dots than that" through
    the reveal, the end of voting and the close of the workshop (and "Step saved." through
    two more steps): a message now goes once the facilitator's next action is taken."""
    from cjm_workshop.services import voting

    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator, template="stdc")
    anna = make.participant(workshop, "Anna")
    pains = [make.note(workshop, anna, f"Pain {n}", kind="pain_point") for n in range(3)]
    make.step(workshop, "emotions")
    make.voting_round(workshop, dots=3)
    with app.app_context():
        for tap, note in enumerate(pains):
            voting.vote(
                db.session, voting.ballot_for(db.session, workshop.id, anna.id, note, f"t{tap}")
            )
        db.session.commit()
    laptop, _board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/console"
    )
    page = laptop.page
    page.fill("#budget-dots", "1")
    page.click(".budget-form button")
    expect(page.locator("#flash")).to_contain_text("the budget cannot go that low")
    # Said where the facilitator looks: the message stays in sight, scrolled far down.
    page.locator(".budget-form").scroll_into_view_if_needed()
    page.mouse.wheel(0, 2000)
    expect(page.locator("#flash .flash")).to_be_in_viewport()
    page.click("button:has-text('Reveal the counts')")
    expect(page.locator(".ranking")).to_be_visible()
    expect(page.locator("#flash")).to_be_empty()
