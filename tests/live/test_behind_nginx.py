"""The production recipe as docs/deploy.md sets it up: Debian's nginx with
deploy/nginx/cjm-workshop.conf (TLS, unbuffered event streams) in front of two app servers
on one database, the app trusting that one proxy (PROXY_COUNT=1)."""

from __future__ import annotations

import os
import re
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cjm_workshop.extensions import db
from cjm_workshop.models import Note
from tests.factories import PASSWORD
from tests.live.servers import NGINX, AppServer, Browser, NginxProxy, free_port

pytestmark = pytest.mark.live


def app_server(database_url, log: Path, port: int | None = None) -> AppServer:
    return AppServer(database_url, env={"PROXY_COUNT": "1", "ACCESS_LOG": str(log)}, port=port)


@pytest.fixture
def nginx_available():
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs nginx (apt install nginx-light; .ci/run installs it)")
        pytest.skip("nginx is not installed (apt install nginx-light)")


@pytest.fixture
def started(database_url, tmp_path, nginx_available):
    """Servers and proxies started by a test, stopped after it."""
    running: list = []
    yield running
    for process in reversed(running):
        if process.process.poll() is None:
            process.stop()


@pytest.fixture
def behind_nginx(database_url, tmp_path, started):
    servers = [app_server(database_url, tmp_path / f"{n}.log") for n in (1, 2)]
    started.extend(servers)
    proxy = NginxProxy([server.port for server in servers], tmp_path / "nginx")
    started.append(proxy)
    return proxy, servers


def joined_phone(proxy: NginxProxy, workshop, name: str, address: str) -> Browser:
    phone = Browser(proxy.url, context=proxy.context, source=address)
    page = phone.get(f"/j/{workshop.join_code}?k={workshop.join_token}")
    key = re.search(r'name="join_key" type="hidden" value="([^"]+)"', page).group(1)
    status, _ = phone.post(f"/j/{workshop.join_code}", {"display_name": name, "join_key": key})
    assert status == 303
    phone.get(f"/w/{workshop.join_code}")
    return phone


def notes_seen(stream, texts: set[str], timeout: float = 10.0) -> str | None:
    """Read a stream until every text arrived in a note event; the last event id read. None
    when the stream ended first (its server stopped)."""
    missing, event, last_id = set(texts), "", ""
    deadline = time.monotonic() + timeout
    while missing and time.monotonic() < deadline:
        line = stream.readline().decode()
        if not line:
            return None
        line = line.rstrip("\n")
        if line.startswith("id: "):
            last_id = line[4:]
        elif line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "note":
            missing -= {text for text in missing if text in line}
    assert not missing, f"never arrived: {missing}"
    return last_id


def test_a_room_keeps_going_through_nginx_when_one_of_two_servers_stops(
    database_url, started, make, app, tmp_path
):
    # The board's stream opens while only the first server runs, so it is on that one.
    first = app_server(database_url, tmp_path / "1.log")
    started.append(first)
    second_port = free_port()
    proxy = NginxProxy([first.port, second_port], tmp_path / "nginx")
    started.append(proxy)
    workshop = make.workshop(make.facilitator("owner@example.org"))
    make.note(workshop, text="Opens the research step")
    board = Browser(proxy.url, context=proxy.context)
    board.get("/login")
    assert board.post("/login", {"email": "owner@example.org", "password": PASSWORD})[0] == 302
    page = board.get(f"/workshops/{workshop.id}/board")
    after = int(page.split('data-last-event="', 1)[1].split('"', 1)[0])
    stream = board.stream(f"/workshops/{workshop.id}/events?view=board&after={after}")

    second = app_server(database_url, tmp_path / "2.log", port=second_port)
    started.append(second)
    deadline = time.monotonic() + 20  # nginx tries the second again once it may have recovered
    while "GET /healthz?through=nginx" not in (tmp_path / "2.log").read_text():
        assert time.monotonic() < deadline, "nginx never sent the second server a request"
        Browser(proxy.url, context=proxy.context).get("/healthz?through=nginx")
        time.sleep(0.1)  # polling nginx's 5 s of giving a refused server a rest

    phones = [
        joined_phone(proxy, workshop, name, f"127.0.0.{n}")
        for n, name in enumerate(["Anna", "Bram", "Chloé"], start=2)
    ]
    for phone in phones:  # behind TLS at nginx, the app knows it is HTTPS
        assert all(cookie.secure for cookie in phone.jar), [(c.name, c.secure) for c in phone.jar]
    texts = [f"Note {n} of {phone_number}" for phone_number in range(3) for n in range(4)]
    for text in texts:
        phone = phones[int(text.rsplit(" ", 1)[1])]
        assert phone.add_insight(workshop.join_code, text, text) == 303

    # Both servers took notes, and the board, streaming from the first, saw every note.
    for log in (tmp_path / "1.log", tmp_path / "2.log"):
        assert "POST /w/" in log.read_text(), f"{log.name}: nginx sent this server no note"
    last_seen = notes_seen(stream, set(texts))
    assert last_seen

    first.stop()  # mid-session, with the board's stream open on it
    assert notes_seen(stream, {"never"}) is None  # that stream ended with its server
    stream.close()
    later = [f"After the stop {n} of {phone_number}" for phone_number in range(3) for n in range(2)]
    for text in later:
        phone = phones[int(text.rsplit(" ", 1)[1])]
        assert phone.add_insight(workshop.join_code, text, text) == 303, text

    # The board reconnects as a browser does (Last-Event-ID), through nginx to the server
    # still running, and gets what it missed.
    request = urllib.request.Request(
        f"{proxy.url}/workshops/{workshop.id}/events?view=board",
        headers={"Accept": "text/event-stream", "Last-Event-ID": last_seen},
    )
    with board.opener.open(request, timeout=30) as resumed:
        notes_seen(resumed, set(later))
    with app.app_context():
        saved = db.session.scalar(
            select(func.count()).select_from(Note).where(Note.workshop_id == workshop.id)
        )
    assert saved == 1 + len(texts) + len(later)  # nothing lost, nothing twice


def test_the_join_throttle_counts_the_phones_addresses_not_the_proxys(behind_nginx):
    proxy, _servers = behind_nginx

    def typed_code(address: str, forwarded: str | None = None) -> int:
        # A new phone each time (no cookies): only its address counts.
        phone = Browser(proxy.url, context=proxy.context, source=address)
        headers = {"X-Forwarded-For": forwarded} if forwarded else None
        try:
            phone.get("/j/ABCDEFGH", headers=headers)
        except Exception as answer:  # urllib raises for 4xx
            return answer.code
        return 200

    answers = [typed_code("127.0.0.2") for _ in range(100)]
    assert set(answers) == {404}  # 100 wrong codes a minute: a room's mistakes, still answered
    assert typed_code("127.0.0.2") == 429
    # Claiming to be someone else does not help: nginx adds the address it saw, and the app
    # trusts only that last entry.
    assert typed_code("127.0.0.2", forwarded="203.0.113.7") == 429
    assert typed_code("127.0.0.3") == 404  # another address in the room is not refused
