"""The board for a participant outside the room: the projector's board, read-only, in the
workshop's language, for the participant's own cookie only (never a facilitator's log-in),
showing nothing the room's board does not."""

from __future__ import annotations

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Participant, Step, Workshop
from cjm_workshop.services import joining, notes
from tests.web.test_live import OpenStream, end_streams


def _room(make, language="nl"):
    room = make.workshop(language=language)
    anna = make.participant(room, "Anna")
    return room, anna


def test_the_phone_page_links_to_the_board(make):
    room, anna = _room(make)
    page = make.phone(room, anna).get(f"/w/{room.join_code}")
    assert f'href="/w/{room.join_code}/board"' in page.text


def test_a_participant_sees_the_rooms_board_in_the_workshops_language(make):
    room, anna = _room(make, language="nl")
    make.note(room, anna, "Belt drie keer voor een afspraak")
    phone = make.phone(room, anna)
    page = phone.get(f"/w/{room.join_code}/board", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Belt drie keer voor een afspraak" in page.text
    assert 'lang="nl"' in page.text  # the room's language, as the projector speaks it
    assert f'data-events="/w/{room.join_code}/board/events"' in page.text
    assert f'data-live-src="/w/{room.join_code}/board"' in page.text
    assert f'href="/w/{room.join_code}"' in page.text  # their own page, one tap away
    # ... in the phone's language, not the room's (a rehearsal read Dutch there in English).
    assert '<nav class="board-remote-bar" lang="en" aria-label="Your part">' in page.text
    assert "Your notes and votes" in page.text and "Jouw notities en stemmen" not in page.text
    assert "/workshops/" not in page.text  # nothing of the facilitator's screens


def test_the_remote_board_shows_only_what_the_room_sees(app, make):
    room, anna = _room(make)
    shown = make.note(room, anna, "Shown to the room")
    hidden = make.note(room, anna, "Hidden by the facilitator")
    with app.app_context():
        notes.set_hidden(db.session, db.session.get(Note, hidden), True)
        db.session.commit()
    page = make.phone(room, anna).get(f"/w/{room.join_code}/board")
    assert "Shown to the room" in page.text and f'id="note-{shown}"' in page.text
    assert "Hidden by the facilitator" not in page.text


def test_private_writing_shows_the_count_not_the_notes(app, make):
    room, anna = _room(make)
    make.step(room, "research")
    with app.app_context():
        notes.set_private(db.session, db.session.get(Workshop, room.id), Step.RESEARCH, True)
        db.session.commit()
    make.note(room, anna, "Nobody reads this yet")
    page = make.phone(room, anna).get(f"/w/{room.join_code}/board")
    assert "Nobody reads this yet" not in page.text
    assert "board-written-count" in page.text


def test_htmx_gets_the_live_part_alone(make):
    room, anna = _room(make)
    part = make.phone(room, anna).get(f"/w/{room.join_code}/board", headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<div class="live-part board-screen')
    assert "<html" not in part.text


def test_the_board_map_reloads_for_the_participant(make):
    room, anna = _room(make)
    make.note(room, anna, "Op de kaart", kind="touchpoint")
    make.step(room, "visualize")
    page = make.phone(room, anna).get(f"/w/{room.join_code}/board")
    assert f"/w/{room.join_code}/board/map" in page.text
    region = make.phone(room, anna).get(f"/w/{room.join_code}/board/map")
    assert region.status_code == 200
    assert "Op de kaart" in region.text


def test_the_projector_and_a_remote_board_each_reload_the_map_from_their_own_address(
    client, me, make
):
    """Both show the room's map, built once per change: a review found the projector
    given the remote board's address (and the other way round), where it is refused, so
    whichever screen came second stopped following the map."""
    room = make.workshop(me, language="nl")
    anna = make.participant(room, "Anna")
    make.note(room, anna, "Op de kaart", kind="touchpoint")
    make.step(room, "visualize")
    remote = make.phone(room, anna).get(f"/w/{room.join_code}/board").text
    projector = client.get(f"/workshops/{room.id}/board").text
    assert f'data-map-src="/w/{room.join_code}/board/map' in remote
    assert f'data-map-src="/workshops/{room.id}/board/map' in projector
    assert f"/w/{room.join_code}/board/map" not in projector


def test_strangers_are_sent_to_join_and_the_stream_refuses_them(client, make):
    room, _anna = _room(make)
    for path in ("board", "board/map"):
        answer = client.get(f"/w/{room.join_code}/{path}")
        assert answer.status_code == 303
        assert answer.headers["Location"] == f"/j/{room.join_code}"
    stream = client.get(f"/w/{room.join_code}/board/events")
    assert stream.status_code == 403


def test_a_facilitators_log_in_is_not_a_participant_cookie(client, me, make):
    room = make.workshop(me)
    answer = client.get(f"/w/{room.join_code}/board")
    assert answer.status_code == 303
    assert client.get(f"/w/{room.join_code}/board/events").status_code == 403


def test_a_participant_of_another_workshop_gets_nothing(client, make):
    room, _anna = _room(make)
    other = make.workshop()
    bob = make.participant(other, "Bob")
    client.set_cookie(f"cjm_p_{room.join_code}", bob.token)
    assert client.get(f"/w/{room.join_code}/board").status_code == 303
    assert client.get(f"/w/{room.join_code}/board/events").status_code == 403


def test_a_removed_participant_no_longer_sees_the_board(app, make):
    room, anna = _room(make)
    with app.app_context():
        workshop = db.session.get(Workshop, room.id)
        joining.remove_participant(
            db.session, workshop, db.session.get(Participant, anna.id), with_notes=False
        )
        db.session.commit()
    phone = make.phone(room, anna)
    for path in ("board", "board/map", "board/events"):
        assert phone.get(f"/w/{room.join_code}/{path}").status_code == 403
    assert f"/w/{room.join_code}/board" not in phone.get(f"/w/{room.join_code}").text


def test_the_stream_brings_a_note_as_the_board_shows_it(app, make):
    room, anna = _room(make, language="nl")
    make.step(room, "research")
    ben = make.participant(room, "Ben")
    stream = OpenStream(make.phone(room, anna), f"/w/{room.join_code}/board/events")
    make.note(room, ben, "Bens inzicht van thuis")
    while "event: note" not in (chunk := stream.next() or "event: note (the end)"):
        pass
    assert "Bens inzicht van thuis" in chunk
    end_streams(app, room.id)


def test_a_removed_participants_open_board_stream_ends(app, make):
    room, anna = _room(make)
    stream = OpenStream(make.phone(room, anna), f"/w/{room.join_code}/board/events")
    with app.app_context():
        workshop = db.session.get(Workshop, room.id)
        joining.remove_participant(
            db.session, workshop, db.session.get(Participant, anna.id), with_notes=False
        )
        db.session.commit()
    make.participant(room, "Ben")  # the next event: the board asks whether it may go on
    assert "event: refresh" in "".join(stream.rest())  # its part reloads, and it is over
