"""Control characters (NUL above all) in what people send, files with a byte-order mark,
and cookies and headers behind HTTPS. Run on both databases: PostgreSQL stores no NUL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cjm_workshop import create_app
from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Participant, Stage, Workshop
from cjm_workshop.services import transfer
from tests.factories import PASSWORD
from tests.web.test_joining import join_key
from tests.web.test_transfer import upload
from tests.web.test_workshops import NEW

DIRTY = "Pa\x00tients\x08 phone\x1b\ttwice\x7f\u202e\ufeff"
CLEAN = "Patients phone\ttwice"


def test_a_participant_name_and_a_note_lose_their_control_characters(app, make):
    workshop = make.workshop()
    make.step(workshop, "research")
    phone = app.test_client()
    page = phone.get(f"/j/{workshop.join_code}").text
    joined = phone.post(
        f"/j/{workshop.join_code}",
        data={"display_name": "An\x00na\x01", "join_key": join_key(page)},
    )
    assert joined.status_code == 303
    note = phone.post(
        f"/w/{workshop.join_code}/notes/insight",
        data={
            "insight-text": DIRTY,
            "insight-source": "interview",
            "insight-idempotency_key": "key\x00-1",
        },
        headers={"HX-Request": "true"},
    )
    assert note.status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Participant.display_name)) == "Anna"
        stored = db.session.scalar(select(Note).where(Note.workshop_id == workshop.id))
        assert (stored.text, stored.idempotency_key) == (CLEAN, "key-1")


def test_a_workshop_and_its_stages_lose_their_control_characters(app, client, me):
    created = client.post("/workshops/new", data=NEW | {"title": "Dentist\x00 visit\x0c"})
    assert created.status_code in (302, 303)
    with app.app_context():
        workshop = db.session.scalar(select(Workshop))
        assert workshop.title == "Dentist visit"
        workshop_id = workshop.id
    added = client.post(f"/workshops/{workshop_id}/stages", data={"name": "Loy\x00alty"})
    assert added.status_code in (200, 302, 303)
    with app.app_context():
        assert "Loyalty" in db.session.scalars(select(Stage.name)).all()


def test_a_workshop_file_with_a_nul_in_a_text_is_refused_with_where(app, client, me, make):
    room = make.workshop(me)
    with app.app_context():
        document = transfer.export_workshop(db.session, db.session.get(Workshop, room.id))
    document["workshop"]["title"] = "Dentist\u0000"
    answer = upload(client, json.dumps(document).encode())
    assert answer.status_code == 400
    assert "holds control characters (such as NUL), at workshop.title" in answer.text


def test_a_workshop_file_saved_with_a_byte_order_mark_is_accepted(app, client, me, make):
    room = make.workshop(me)
    with app.app_context():
        document = transfer.export_json(db.session, db.session.get(Workshop, room.id))
    body = document.encode() if isinstance(document, str) else document
    answer = upload(client, b"\xef\xbb\xbf" + body)
    assert answer.status_code == 303


def test_behind_https_every_cookie_is_secure_and_hsts_is_sent(app, make):
    workshop = make.workshop()
    browser = app.test_client()
    over_https = {"base_url": "https://cjm.example.org"}
    language = browser.get("/lang/nl", **over_https)
    assert "Secure" in language.headers["Set-Cookie"]
    assert language.headers["Strict-Transport-Security"] == "max-age=31536000"
    page = browser.get(f"/j/{workshop.join_code}", **over_https).text
    joined = browser.post(
        f"/j/{workshop.join_code}",
        data={"display_name": "Anna", "join_key": join_key(page)},
        **over_https,
    )
    cookies = joined.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)
    plain = app.test_client().get("/lang/nl")
    assert "Secure" not in plain.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in plain.headers


def wrong_codes(app, forwarded_for: str, times: int = 1) -> list[int]:
    """Typed join codes that do not exist, each by a new phone (only its address counts)."""
    return [
        app.test_client().get("/j/ABCDEFGH", headers={"X-Forwarded-For": forwarded_for}).status_code
        for _ in range(times)
    ]


@pytest.fixture
def behind_one_proxy(app):
    proxied = create_app({**app.config, "PROXY_COUNT": 1})
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def test_behind_a_trusted_proxy_limits_count_the_address_it_saw(behind_one_proxy):
    assert set(wrong_codes(behind_one_proxy, "10.0.0.1", 100)) == {404}
    assert wrong_codes(behind_one_proxy, "10.0.0.1") == [429]
    # A phone's own X-Forwarded-For comes first; the proxy's entry, last, is the one trusted.
    assert wrong_codes(behind_one_proxy, "203.0.113.7, 10.0.0.1") == [429]
    assert wrong_codes(behind_one_proxy, "10.0.0.2") == [404]


def test_without_a_trusted_proxy_x_forwarded_headers_are_ignored(app):
    assert set(wrong_codes(app, "10.0.0.1", 100)) == {404}
    assert wrong_codes(app, "10.0.0.2") == [429]  # the same client, whatever it claims
    plain = app.test_client().get("/lang/nl", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_behind_a_proxy_that_says_https_every_cookie_is_secure(behind_one_proxy, make):
    """Also Flask's session and Flask-Login's remember-me cookie, which follow only their
    settings (here: not Secure, as without BASE_URL)."""
    workshop = make.workshop(make.facilitator("frida@example.org"))
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.3"}
    phone = behind_one_proxy.test_client()
    page = phone.get(f"/j/{workshop.join_code}", headers=https)
    joined = phone.post(
        f"/j/{workshop.join_code}",
        data={"display_name": "Anna", "join_key": join_key(page.text)},
        headers=https,
    )
    logged_in = behind_one_proxy.test_client().post(
        "/login",
        data={"email": "frida@example.org", "password": PASSWORD, "remember": "y"},
        headers=https,
    )
    assert logged_in.status_code == 302
    cookies = joined.headers.getlist("Set-Cookie") + logged_in.headers.getlist("Set-Cookie")
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert names >= {"session", "remember_token", f"cjm_p_{workshop.join_code}"}
    assert all(cookie.endswith("; Secure") or "; Secure;" in cookie for cookie in cookies)
    assert joined.headers["Strict-Transport-Security"] == "max-age=31536000"
