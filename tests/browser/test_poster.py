"""The poster in a real browser: an organizer opens the poster page, sees the preview in
its frame (the poster's own HTML), picks a size and downloads the PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_live_session import log_in

pytestmark = pytest.mark.browser


def test_an_organizer_previews_and_downloads_the_poster(open_tab, make):
    workshop = make.workshop(make.facilitator("frida@example.org"), title="Dentist online")
    make.note(workshop, None, "No free slots shown <b>online</b>", kind="pain_point")
    make.note(workshop, None, "Searches on Google", kind="touchpoint")
    make.member(workshop, make.facilitator("olga@example.org"), "organizer")

    laptop = open_tab("laptop")
    log_in(laptop, "olga@example.org")
    laptop.goto(f"/workshops/{workshop.id}/results")
    laptop.submit("a:has-text('Poster')")
    preview = laptop.page.frame_locator("iframe.poster-frame")
    expect(preview.locator("h1")).to_have_text("Dentist online")
    expect(preview.locator(".lane-pain_point .card")).to_have_text(
        "No free slots shown <b>online</b>"
    )
    laptop.screenshot("poster-page")

    laptop.page.check("input[value='A3']")
    laptop.submit("button:has-text('Show preview')")
    assert laptop.page.url.endswith("size=A3")
    with laptop.page.expect_download() as downloading:
        laptop.page.click("a:has-text('Download PDF (A3)')")
    download = downloading.value
    assert download.suggested_filename == f"{workshop.join_code.lower()}-poster-a3.pdf"
    pdf = PdfReader(download.path())
    assert [round(float(pdf.pages[0].mediabox.width))] == [1191]
    assert "Dentist online" in pdf.pages[0].extract_text()
