"""Joining from a phone: by QR link or typed code, name, cookie identity, brief, throttle."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import Participant, Step, Workshop, WorkshopStatus
from cjm_workshop.services import steps


@pytest.fixture
def workshop(make):
    return make.workshop(personas=2)


def participants(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Participant.display_name).order_by(Participant.id)))


def join_key(page: str) -> str:
    return re.search(r'name="join_key" type="hidden" value="([^"]+)"', page).group(1)


def join(client, workshop, name: str = "Anna", **extra):
    page = client.get(f"/j/{workshop.join_code}").text
    return client.post(
        f"/j/{workshop.join_code}", data={"display_name": name, "join_key": join_key(page)} | extra
    )


def test_the_join_link_asks_for_a_name_then_shows_the_brief(client, app, workshop):
    page = client.get(f"/j/{workshop.join_code}?k={workshop.join_token}")
    assert page.status_code == 200
    assert "Booking a dentist appointment" in page.text
    assert "Your name" in page.text
    response = client.post(
        f"/j/{workshop.join_code}",
        data={"display_name": "  Anna ", "join_key": join_key(page.text), "k": workshop.join_token},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/w/{workshop.join_code}"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("cjm_p_"))
    assert cookie.startswith(f"cjm_p_{workshop.join_code}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Max-Age=" in cookie  # survives closing the browser
    brief = client.get(f"/w/{workshop.join_code}")
    assert brief.status_code == 200
    for text in (
        "Hello Anna",
        "30% fewer phone calls",
        "Fatima",
        "Persona 2",
        "Awareness",
        "Advocacy",
    ):
        assert text in brief.text
    assert participants(app) == ["Anna"]


def test_reloading_and_reopening_keep_the_same_identity(client, app, workshop):
    join(client, workshop)
    assert client.get(f"/j/{workshop.join_code}").headers["Location"] == f"/w/{workshop.join_code}"
    assert client.get(f"/w/{workshop.join_code}").status_code == 200
    assert participants(app) == ["Anna"]


def test_a_retried_join_does_not_create_a_second_participant(client, app, workshop):
    page = client.get(f"/j/{workshop.join_code}").text
    data = {"display_name": "Anna", "join_key": join_key(page)}
    first = client.post(f"/j/{workshop.join_code}", data=data)
    client.delete_cookie(f"cjm_p_{workshop.join_code}")  # the answer never arrived
    second = client.post(f"/j/{workshop.join_code}", data=data)
    assert second.status_code == 303
    assert participants(app) == ["Anna"]
    token = lambda r: next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("cjm_p_"))  # noqa: E731
    assert token(first).split(";")[0] == token(second).split(";")[0]


def test_taken_names_are_disambiguated(app, make, workshop):
    for name in ("Anna", "anna", "Anna"):
        join(make.app.test_client(), workshop, name)
    assert participants(app) == ["Anna", "anna 2", "Anna 3"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 10_000, "Use between 1 and 40 characters."),
    ],
)
def test_bad_names_are_refused_and_nothing_is_written(client, app, workshop, name, message):
    response = join(client, workshop, name)
    assert response.status_code == 422
    assert message in response.text
    assert participants(app) == []


def test_names_with_html_are_escaped_on_the_brief(client, workshop):
    join(client, workshop, "<b>Anna</b>")
    page = client.get(f"/w/{workshop.join_code}").text
    assert "<b>Anna</b>" not in page
    assert "&lt;b&gt;Anna&lt;/b&gt;" in page


def test_typed_codes_are_forgiving(client, workshop):
    typed = f" {workshop.join_code[:4].lower()} - {workshop.join_code[4:].lower()} "
    response = client.post("/join", data={"code": typed})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/j/{workshop.join_code}"
    lower = client.get(f"/j/{workshop.join_code.lower()}")
    assert lower.status_code == 301
    assert lower.headers["Location"] == f"/j/{workshop.join_code}"


def test_a_wrong_code_gets_a_message_on_the_join_form(client, workshop):
    for response in (client.post("/join", data={"code": "AAAA-AAAA"}), client.get("/j/AAAAAAAA")):
        assert response.status_code == 404
        assert "There is no workshop with this code." in response.text
        assert 'name="code"' in response.text


def test_a_closed_workshop_says_so_on_the_join_form(client, app, workshop):
    with app.app_context():
        db.session.get(Workshop, workshop.id).status = WorkshopStatus.CLOSED
        db.session.commit()
    for response in (
        client.post("/join", data={"code": workshop.join_code}),
        client.get(f"/j/{workshop.join_code}"),
        client.post(f"/j/{workshop.join_code}", data={"display_name": "Anna", "join_key": "x"}),
    ):
        assert response.status_code == 403
        assert "This workshop has been closed." in response.text
    assert participants(app) == []


def test_a_participant_of_workshop_a_is_nobody_in_workshop_b(client, app, make, workshop):
    other = make.workshop()
    join(client, workshop)
    token = client.get_cookie(f"cjm_p_{workshop.join_code}").value
    client.set_cookie(f"cjm_p_{other.join_code}", token)
    response = client.get(f"/w/{other.join_code}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/j/{other.join_code}"
    assert "Your name" in client.get(f"/j/{other.join_code}").text


def test_a_phone_that_mistypes_is_held_back_but_not_the_rest_of_the_room(app, client, workshop):
    statuses = [client.post("/join", data={"code": f"WRONG{n:03d}"}).status_code for n in range(11)]
    assert statuses == [404] * 10 + [429]
    blocked = client.get(f"/j/{workshop.join_code}")
    assert blocked.status_code == 429  # the same answer for a real code: nothing to learn
    assert "Too many wrong codes." in blocked.text
    assert 1 <= int(blocked.headers["Retry-After"]) <= 61
    # The QR link carries the workshop's token and is never refused.
    scanned = client.get(f"/j/{workshop.join_code}?k={workshop.join_token}")
    assert scanned.status_code == 200
    assert "Your name" in scanned.text
    # Another phone behind the same Wi-Fi address types the code and gets in.
    neighbour = app.test_client()
    assert join(neighbour, workshop, "Ben").status_code == 303
    assert neighbour.get(f"/w/{workshop.join_code}").status_code == 200


def test_a_room_behind_one_address_joins_reads_and_posts_while_someone_guesses(app, workshop):
    guesses = [
        app.test_client().post("/join", data={"code": f"GUESS{n:03d}"}).status_code
        for n in range(20)
    ]
    assert guesses == [404] * 20  # a fresh client each time: only the address counts them
    room = [app.test_client() for _ in range(60)]
    for number, phone in enumerate(room):
        typed = phone.post("/join", data={"code": workshop.join_code})
        assert typed.status_code == 303
        assert join(phone, workshop, f"Person {number}").status_code == 303
        assert phone.get(f"/w/{workshop.join_code}").status_code == 200
    assert len(participants(app)) == 60
    # Guessing on until the whole address is held back: typed codes wait, the room does not.
    for n in range(100):
        app.test_client().post("/join", data={"code": f"MORE{n:04d}"})
    latecomer = app.test_client().post("/join", data={"code": workshop.join_code})
    assert latecomer.status_code == 429
    assert "Retry-After" in latecomer.headers
    with app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step.RESEARCH)
        db.session.commit()
    for number, phone in enumerate(room[:5]):
        assert phone.get(f"/w/{workshop.join_code}").status_code == 200
        posted = phone.post(
            f"/w/{workshop.join_code}/notes/insight",
            data={
                "insight-text": "Patients phone because the site shows no free slots",
                "insight-source": "interview",
                "insight-idempotency_key": f"key-{number}",
            },
            headers={"HX-Request": "true"},
        )
        assert posted.status_code == 201, posted.text


def test_the_event_stream_tells_nothing_about_codes(app, workshop):
    stranger = app.test_client()
    unknown = stranger.get("/w/ZZZZZZZZ/events")
    real = stranger.get(f"/w/{workshop.join_code}/events")
    assert unknown.status_code == real.status_code == 403
    assert unknown.text.replace("ZZZZZZZZ", workshop.join_code) == real.text


def test_successful_joins_do_not_count_against_the_throttle(app, workshop):
    for number in range(15):
        join(app.test_client(), workshop, f"Person {number}")
    assert len(participants(app)) == 15
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 15


def test_a_wrong_token_is_not_an_exemption(client, workshop):
    for n in range(10):
        client.get(f"/j/WRONG{n:03d}")
    assert client.get(f"/j/{workshop.join_code}?k=guess").status_code == 429
