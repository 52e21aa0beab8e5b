"""Templates in a real browser: a facilitator saves a workshop as a template, starts the
next workshop from it, writes a private note for a step from the console, and the console
shows it while the projector does not."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_session import join, log_in

pytestmark = pytest.mark.browser

SCRIPT = "Open with the story of the missed appointment.\nWatch the quiet ones: ask Anna first."


def test_a_template_a_new_workshop_from_it_and_a_private_note_on_the_console(open_tab, make):
    facilitator = make.facilitator("frida@example.org")
    first = make.workshop(facilitator, template="stdc", personas=2)
    laptop = open_tab("laptop")
    log_in(laptop, "frida@example.org")

    laptop.goto(f"/workshops/{first.id}")
    laptop.submit("text=Save as template")
    laptop.page.fill("#name", "Dentist intake, two personas")
    laptop.submit("button:has-text('Save template')")
    expect(laptop.page.locator(".template-row h2")).to_have_text("Dentist intake, two personas")
    laptop.screenshot("templates-list")

    laptop.submit(".template-row h2 a")  # what it holds
    expect(laptop.page.locator("h1")).to_have_text("Dentist intake, two personas")
    laptop.screenshot("templates-template")
    laptop.submit("a.button.primary:has-text('New workshop')")
    chosen = laptop.page.get_by_label("Dentist intake, two personas")
    expect(chosen).to_be_checked()
    laptop.page.fill("#title", "Second intake")
    laptop.page.fill("#journey", "A patient comes back for a check-up.")
    laptop.page.fill("#goal", "Half the reminder calls.")
    laptop.screenshot("templates-new-workshop")
    laptop.submit("button:has-text('Create workshop')")
    expect(laptop.page.locator("h1")).to_have_text("Second intake")
    expect(laptop.page.locator("#stages .stage-row")).to_have_count(4)
    laptop.screenshot("templates-overview")

    laptop.submit("text=Run workshop")
    laptop.submit("text=Edit prompt, timebox and notes")
    laptop.page.fill("#prompt", "Who is our patient today, and what do we want to change?")
    laptop.page.fill("#timebox_minutes", "8")
    laptop.page.fill("#facilitator_notes", SCRIPT)
    laptop.screenshot("templates-step-set-up")
    laptop.submit("button:has-text('Save')")
    notes = laptop.page.locator(".private-notes")
    expect(notes).to_contain_text("Watch the quiet ones: ask Anna first.")
    expect(laptop.page.locator(".console-prompt")).to_have_text(
        "Who is our patient today, and what do we want to change?"
    )
    expect(laptop.page.locator("#timer-minutes")).to_have_value("8")
    laptop.screenshot("templates-console-private-note")

    workshop_id = laptop.page.url.rstrip("/").split("/")[-2]
    board = open_tab("board")
    log_in(board, "frida@example.org")
    board.goto(f"/workshops/{workshop_id}/board")
    expect(board.page.locator("h1")).to_have_text("Second intake")
    expect(board.page.locator("body")).not_to_contain_text("ask Anna first")

    phone = open_tab("phone")
    join(phone, make.record(int(workshop_id)), "Anna")
    expect(phone.page.locator(".step-prompt")).to_have_text(
        "Who is our patient today, and what do we want to change?"
    )
    expect(phone.page.locator("body")).not_to_contain_text("ask Anna first")
    phone.screenshot("templates-phone-own-prompt")
