"""The SQLite doorbell: a commit in one process wakes the broadcasters of the others."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from sqlalchemy.engine import make_url

from cjm_workshop.live import Doorbell

RING = (
    "from sqlalchemy.engine import make_url; from cjm_workshop.live import Doorbell; "
    "Doorbell.for_url(make_url(%r)).ring()"
)


def test_a_ring_from_another_process_wakes_every_listening_process(tmp_path):
    url = f"sqlite:///{tmp_path}/room.sqlite3"
    doorbell = Doorbell.for_url(make_url(url))
    first = doorbell.listen()
    second = run_in_thread(doorbell.listen)  # one socket per broadcaster thread
    try:
        assert not first.wait(0)  # nobody rang yet
        subprocess.run([sys.executable, "-c", RING % url], check=True)
        assert first.wait(10)
        assert second.wait(10)
        assert not first.wait(0)  # a ring is used up by the wait that saw it
    finally:
        first.close()
        second.close()


def test_a_socket_left_by_a_process_that_has_gone_is_cleared_away(tmp_path):
    doorbell = Doorbell.for_url(make_url(f"sqlite:///{tmp_path}/room.sqlite3"))
    gone = run_in_thread(doorbell.listen)
    left_behind = gone._path
    gone._receiver.close()  # as if its process was killed: the file stays, nobody reads
    assert os.path.exists(left_behind)
    doorbell.ring()
    assert not os.path.exists(left_behind)


def test_only_a_sqlite_file_has_a_doorbell(tmp_path):
    assert Doorbell.for_url(make_url("postgresql+psycopg://postgres@127.0.0.1/test")) is None
    assert Doorbell.for_url(make_url("sqlite://")) is None
    assert Doorbell.for_url(make_url("sqlite:///:memory:")) is None
    same = f"sqlite:///{tmp_path}/a.sqlite3"
    assert Doorbell.for_url(make_url(same)) is Doorbell.for_url(make_url(same))
    other = Doorbell.for_url(make_url(f"sqlite:///{tmp_path}/b.sqlite3"))
    assert other.directory != Doorbell.for_url(make_url(same)).directory


def run_in_thread(function):
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join()
    return result[0]
