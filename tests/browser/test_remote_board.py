"""A participant outside the room: on a laptop, from the phone page to the room's board,
watching it live while posting from a second tab, at 1440×900 and 1366×768."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.boards import STAGES_OF_A_SESSION, dense_room, fit_problems, show
from tests.browser.conftest import Browsing
from tests.browser.test_live_session import join

pytestmark = pytest.mark.browser

LAPTOPS = ((1440, 900), (1366, 768))


def post_insight(tab: Browsing, text: str) -> None:
    tab.page.fill("textarea[name='insight-text']", text)
    tab.page.select_option("select[name='insight-source']", "interview")
    tab.page.click("button:has-text('Add note')")
    expect(tab.page.locator("[data-note-status]")).to_have_text("Saved")


def fits_the_screen(tab: Browsing) -> None:
    """Nothing below the fold or off to the side, and the way back to the forms in view."""
    size = tab.page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight,"
        " innerWidth, innerHeight]"
    )
    assert size[0] <= size[2] and size[1] <= size[3], size
    box = tab.page.locator(".board-remote-bar a").bounding_box()
    assert box is not None and box["y"] + box["height"] <= size[3]


def test_a_remote_participant_watches_the_board_while_posting(open_tab, make):
    workshop = make.workshop(language="en")
    make.step(workshop, "research")
    remote = open_tab("laptop")
    join(remote, workshop, "Remy")
    remote.submit("a:has-text('Show the board')")
    expect(remote.page.locator(".board-screen.board-research")).to_be_visible()
    expect(remote.page.locator(".board-title")).to_contain_text("Research")

    # From a second tab of the same browser: the phone page, and a note from there.
    forms = Browsing(remote.page.context.new_page(), remote.base_url)
    forms.goto(f"/w/{workshop.join_code}")
    post_insight(forms, "Remy's insight from home")
    expect(remote.page.locator(".note-text", has_text="Remy's insight from home")).to_be_visible()

    # Someone in the room posts from a phone: the remote board shows it too, live.
    anna = open_tab("phone")
    join(anna, workshop, "Anna")
    post_insight(anna, "Anna's insight in the room")
    expect(remote.page.locator(".note-text", has_text="Anna's insight in the room")).to_be_visible()
    remote.audit()
    for width, height in LAPTOPS:
        remote.page.set_viewport_size({"width": width, "height": height})
        remote.page.wait_for_timeout(300)  # board.js fits the type again on resize
        fits_the_screen(remote)
        remote.screenshot(f"remote-board-{width}x{height}")

    # They joined already: no code or QR code to join by in the corner.
    expect(remote.page.locator(".board-corner .board-code")).to_be_hidden()
    expect(remote.page.locator(".board-corner .board-qr")).to_be_hidden()

    # On a phone held upright the board's type is not a fifth of the projector's.
    remote.page.set_viewport_size({"width": 390, "height": 844})
    remote.page.wait_for_function(
        "parseFloat(getComputedStyle(document.querySelector('.board .note-text')).fontSize) >= 12"
    )
    fits_the_screen(remote)
    remote.screenshot("remote-board-phone")

    # Nothing of the facilitator's console: no moderation, no step controls.
    expect(remote.page.locator("form")).to_have_count(0)
    expect(remote.page.locator("a[href^='/workshops/']")).to_have_count(0)

    # The forms are one tap away on the board itself.
    remote.submit(".board-remote-bar a")
    expect(remote.page.locator("textarea[name='insight-text']")).to_be_visible()
    forms.audit()
    forms.check_everything_audited()


def test_the_remote_board_fits_a_laptop_in_every_step(open_tab, make):
    """A full room (24 notes a step, a Dutch workshop, an English browser): at laptop sizes
    every step fits without scrolling, every note is shown or counted, the way back to the
    forms is on the screen, and the board speaks Dutch."""
    room = dense_room(make)
    remote = open_tab("laptop", locale="en-GB")
    join(remote, room.workshop, "Remy")
    problems = []
    for moment in STAGES_OF_A_SESSION:
        show(make, room, moment)
        for width, height in LAPTOPS:
            path = f"/w/{room.workshop.join_code}/board"
            problems += fit_problems(remote, path, moment, width, height)[1]
            where = f"{moment} at {width}×{height}"
            bar = remote.page.locator(".board-remote-bar a").bounding_box()
            if bar is None or bar["y"] + bar["height"] > height:
                problems.append(f"{where}: the way back to the forms is off the screen")
            if (width, height) == (1366, 768) and moment in ("scope", "visualize", "actions"):
                remote.screenshot(f"remote-board-{moment}-1366x768")
    assert problems == []
    expect(remote.page.locator("html")).to_have_attribute("lang", "nl")
    # The bar back to the forms speaks the phone's language (an English browser's).
    expect(remote.page.locator(".board-remote-bar a")).to_have_text("Your notes and votes")
