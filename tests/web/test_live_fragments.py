"""A note delivered live is exactly the note a reload shows that viewer.

For every viewer (facilitator and co-facilitator on the console, the board, the author's
phone, another phone), every language, anonymity, privacy, hidden state and open or closed
step, the `note` event of the stream carries the very fragment the full page renders, or
the stream says the note is gone where the page does not show it. Settings are changed
after the streams' screens loaded, as a facilitator would change them mid-session.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import LiveEvent, Note, Workshop

CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]*(")')


def note_fragment(page: str, note_id: int) -> str | None:
    """The note's <li> as the page has it (None: the page does not show it)."""
    match = re.search(rf'<li id="note-{note_id}".*?</li>', page, re.S)
    return None if match is None else normalise(match.group(0))


def normalise(html: str) -> str:
    """Streamed notes carry no CSRF token (the page's script fills in its own)."""
    return CSRF_VALUE.sub(r"\1\2", html.strip())


def streamed(client, url: str, after: int, note_id: int, **asked) -> str | None:
    """The note event for `note_id` replayed from `after` (None: a note-gone event)."""
    response = client.get(f"{url}{'&' if '?' in url else '?'}after={after}", **asked)
    assert response.status_code == 200
    body = ""
    for chunk in response.response:
        body += chunk.decode() if isinstance(chunk, bytes) else chunk
        found = re.search(r"event: (note|note-gone)\ndata: (.*)\n\n", body)
        if found:
            break
    response.close()
    kind, data = found.groups()
    payload = json.loads(data)
    assert payload["id"] == note_id
    return normalise(payload["html"]) if kind == "note" else None


def latest_event(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(LiveEvent.id))) or 0


@pytest.fixture
def room(make, me):
    return make.workshop(me)


def client_for(app, *, cookies=(), language="en"):
    client = app.test_client()
    for name, value in cookies:
        client.set_cookie(name, value)
    client.set_cookie("cjm_lang", language)
    return client


STATES = ("public", "private", "revealed", "hidden")


@pytest.mark.parametrize(
    ("anonymous", "state", "step_open"),
    list(itertools.product((False, True), STATES, (True, False))),
)
def test_a_live_note_is_what_a_reload_shows_each_viewer(
    app, make, client, room, anonymous, state, step_open
):
    author, other = make.participant(room, "Anna"), make.participant(room, "Bram")
    co = make.facilitator("co@example.org", name="Cora")
    make.member(room, co, "co_facilitator")
    note_id = make.note(room, author, "Bookings <b>fail</b> at night")
    before = latest_event(app) - 1
    cookie = f"cjm_p_{room.join_code}"
    with app.app_context():  # changed mid-session, after the note was posted
        workshop = db.session.get(Workshop, room.id)
        workshop.anonymous = anonymous
        step = workshop.step_state(workshop.current_step)
        step.private = state in ("private", "revealed")
        step.revealed = state == "revealed"
        step.state = step.state if step_open else type(step.state).CLOSED
        db.session.get(Note, note_id).hidden = state == "hidden"
        db.session.commit()

    viewers = {}
    for language in ("en", "nl"):
        facilitator = client_for(app, language=language)
        facilitator.post(
            "/login", data={"email": "me@example.org", "password": "correct horse battery"}
        )
        co_client = client_for(app, language=language)
        co_client.post(
            "/login", data={"email": "co@example.org", "password": "correct horse battery"}
        )
        console = (f"/workshops/{room.id}/console", f"/workshops/{room.id}/events?view=console")
        board = (f"/workshops/{room.id}/board", f"/workshops/{room.id}/events")
        phone = (f"/w/{room.join_code}", f"/w/{room.join_code}/events")
        viewers |= {
            (language, "facilitator"): (facilitator, console),
            (language, "co-facilitator"): (co_client, console),
            (language, "board"): (facilitator, board),
            (language, "author"): (
                client_for(app, cookies=[(cookie, author.token)], language=language),
                phone,
            ),
            (language, "other phone"): (
                client_for(app, cookies=[(cookie, other.token)], language=language),
                phone,
            ),
        }
    fragments = {}
    for name, (viewer_client, (page_url, events_url)) in viewers.items():
        page = viewer_client.get(page_url)
        assert page.status_code == 200, name
        reloaded = note_fragment(page.text, note_id)
        live = streamed(viewer_client, events_url, before, note_id)
        assert live == reloaded, name
        fragments[name] = live

    # The dimensions really change the fragment (so the test would see a mix-up).
    assert fragments["en", "facilitator"] != fragments["nl", "facilitator"]
    assert fragments["en", "facilitator"] == fragments["en", "co-facilitator"]
    assert fragments["en", "author"] is not None
    assert ("Delete" in fragments["en", "author"]) is step_open
    assert ("Verwijderen" in fragments["nl", "author"]) is step_open
    public = state in ("public", "revealed")
    assert (fragments["en", "other phone"] is not None) is public
    assert (fragments["nl", "board"] is not None) is public
    for name, fragment in fragments.items():
        if fragment is not None and name[1] not in ("facilitator", "co-facilitator"):
            assert ("Anna" in fragment) is not anonymous, name
    assert "&lt;b&gt;fail&lt;/b&gt;" in fragments["en", "facilitator"]


def test_a_failed_render_is_not_remembered(app, make, client, room, monkeypatch):
    """A database error while a note is read makes the screen reload, once: the next
    stream that asks renders it, and nobody is told the note is gone."""
    author = make.participant(room, "Anna")
    note_id = make.note(room, author, "Still here")
    before = latest_event(app) - 1
    phone = client_for(app, cookies=[(f"cjm_p_{room.join_code}", author.token)])
    from cjm_workshop import live

    real = live.load_note
    calls = []

    def flaky(note_id):
        calls.append(note_id)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(note_id)

    monkeypatch.setattr(live, "load_note", flaky)
    url = f"/w/{room.join_code}/events?after={before}"
    response = phone.get(url)
    body = ""
    for chunk in response.response:
        body += chunk.decode() if isinstance(chunk, bytes) else chunk
        if "event: " in body:
            break
    response.close()
    assert "event: refresh" in body
    assert "note-gone" not in body
    assert streamed(phone, f"/w/{room.join_code}/events", before, note_id) is not None


def test_a_live_note_shows_its_links_and_author_as_a_reload_does(app, make, room):
    """What a note links to, and who wrote it, are read by the live path on its own: the
    persona, source and channel, the touchpoint a pain point is at, the pain point an
    opportunity answers, an author the facilitator removed, a note added by proxy."""
    from cjm_workshop.models import Participant
    from cjm_workshop.services import joining, steps
    from cjm_workshop.services.notes import KIND_STEP

    author = make.participant(room, "Anna")
    insight = make.note(room, author, "Calls at lunch", persona=room.persona_ids[0])
    touchpoint = make.note(room, author, "The booking site", kind="touchpoint")
    pain = make.note(room, author, "No slots shown", kind="pain_point", touchpoint=touchpoint)
    answer = make.note(room, None, "Show the waiting list", kind="opportunity", pain_point=pain)
    with app.app_context():
        workshop = db.session.get(Workshop, room.id)
        joining.remove_participant(
            db.session, workshop, db.session.get(Participant, author.id), with_notes=False
        )
        db.session.commit()

    fragments = []
    for note_id in (insight, touchpoint, pain, answer):
        with app.app_context():
            note = db.session.get(Note, note_id)
            steps.go_to_step(db.session, note.workshop, KIND_STEP[note.kind])
            db.session.commit()
            first = select(func.min(LiveEvent.id)).where(LiveEvent.note_id == note_id)
            before = db.session.scalar(first) - 1
        for language in ("en", "nl"):
            console = client_for(app, language=language)
            console.post(
                "/login", data={"email": "me@example.org", "password": "correct horse battery"}
            )
            for page_url, events_url in (
                (f"/workshops/{room.id}/console", f"/workshops/{room.id}/events?view=console"),
                (f"/workshops/{room.id}/board", f"/workshops/{room.id}/events"),
            ):
                reloaded = note_fragment(console.get(page_url).text, note_id)
                assert reloaded is not None, (note_id, language, page_url)
                assert streamed(console, events_url, before, note_id) == reloaded
                fragments.append(reloaded)
    shown = "\n".join(fragments)
    for expected in (
        "Anna (removed)",
        "Anna (verwijderd)",
        "added by the facilitator",
        "at The booking site",
        "answers No slots shown",
        "Interview",
    ):
        assert expected in shown, expected


def test_a_live_note_links_under_the_apps_prefix_like_a_reload(app, make, room):
    """Served under a path (SCRIPT_NAME, as a proxy may mount it): a stream keeps no
    request, yet its notes link where the page's do."""
    author = make.participant(room, "Anna")
    note_id = make.note(room, author, "Mounted under /cjm")
    before = latest_event(app) - 1
    phone = client_for(app, cookies=[(f"cjm_p_{room.join_code}", author.token)])
    mounted = {"base_url": "http://localhost/cjm/"}
    page = phone.get(f"/w/{room.join_code}", **mounted)
    assert page.status_code == 200
    reloaded = note_fragment(page.text, note_id)
    live = streamed(phone, f"/w/{room.join_code}/events", before, note_id, **mounted)
    assert live == reloaded
    assert f'href="/cjm/w/{room.join_code}/notes/{note_id}/edit"' in live
