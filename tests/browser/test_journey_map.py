"""Step 4 in real browsers: the facilitator arranges the map with the mouse and with the
keyboard only; the projector and a phone follow without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Step, Workshop
from cjm_workshop.services import steps
from tests.browser.test_live_session import join, laptop_and_board, log_in

pytestmark = pytest.mark.browser


def place(app, note_id: int) -> tuple[int | None, str, int]:
    with app.app_context():
        note = db.session.get(Note, note_id)
        return note.stage_id, note.kind.value, note.position


def drag_slowly(page, source, target, until) -> None:
    """Press on `source` and move in small steps to the top edge of `target` before letting
    go (SortableJS reorders on the drag-over events in between), until `until` holds. The
    map region may be re-rendered by a live update just then (a detached card has no box,
    or the drop lands on the old one): the gesture is tried again, at most three times."""
    for _attempt in range(3):
        start, end = source.bounding_box(), target.bounding_box()
        if start is not None and end is not None:
            page.mouse.move(start["x"] + 10, start["y"] + start["height"] / 2)
            page.mouse.down()
            page.mouse.move(end["x"] + 10, end["y"] + end["height"] / 2, steps=12)
            page.mouse.move(end["x"] + 10, end["y"] + 2, steps=6)
            page.mouse.up()
        try:
            until()
            return
        except AssertionError:
            continue
    until()


def test_arranging_the_map_by_mouse_and_keyboard_shows_on_the_board_and_phones(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator, template="acpra")
    anna = make.participant(workshop, "Anna")
    awareness, consideration, purchase = workshop.stage_ids[:3]
    website = make.note(workshop, anna, "Finds the website", kind="touchpoint", stage=awareness)
    phone_call = make.note(workshop, anna, "Calls the practice", kind="touchpoint", stage=awareness)
    make.note(workshop, None, "Compares reviews", kind="customer_action", stage=consideration)
    make.note(workshop, anna, "Patients call at 8 o'clock", kind="insight")
    with app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step.VISUALIZE)
        db.session.commit()

    laptop, board = laptop_and_board(
        open_tab, "frida@example.org", workshop, f"/workshops/{workshop.id}/map"
    )
    phone = open_tab("phone")
    join(phone, workshop, "Bram")
    expect(phone.page.locator("#map-h")).to_have_text("The journey map")
    board_cell = lambda stage: board.page.locator(  # noqa: E731
        f".journey-map ul.cell[data-lane='touchpoint'][data-stage='{stage}']"
    )
    expect(board_cell(awareness).locator(".card")).to_have_count(2)
    laptop.screenshot("map-laptop-before")
    board.screenshot("map-board")
    phone.screenshot("map-phone")

    # The mouse: drag "Finds the website" into the Purchase column of the touchpoints lane.
    source = laptop.page.locator(f"#note-{website} .note-text")
    target = laptop.page.locator(f"ul.cell[data-lane='touchpoint'][data-stage='{purchase}']")
    source.drag_to(target)
    expect(laptop.page.locator(f"ul.cell[data-stage='{purchase}'] #note-{website}")).to_be_visible()
    expect(laptop.page.locator("#map-announcer")).to_contain_text("Moved to Purchase")
    assert place(app, website)[:2] == (purchase, "touchpoint")
    expect(board_cell(purchase)).to_contain_text("Finds the website")

    # The keyboard only: focus the other note's "next stage" button and press Enter twice;
    # focus stays on the button, so the second Enter moves it on again.
    laptop.page.locator(f"#note-{phone_call} button[value='right']").focus()
    laptop.page.keyboard.press("Enter")
    expect(
        laptop.page.locator(f"ul.cell[data-stage='{consideration}'] #note-{phone_call}")
    ).to_be_visible()
    expect(laptop.page.locator(f"#note-{phone_call} button[value='right']")).to_be_focused()
    laptop.page.keyboard.press("Enter")
    expect(
        laptop.page.locator(f"ul.cell[data-stage='{purchase}'] #note-{phone_call}")
    ).to_be_visible()
    assert place(app, phone_call) == (purchase, "touchpoint", 1)

    # Within a cell: drag "Calls the practice" above "Finds the website".
    drag_slowly(
        laptop.page,
        laptop.page.locator(f"#note-{phone_call} .note-text"),
        laptop.page.locator(f"#note-{website} .note-text"),
        until=lambda: expect(laptop.page.locator("#map-announcer")).to_have_text(
            "Moved to Purchase, Touchpoints, place 1.",  # the server's answer, not the drop
            timeout=3000,
        ),
    )
    expect(laptop.page.locator(f"ul.cell[data-stage='{purchase}'] .note-text")).to_have_text(
        ["Calls the practice", "Finds the website"]
    )
    assert place(app, phone_call) == (purchase, "touchpoint", 0)

    # The projector and the phone followed, without a reload.
    expect(board_cell(purchase).locator(".note-text")).to_have_text(
        ["Calls the practice", "Finds the website"]
    )
    expect(board_cell(awareness).locator(".card")).to_have_count(0)
    phone.page.locator(".stage-tabs a", has_text="Purchase").click()
    expect(phone.page.locator(f"#map-stage-{purchase} .note-text")).to_have_text(
        ["Calls the practice", "Finds the website"]
    )
    assert phone.page.evaluate("window.__sameDocument") is True
    # Readable on a 360-pixel-wide phone: one stage fills the screen, nothing spills over.
    phone.page.set_viewport_size({"width": 360, "height": 740})
    phone.page.locator(".stage-tabs a", has_text="Purchase").click()
    expect(phone.page.locator(f"#map-stage-{purchase} h3")).to_be_in_viewport()
    page_width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 360
    stage_box = phone.page.locator(f"#map-stage-{purchase}").bounding_box()
    assert 300 <= stage_box["width"] <= 360
    phone.screenshot("map-phone-360")
    laptop.audit()
    laptop.screenshot("map-laptop-after")
    board.screenshot("map-board-after")


def test_merging_duplicates_on_the_map_and_undoing_it(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    anna, bram = make.participant(workshop, "Anna"), make.participant(workshop, "Bram")
    first = workshop.stage_ids[0]
    kept = make.note(workshop, anna, "Online booking", kind="touchpoint", stage=first)
    duplicate = make.note(workshop, bram, "Booking online", kind="touchpoint", stage=first)
    laptop = open_tab("laptop")
    log_in(laptop, "frida@example.org")
    laptop.goto(f"/workshops/{workshop.id}/map")

    laptop.page.check(f"#pick-{kept}")
    laptop.page.check(f"#pick-{duplicate}")
    laptop.submit("button:has-text('Merge selected notes')")
    laptop.page.check(f"input[name='keep'][value='{kept}']")
    laptop.submit("button:has-text('Merge')")
    card = laptop.page.locator(f"#note-{kept}")
    expect(card.locator(".note-author")).to_have_text("Anna, Bram")
    expect(card.locator(".note-merged")).to_have_text("1 merged")
    expect(laptop.page.locator(f"#note-{duplicate}")).to_have_count(0)
    with app.app_context():
        assert db.session.get(Note, duplicate).merged_into_id == kept

    card.locator("summary").click()
    laptop.screenshot("map-card-menu")
    card.locator("button:has-text('Undo merge')").click()
    expect(laptop.page.locator(f"#note-{duplicate}")).to_be_visible()
    with app.app_context():
        assert db.session.scalars(select(Note.merged_into_id)).all() == [None, None]

    # The menu closes as menus do: Escape (focus back on its button), or a click elsewhere.
    card = laptop.page.locator(f"#note-{duplicate}")
    menu = card.locator("details.card-menu")
    card.locator("summary").click()
    expect(menu).to_have_js_property("open", True)
    laptop.page.keyboard.press("Escape")
    expect(menu).to_have_js_property("open", False)
    expect(card.locator("summary")).to_be_focused()
    card.locator("summary").click()
    laptop.page.locator("h1").click()
    expect(menu).to_have_js_property("open", False)

    # Edit in place: the card becomes its form, saving shows the new text on the map.
    card.locator("summary").click()
    card.locator("a:has-text('Edit')").click()
    laptop.page.fill(f"#note-{duplicate} textarea", "Books online at night")
    laptop.page.locator(f"#note-{duplicate} button:has-text('Save')").click()
    expect(laptop.page.locator(f"#note-{duplicate} .note-text")).to_have_text(
        "Books online at night"
    )
    laptop.audit()
