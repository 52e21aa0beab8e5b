"""Live delivery under load: N phones connected to one workshop, 20 of them adding notes.

Starts gunicorn as `make run` does (gunicorn.conf.py: 2 gthread workers) on a scratch
database, connects N phone event streams and one board stream, then lets 20 phones add
notes in a closed loop (each waits --think seconds after its note is saved) for the run
time. Prints notes/s accepted, p50/p95/p99 of the time
from a phone's POST until the board's stream has the note, errors, and the server's CPU %
and RSS; then the CPU the N phones cost while idle. Not a test: timings are noisy.

    .venv/bin/python bench/live_delivery.py                      # SQLite, N = 50 and 300
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/live_delivery.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.join_rush import ScratchDatabase  # noqa: E402
from tests.live.servers import AppServer, Browser  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [pid, *[p for kid in kids for p in process_tree(kid)]]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, IndexError):
            pass
    return total / CLOCK_TICKS


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def prepare(database_url: str, phones: int):
    """Schema, a facilitator and a workshop in its research step, N participants."""
    os.environ.update(
        {"DATABASE_URL": database_url, "SECRET_KEY": "bench", "APP_ENV": "production"}
    )
    from flask_migrate import upgrade

    from cjm_workshop import create_app
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Step
    from cjm_workshop.services import accounts, joining, steps, workshops

    app = create_app()
    with app.app_context():
        upgrade()
        owner = accounts.create_facilitator(
            db.session,
            email=f"bench-{uuid.uuid4().hex[:6]}@example.org",
            name="Bench",
            password="bench password",
        )
        room = workshops.create_workshop(
            db.session,
            owner,
            workshops.WorkshopFields("Bench", "A journey", "A goal", "en", 5),
            persona=workshops.PersonaFields(name="P"),
            stage_template="acpra",
        )
        steps.go_to_step(db.session, room, Step.RESEARCH)
        tokens = [joining.join(db.session, room, f"Phone {n}", None).token for n in range(phones)]
        db.session.commit()
        result = (owner.email, room.id, room.join_code, tokens)
        db.engine.dispose()
    return result


def run(database_url: str, phones: int, writers: int, seconds: float, think: float) -> None:
    scratch = ScratchDatabase(database_url)
    email, workshop_id, code, tokens = prepare(scratch.url, phones)
    server = AppServer(scratch.url, workers=2, threads=max(64, phones))
    pids = process_tree(server.process.pid)
    stop = threading.Event()
    arrived: dict[str, float] = {}
    errors: list[str] = []

    board = Browser(server.url)
    board.get("/login")
    board.post("/login", {"email": email, "password": "bench password"})
    board_stream = board.stream(f"/workshops/{workshop_id}/events?view=board")

    def watch_board() -> None:
        # Until the server stops: a note answered just before the end still counts.
        while True:
            try:
                line = board_stream.readline().decode()
            except OSError:
                return
            if not line:
                return
            if line.startswith("data: ") and "bench-" in line:
                tag = line.split("bench-", 1)[1][:32]
                arrived.setdefault(tag, time.perf_counter())

    # The phones read in a process of their own, as real phones are devices of their own:
    # 300 reading threads must not starve the board's reader of the GIL and skew the timing.
    phones_stop = multiprocessing.Event()
    phone_errors = multiprocessing.Value("i", 0)
    readers = multiprocessing.Process(
        target=read_phone_streams, args=(server.url, code, tokens, phones_stop, phone_errors)
    )
    readers.start()
    threading.Thread(target=watch_board, daemon=True).start()
    time.sleep(2 + phones / 100)  # let every phone connect

    idle_cpu = cpu_seconds(pids)
    time.sleep(5)
    idle_percent = 100 * (cpu_seconds(pids) - idle_cpu) / 5

    sent: dict[str, float] = {}
    answered: dict[str, float] = {}  # how long the POST itself took
    accepted = 0
    lock = threading.Lock()

    def writer(token: str, first_delay: float) -> None:
        nonlocal accepted
        time.sleep(first_delay)  # phones do not all tap at the same instant
        phone = Browser(server.url)
        phone.set_cookie(f"cjm_p_{code}", token)
        phone.get(f"/w/{code}", headers={"HX-Request": "true"})
        while not stop.is_set():
            tag = uuid.uuid4().hex
            started = time.perf_counter()
            status, _ = phone.post(
                f"/w/{code}/notes/insight",
                {
                    "insight-text": f"bench-{tag}",
                    "insight-source": "survey",
                    "insight-idempotency_key": tag,
                    "insight-csrf_token": phone.token,
                },
                headers={"HX-Request": "true"},
            )
            with lock:
                if status == 201:
                    sent[tag] = started
                    answered[tag] = time.perf_counter() - started
                    accepted += 1
                else:
                    errors.append(f"post {status}")
            stop.wait(think)  # a person reads, thinks, types the next note

    cpu_before, started = cpu_seconds(pids), time.perf_counter()
    threads = [
        threading.Thread(target=writer, args=(t, think * n / writers), daemon=True)
        for n, t in enumerate(tokens[:writers])
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    phones_stop.set()
    elapsed = time.perf_counter() - started
    cpu_percent = 100 * (cpu_seconds(pids) - cpu_before) / elapsed
    memory = rss_mb(pids)
    time.sleep(2)  # notes answered at the very end still reach the board
    stop_seconds = server.stop()
    readers.join(timeout=10)
    errors.extend(["phone stream"] * phone_errors.value)
    scratch.drop()

    delays = sorted(1000 * (arrived[tag] - sent[tag]) for tag in sent if tag in arrived)
    missing = len([tag for tag in sent if tag not in arrived])

    posts = sorted(1000 * seconds for seconds in answered.values())

    def pct(p: float, values: list[float] = delays) -> float:
        return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")

    kind = scratch.url.split(":", 1)[0]
    print(
        f"N={phones} phones ({writers} writing, {think:g} s between notes), {kind}, {seconds:.0f} s:"
    )
    print(
        f"  notes accepted {accepted / elapsed:.1f}/s; board delivery p50 {statistics.median(delays) if delays else float('nan'):.0f} ms, "
        f"p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms; not delivered {missing}; errors {len(errors)}"
    )
    print(f"  the POST itself: p50 {pct(0.5, posts):.0f} ms, p95 {pct(0.95, posts):.0f} ms")
    print(
        f"  server CPU {cpu_percent:.0f} % of one core while writing, RSS {memory:.0f} MB; "
        f"{phones} idle phones cost {idle_percent:.1f} % of one core; stop took {stop_seconds:.1f} s"
    )
    for error in sorted(set(errors))[:5]:
        print("  error:", error)


def read_phone_streams(base: str, code: str, tokens: list[str], stop, error_count) -> None:
    def phone_stream(token: str) -> None:
        phone = Browser(base)
        phone.set_cookie(f"cjm_p_{code}", token)
        try:
            stream = phone.stream(f"/w/{code}/events")
            while not stop.is_set() and stream.read1(65536):
                pass  # a phone reads everything; only the board's stream is timed
        except Exception:  # noqa: BLE001 - counted; the server closing at the end is fine
            if not stop.is_set():
                with error_count.get_lock():
                    error_count.value += 1

    for token in tokens:
        threading.Thread(target=phone_stream, args=(token,), daemon=True).start()
    stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, nargs="+", default=[50, 300])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds each writing phone waits between notes (0: as fast as the server goes)",
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    for phones in args.phones:
        url = database_url
        if url.startswith("sqlite"):
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        run(url, phones, args.writers, args.seconds, args.think)


if __name__ == "__main__":
    main()
