"""Retention seen from outside: the workshop's setting, pages after names were erased, a
stream resuming from a pruned event, `flask cjm prune` and the occasional run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from cjm_workshop import housekeeping
from cjm_workshop.extensions import db
from cjm_workshop.live import latest_event_id
from cjm_workshop.models import LiveEvent, Participant, Workshop, WorkshopStatus
from cjm_workshop.models.base import utcnow
from cjm_workshop.services import workshops
from tests.web.test_live import OpenStream, end_streams

BRIEF = {
    "title": "Booking",
    "journey": "A patient books an appointment.",
    "goal": "Fewer calls.",
    "language": "en",
    "dots_per_participant": "5",
}


@pytest.fixture
def room(make, me):
    return make.workshop(me)


def stored(app, workshop_id: int) -> Workshop:
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        db.session.expunge(workshop)
        return workshop


def test_the_setting_is_saved_and_bad_input_is_refused_clearly(client, app, room):
    page = client.get(f"/workshops/{room.id}/edit").text
    assert "Erase participants' names after (days)" in page
    assert "this server's default: 30 days" in page

    answer = client.post(f"/workshops/{room.id}/edit", data=BRIEF | {"erase_names_after_days": "7"})
    assert answer.status_code == 302
    assert stored(app, room.id).erase_names_after_days == 7
    overview = client.get(f"/workshops/{room.id}").text
    assert "erased 7 days after closing" in overview

    for bad, said in [
        ("-1", "Enter a number of days from 0 to 365, or leave it empty."),
        ("366", "Enter a number of days from 0 to 365, or leave it empty."),
        ("soon", "Not a valid integer value."),
    ]:
        answer = client.post(
            f"/workshops/{room.id}/edit", data=BRIEF | {"erase_names_after_days": bad}
        )
        assert answer.status_code == 422
        assert said in answer.text
    assert stored(app, room.id).erase_names_after_days == 7

    answer = client.post(f"/workshops/{room.id}/edit", data=BRIEF | {"erase_names_after_days": ""})
    assert answer.status_code == 302
    assert stored(app, room.id).erase_names_after_days is None  # the server's default again


def test_after_erasure_pages_show_participant_numbers(client, app, make, room, runner):
    anna, ben = make.participant(room, "Anna"), make.participant(room, "Ben")
    make.note(room, anna, "The site shows no free slots")
    make.note(room, ben, "Nobody calls back")
    client.post(f"/workshops/{room.id}/status", data={"target": "closed"})
    assert "Anna" in client.get(f"/workshops/{room.id}/results").text
    with app.app_context():  # closed long enough ago
        db.session.execute(
            update(Workshop)
            .where(Workshop.id == room.id)
            .values(closed_at=utcnow() - timedelta(days=31))
        )
        db.session.commit()

    result = runner.invoke(args=["cjm", "prune"])

    assert result.exit_code == 0, result.output
    assert "Erased participants' names in 1 workshop." in result.output
    assert "Ended 0 log-ins older than a log-in lasts." in result.output  # this one is new
    results = client.get(f"/workshops/{room.id}/results").text
    assert "Anna" not in results and "Ben" not in results
    assert "Participant 1" in results and "Participant 2" in results
    assert "erased on" in client.get(f"/workshops/{room.id}").text
    # Reopened, the console lists who joined: by number too.
    client.post(f"/workshops/{room.id}/status", data={"target": "live"})
    console = client.get(f"/workshops/{room.id}/console").text
    assert "Anna" not in console and "Ben" not in console
    assert "Participant 1" in console and "Participant 2" in console
    # Anna's phone no longer identifies her.
    assert "Participant 1" not in make.phone(room, anna).get(f"/w/{room.join_code}").text


def age_all_events(app) -> None:
    with app.app_context():
        db.session.execute(update(LiveEvent).values(created_at=utcnow() - timedelta(days=2)))
        db.session.commit()


def test_a_stream_resuming_from_a_pruned_event_reloads_its_live_part(app, make, room, runner):
    anna = make.participant(room, "Anna")
    phone = make.phone(room, anna)
    make.note(room, anna, "seen before the phone went away")
    with app.app_context():
        seen = latest_event_id()
    make.note(room, anna, "missed while away")
    make.participant(room, "Ben")
    age_all_events(app)
    assert runner.invoke(args=["cjm", "prune"]).exit_code == 0
    with app.app_context():
        kept = list(db.session.scalars(select(LiveEvent.id)))
        newest = latest_event_id()
    assert min(kept) > seen + 1  # what the phone missed is gone

    stream = OpenStream(phone, f"/w/{room.join_code}/events?after={seen}")

    assert stream.next() == f"id: {newest}\nevent: refresh\ndata: {{}}\n\n"
    end_streams(app, room.id)


def test_a_stream_resuming_from_a_kept_event_replays_without_a_reload(app, make, room):
    anna = make.participant(room, "Anna")
    phone = make.phone(room, anna)
    with app.app_context():
        seen = latest_event_id()
    make.note(room, anna, "missed while away")

    stream = OpenStream(phone, f"/w/{room.join_code}/events?after={seen}")

    assert "event: note" in stream.next()
    end_streams(app, room.id)


def test_each_process_runs_housekeeping_now_and_then(app, client, monkeypatch):
    runs = []
    monkeypatch.setattr(housekeeping, "run", runs.append)
    monkeypatch.setitem(app.config, "HOUSEKEEPING_EVERY_MINUTES", 15)
    monkeypatch.delitem(app.extensions, "cjm_housekeeping", raising=False)
    for _ in range(3):
        client.get("/login").close()  # the round runs once the response is done
    assert runs == [app]  # the first response after start, then not for 15 minutes
    app.extensions.pop("cjm_housekeeping")


def test_erased_participants_keep_no_personal_field(app, make, room):
    anna = make.participant(room, "Anna")
    with app.app_context():
        workshop = db.session.get(Workshop, room.id)
        workshop.erase_names_after_days = 0
        db.session.commit()
    with app.app_context():
        workshop = db.session.get(Workshop, room.id)
        workshops.change_status(db.session, workshop, WorkshopStatus.CLOSED)
        db.session.commit()
        housekeeping.run(app)
        person = db.session.get(Participant, anna.id)
        assert (person.display_name, person.name_key, person.join_key) == (
            "Participant 1",
            "participant 1",
            None,
        )
        assert person.token != anna.token
