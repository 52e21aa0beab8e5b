"""Sharing a workshop through the web, and what an organizer sees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cjm_workshop.extensions import db
from cjm_workshop.models import Role, WorkshopMember


@pytest.fixture
def workshop(make, me):
    make.facilitator("cor@example.org", name="Cor")
    return make.workshop(me)


def memberships(app, workshop) -> list[tuple[int, Role]]:
    with app.app_context():
        return [
            (m.facilitator_id, m.role)
            for m in db.session.scalars(
                select(WorkshopMember).where(WorkshopMember.workshop_id == workshop.id)
            )
        ]


def test_share_with_an_organizer_who_then_sees_the_results(app, client, auth, workshop):
    answer = client.post(
        f"/workshops/{workshop.id}/members", data={"email": "cor@example.org", "role": "organizer"}
    )
    assert answer.status_code == 303
    page = client.get(f"/workshops/{workshop.id}").text
    assert "Cor" in page and "cor@example.org" in page and "Organizer" in page
    assert [role for _, role in memberships(app, workshop)] == [Role.ORGANIZER]

    auth.logout()
    auth.login("cor@example.org")
    dashboard = client.get("/workshops/").text
    assert "Shared with me" in dashboard and "Booking a dentist appointment" in dashboard
    assert f"/workshops/{workshop.id}/results" in dashboard
    assert f"/workshops/{workshop.id}/console" not in dashboard  # organizers do not run it
    results = client.get(f"/workshops/{workshop.id}/results")
    assert results.status_code == 200
    assert "The journey map" in results.text
    assert client.get(f"/workshops/{workshop.id}/console").status_code == 403


@pytest.mark.parametrize(
    ("email", "language", "message"),
    [
        ("nobody@example.org", "en", "There is no account with this e-mail address."),
        ("nobody@example.org", "nl", "Er is geen account met dit e-mailadres."),
        ("me@example.org", "en", "This is your own workshop."),
        ("", "en", "This field is required."),
    ],
)
def test_sharing_refusals_say_why(app, client, workshop, me, monkeypatch, email, language, message):
    # (With sign-up closed: elsewhere an address without an account is invited.)
    monkeypatch.setitem(app.config, "SIGNUP", "closed")
    answer = client.post(
        f"/workshops/{workshop.id}/members",
        data={"email": email, "role": "co_facilitator"},
        headers={"Accept-Language": language},
    )
    assert answer.status_code == 422
    assert message in answer.text
    assert memberships(app, workshop) == []


def test_stop_sharing(app, client, make, workshop):
    client.post(
        f"/workshops/{workshop.id}/members",
        data={"email": "cor@example.org", "role": "co_facilitator"},
    )
    [(account, role)] = memberships(app, workshop)
    assert role is Role.CO_FACILITATOR
    with app.app_context():
        member_id = db.session.scalar(select(WorkshopMember.id))
    answer = client.post(f"/workshops/{workshop.id}/members/{member_id}/delete")
    assert answer.status_code == 303
    assert memberships(app, workshop) == []
