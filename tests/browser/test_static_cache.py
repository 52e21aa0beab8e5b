"""A phone that comes back: the browser's cache answers for the stylesheet and the scripts
(fingerprinted, immutable for a year), so a second visit to a phone page costs only its HTML."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_second_visit_to_a_phone_page_fetches_only_the_page(open_tab, wire_meter, make):
    workshop = make.workshop()
    phone = open_tab("phone")
    phone.goto(f"/j/{workshop.join_code}")
    phone.page.fill("#display_name", "Anna")
    phone.submit("button:has-text('Join')")
    brief = phone._path(phone.page.url)

    meter = wire_meter(phone.page, cache=True)
    phone.goto(brief)
    assert "Hello Anna" in phone.page.text_content("main")
    print(
        f"\nsecond visit: {meter.total_bytes} bytes in {len(meter.requests)} requests "
        f"({len(meter.from_cache)} answered by the cache)"
    )
    page_requests = [url for url in meter.requests if "/events" not in url]  # the live stream
    assert page_requests == [phone.page.url], meter.requests
    assert any("/static/css/app-" in url for url in meter.from_cache), meter.from_cache
