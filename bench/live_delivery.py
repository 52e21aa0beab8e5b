"""Live delivery under load, against a bare SSE echo and a bare insert endpoint in one run.

For each N, starts gunicorn as `make run` does (cjm_workshop/gunicorn_conf.py, 2 workers) on a
scratch database, connects N phone event streams and one board stream, measures the idle cost, then
lets phones add notes in each mode:

- think:  20 phones, each adding a note, then waiting --think s (a room writing steadily);
- closed: everyone posting at once, each the moment its last note was saved (min(N, 50)
          phones: the bench's own threads are the limit beyond that);
- burst:  min(N, 100) phones tap "add" at the same instant, three times.

The same is run against `bench/bare_app.py` served the same way: `/echo` (a text fanned out
to every stream, nothing else) and `/insert` (one row committed, nothing else). Prints per
run: notes/s, board delivery p50/p95/p99 (from the start of a phone's POST until the board's
stream has it), the POST's own p50, server CPU per note, errors; per N: idle CPU, RSS per
connected screen, threads, failed connections; then the ratios app/echo and app/insert.
`--targets nginx app` also runs the app behind Debian's nginx with the production site
(deploy/nginx/cjm-workshop.conf, TLS) and prints through-nginx / direct.
Not a test: timings are noisy; compare ratios within one run.

    .venv/bin/python bench/live_delivery.py                          # SQLite, N = 20 50 300 1000
    .venv/bin/python bench/live_delivery.py --phones 300 --modes think
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/live_delivery.py
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import selectors
import socket
import ssl
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.join_rush import ScratchDatabase  # noqa: E402
from tests.live.servers import AppServer, Browser, NginxProxy  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PASSWORD = "bench password"


def process_tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [pid, *[p for kid in kids for p in process_tree(kid)]]


def proc_total(pids: list[int], read) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, IndexError, ValueError):
            total += read(pid)
    return total


def cpu_seconds(pids: list[int]) -> float:
    def read(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    return proc_total(pids, read)


def settled(pid: int, quiet: float = 0.02, longest: float = 30.0) -> list[int]:
    """The server's processes once it has finished starting (each worker starts the process
    posters and imports are forked from, which imports WeasyPrint: seconds of CPU that must
    not count as idle, memory that must not count per screen): when its processes used less
    than `quiet` of a core over a second."""
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        pids = process_tree(pid)
        before = cpu_seconds(pids)
        time.sleep(1)
        if cpu_seconds(pids) - before < quiet:
            break
    return process_tree(pid)


def status_field(pids: list[int], name: str) -> float:
    def read(pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return float(line.split()[1])
        return 0.0

    return proc_total(pids, read)


# --- what is measured: the app, and the two bare baselines --------------------------------


class AppTarget:
    """The app: phones of one workshop in its research step, the facilitator's board."""

    name = "app"

    def __init__(self, database_url: str, phones: int) -> None:
        self.email, self.workshop_id, self.code, self.tokens = prepare(database_url, phones)
        self.server = AppServer(database_url, workers=2, threads=None, env=self.settings)
        self.url, self.context = self.server.url, None

    settings: dict[str, str] = {}

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def pids(self) -> list[int]:
        return settled(self.server.process.pid)

    def stop(self) -> None:
        self.server.stop()

    def browser(self) -> Browser:
        return Browser(self.url, context=self.context)

    def stream_request(self, number: int) -> tuple[str, str]:
        return f"/w/{self.code}/events", f"cjm_p_{self.code}={self.tokens[number]}"

    def board(self):
        board = self.browser()
        board.get("/login")
        board.post("/login", {"email": self.email, "password": PASSWORD})
        return board.stream(f"/workshops/{self.workshop_id}/events?view=board")

    def writer(self, number: int):
        phone = self.browser()
        phone.set_cookie(f"cjm_p_{self.code}", self.tokens[number])
        phone.get(f"/w/{self.code}", headers={"HX-Request": "true"})

        def post(tag: str) -> bool:
            return phone.add_insight(self.code, f"bench-{tag}", tag, htmx=True) == 201

        return post


class NginxTarget(AppTarget):
    """The same app behind Debian's nginx with deploy/nginx/cjm-workshop.conf (TLS, both
    upstream entries on this one server): what the production recipe adds."""

    name = "nginx"
    settings = {"PROXY_COUNT": "1"}

    def __init__(self, database_url: str, phones: int) -> None:
        super().__init__(database_url, phones)
        self.proxy = NginxProxy([self.server.port] * 2, Path(tempfile.mkdtemp()))
        self.url, self.context = self.proxy.url, self.proxy.context

    def pids(self) -> list[int]:
        return super().pids() + process_tree(self.proxy.process.pid)

    def stop(self) -> None:
        self.proxy.stop()
        super().stop()


class EchoTarget:
    """bench/bare_app.py's echo: what fanning a message out costs at the least."""

    name = "echo"
    path = "/echo"

    def __init__(self, database_url: str, phones: int) -> None:
        from bench.bare_app import create_schema

        create_schema(database_url)
        self.server = AppServer(database_url, workers=2, threads=None, app="bench.bare_app:app")
        self.url, self.context, self.port = self.server.url, None, self.server.port

    def pids(self) -> list[int]:
        return settled(self.server.process.pid)

    def stop(self) -> None:
        self.server.stop()

    def stream_request(self, number: int) -> tuple[str, str]:
        return "/events", ""

    def board(self):
        return Browser(self.server.url).stream("/events")

    def writer(self, number: int):
        client = Browser(self.server.url)

        def post(tag: str) -> bool:
            return client.post(self.path, {"text": f"bench-{tag}"})[0] == 201

        return post


class InsertTarget(EchoTarget):
    """bench/bare_app.py's insert: what one committed row costs at the least (no streams)."""

    name = "insert"
    path = "/insert"


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
            db.session, email="bench@example.org", name="Bench", password=PASSWORD
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


# --- one run --------------------------------------------------------------------------------


@dataclass
class Run:
    target: str
    phones: int
    mode: str
    writers: int
    notes_per_second: float = float("nan")
    delays: list[float] = field(default_factory=list)  # ms, POST start until on the board
    posts: list[float] = field(default_factory=list)  # ms, the POST itself
    cpu_ms_per_note: float = float("nan")
    errors: int = 0
    missing: int = 0

    def pct(self, p: float, values: list[float] | None = None) -> float:
        values = sorted(self.delays if values is None else values)
        return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


@dataclass
class Room:
    target: str
    phones: int
    connected: int = 0
    idle_cpu_percent: float = float("nan")
    kb_per_screen: float = float("nan")
    rss_mb: float = float("nan")
    threads: int = 0


class Board:
    """The board's stream, read in a thread of its own: when each tagged note arrived."""

    def __init__(self, stream) -> None:
        self.arrived: dict[str, float] = {}
        self._stream = stream
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:  # until the server stops: a note answered at the very end still counts
            try:
                line = self._stream.readline().decode()
            except (OSError, ValueError):
                return
            if not line:
                return
            if line.startswith("data: ") and "bench-" in line:
                self.arrived.setdefault(line.split("bench-", 1)[1][:32], time.perf_counter())


def write(target, board: Board, pids: list[int], run: Run, seconds: float, think: float) -> Run:
    """Writers post until `seconds` are up (think, closed), or once each at once (burst)."""
    stop = threading.Event()
    sent: dict[str, float] = {}
    lock = threading.Lock()
    posters = [connected(target, n) for n in range(run.writers)]
    burst = run.mode == "burst"
    barrier = threading.Barrier(run.writers + 1) if burst else None

    def one(post) -> None:
        tag = uuid.uuid4().hex
        started = time.perf_counter()
        try:
            ok = post is not None and post(tag)
        except OSError:  # refused, timed out: a server that cannot take more screens
            ok = False
        with lock:
            if ok:
                sent[tag] = started
                run.posts.append(1000 * (time.perf_counter() - started))
            else:
                run.errors += 1

    def writer(number: int, post) -> None:
        if burst:
            barrier.wait()
            one(post)
            return
        time.sleep(think * number / run.writers)  # phones do not all tap at the same instant
        while not stop.is_set():
            one(post)
            stop.wait(think)

    rounds = 3 if burst else 1
    cpu_before, started = cpu_seconds(pids), time.perf_counter()
    for _ in range(rounds):
        threads = [
            threading.Thread(target=writer, args=(n, post), daemon=True)
            for n, post in enumerate(posters)
        ]
        for thread in threads:
            thread.start()
        if burst:
            barrier.wait()
            for thread in threads:
                thread.join()
            barrier.reset()
        else:
            time.sleep(seconds)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pids) - cpu_before
    if target.name != "insert":
        deadline = time.monotonic() + 10  # notes answered at the very end still arrive
        while time.monotonic() < deadline and any(tag not in board.arrived for tag in sent):
            time.sleep(0.05)
    run.notes_per_second = len(sent) / elapsed
    run.cpu_ms_per_note = 1000 * cpu / max(1, len(sent))
    if target.name != "insert":
        run.delays = [1000 * (board.arrived[t] - sent[t]) for t in sent if t in board.arrived]
        run.missing = len([t for t in sent if t not in board.arrived])
    return run


def connected(target, number: int):
    """A writing phone, or None if the server did not even answer its first page."""
    try:
        return target.writer(number)
    except OSError:
        return None


def room(target_class, database_url: str, phones: int, modes: list[str], args) -> tuple:
    scratch = ScratchDatabase(database_url)
    target = target_class(scratch.url, phones)
    pids = target.pids()
    measured = Room(target.name, phones)
    runs: list[Run] = []
    readers = None
    try:
        board = None
        if target.name != "insert":
            board = Board(target.board())
            time.sleep(1)
            rss_empty = status_field(pids, "VmRSS")  # the app loaded, one stream open
            requests = [target.stream_request(n) for n in range(phones)]
            stop, opened = multiprocessing.Event(), multiprocessing.Value("i", 0)
            readers = multiprocessing.Process(
                target=read_streams,
                args=(target.port, target.context is not None, requests, stop, opened),
            )
            readers.start()
            deadline = time.monotonic() + 60
            while opened.value < phones and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)
            measured.connected = opened.value
            idle_before = cpu_seconds(pids)
            time.sleep(args.idle)
            measured.idle_cpu_percent = 100 * (cpu_seconds(pids) - idle_before) / args.idle
            measured.rss_mb = status_field(pids, "VmRSS") / 1024
            measured.kb_per_screen = (status_field(pids, "VmRSS") - rss_empty) / max(1, phones)
            measured.threads = int(status_field(pids, "Threads"))
        for mode in modes:
            writers = {"think": args.writers, "closed": min(phones, 50), "burst": min(phones, 100)}
            run = Run(target.name, phones, mode, writers[mode])
            think = args.think if mode == "think" else 0.0
            runs.append(write(target, board, pids, run, args.seconds, think))
    finally:
        if readers is not None:
            stop.set()
        target.stop()
        if readers is not None:
            readers.join(timeout=10)
        scratch.drop()
    return measured, runs


def read_streams(port: int, tls: bool, requests: list[tuple[str, str]], stop, opened) -> None:
    """N phones' streams on bare sockets in one thread (real phones are devices of their own:
    a thread each here would starve the board's reader and skew the timing). `opened`: how
    many are open (answered 200 and not closed since). `tls`: through nginx (its
    certificate is not checked here)."""
    selector = selectors.DefaultSelector()
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    for path, cookie in requests:
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=30)
            if tls:
                connection = context.wrap_socket(connection)
            cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
            connection.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                f"{cookie_line}\r\n".encode()
            )
            connection.setblocking(False)
            selector.register(connection, selectors.EVENT_READ, data=[False])
        except OSError:
            pass
    while not stop.is_set():
        for key, _ in selector.select(timeout=0.5):
            try:
                chunk = key.fileobj.recv(262144)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                continue
            except OSError:
                chunk = b""
            if not chunk:  # closed by the server (a cap, or shutting down)
                selector.unregister(key.fileobj)
                key.fileobj.close()
                if key.data[0]:
                    with opened.get_lock():
                        opened.value -= 1
            elif not key.data[0] and chunk.startswith(b"HTTP/1.1 200"):
                key.data[0] = True
                with opened.get_lock():
                    opened.value += 1


# --- the report -----------------------------------------------------------------------------


def report(rooms: list[Room], runs: list[Run], kind: str) -> None:
    print(f"\n{kind}: rooms (N connected screens, idle)")
    print(
        f"  {'target':7} {'N':>5} {'connected':>9} {'idle CPU':>9} {'RSS':>8} {'KB/screen':>9} {'threads':>7}"
    )
    for r in rooms:
        print(
            f"  {r.target:7} {r.phones:5} {r.connected:9} {r.idle_cpu_percent:8.2f}% "
            f"{r.rss_mb:6.0f}MB {r.kb_per_screen:9.1f} {r.threads:7}"
        )
    print(f"\n{kind}: writing")
    print(
        f"  {'target':7} {'N':>5} {'mode':6} {'writers':>7} {'notes/s':>8} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'POST p50':>8} {'CPU/note':>9} {'errors':>6} {'missing':>7}"
    )
    for r in runs:
        print(
            f"  {r.target:7} {r.phones:5} {r.mode:6} {r.writers:7} {r.notes_per_second:8.1f} "
            f"{r.pct(0.5):6.0f} {r.pct(0.95):6.0f} {r.pct(0.99):6.0f} "
            f"{r.pct(0.5, r.posts):8.0f} {r.cpu_ms_per_note:7.1f}ms {r.errors:6} {r.missing:7}"
        )
    print(
        f"\n{kind}: ratios (app / bare echo for delivery, app / bare insert for throughput, "
        "through nginx / direct)"
    )
    for r in runs:
        if r.target != "app":
            continue
        echo = next(
            (e for e in runs if e.target == "echo" and (e.phones, e.mode) == (r.phones, r.mode)),
            None,
        )
        insert = next(
            (i for i in runs if i.target == "insert" and (i.phones, i.mode) == (r.phones, r.mode)),
            None,
        )
        parts = []
        if echo is not None:
            parts.append(
                f"p50 {r.pct(0.5) / echo.pct(0.5):.1f}x, p95 {r.pct(0.95) / echo.pct(0.95):.1f}x, "
                f"CPU/note {r.cpu_ms_per_note / echo.cpu_ms_per_note:.1f}x of the echo"
            )
        if insert is not None:
            parts.append(
                f"notes/s {r.notes_per_second / insert.notes_per_second:.2f}x of the insert"
            )
        if parts:
            print(f"  N={r.phones:<5} {r.mode:6} " + "; ".join(parts))
    for r in runs:
        if r.target != "nginx":
            continue
        direct = next(
            (a for a in runs if a.target == "app" and (a.phones, a.mode) == (r.phones, r.mode)),
            None,
        )
        if direct is not None:
            print(
                f"  N={r.phones:<5} {r.mode:6} through nginx: notes/s "
                f"{r.notes_per_second / direct.notes_per_second:.2f}x, p50 "
                f"{r.pct(0.5) / direct.pct(0.5):.2f}x, p95 {r.pct(0.95) / direct.pct(0.95):.2f}x "
                "of direct"
            )
    for r in (room for room in rooms if room.target == "app"):
        echo = next((e for e in rooms if e.target == "echo" and e.phones == r.phones), None)
        if echo is not None and echo.idle_cpu_percent > 0:
            print(
                f"  N={r.phones:<5} idle   CPU {r.idle_cpu_percent / echo.idle_cpu_percent:.1f}x "
                f"of the echo ({r.idle_cpu_percent:.2f} % against {echo.idle_cpu_percent:.2f} %)"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, nargs="+", default=[20, 50, 300, 1000])
    parser.add_argument("--modes", nargs="+", default=["think", "closed", "burst"])
    parser.add_argument("--targets", nargs="+", default=["app", "echo", "insert"])
    parser.add_argument("--writers", type=int, default=20, help="phones writing in think mode")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--idle",
        type=float,
        default=15,
        help="seconds idle CPU is measured over (CPU time comes in 10 ms ticks: 15 s tells "
        "0.1 %% from 0.2 %% only roughly; 60 s to compare idle rooms)",
    )
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a phone's notes")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    kind = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    classes = {"app": AppTarget, "nginx": NginxTarget, "echo": EchoTarget, "insert": InsertTarget}
    rooms, runs = [], []
    for target in args.targets:
        modes = [m for m in args.modes if m != "think"] if target == "insert" else args.modes
        for phones in args.phones:
            url = database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
            measured, done = room(classes[target], url, phones, modes, args)
            if target != "insert":
                rooms.append(measured)
            runs.extend(done)
            for run in done:
                print(
                    f"  {run.target} N={phones} {run.mode}: {run.notes_per_second:.1f}/s, "
                    f"p95 {run.pct(0.95):.0f} ms, errors {run.errors}",
                    file=sys.stderr,
                )
    report(rooms, runs, kind)


if __name__ == "__main__":
    main()
