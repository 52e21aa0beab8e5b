"""Running the room through the web: steps, contributions, notes from phones and by proxy."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import Note, Step, Workshop

HX = {"HX-Request": "true"}


@pytest.fixture
def room(make, me):
    return make.workshop(me, personas=2)


@pytest.fixture
def phone(app, make, room):
    """A participant's phone (its own client) in `room`."""
    participant = make.participant(room, "Anna")
    client = app.test_client()
    client.set_cookie(f"cjm_p_{room.join_code}", participant.token)
    client.participant = participant
    return client


def current_step(app, workshop_id) -> Step:
    with app.app_context():
        return db.session.get(Workshop, workshop_id).current_step


def stored_notes(app) -> list[tuple[str, int | None]]:
    with app.app_context():
        return [(n.text, n.author_id) for n in db.session.scalars(select(Note).order_by(Note.id))]


def go(client, room, step: str):
    return client.post(f"/workshops/{room.id}/step", data={"step": step})


def insight(text="Patients phone because the site shows no free slots", **extra):
    return {
        "insight-text": text,
        "insight-source": "interview",
        "insight-idempotency_key": "k-1",
    } | extra


def test_the_console_shows_the_step_prompt_and_counts(client, room, phone):
    page = client.get(f"/workshops/{room.id}/console")
    assert page.status_code == 200
    assert "Agree on the journey" in page.text
    assert "about 10 minutes" in page.text
    assert '<dd data-count="joined">1</dd>' in page.text


def test_stepping_forward_and_back_moves_every_screen(client, app, room, phone):
    assert go(client, room, "research").status_code == 303
    assert current_step(app, room.id) is Step.RESEARCH
    phone_page = phone.get(f"/w/{room.join_code}").text
    assert "Step 2 of 6" in phone_page
    assert 'name="insight-text"' in phone_page
    board = client.get(f"/workshops/{room.id}/board", headers=HX).text
    assert "What do we already know" in board
    go(client, room, "scope")
    assert "Step 1 of 6" in phone.get(f"/w/{room.join_code}").text
    assert go(client, room, "nonsense").status_code == 400


def test_a_phone_adds_a_note_with_javascript_and_without(client, app, room, phone):
    go(client, room, "research")
    with_js = phone.post(f"/w/{room.join_code}/notes/insight", data=insight(), headers=HX)
    assert with_js.status_code == 201
    assert with_js.text.lstrip().startswith('<li id="note-')
    assert "Patients phone" in with_js.text
    without_js = phone.post(
        f"/w/{room.join_code}/notes/insight",
        data=insight("Second", **{"insight-idempotency_key": "k-2"}),
    )
    assert without_js.status_code == 303
    assert stored_notes(app) == [
        ("Patients phone because the site shows no free slots", phone.participant.id),
        ("Second", phone.participant.id),
    ]
    console = client.get(f"/workshops/{room.id}/console").text
    assert "Patients phone" in console
    assert '<dd data-count="contributed">1</dd>' in console
    go(client, room, "visualize")  # phones add nothing here: nobody to count as "not yet"
    console = client.get(f"/workshops/{room.id}/console").text
    assert 'data-count="contributed"' not in console and 'data-count="waiting"' not in console


def test_a_retried_submission_stores_one_note(app, client, room, phone):
    go(client, room, "research")
    for _ in range(3):
        assert (
            phone.post(f"/w/{room.join_code}/notes/insight", data=insight(), headers=HX).status_code
            == 201
        )
    assert len(stored_notes(app)) == 1


@pytest.mark.parametrize("htmx", [True, False])
def test_the_same_key_with_another_text_is_refused_and_the_new_text_kept(
    app, client, room, phone, htmx
):
    go(client, room, "research")
    assert (
        phone.post(f"/w/{room.join_code}/notes/insight", data=insight(), headers=HX).status_code
        == 201
    )
    changed = insight("Patients phone twice, then give up")
    refused = phone.post(
        f"/w/{room.join_code}/notes/insight", data=changed, headers=HX if htmx else {}
    )
    assert refused.status_code == 422
    assert "Your note was saved already" in refused.text
    assert "Patients phone twice, then give up</textarea>" in refused.text
    fresh_key = re.search(
        r'name="insight-idempotency_key" type="hidden" value="([^"]+)"', refused.text
    )
    assert fresh_key.group(1) != "k-1"
    again = insight(
        "Patients phone twice, then give up", **{"insight-idempotency_key": fresh_key.group(1)}
    )
    assert (
        phone.post(f"/w/{room.join_code}/notes/insight", data=again, headers=HX).status_code == 201
    )
    assert [text for text, _author in stored_notes(app)] == [
        "Patients phone because the site shows no free slots",
        "Patients phone twice, then give up",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"insight-text": "   "}, "This field is required."),
        ({"insight-text": "x" * 281}, "Use between 1 and 280 characters."),
        ({"insight-source": ""}, "Choose the source."),
        ({"insight-stage_id": "999999"}, "That stage is not part of this workshop."),
        ({"insight-stage_id": "abc"}, "That stage is not part of this workshop."),
        ({"insight-persona_id": "999999"}, "That persona is not part of this workshop."),
    ],
)
def test_bad_notes_are_refused_with_a_message(client, app, room, phone, change, message):
    go(client, room, "research")
    response = phone.post(f"/w/{room.join_code}/notes/insight", data=insight(**change), headers=HX)
    assert response.status_code == 422
    assert message in response.text
    assert stored_notes(app) == []


def test_a_choice_a_note_needs_reads_as_a_prompt_and_is_marked_required(client, room, phone):
    """A rehearsal's phone took the source's "—" for an answer and its note was refused."""

    def first_option_and_required(page: str, select_id: str) -> tuple[str, bool]:
        tag = re.search(rf"<select[^>]*id=\"{select_id}\"[^>]*>\s*<option[^>]*>([^<]*)<", page)
        assert tag is not None, select_id
        return tag.group(1), " required" in tag.group(0).split(">")[0]

    go(client, room, "research")
    page = phone.get(f"/w/{room.join_code}").text
    assert first_option_and_required(page, "insight-source") == ("Choose…", True)
    assert first_option_and_required(page, "insight-stage_id") == ("—", False)  # may wait
    go(client, room, "touchpoints")
    page = phone.get(f"/w/{room.join_code}").text
    assert first_option_and_required(page, "touchpoint-channel") == ("Choose…", True)
    assert first_option_and_required(page, "touchpoint-stage_id") == ("Choose…", True)
    assert first_option_and_required(page, "touchpoint-persona_id") == ("—", False)


def test_notes_to_a_closed_step_or_another_steps_kind_are_refused(client, app, room, phone):
    go(client, room, "research")
    client.post(f"/workshops/{room.id}/contributions", data={"step": "research", "open": "0"})
    refused = phone.post(f"/w/{room.join_code}/notes/insight", data=insight(), headers=HX)
    assert refused.status_code == 409
    wrong_kind = phone.post(
        f"/w/{room.join_code}/notes/touchpoint",
        data={
            "touchpoint-text": "Website",
            "touchpoint-channel": "website",
            "touchpoint-stage_id": str(room.stage_ids[0]),
            "touchpoint-idempotency_key": "x",
        },
    )
    assert wrong_kind.status_code == 409
    assert stored_notes(app) == []


def test_a_stage_of_another_workshop_is_refused(client, app, make, room, phone):
    other = make.workshop()
    go(client, room, "research")
    response = phone.post(
        f"/w/{room.join_code}/notes/insight",
        data=insight(**{"insight-stage_id": str(other.stage_ids[0])}),
    )
    assert response.status_code == 422
    assert stored_notes(app) == []


def test_participants_change_only_their_own_notes(app, make, client, room, phone):
    bob_note = make.note(room, make.participant(room, "Bob"), "Bob's note")
    anna_note = make.note(room, phone.participant, "Anna's note")
    assert phone.post(f"/w/{room.join_code}/notes/{bob_note}/delete").status_code == 403
    assert phone.get(f"/w/{room.join_code}/notes/{bob_note}/edit").status_code == 403
    assert (
        phone.post(
            f"/w/{room.join_code}/notes/{bob_note}/edit", data=insight("mine now")
        ).status_code
        == 403
    )
    edited = phone.post(
        f"/w/{room.join_code}/notes/{anna_note}/edit", data=insight("Anna, sharper")
    )
    assert edited.status_code == 303
    assert (
        phone.post(f"/w/{room.join_code}/notes/{anna_note}/delete", headers=HX).status_code == 204
    )
    assert [text for text, _author in stored_notes(app)] == ["Bob's note"]


def test_participants_cannot_call_facilitator_actions(app, make, room, phone):
    note = make.note(room, phone.participant)
    for url, data in [
        (f"/workshops/{room.id}/step", {"step": "actions"}),
        (f"/workshops/{room.id}/contributions", {"step": "research", "open": "0"}),
        (f"/workshops/{room.id}/privacy", {"step": "research", "private": "1"}),
        (f"/workshops/{room.id}/reveal", {"step": "research"}),
        (f"/workshops/{room.id}/timer", {"action": "start"}),
        (f"/workshops/{room.id}/notes/{note}/hide", {"hidden": "1"}),
    ]:
        assert phone.post(url, data=data).status_code == 403
    assert current_step(app, room.id) is Step.RESEARCH


def test_the_facilitator_moderates_and_adds_for_the_room(client, app, make, room, phone):
    note = make.note(room, phone.participant, "Rude words")
    client.post(f"/workshops/{room.id}/notes/{note}/hide", data={"hidden": "1"})
    assert "Rude words" in phone.get(f"/w/{room.join_code}").text  # its author still sees it
    board = client.get(f"/workshops/{room.id}/board", headers=HX).text
    assert "Rude words" not in board
    assert "Rude words" in client.get(f"/workshops/{room.id}/console").text
    proxy = client.post(
        f"/workshops/{room.id}/notes/insight",
        data=insight("From paper", **{"insight-idempotency_key": "p"}),
    )
    assert proxy.status_code == 303
    edit = client.post(f"/workshops/{room.id}/notes/{note}/edit", data=insight("Kind words"))
    assert edit.status_code == 303
    client.post(f"/workshops/{room.id}/notes/{note}/delete")
    assert stored_notes(app) == [("From paper", None)]


def test_private_writing_then_reveal(client, app, make, room, phone):
    go(client, room, "research")
    # Switched on mid-step, it hides what the room already saw: the console says so first.
    hint = "“Private writing” hides the notes written so far too, until you reveal them."
    assert hint in client.get(f"/workshops/{room.id}/console").text
    client.post(f"/workshops/{room.id}/privacy", data={"step": "research", "private": "1"})
    make.note(room, make.participant(room, "Bob"), "Bob secret")
    assert "Bob secret" not in phone.get(f"/w/{room.join_code}").text
    assert "Bob secret" not in client.get(f"/workshops/{room.id}/board").text
    assert "Bob secret" in client.get(f"/workshops/{room.id}/console").text
    client.post(f"/workshops/{room.id}/reveal", data={"step": "research"})
    assert "Bob secret" in phone.get(f"/w/{room.join_code}").text
    assert "Bob secret" in client.get(f"/workshops/{room.id}/board").text
    # Revealed, the console offers "Show notes as they arrive", not the button the hint names.
    assert hint not in client.get(f"/workshops/{room.id}/console").text


def test_anonymity_hides_names_from_the_room_but_not_the_facilitator(
    client, app, make, room, phone
):
    make.note(room, make.participant(room, "Bob"), "Bob's idea")
    assert 'class="note-author">Bob' in phone.get(f"/w/{room.join_code}").text
    with app.app_context():
        db.session.get(Workshop, room.id).anonymous = True
        db.session.commit()
    assert 'class="note-author">Bob' not in phone.get(f"/w/{room.join_code}").text
    assert 'class="note-author">Bob' not in client.get(f"/workshops/{room.id}/board").text
    assert 'class="note-author">Bob' in client.get(f"/workshops/{room.id}/console").text


def test_the_event_stream_replays_what_a_screen_missed(client, app, make, room, phone):
    go(client, room, "research")
    first = make.note(room, phone.participant, "First")
    with app.app_context():
        from cjm_workshop.models import LiveEvent

        before = db.session.scalar(select(func.max(LiveEvent.id))) - 1
    response = phone.get(f"/w/{room.join_code}/events?after={before}")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    body = b""
    for chunk in response.response:
        body += chunk if isinstance(chunk, bytes) else chunk.encode()
        if b"event: note" in body:
            break
    response.close()
    text = body.decode()
    assert "event: note\n" in text
    assert f'"id":{first}' in text
    assert re.search(r"^id: \d+$", text, re.M)


def test_the_timer_shows_the_same_countdown_on_every_screen(client, app, room, phone):
    go(client, room, "research")
    assert client.post(f"/workshops/{room.id}/timer", data={"action": "start"}).status_code == 303
    for page in (
        phone.get(f"/w/{room.join_code}").text,
        client.get(f"/workshops/{room.id}/board").text,
        client.get(f"/workshops/{room.id}/console").text,
    ):
        seconds = int(re.search(r'data-seconds="(\d+)"', page).group(1))
        assert 895 <= seconds <= 900
    client.post(f"/workshops/{room.id}/timer", data={"action": "pause"})
    assert 'data-state="paused"' in phone.get(f"/w/{room.join_code}").text
    client.post(f"/workshops/{room.id}/timer", data={"action": "extend", "minutes": "5"})
    seconds = int(
        re.search(r'data-seconds="(\d+)"', phone.get(f"/w/{room.join_code}").text).group(1)
    )
    assert 1195 <= seconds <= 1200
    assert (
        client.post(
            f"/workshops/{room.id}/timer", data={"action": "extend", "minutes": "60"}
        ).status_code
        == 400
    )
    assert client.post(f"/workshops/{room.id}/timer", data={"action": "explode"}).status_code == 400
    client.post(f"/workshops/{room.id}/timer", data={"action": "reset"})
    assert "data-timer" not in phone.get(f"/w/{room.join_code}").text


def test_a_closed_workshop_shows_no_time_running_out(client, app, room, phone):
    """A rehearsal closed the workshop mid-timebox: the phones said "closed" beside a
    countdown still running."""
    go(client, room, "research")
    client.post(f"/workshops/{room.id}/timer", data={"action": "start"})
    client.post(f"/workshops/{room.id}/status", data={"target": "closed"})
    for page in (
        phone.get(f"/w/{room.join_code}").text,
        client.get(f"/workshops/{room.id}/board").text,
        client.get(f"/workshops/{room.id}/console").text,
    ):
        assert "data-timer" not in page


def _timer_buttons(console: str) -> list[str]:
    controls = console[console.index('class="timer-controls"') :]
    controls = controls[: controls.index('<div class="actions">\n')]
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r"<button[^>]*>(.*?)</button>", controls, re.S)
    ]


def test_the_console_starts_the_timer_one_way_with_the_minutes_in_view(client, room):
    """One Start, next to the minutes it starts with (two Starts, one ignoring the typed
    minutes, started a rehearsal's 3 minutes as 20); "+1 min" only once there is a timer to
    add to (on an idle one it started a one-minute timer, which puzzled rehearsals)."""
    go(client, room, "research")
    idle = client.get(f"/workshops/{room.id}/console").text
    assert _timer_buttons(idle) == ["Start timer"]
    assert 'name="minutes" min="1" max="180" step="1" value="15"' in idle
    client.post(f"/workshops/{room.id}/timer", data={"action": "set", "minutes": "3"})
    running = client.get(f"/workshops/{room.id}/console").text
    assert 176 <= int(re.search(r'data-seconds="(\d+)"', running).group(1)) <= 180
    assert _timer_buttons(running) == ["Pause", "+1 min", "+5 min", "Reset", "Start over"]
    client.post(f"/workshops/{room.id}/timer", data={"action": "pause"})
    paused = client.get(f"/workshops/{room.id}/console").text
    assert _timer_buttons(paused) == ["Resume", "+1 min", "+5 min", "Reset", "Start over"]
