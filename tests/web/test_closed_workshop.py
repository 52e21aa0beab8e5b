"""A closed workshop looks closed everywhere and refuses with the real reason, keeping what
was typed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Workshop, WorkshopStatus

HX = {"HX-Request": "true"}


@pytest.fixture
def room(make, me):
    return make.workshop(me)


@pytest.fixture
def phone(make, room):
    return make.phone(room, make.participant(room, "Anna"))


def close(client, room, back=None):
    data = {"target": "closed"} | ({"back": back} if back else {})
    return client.post(f"/workshops/{room.id}/status", data=data)


def note_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Note))


def test_the_console_offers_only_what_a_closed_workshop_can_do(client, make, room, phone):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    make.note(room, text="From the wall")
    answer = close(client, room, back="console")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/workshops/{room.id}/console")
    console = client.get(f"/workshops/{room.id}/console").text
    assert "This workshop is closed" in console
    assert 'data-count="notes">1<' in console
    for refused in ("Start timer", "Add a note for the room", "Research →", "Close for new notes"):
        assert refused not in console
    for offered in ("Reopen workshop", f"/workshops/{room.id}/results", "/poster"):
        assert offered in console
    reopened = client.post(
        f"/workshops/{room.id}/status",
        data={"target": "live", "back": "console"},
        headers=HX,
        follow_redirects=True,
    )
    assert reopened.status_code == 200
    assert "Start timer" in reopened.text
    assert "This workshop is closed" not in reopened.text


def test_a_workshop_being_prepared_is_started_from_the_console_not_closed(client, app, room):
    console = client.get(f"/workshops/{room.id}/console").text
    assert "Start workshop" in console
    assert "Close workshop" not in console
    started = client.post(
        f"/workshops/{room.id}/status",
        data={"target": "live", "back": "console"},
        follow_redirects=True,
    )
    assert "Close workshop" in started.text
    assert "Start workshop" not in started.text
    with app.app_context():
        assert db.session.get(Workshop, room.id).status is WorkshopStatus.LIVE


def test_the_board_says_thank_you_and_invites_nobody(client, make, room, phone):
    make.note(room, text="On the map")
    close(client, room)
    board = client.get(f"/workshops/{room.id}/board").text
    assert "Thank you!" in board
    assert "This workshop is closed" in board
    assert room.join_code not in board.replace(f"/workshops/{room.id}", "")
    assert "Scan the QR code" not in board
    assert "<svg" not in board.split('class="board-closed"')[1].split("</div>")[0]


def test_phones_say_it_is_closed_and_offer_no_form(client, make, room, phone):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    close(client, room)
    page = phone.get(f"/w/{room.join_code}").text
    assert "This workshop is closed." in page
    assert "insight-text" not in page
    assert "This step is closed for new notes." not in page


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "live.js"])
def test_a_note_posted_after_the_close_is_refused_and_its_text_kept(app, client, room, phone, htmx):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    close(client, room)
    answer = phone.post(
        f"/w/{room.join_code}/notes/insight",
        data={
            "insight-text": "Typed on the bus, sent after the end",
            "insight-source": "survey",
            "insight-idempotency_key": "late-1",
        },
        headers=HX if htmx else {},
    )
    assert answer.status_code == 403
    assert "This workshop has been closed: it takes no new notes." in answer.text  # the reason
    assert "facilitator has moved on" not in answer.text
    assert "Typed on the bus, sent after the end" in answer.text
    assert note_count(app) == 0


def test_dutch_phones_hear_the_reason_in_dutch(app, client, room, phone):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    close(client, room)
    phone.set_cookie("cjm_lang", "nl")
    answer = phone.post(
        f"/w/{room.join_code}/notes/insight",
        data={"insight-text": "Te laat", "insight-source": "survey"},
    )
    assert answer.status_code == 403
    assert "Deze workshop is gesloten" in answer.text
    assert "Te laat" in answer.text


def test_a_note_the_console_sends_after_the_close_is_refused(app, client, room):
    """A second tab still showed the console's form: refused, and the console it gets back
    says why (a closed workshop's console offers no note form to keep the text in)."""
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    close(client, room)
    answer = client.post(
        f"/workshops/{room.id}/notes/insight",
        data={
            "insight-text": "Typed up from the wall, sent too late",
            "insight-source": "survey",
            "insight-idempotency_key": "late-console-1",
        },
        headers=HX,
    )
    assert answer.status_code == 403
    assert "This workshop is closed" in answer.text
    assert note_count(app) == 0
