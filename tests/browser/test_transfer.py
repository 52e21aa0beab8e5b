"""A workshop as a file, in a real browser: the facilitator downloads it from the results
page and imports it from the dashboard as a new workshop with a join code of its own."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_session import log_in

pytestmark = pytest.mark.browser


def test_download_a_workshop_and_import_it_again(open_tab, make, tmp_path):
    workshop = make.workshop(make.facilitator("frida@example.org"), title="Tandarts online")
    make.note(workshop, make.participant(workshop, "Anna"), "Geen vrije tijden", kind="pain_point")

    laptop = open_tab("laptop")
    log_in(laptop, "frida@example.org")
    laptop.goto(f"/workshops/{workshop.id}/results")
    with laptop.page.expect_download() as downloading:
        laptop.page.click("a:has-text('Workshop as JSON')")
    saved = tmp_path / "workshop.json"
    downloading.value.save_as(saved)
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert (
        document["format"] == "cjm-workshop" and document["workshop"]["title"] == "Tandarts online"
    )

    laptop.goto("/workshops/")
    laptop.submit("a:has-text('Import a workshop')")
    laptop.page.set_input_files("input[type=file]", str(saved))
    laptop.screenshot("import-page")
    laptop.submit("button:has-text('Import workshop')")
    expect(laptop.page.locator("h1")).to_have_text("Tandarts online")
    expect(laptop.page.locator(".flash")).to_be_visible()
    assert f"/workshops/{workshop.id}" not in laptop.page.url  # a new workshop

    # A file that is not a workshop is refused with the reason, on the same form.
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "cjm-workshop", "version": 99}', encoding="utf-8")
    laptop.goto("/workshops/import")
    laptop.page.set_input_files("input[type=file]", str(broken))
    laptop.submit("button:has-text('Import workshop')")
    expect(laptop.page.locator(".error")).to_be_visible()
    laptop.screenshot("import-refused")
