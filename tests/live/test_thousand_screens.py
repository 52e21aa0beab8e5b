"""A thousand phones connected to one server started as `make run` starts it (2 workers,
cjm_workshop/gunicorn_conf.py's defaults): every stream opens, ordinary requests are still answered at
once, and a note posted meanwhile reaches the board and every one of the phones."""

from __future__ import annotations

import selectors
import socket
import time
import urllib.request

import pytest

from tests.factories import PASSWORD
from tests.live.servers import AppServer, Browser, read_events

pytestmark = pytest.mark.live

SCREENS = 1000


@pytest.fixture
def server(database_url):
    server = AppServer(database_url, workers=2, threads=None)
    yield server
    if server.process.poll() is None:
        server.stop()


def open_stream(port: int, path: str, cookie: str) -> socket.socket:
    """A phone's event stream on a bare socket: a thousand of them need no thread each."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    connection.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        f"Cookie: {cookie}\r\n\r\n".encode()
    )
    connection.setblocking(False)
    return connection


def read_until(streams: list[socket.socket], marker: bytes, timeout: float) -> dict:
    """What each stream received, read until every one of them has `marker` (or timeout)."""
    received = {stream: b"" for stream in streams}
    waiting = set(streams)
    with selectors.DefaultSelector() as selector:
        for stream in streams:
            selector.register(stream, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1):
                chunk = key.fileobj.recv(65536)
                received[key.fileobj] += chunk
                if marker in received[key.fileobj] or not chunk:
                    waiting.discard(key.fileobj)
                    selector.unregister(key.fileobj)
    return received


def test_a_thousand_screens_on_one_default_server(server, make):
    facilitator = make.facilitator("frida@example.org")
    workshop = make.workshop(facilitator)
    make.step(workshop, "research")
    room = make.participants(workshop, SCREENS)
    code = workshop.join_code

    phones = [
        open_stream(server.port, f"/w/{code}/events", f"cjm_p_{code}={p.token}") for p in room
    ]
    try:
        opened = read_until(phones, b"retry: ", timeout=60)
        assert [p for p in phones if not opened[p].startswith(b"HTTP/1.1 200")] == []

        started = time.monotonic()
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as health:
            assert health.status == 200
        assert time.monotonic() - started < 5

        board = Browser(server.url)
        board.get("/login")
        assert board.post("/login", {"email": facilitator.email, "password": PASSWORD})[0] == 302
        page = board.get(f"/workshops/{workshop.id}/board")
        after = page.split('data-last-event="', 1)[1].split('"', 1)[0]
        board_stream = board.stream(f"/workshops/{workshop.id}/events?view=board&after={after}")

        writer = Browser(server.url)
        writer.set_cookie(f"cjm_p_{code}", room[0].token)
        writer.get(f"/w/{code}")
        assert writer.add_insight(code, "Seen by a thousand phones", "thousand") == 303
        read_events(board_stream, lambda event, data: "Seen by a thousand phones" in data)
        delivered = read_until(phones, b"Seen by a thousand phones", timeout=60)
        assert [p for p in phones if b"Seen by a thousand phones" not in delivered[p]] == []
    finally:
        for phone in phones:
            phone.close()
