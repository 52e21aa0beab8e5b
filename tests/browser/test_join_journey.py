"""The foundation journey in a real browser: a facilitator prepares a workshop and opens the
projector page; a phone joins through the QR link, names itself, reads the brief and
switches to Dutch; the projector counts the phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Budget for a participant's first visit, join page through the brief (issue 2).
FIRST_VISIT_BYTES = 25 * 1024
FIRST_VISIT_REQUESTS = 6


def test_facilitator_prepares_and_a_phone_joins(open_tab, wire_meter, app):
    laptop = open_tab("laptop")
    laptop.goto("/signup")
    laptop.page.fill("#name", "Frida Facilitator")
    laptop.page.fill("#email", "frida@example.org")
    laptop.page.fill("#password", "correct horse battery")
    laptop.page.fill("#password_confirm", "correct horse battery")
    laptop.submit("button[type=submit] >> text=Create account")
    assert "Welcome, Frida Facilitator!" in laptop.page.content()
    laptop.screenshot("dashboard-empty")

    laptop.submit("a:has-text('Create your first workshop')")
    laptop.page.fill("#title", "Booking a dentist appointment")
    laptop.page.fill("#journey", "A patient books a first appointment online.")
    laptop.page.fill("#goal", "A third fewer phone calls about appointments.")
    laptop.page.check("input[value=aida]")
    laptop.page.fill("#persona-name", "Fatima, busy parent")
    laptop.page.fill("#persona-description", "Plans appointments for herself and two children.")
    laptop.submit("button:has-text('Create workshop')")
    assert "Workshop created." in laptop.page.content()

    # Stage editing works in place (htmx) and survives a reload.
    laptop.page.fill("#stages .add-stage input[name=name]", "Loyalty")
    laptop.page.click("text=Add stage")
    laptop.page.wait_for_selector("#stages input[value=Loyalty]")
    laptop.page.click("button:has-text('Move Loyalty up')")
    expect(laptop.page.locator("#stages .stage-rename input[name=name]").nth(3)).to_have_value(
        "Loyalty"
    )
    laptop.audit()
    laptop.screenshot("workshop-overview")

    code = re.search(r"/j/([A-Z0-9]{8})", laptop.page.content()).group(1)
    laptop.goto(laptop._path(laptop.page.url) + "/board")
    board = laptop
    assert f"{code[:4]}-{code[4:]}" in board.page.inner_text(".board-code")
    assert board.page.inner_text(".board-count") == "0"
    board.screenshot("projector-join")

    with app.app_context():
        from cjm_workshop.extensions import db
        from cjm_workshop.models import Workshop

        token = db.session.query(Workshop).filter_by(join_code=code).one().join_token

    phone = open_tab("phone")
    # A new phone: its cache is empty, but it has one (the stylesheet the name page fetched
    # serves the brief too; test_static_cache.py measures the visit after this one).
    meter = wire_meter(phone.page, cache=True)
    phone.goto(f"/j/{code}?k={token}")
    phone.page.fill("#display_name", "Anna")
    phone.screenshot("phone-name")
    phone.submit("button:has-text('Join')")
    assert phone.page.url.endswith(f"/w/{code}")
    text = phone.page.text_content("main")
    for expected in (
        "Hello Anna",
        "Booking a dentist appointment",
        "A third fewer phone calls",
        "Fatima, busy parent",
        "Attention",
        "Loyalty",
        "Action",
    ):
        assert expected in text
    first_visit_bytes, first_visit_requests = meter.total_bytes, len(meter.requests)
    phone.screenshot("phone-brief")
    print(f"\nfirst visit: {first_visit_bytes} bytes in {first_visit_requests} requests")
    assert first_visit_requests <= FIRST_VISIT_REQUESTS, meter.requests
    assert first_visit_bytes <= FIRST_VISIT_BYTES

    # The projector counts the phone by itself, without a reload.
    expect(board.page.locator(".board-count")).to_have_text("1", timeout=8000)
    assert "participant joined" in board.page.inner_text(".board-participants")
    board.screenshot("projector-one-participant")

    # Reopening the link on the phone keeps the identity.
    phone.goto(f"/j/{code}")
    assert phone.page.url.endswith(f"/w/{code}")

    # The phone switches to Dutch.
    phone.submit("a[hreflang=nl]")
    assert phone.page.url.endswith(f"/w/{code}")
    dutch = phone.page.text_content("main")
    assert "Hoi Anna" in dutch
    assert "Hello Anna" not in dutch
    assert phone.page.get_attribute("html", "lang") == "nl"
    phone.screenshot("phone-brief-nl")


def test_a_phone_types_a_wrong_code_then_the_right_one(open_tab, make):
    workshop = make.workshop()
    phone = open_tab("phone", locale="nl-NL")
    phone.goto("/join")
    phone.page.fill("#code", "abcd-efgh")
    phone.submit("button[type=submit]")
    assert "Er is geen workshop met deze code" in phone.page.text_content(".error")
    phone.screenshot("phone-wrong-code")
    phone.page.fill("#code", f"{workshop.join_code[:4].lower()} {workshop.join_code[4:]}")
    phone.submit("button[type=submit]")
    assert phone.page.url.endswith(f"/j/{workshop.join_code}")
    phone.page.fill("#display_name", "  ")
    phone.submit("button[type=submit]")
    assert phone.page.locator(".error").count() == 1
    phone.page.fill("#display_name", "Bram")
    phone.submit("button[type=submit]")
    assert "Bram" in phone.page.text_content("main")
