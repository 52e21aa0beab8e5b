"""Importing research insights in a real browser: a file with a source the app does not
know is refused by row with the names it knows beside it, the fixed file is uploaded from
the same page, previewed and imported, and the console shows the insights."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Note
from tests.browser.test_live_session import log_in

pytestmark = pytest.mark.browser

FILE = "Inzicht;Bron;Fase\nBewoners vergeten dat de vergunning verloopt;{source};Overweging\n"


def upload(laptop, workshop, body: str) -> None:
    laptop.goto(f"/workshops/{workshop.id}/research/import")
    laptop.page.set_input_files(
        "input[type=file]",
        {"name": "inzichten.csv", "mimeType": "text/csv", "buffer": body.encode("utf-8")},
    )
    laptop.submit("main form[enctype] button[type=submit]")


def test_a_refused_file_is_fixed_and_imported_from_the_same_pages(open_tab, make, app):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator, language="nl", template="acpra")
    laptop = open_tab("laptop", locale="nl-NL")
    log_in(laptop, "frida@example.org")
    upload(laptop, workshop, FILE.format(source="Supportlog"))
    preview = laptop.page.locator("#insights-preview")
    expect(preview).to_contain_text("Rij 2: “Supportlog” in kolom B noemt geen van de bronnen")
    expect(preview).to_contain_text("dus kan er niets worden geïmporteerd")
    expect(laptop.page.locator(".import-names")).to_contain_text("Verkoop- of supportlog")
    laptop.screenshot("import-refused-laptop")
    laptop.submit("a:has-text('Ander bestand uploaden')")
    upload(laptop, workshop, FILE.format(source="Verkoop- of supportlog"))
    expect(preview).to_contain_text("Bewoners vergeten dat de vergunning verloopt")
    laptop.submit("#insights-preview button[type=submit]")
    expect(laptop.page.locator("main")).to_contain_text("1 onderzoeksinzicht geïmporteerd.")
    with app.app_context():
        assert [(n.text, n.source.value) for n in db.session.scalars(select(Note))] == [
            ("Bewoners vergeten dat de vergunning verloopt", "support_log")
        ]
