"""Small comforts a facilitator expects: a timer of any length, a hint while writing is
private, a counter near the length limit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cjm_workshop.extensions import db

HX = {"HX-Request": "true"}


@pytest.fixture
def room(make, me):
    return make.workshop(me)


@pytest.fixture
def phone(make, room):
    return make.phone(room, make.participant(room, "Anna"))


def seconds_left(page: str) -> int:
    return int(re.search(r'data-seconds="(\d+)"', page).group(1))


def test_the_facilitator_sets_the_timer_to_any_duration(client, room, phone):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    console = client.get(f"/workshops/{room.id}/console").text
    assert 'name="minutes" min="1" max="180"' in console
    answer = client.post(f"/workshops/{room.id}/timer", data={"action": "set", "minutes": "7"})
    assert answer.status_code == 303
    assert 415 <= seconds_left(phone.get(f"/w/{room.join_code}").text) <= 420
    assert 415 <= seconds_left(client.get(f"/workshops/{room.id}/board").text) <= 420


@pytest.mark.parametrize("minutes", ["0", "181", "-3", "ten", ""])
def test_a_duration_out_of_range_is_refused_with_a_message(client, room, phone, minutes):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    data = {"action": "set", "minutes": minutes}
    answer = client.post(f"/workshops/{room.id}/timer", data=data, headers=HX)
    assert answer.status_code == 422
    assert answer.headers["HX-Retarget"] == "#flash"  # said beside the form, nothing replaced
    assert "from 1 to 180" in answer.text
    assert "data-timer" not in phone.get(f"/w/{room.join_code}").text
    client.set_cookie("cjm_lang", "nl")
    plain = client.post(f"/workshops/{room.id}/timer", data=data)
    assert plain.status_code == 422
    assert "van 1 tot 180" in plain.text


def test_phones_hear_that_their_notes_are_private_until_the_reveal(client, room, phone):
    hint = "Your notes are private until the facilitator reveals them."
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    assert hint not in phone.get(f"/w/{room.join_code}").text
    client.post(f"/workshops/{room.id}/privacy", data={"step": "research", "private": "1"})
    assert hint in phone.get(f"/w/{room.join_code}").text
    client.post(f"/workshops/{room.id}/reveal", data={"step": "research"})
    assert hint not in phone.get(f"/w/{room.join_code}").text


def test_note_forms_carry_their_character_counter(client, room, phone):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    page = phone.get(f"/w/{room.join_code}").text
    assert 'data-count-for="insight-text"' in page
    assert 'maxlength="280"' in page
    phone.set_cookie("cjm_lang", "nl")
    assert "nog {n} tekens" in phone.get(f"/w/{room.join_code}").text


# --- removing a participant from the room


def test_a_removed_participant_reads_along_and_adds_nothing(app, client, make, room, phone):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    anna = phone
    make.note(room, make.participant(room, "Bram"), "Bram stays")
    with app.app_context():
        from cjm_workshop.models import Participant

        anna_id = db.session.scalar(
            select(Participant.id).where(Participant.display_name == "Anna")
        )
    first = anna.post(
        f"/w/{room.join_code}/notes/insight",
        data={
            "insight-text": "Before",
            "insight-source": "survey",
            "insight-idempotency_key": "k1",
        },
    )
    assert first.status_code == 303
    url = f"/workshops/{room.id}/participants/{anna_id}/remove"
    page = client.get(url)
    assert page.status_code == 200
    assert "They wrote 1 note." in page.text
    assert client.post(url, data={"notes": "keep"}).status_code == 303

    phone_page = anna.get(f"/w/{room.join_code}").text
    assert "removed you from this workshop" in phone_page
    assert "insight-text" not in phone_page
    assert ">Delete<" not in phone_page  # her notes are no longer hers to change
    refused = anna.post(
        f"/w/{room.join_code}/notes/insight",
        data={"insight-text": "After", "insight-source": "survey", "insight-idempotency_key": "k2"},
        headers=HX,
    )
    assert refused.status_code == 403
    assert "removed you from this workshop" in refused.text
    assert "After" in refused.text  # what she typed is still on her screen
    console = client.get(f"/workshops/{room.id}/console").text
    assert "Anna (removed)" in console  # her note stays, marked
    assert '<dd data-count="joined">1</dd>' in console
    assert "Before" in client.get(f"/workshops/{room.id}/board").text
    with app.app_context():
        from cjm_workshop.models import Note

        assert sorted(db.session.scalars(select(Note.text))) == ["Before", "Bram stays"]


def test_removing_with_the_notes_takes_them_off_the_map(app, client, make, room, phone):
    client.post(f"/workshops/{room.id}/step", data={"step": "research"})
    bram = make.participant(room, "Bram")
    make.note(room, bram, "Off topic")
    url = f"/workshops/{room.id}/participants/{bram.id}/remove"
    assert client.post(url, data={"notes": "hide"}).status_code == 303
    assert "Off topic" not in client.get(f"/workshops/{room.id}/board").text
    assert "Off topic" not in phone.get(f"/w/{room.join_code}").text
    assert "Off topic" in client.get(f"/workshops/{room.id}/console").text  # hidden, not gone
    assert client.post(url, data={"notes": "sideways"}).status_code == 422


def test_the_console_sets_up_the_board(client, make, auth):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    make.note(workshop, text="Calls because the site shows no slots")  # research step
    auth.login("frida@example.org")
    board_page = f"/workshops/{workshop.id}/board"
    assert "board-prompt" in client.get(board_page).text
    client.post(f"/workshops/{workshop.id}/board/settings", data={"prompt": "0"})
    assert "board-prompt" not in client.get(board_page).text
    assert "data-sound" not in client.get(board_page).text
    client.post(f"/workshops/{workshop.id}/board/settings", data={"sound": "1"})
    page = client.get(board_page).text
    assert "data-sound" in page and "board-prompt" not in page  # one setting at a time

    stage = workshop.stage_ids[1]
    answer = client.post(
        f"/workshops/{workshop.id}/spotlight", data={"spotlight": f"stage:{stage}"}
    )
    assert answer.status_code in (200, 303)
    assert "board-spotlit" in client.get(board_page).text
    assert (
        client.post(
            f"/workshops/{workshop.id}/spotlight", data={"spotlight": "everything"}
        ).status_code
        == 400
    )
    client.post(f"/workshops/{workshop.id}/spotlight", data={"spotlight": ""})
    assert "board-spotlit" not in client.get(board_page).text


def test_the_ranking_can_be_spotlit_once_revealed(client, make, auth):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    anna = make.participant(workshop)
    first = make.note(workshop, anna, "Long wait on hold", kind="pain_point")
    second = make.note(workshop, anna, "No free slots shown", kind="pain_point")
    auth.login("frida@example.org")
    board_page = f"/workshops/{workshop.id}/board"
    client.post(f"/workshops/{workshop.id}/spotlight", data={"spotlight": "ranking"})
    assert "board-spotlit" not in client.get(board_page).text  # nothing ranked yet: the step
    make.dots(workshop, {anna.id: [second, second, first]})
    page = client.get(board_page).text
    assert "board-spotlit" in page and "board-ranking" in page
    assert page.index("No free slots shown") < page.index("Long wait on hold")
