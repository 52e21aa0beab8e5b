"""A whole room on two real gunicorn workers: a console (and a second console tab), the
projector at 1080p and three phones, one of them Dutch. While people type into every form,
others post, someone joins, the timer starts, a setting changes and the step changes:
nobody loses what they typed or where their focus is, each screen speaks its own language,
anonymity reaches every screen at once, and a step the room comes back to is open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_session import join, log_in

pytestmark = pytest.mark.browser


def focused(tab) -> str:
    return tab.page.evaluate("document.activeElement && document.activeElement.id")


def post_insight(tab, text: str, source: str = "interview") -> None:
    tab.page.fill("#insight-text", text)
    tab.page.select_option("#insight-source", source)
    tab.page.locator("form:has(#insight-text) button[type=submit]").click()
    expect(tab.page.locator("form:has(#insight-text) [data-note-status]")).to_have_class(
        "note-status saved"
    )


def test_a_whole_room_keeps_everyones_work(open_room_tab, make):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    console_path = f"/workshops/{workshop.id}/console"
    console = open_room_tab("laptop")
    log_in(console, "frida@example.org")
    console.goto(console_path)
    second, board = open_room_tab("laptop"), open_room_tab("board")
    for tab, path in ((second, console_path), (board, f"/workshops/{workshop.id}/board")):
        tab.page.context.add_cookies(console.page.context.cookies())
        tab.goto(path)
    anna, bram, cees = (
        open_room_tab("phone"),
        open_room_tab("phone"),
        open_room_tab("phone", "nl-NL"),
    )
    for tab, name in ((anna, "Anna"), (bram, "Bram"), (cees, "Cees")):
        join(tab, workshop, name)
    expect(board.page.locator(".board-count")).to_have_text("3")

    console.act("button:has-text('Research →')")
    for phone in (anna, bram, cees):
        expect(phone.page.locator("#insight-text")).to_be_visible()
    post_insight(cees, "Bellen kost veel tijd")

    # Bram forgets the source: the form says so beside the field, keeps his text, and is
    # not left "sending".
    bram.page.fill("#insight-text", "Half-typed by Bram")
    bram.page.locator("#note-form-insight button[type=submit]").click()
    expect(bram.page.locator("#note-form-insight .error")).to_have_text("Choose the source.")
    expect(bram.page.locator("#note-form-insight [data-note-status]")).to_have_text("")
    # Bram, Cees and the facilitator are half-way through a note ...
    bram.page.select_option("#insight-source", "survey")
    bram.page.focus("#insight-text")
    cees.page.fill("#insight-text", "Half getypt door Cees")
    console.page.fill("#insight-text", "From a paper sticky")
    # ... while Anna posts, Dora joins and the second tab starts a 7-minute timer.
    post_insight(anna, "Patients phone because the site shows no slots")
    dora = open_room_tab("phone")
    join(dora, workshop, "Dora")
    second.page.fill("#timer-minutes", "7")
    second.act(".timer-set button[type=submit]")
    for tab in (anna, bram, cees, board, console):
        expect(tab.page.locator("[data-timer][data-state=running]")).to_be_visible()
        expect(tab.page.locator(".note-text", has_text="site shows no slots")).to_be_visible()
    expect(console.page.locator("[data-count=joined]")).to_have_text("4")

    assert bram.page.input_value("#insight-text") == "Half-typed by Bram"
    assert bram.page.input_value("#insight-source") == "survey"
    assert focused(bram) == "insight-text"
    assert cees.page.input_value("#insight-text") == "Half getypt door Cees"
    assert focused(cees) == "insight-text"
    assert console.page.input_value("#insight-text") == "From a paper sticky"
    assert focused(console) == "insight-text"

    # Every screen speaks its own language, whoever's note it is.
    expect(cees.page.locator(".note-kind")).to_have_text(["Onderzoeksinzicht"] * 2)
    for tab in (anna, bram, dora, console):
        expect(tab.page.locator(".note-kind")).to_have_text(["Research insight"] * 2)
    assert "Bewerken" not in anna.page.text_content("main")
    # Only the author's own phone offers to change a note.
    expect(anna.page.locator("#note-2 button:has-text('Delete')")).to_be_visible()
    expect(bram.page.locator("#note-2 button:has-text('Delete')")).to_have_count(0)

    # The facilitator makes the workshop anonymous mid-way: names leave every screen at once.
    expect(board.page.locator(".note-author")).to_have_count(2)
    second.goto(f"/workshops/{workshop.id}/edit")
    second.page.check("#anonymous")
    second.submit("button:has-text('Save')")
    for tab in (board, anna, bram, cees):
        expect(tab.page.locator(".note-author")).to_have_count(0)
    post_insight(anna, "Nobody answers the phone at lunch", "analytics")
    for tab in (board, bram, cees):
        expect(tab.page.locator(".note-text", has_text="at lunch")).to_be_visible()
        expect(tab.page.locator(".note-author")).to_have_count(0)
    expect(console.page.locator(".note-author", has_text="Anna")).to_have_count(2)

    # The step changes and changes back: phones hear it, the step is open again, and the
    # half-typed notes come back into their forms.
    second.goto(console_path)
    second.act("button:has-text('Touchpoints →')")
    expect(bram.page.locator("#step-announcer")).to_contain_text("Touchpoints")
    expect(cees.page.locator("#step-announcer")).to_contain_text("Touchpoints")
    second.act("button:has-text('← Research')")
    for phone in (anna, bram, cees, dora):
        expect(phone.page.locator("#insight-text")).to_be_visible()
    expect(console.page.locator("button:has-text('Close for new notes')")).to_be_visible()
    expect(bram.page.locator("#insight-text")).to_have_value("Half-typed by Bram")
    expect(cees.page.locator("#insight-text")).to_have_value("Half getypt door Cees")
    expect(console.page.locator("#insight-text")).to_have_value("From a paper sticky")
    post_insight(bram, "Half-typed by Bram, now finished")
    expect(board.page.locator(".note-text", has_text="now finished")).to_be_visible()
    expect(bram.page.locator("#note-form-insight .error")).to_have_count(0)

    for tab, name in ((console, "console"), (board, "board"), (bram, "phone"), (cees, "phone-nl")):
        tab.audit()
        tab.screenshot(f"rehearsal-{name}")
    for phone in (anna, bram, cees, dora):
        assert phone.page.evaluate("window.__sameDocument === true")
