"""What several workers and phones at once must not break: shared throttle, unique names."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from cjm_workshop import create_app
from cjm_workshop.extensions import db
from cjm_workshop.models import LaneKind, Note, NoteKind, Participant, ResearchSource

INTERVIEW = ResearchSource.INTERVIEW


def test_the_throttle_is_shared_by_separate_app_processes(app, client, make):
    """A second app instance (another gunicorn worker) sees the first one's failed codes."""
    workshop = make.workshop()
    other_worker = create_app(dict(app.config))
    for n in range(10):
        assert client.post("/join", data={"code": f"WRONG{n:03d}"}).status_code == 404
    same_phone = other_worker.test_client()
    same_phone.set_cookie("session", client.get_cookie("session").value)
    response = same_phone.get(f"/j/{workshop.join_code}")
    with other_worker.app_context():
        db.engine.dispose()
    assert response.status_code == 429


def test_simultaneous_joins_with_one_name_all_succeed_with_distinct_names(app, make):
    workshop = make.workshop()

    def join(_number: int) -> int:
        client = app.test_client()
        page = client.get(f"/j/{workshop.join_code}").text
        key = re.search(r'name="join_key" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(
            f"/j/{workshop.join_code}", data={"display_name": "Anna", "join_key": key}
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(join, range(16)))
    assert statuses == [303] * 16
    with app.app_context():
        names = db.session.scalars(
            select(Participant.display_name).where(Participant.workshop_id == workshop.id)
        ).all()
    assert len(names) == 16
    assert len({name.casefold() for name in names}) == 16
    assert "Anna" in names


def test_the_same_note_sent_many_times_at_once_is_stored_once(app, make):
    """A double tap and the retries of a flaky network, all at the same moment: every copy
    gets the stored note, none an error, on either database."""
    workshop = make.workshop()
    anna = make.participant(workshop, "Anna")
    make.step(workshop, "research")
    text = "Patients phone because the site shows no free slots"

    def send(_copy: int) -> int:
        phone = make.phone(workshop, anna)
        return phone.post(
            f"/w/{workshop.join_code}/notes/insight",
            data={
                "insight-text": text,
                "insight-source": "interview",
                "insight-idempotency_key": "one-key-for-all",
            },
            headers={"HX-Request": "true"},
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(24)))
    assert statuses == [201] * 24
    with app.app_context():
        stored = db.session.scalars(select(Note.text).where(Note.workshop_id == workshop.id))
        assert list(stored) == [text]


def test_notes_posted_into_one_cell_at_once_all_join_its_end_in_order(app, make):
    """No lock is held while a note finds its place: everyone posting into the same cell at
    the same moment, every note is stored once and the cell lists them in the order they
    were added (two that joined at the same instant may share a position)."""
    from cjm_workshop.services import journey_map

    workshop = make.workshop()
    people = make.participants(workshop, 6)
    make.step(workshop, "research")
    stage = workshop.stage_ids[0]

    def send(number: int) -> int:
        phone = make.phone(workshop, people[number % len(people)])
        return phone.post(
            f"/w/{workshop.join_code}/notes/insight",
            data={
                "insight-text": f"Insight {number}",
                "insight-source": "interview",
                "insight-stage_id": str(stage),
                "insight-idempotency_key": f"at-once-{number}",
            },
            headers={"HX-Request": "true"},
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(40)))
    assert statuses == [201] * 40
    with app.app_context():
        cell = journey_map.cell_notes(db.session, workshop.id, (LaneKind.INSIGHT, stage))
        assert sorted(note.text for note in cell) == sorted(f"Insight {n}" for n in range(40))
        assert [note.id for note in cell] == sorted(note.id for note in cell)
        positions = [note.position for note in cell]
        assert positions == sorted(positions)
        assert positions[0] == 0


def test_an_export_taken_while_people_join_and_post_imports_again(app, make, client, me):
    """Each export reads one moment: never a note whose author is not in the file yet."""
    from cjm_workshop.models import Workshop
    from cjm_workshop.services import joining, notes, transfer

    workshop = make.workshop(me)
    make.step(workshop, "research")
    done = threading.Event()

    def room_posts() -> None:
        with app.app_context():
            for number in range(400):
                if done.is_set():
                    break
                room = db.session.get(Workshop, workshop.id)
                person = joining.join(db.session, room, f"Late {number}", None)
                notes.add_note(
                    db.session,
                    room,
                    notes.NoteFields(NoteKind.INSIGHT, f"Insight {number}", source=INTERVIEW),
                    f"key-{number}",
                    participant=person,
                )
                db.session.commit()
            db.session.remove()

    writer = threading.Thread(target=room_posts)
    writer.start()
    try:
        for _ in range(40):
            response = client.get(f"/workshops/{workshop.id}/export/workshop.json")
            assert response.status_code == 200
            transfer.read_document(response.data)  # refuses a file that is not consistent
    finally:
        done.set()
        writer.join()
