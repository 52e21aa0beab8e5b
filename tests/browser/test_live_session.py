"""The live session in real browsers: a facilitator's console, the projector and two phones."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Note

pytestmark = pytest.mark.browser


def log_in(tab, email: str) -> None:
    tab.goto("/login")
    tab.page.fill("#email", email)
    tab.page.fill("#password", "correct horse battery")
    tab.submit("button[type=submit]")


def join(tab, workshop, name: str) -> None:
    tab.goto(f"/j/{workshop.join_code}?k={workshop.join_token}")
    tab.page.fill("#display_name", name)
    tab.submit("button[type=submit]")
    tab.page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads


def laptop_and_board(open_tab, email: str, workshop, path: str):
    """The facilitator's laptop, logged in and at `path`, and the projector page beside it."""
    laptop = open_tab("laptop")
    log_in(laptop, email)
    laptop.goto(path)
    board = open_tab("laptop")
    board.page.context.add_cookies(laptop.page.context.cookies())
    board.goto(f"/workshops/{workshop.id}/board")
    return laptop, board


def stored(app, text: str) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Note).where(Note.text == text)).all())


def test_phones_follow_the_facilitator_and_notes_arrive_live(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator, template="stdc")
    console, board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/console"
    )
    anna, bram = open_tab("phone"), open_tab("phone")
    join(anna, workshop, "Anna")
    join(bram, workshop, "Bram")
    expect(board.page.locator(".board-count")).to_have_text("2")

    # The facilitator opens the research step: both phones switch by themselves.
    console.act("button:has-text('Research →')")
    for phone in (anna, bram):
        expect(phone.page.locator(".step-card h2")).to_have_text("Research")
        expect(phone.page.locator("textarea[name='insight-text']")).to_be_visible()
    bram.page.fill("textarea[name='insight-text']", "Half-typed by Bram")  # survives updates

    # Anna adds an insight: the board and Bram's phone show it without a reload.
    anna.page.fill(
        "textarea[name='insight-text']", "Patients phone because the site shows no slots"
    )
    anna.page.select_option("select[name='insight-source']", "interview")
    anna.page.select_option("select[name='insight-stage_id']", label="Think")
    anna.page.click("button:has-text('Add note')")
    expect(anna.page.locator("[data-note-status]")).to_have_text("Saved")
    for screen in (board, bram, console):
        expect(screen.page.locator(".note-text", has_text="site shows no slots")).to_be_visible()
    expect(
        board.page.locator("[data-stage-list] .note-text", has_text="site shows no slots")
    ).to_have_count(1)
    assert bram.page.input_value("textarea[name='insight-text']") == "Half-typed by Bram"
    expect(console.page.locator("[data-count=contributed]")).to_have_text("1")
    # Every note so far has a stage: no empty "No stage yet" column takes the room's space.
    for screen in (console, board):
        expect(screen.page.locator("#stage-col-none")).to_be_hidden()
    anna.audit()
    bram.audit()
    board.audit()
    board.screenshot("projector-research")
    anna.screenshot("phone-research")
    console.audit()
    console.screenshot("console-research")

    # The facilitator goes back a step: the phones follow.
    console.act("button:has-text('← Scope')")
    for phone in (anna, bram):
        expect(phone.page.locator(".step-card h2")).to_have_text("Scope")
        assert phone.page.evaluate("window.__sameDocument === true")
    console.act("button:has-text('Research →')")
    expect(bram.page.locator(".step-card h2")).to_have_text("Research")

    # Coming back to research opens it for notes again, and Bram's half-typed note is still
    # in his form.
    expect(console.page.locator("button:has-text('Close for new notes')")).to_be_visible()
    expect(anna.page.locator("textarea[name='insight-text']")).to_be_visible()
    expect(bram.page.locator("textarea[name='insight-text']")).to_have_value("Half-typed by Bram")

    # Anna's phone drops off the Wi-Fi, sends a note, comes back: saved exactly once.
    anna.page.context.set_offline(True)
    anna.page.fill("textarea[name='insight-text']", "Sent from the lift")
    anna.page.select_option("select[name='insight-source']", "survey")
    anna.page.click("button:has-text('Add note')")
    expect(anna.page.locator("[data-note-status]")).to_have_text("Not sent. Your text is kept.")
    assert anna.page.input_value("textarea[name='insight-text']") == "Sent from the lift"
    assert stored(app, "Sent from the lift") == 0
    # Meanwhile Bram adds a note that Anna's phone cannot receive yet.
    bram.page.fill("textarea[name='insight-text']", "Added while Anna was away")
    bram.page.select_option("select[name='insight-source']", "analytics")
    bram.page.click("button:has-text('Add note')")
    expect(bram.page.locator("[data-note-status]")).to_have_text("Saved")
    anna.page.context.set_offline(False)
    anna.page.evaluate("window.dispatchEvent(new Event('online'))")  # as the browser does
    expect(anna.page.locator("[data-note-status]")).to_have_text("Saved", timeout=10_000)
    for screen in (board, bram):
        expect(screen.page.locator(".note-text", has_text="Sent from the lift")).to_have_count(1)
    # A note without a stage brings the column back, live.
    expect(console.page.locator("#stage-col-none")).to_be_visible()
    # Back online, Anna's phone catches up on what it missed, without a reload.
    expect(anna.page.locator(".note-text", has_text="Added while Anna was away")).to_have_count(
        1, timeout=10_000
    )
    assert stored(app, "Sent from the lift") == 1
    expect(anna.page.locator("[data-retry]")).to_be_hidden()
    assert anna.page.evaluate("window.__sameDocument === true")

    # Anna moves her first note to another stage on her phone: the board moves it live,
    # as a reload would show it.
    first = ".note:has(.note-text:has-text('site shows no slots'))"
    anna.submit(f"{first} a:has-text('Edit')")
    anna.page.select_option("select[name='insight-stage_id']", label="Do")
    anna.submit("button:has-text('Save')")
    think, do = (f"[data-stage-list='{workshop.stage_ids[n]}']" for n in (1, 2))
    expect(board.page.locator(f"{do} {first}")).to_have_count(1)
    expect(board.page.locator(f"{think} {first}")).to_have_count(0)
    board.page.reload()
    expect(board.page.locator(f"{do} {first}")).to_have_count(1)
