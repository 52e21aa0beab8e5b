"""Two app server processes against one database: a note added through one appears on a
board connected to the other (and the servers stop within seconds with streams open)."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.live.servers import AppServer, Browser, read_events

pytestmark = pytest.mark.live


@pytest.fixture
def servers(database_url):
    first, second = AppServer(database_url), AppServer(database_url)
    yield first, second
    for server in (first, second):
        if server.process.poll() is None:
            server.stop()


def test_a_note_through_one_server_reaches_a_board_on_the_other(servers, make):
    first, second = servers
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    make.note(workshop, text="Opens the research step")  # the room is in research now

    board = Browser(second.url)
    board.get("/login")
    status, _ = board.post("/login", {"email": "frida@example.org", "password": PASSWORD})
    assert status == 302
    page = board.get(f"/workshops/{workshop.id}/board")
    after = int(page.split('data-last-event="', 1)[1].split('"', 1)[0])
    stream = board.stream(f"/workshops/{workshop.id}/events?view=board&after={after}")

    phone = Browser(first.url)
    join_page = phone.get(f"/j/{workshop.join_code}?k={workshop.join_token}")
    join_key = join_page.split('name="join_key" type="hidden" value="', 1)[1].split('"', 1)[0]
    status, _ = phone.post(
        f"/j/{workshop.join_code}", {"display_name": "Anna", "join_key": join_key}
    )
    assert status == 303
    phone.get(f"/w/{workshop.join_code}")
    assert phone.add_insight(workshop.join_code, "Through server one", "two-servers") == 303

    events = read_events(
        stream, lambda event, data: event == "note" and "Through server one" in data
    )
    assert ("presence", "{}") in events  # Anna's join reached the other server too

    stop_seconds = [second.stop(), first.stop()]  # the board's stream is still open
    stream.close()
    assert all(seconds < 10 for seconds in stop_seconds), stop_seconds
