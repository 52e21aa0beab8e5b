"""Dot voting under load: 50 participants tapping "+" in one round, against a bare endpoint.

Starts gunicorn as `make run` does (cjm_workshop/gunicorn_conf.py: 2 gthread workers) on a scratch
database with a workshop of 10 pain points and an open round (5 dots each, several per
note allowed). First measures the server's bare endpoint (`GET /healthz`, one `SELECT 1`)
with the same client concurrency: the framework's limit on this machine. Then 50
participants send 20 taps each, all shuffled together, as phones do (HX-Request: the
answer is the voting panel). Prints requests/s, p50 and p95 latency of both, their ratio,
the answers by status, and the budget violations found by a recount (target: >= 40 % of
the bare endpoint's throughput, 0 violations). Both are measured --repeat times in turn
(each time in a fresh round) and the median ratio printed: a single pair of a few seconds
each swung between 30 and 45 % on this machine. Not a test: timings are noisy.

    .venv/bin/python bench/vote_rush.py [--people 50] [--taps 20] [--concurrency 32] [--repeat 3]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/vote_rush.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.join_rush import ScratchDatabase, bench_app  # noqa: E402
from bench.live_delivery import cpu_seconds, process_tree  # noqa: E402
from tests.live.servers import AppServer, Browser  # noqa: E402

BUDGET = 5


def build(url: str, people: int):
    from tests.factories import Factories

    app = bench_app(url)
    make = Factories(app)
    workshop = make.workshop()
    pains = [make.note(workshop, None, f"Pain point {n}", kind="pain_point") for n in range(10)]
    participants = [make.participant(workshop, f"Person {n}") for n in range(people)]
    round_id = make.voting_round(workshop, dots=BUDGET, several_per_note=True)
    return app, workshop, pains, participants, round_id


def timed(pool: ThreadPoolExecutor, job, items, pid: int) -> tuple[float, list, float]:
    cpu = cpu_seconds(process_tree(pid))
    started = time.perf_counter()
    results = list(pool.map(job, items))
    return time.perf_counter() - started, results, cpu_seconds(process_tree(pid)) - cpu


def summary(label: str, seconds: float, results: list, cpu: float) -> float:
    latencies = sorted(latency for _, latency in results)
    rate = len(results) / seconds
    print(
        f"{label:34} {rate:8.0f} req/s   p50 {statistics.median(latencies) * 1000:6.1f} ms"
        f"   p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:6.1f} ms"
        f"   server CPU {cpu / len(results) * 1000:4.1f} ms/request"
        f"   {dict(Counter(status for status, _ in results))}"
    )
    return rate


def new_round(app, workshop_id: int) -> int:
    """Close the round and open a fresh one: every repetition starts with full budgets."""
    from cjm_workshop.extensions import db
    from cjm_workshop.models import NoteKind, Workshop
    from cjm_workshop.services import voting

    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        voting.close_round(
            db.session, workshop, voting.latest_round(db.session, workshop, NoteKind.PAIN_POINT)
        )
        chosen = voting.open_round(
            db.session,
            workshop,
            NoteKind.PAIN_POINT,
            dots=BUDGET,
            several_per_note=True,
            own_notes=True,
        )
        db.session.commit()
        round_id = chosen.id
        db.engine.dispose()
        return round_id


def check(app, round_id: int, people: int) -> str:
    """The recount: every participant holds exactly their budget, tallies equal the dots."""
    from sqlalchemy import select

    from cjm_workshop.extensions import db
    from cjm_workshop.models import Dot, VotingRound
    from cjm_workshop.services import voting

    with app.app_context():
        chosen = db.session.get(VotingRound, round_id)
        placed = voting.dots_by_participant(db.session, chosen)
        recount = Counter(db.session.scalars(select(Dot.note_id).where(Dot.round_id == round_id)))
        violations = sum(1 for count in placed.values() if count > BUDGET)
        short = sum(1 for count in placed.values() if count < BUDGET)
        same = voting.tally(db.session, chosen) == dict(recount)
        db.engine.dispose()
    return (
        f"dots stored {sum(placed.values())} (expected {people * BUDGET}); budget violations "
        f"{violations}; participants short of their budget {short}; tally equals recount: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--taps", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of both measurements")
    args = parser.parse_args()
    scratch = ScratchDatabase(
        os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    )
    server = None
    try:
        app, workshop, pains, participants, round_id = build(scratch.url, args.people)
        server = AppServer(scratch.url, workers=args.workers, threads=args.concurrency)
        print(
            f"database: {scratch.url.split(':')[0]}; {args.people} participants x "
            f"{args.taps} taps, budget {BUDGET}, {args.concurrency} at once, "
            f"{args.workers} gthread workers; {args.repeat} repetitions, bare then taps"
        )
        phones = []
        for person in participants:
            phone = Browser(server.url)
            phone.set_cookie(f"cjm_p_{workshop.join_code}", person.token)
            phone.get(f"/w/{workshop.join_code}")
            phones.append(phone)

        def bare(_number: int):
            started = time.perf_counter()
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=30) as answer:
                answer.read()
                return answer.status, time.perf_counter() - started

        def tap(job):
            phone, note = job
            started = time.perf_counter()
            status, _ = phone.post(
                f"/w/{workshop.join_code}/dots",
                {"note_id": note, "action": "add", "tap_key": uuid.uuid4().hex},
                headers={"HX-Request": "true"},
            )
            return status, time.perf_counter() - started

        ratios, checks = [], []
        pid = server.process.pid
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            # Warm up both (a server that has run a while has compiled its statements).
            list(pool.map(bare, range(200)))
            list(pool.map(tap, [(phone, random.choice(pains)) for phone in phones] * 4))
            for _repetition in range(args.repeat):
                round_id = new_round(app, workshop.id)
                taps = [(phone, random.choice(pains)) for phone in phones for _ in range(args.taps)]
                random.shuffle(taps)
                bare_rate = summary(
                    "bare endpoint GET /healthz", *timed(pool, bare, range(len(taps)), pid)
                )
                vote_rate = summary("vote taps POST /w/<code>/dots", *timed(pool, tap, taps, pid))
                ratios.append(vote_rate / bare_rate)
                checks.append(check(app, round_id, args.people))
                print(f"  votes / bare endpoint: {ratios[-1]:.0%}; {checks[-1]}")
        print(
            f"votes / bare endpoint, median of {args.repeat}: {statistics.median(ratios):.0%} "
            f"(target >= 40 %)"
        )
    finally:
        if server is not None:
            server.stop()
        scratch.drop()


if __name__ == "__main__":
    main()
