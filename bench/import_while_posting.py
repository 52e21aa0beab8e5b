"""A big import while a room posts: does a slow request hold the phones' notes up?

Starts gunicorn as `make run` does (cjm_workshop/gunicorn_conf.py: 2 gevent workers) on a scratch SQLite
database. 20 phones add notes in a closed loop (each waits --think seconds after its note is
saved) for --seconds, first alone, then while a facilitator imports a large workshop file
(--notes notes, a few seconds each) back to back. Prints the phones' p50/p95 time per note in
both runs and their ratio (goal: p95 with the import within 2x of without), how long each
import took, and the import check's time (parsing and checking the file, no database) for
2.5k / 5k / 10k notes, also with every note merged into the next (goal: linear).
Not a test: timings are noisy.

    .venv/bin/python bench/import_while_posting.py [--notes 12000] [--seconds 12]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.join_rush import bench_app  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from tests.live.servers import AppServer, Browser  # noqa: E402

PHONES = 20


def document(app, workshop_id: int, notes: int, chained: bool = False) -> dict:
    """A workshop file with `notes` insights (each merged into the next if `chained`)."""
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Workshop
    from cjm_workshop.services import transfer

    with app.app_context():
        data = transfer.export_workshop(db.session, db.session.get(Workshop, workshop_id))
    template = {
        "kind": "insight",
        "step": "research",
        "source": "interview",
        "stage": None,
        "persona": None,
        "author": None,
        "touchpoint": None,
        "pain_point": None,
        "merged_into": None,
        "by_facilitator": True,
        "hidden": False,
        "position": 0,
    }
    known = set(data["notes"][0]) if data["notes"] else set(template) | {"key", "text"}
    data["notes"] = [
        {
            key: value
            for key, value in (
                template
                | {
                    "key": f"n{n}",
                    "text": f"Imported insight number {n}, long enough to be a real note",
                    "position": n,
                    "merged_into": f"n{n + 1}" if chained and n + 1 < notes else None,
                }
            ).items()
            if key in known
        }
        for n in range(notes)
    ]
    return data


def check_times(app, workshop_id: int) -> None:
    from cjm_workshop.services import transfer

    for chained in (False, True):
        figures = []
        for size in (2500, 5000, 10000):
            raw = json.dumps(document(app, workshop_id, size, chained)).encode()
            started = time.perf_counter()
            transfer.read_document(raw)
            figures.append(f"{size}: {time.perf_counter() - started:.2f} s")
        label = "every note merged into the next" if chained else "plain notes"
        print(f"  import check ({label}): " + ", ".join(figures))


def multipart(fields: dict[str, str], name: str, filename: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: application/json\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def posting(
    server, code: str, tokens: list[str], seconds: float, think: float, ready=lambda: None
) -> list[float]:
    """Each phone opens its page, then (after `ready()`) adds notes for `seconds`."""
    times: list[float] = []
    failures: list[int] = []
    stop = threading.Event()
    clients = []
    for token in tokens:
        client = Browser(server.url)
        client.set_cookie(f"cjm_p_{code}", token)
        client.get(f"/w/{code}", headers={"HX-Request": "true"})
        clients.append(client)
    ready()

    def phone(client: Browser, delay: float) -> None:
        time.sleep(delay)
        while not stop.is_set():
            tag = uuid.uuid4().hex
            started = time.perf_counter()
            status = client.add_insight(code, f"bench-{tag}", tag, htmx=True)
            (times if status == 201 else failures).append(
                time.perf_counter() - started if status == 201 else status
            )
            stop.wait(think)

    threads = [
        threading.Thread(target=phone, args=(c, think * n / len(clients)), daemon=True)
        for n, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    if failures:
        print(f"  refused or failed notes: {sorted(set(failures))} ({len(failures)})")
    return times


def importing(server, email: str, raw: bytes, stop: threading.Event, took: list[float]) -> None:
    facilitator = Browser(server.url)
    facilitator.get("/login")
    facilitator.post("/login", {"email": email, "password": PASSWORD})
    while not stop.is_set():
        facilitator.get("/workshops/import")
        body, boundary = multipart({"csrf_token": facilitator.token}, "file", "big.json", raw)
        request = urllib.request.Request(
            server.url + "/workshops/import",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        started = time.perf_counter()
        try:
            with facilitator.opener.open(request, timeout=120) as response:
                status = response.status
        except urllib.error.HTTPError as answer:
            status = answer.code
        took.append(time.perf_counter() - started)
        if status != 303:
            print(f"  import answered {status}")


def summary(label: str, times: list[float]) -> tuple[float, float]:
    ordered = sorted(1000 * t for t in times)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"  {label}: {len(ordered)} notes, p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    return p50, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=10000)  # the most a file may hold
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--think", type=float, default=0.5)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = bench_app(url)
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Step, Workshop
    from cjm_workshop.services import steps
    from tests.factories import Factories  # noqa: PLC0415

    make = Factories(app)
    owner = make.facilitator("bench@example.org")
    workshop = make.workshop(owner)
    with app.app_context():
        steps.go_to_step(db.session, db.session.get(Workshop, workshop.id), Step.RESEARCH)
        db.session.commit()
    tokens = [make.participant(workshop, f"Phone {n}").token for n in range(PHONES)]
    raw = json.dumps(document(app, workshop.id, args.notes)).encode()
    print(f"SQLite, {PHONES} phones adding notes ({args.think:g} s between), {args.seconds:g} s:")
    check_times(app, workshop.id)
    with app.app_context():
        db.engine.dispose()
    server = AppServer(url, workers=2, threads=None)
    time.sleep(3)  # the workers' side processes (offload.start) finish starting
    try:
        alone = summary(
            "phones alone", posting(server, workshop.join_code, tokens, args.seconds, args.think)
        )
        stop, took = threading.Event(), []
        importer = threading.Thread(
            target=importing, args=(server, owner.email, raw, stop, took), daemon=True
        )

        def first_import_under_way() -> None:
            importer.start()
            time.sleep(1)

        during = summary(
            f"phones while {args.notes} notes are imported",
            posting(
                server,
                workshop.join_code,
                tokens,
                args.seconds,
                args.think,
                first_import_under_way,
            ),
        )
        stop.set()
        importer.join(timeout=120)
    finally:
        server.stop()
    print(
        f"  imports: {len(took)}, each {statistics.median(took):.1f} s (median); "
        f"p95 ratio with/without import {during[1] / alone[1]:.1f}x (goal <= 2x), "
        f"p50 ratio {during[0] / alone[0]:.1f}x"
    )


if __name__ == "__main__":
    main()
