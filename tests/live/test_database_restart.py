"""PostgreSQL drops every connection (a restart, a failover) while phones post and a board
watches: answers stay true, the board gets every note and no false "note gone", and the
server LISTENs again instead of polling from then on."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tests.live.servers import AppServer, Browser, read_events

pytestmark = pytest.mark.live


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite is a file, not a server that restarts")
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def connections(engine, what: str, where: str) -> list:
    """`what` of the other connections to this database that match `where`."""
    with engine.connect() as connection:
        return connection.execute(
            sa.text(
                f"SELECT {what} FROM pg_stat_activity WHERE datname = current_database() "
                f"AND pid <> pg_backend_pid() AND {where}"
            )
        ).all()


def drop_every_connection(engine) -> int:
    return len(connections(engine, "pg_terminate_backend(pid)", "true"))


def listening(engine) -> bool:
    return bool(connections(engine, "pid", "query ILIKE 'LISTEN%'"))


def test_dropped_connections_lose_no_acknowledged_note_and_listen_comes_back(postgres, make):
    server = AppServer(postgres.url.render_as_string(hide_password=False))
    try:
        facilitator = make.facilitator("frida@example.org")
        workshop = make.workshop(facilitator)
        make.step(workshop, "research")
        phones = [make.participant(workshop, f"Phone {n}") for n in range(4)]
        board = Browser(server.url)
        board.get("/login")
        assert board.post("/login", {"email": facilitator.email, "password": PASSWORD})[0] == 302
        stream = board.stream(f"/workshops/{workshop.id}/events?view=board")
        assert wait_for(lambda: listening(postgres))

        answers: dict[str, int] = {}
        stop = threading.Event()

        def post(participant) -> None:
            phone = Browser(server.url)
            phone.set_cookie(f"cjm_p_{workshop.join_code}", participant.token)
            phone.get(f"/w/{workshop.join_code}")
            number = 0
            while not stop.is_set():
                key = f"{participant.id}-{number}"
                answers[key] = phone.add_insight(workshop.join_code, f"note {key}", key, htmx=True)
                number += 1

        writers = [threading.Thread(target=post, args=(p,)) for p in phones]
        for writer in writers:
            writer.start()
        time.sleep(0.5)
        assert drop_every_connection(postgres) > 0
        time.sleep(0.5)
        stop.set()
        for writer in writers:
            writer.join()

        assert set(answers.values()) <= {201, 503}, answers  # never a 500
        saved = {key for key, status in answers.items() if status == 201}
        with postgres.connect() as connection:
            stored = set(
                connection.execute(
                    sa.text("SELECT idempotency_key FROM note WHERE workshop_id = :id"),
                    {"id": workshop.id},
                ).scalars()
            )
        assert saved <= stored  # every acknowledged note is there
        assert stored <= set(answers)  # and nothing the phones did not send
        refused = {key for key, status in answers.items() if status == 503}
        assert not refused & stored  # a note answered with an error was not saved

        last = max(saved, key=lambda key: int(key.split("-")[1]))
        events = read_events(
            stream, lambda event, data: event == "note" and f"note {last}" in data, timeout=20
        )
        assert "note-gone" not in {event for event, _data in events}
        assert wait_for(lambda: listening(postgres))  # LISTEN again, not polling for good
    finally:
        server.stop()


def wait_for(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
