"""Research before the session in Chromium: the facilitator sets the window on the
workshop's page, a participant at home adds an insight from the phone (saved in place, no
reload), and the console counts it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_session import join, log_in

pytestmark = pytest.mark.browser


def test_a_participant_adds_research_from_home(open_tab, make):
    make.facilitator("frida@example.org")
    laptop = open_tab("laptop")
    log_in(laptop, "frida@example.org")
    workshop = make.workshop(make.facilitator("other@example.org"))  # not hers: 404
    response = laptop.page.goto(f"{laptop.base_url}/workshops/{workshop.id}")
    assert response.status == 404
    laptop.audit()

    mine = make.workshop(make.facilitator("frida2@example.org"))
    laptop = open_tab("laptop")
    log_in(laptop, "frida2@example.org")
    laptop.goto(f"/workshops/{mine.id}")
    laptop.page.fill("#opens_at", "2020-01-01T09:00")
    laptop.page.fill("#closes_at", "2099-01-01T09:00")
    laptop.act("#research_window button:has-text('Save')")  # htmx: the section replaced
    expect(laptop.page.locator("#research_window .error")).to_contain_text("at most 60 days")
    assert laptop.page.input_value("#closes_at") == "2099-01-01T09:00"  # kept
    laptop.page.fill("#opens_at", "2098-12-01T09:00")
    laptop.act("#research_window button:has-text('Save')")
    expect(laptop.page.locator("#research_window [role=status]")).to_contain_text("Opens on")
    laptop.screenshot("presession-overview")

    # The window opens now: set it from an hour ago (as the facilitator's clock would).
    from datetime import timedelta

    from cjm_workshop.extensions import db
    from cjm_workshop.models import Workshop
    from cjm_workshop.models.base import utcnow

    with make.app.app_context():
        room = db.session.get(Workshop, mine.id)
        room.research_opens_at = utcnow() - timedelta(hours=1)
        db.session.commit()

    phone = open_tab("phone")
    join(phone, mine, "Anna")
    expect(phone.page.locator(".early-research")).to_contain_text("has not started yet")
    phone.page.fill(
        "textarea[name='insight-text']", "Patients call because the site shows no slots"
    )
    phone.page.select_option("select[name='insight-source']", "interview")
    phone.page.click(".early-research button:has-text('Add note')")
    expect(phone.page.locator("[data-note-status]")).to_have_text("Saved")
    expect(
        phone.page.locator(".early-research .note-text", has_text="site shows no slots")
    ).to_have_count(1)
    assert phone.page.evaluate("window.__sameDocument === true")  # no reload
    phone.audit()
    phone.screenshot("presession-phone")

    laptop.goto(f"/workshops/{mine.id}/console")
    expect(laptop.page.locator("[data-early-insights]")).to_contain_text(
        "1 insight added before the session"
    )
