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

    laptop.page.check("input[value='A2']")
    laptop.submit("button:has-text('Show preview')")
    assert laptop.page.url.endswith("size=A2")
    # The download takes the size chosen now, before any preview of it.
    laptop.page.check("input[value='A3']")
    with laptop.page.expect_download() as downloading:
        laptop.page.click("button:has-text('Download PDF')")
    download = downloading.value
    assert download.suggested_filename == f"{workshop.join_code.lower()}-poster-a3.pdf"
    pdf = PdfReader(download.path())
    assert [round(float(pdf.pages[0].mediabox.width))] == [1191]
    assert "Dentist online" in pdf.pages[0].extract_text()


# Every card where the layout put it: a card marked `last` ends its row (the next one
# starts lower), every other card has its neighbour beside it; none past its cell's edge.
CARDS_OUT_OF_PLACE = """() => {
  const wrong = [];
  for (const cell of document.querySelectorAll('.cell')) {
    const edge = cell.getBoundingClientRect().right + 0.5;
    const cards = [...cell.querySelectorAll('.card')].map(c => [c, c.getBoundingClientRect()]);
    cards.forEach(([card, box], i) => {
      if (box.right > edge) wrong.push('past its cell: ' + card.textContent.trim());
      const next = cards[i + 1];
      if (!next) return;
      const ends = card.classList.contains('last');
      if (ends !== (next[1].top > box.top + 0.5)) wrong.push('wrapped: ' + next[0].textContent.trim());
    });
  }
  return wrong;
}"""


@pytest.mark.parametrize("width", [1440, 900])
def test_the_preview_lays_out_every_card_where_the_pdf_has_it(open_tab, make, width):
    """In a browser, a border thinner than a pixel is drawn a pixel wide: the preview must
    not let that push a row's last card onto a row of its own (it did: cards were cut off
    in the preview but not in the PDF)."""
    owner = make.facilitator("frida@example.org")
    workshop = make.workshop(owner, title="A full map")
    kinds = ["customer_action", "touchpoint", "insight", "pain_point", "opportunity"]
    for number in range(40):
        stage = workshop.stage_ids[number % 5]
        make.note(workshop, None, f"Note {number} in stage", kind=kinds[number % 5], stage=stage)
    laptop = open_tab("laptop")
    laptop.page.set_viewport_size({"width": width, "height": 900})
    log_in(laptop, "frida@example.org")
    laptop.goto(f"/workshops/{workshop.id}/poster/preview")
    assert laptop.page.locator(".card").count() == 40
    assert laptop.page.evaluate(CARDS_OUT_OF_PLACE) == []
