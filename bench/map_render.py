"""The journey map of a big workshop: server render time and gzipped weight.

Builds a workshop with 6 stages and 6 lanes (5 of them holding notes) and 300 notes from
30 participants, with some merged duplicates, on a scratch database; then asks the app
(in process, no network) for the facilitator's map page, the facilitator's map region
(what a move answers with), the projector's map region and the phones' map region, and
prints the median and p95 render time and the size of the HTML, raw and gzipped at the
level Flask-Compress uses (6). The projector and phone regions are also timed uncached
(their first render after a change; later screens get the cached copy). Targets
(issue 4): <= 100 ms and <= 150 KB gzipped. Not a test: timings are noisy.

    .venv/bin/python bench/map_render.py [--notes 300] [--runs 30]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/map_render.py
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.join_rush import ScratchDatabase, bench_app  # noqa: E402

STAGES = ["Orientation", "Comparison", "Booking", "Visit", "Aftercare", "Return"]
TEXTS = [
    "Looks for a dentist near home on a phone during lunch",
    "Reads reviews and compares opening hours",
    "Calls the practice because the website shows no free slots",
    "Gets an e-mail reminder the day before the appointment",
    "Waits 20 minutes in the waiting room without news",
    "Pays at the desk and gets an invoice by e-mail",
]


def build(app, notes: int) -> tuple[int, str, str]:
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Channel, NoteKind, ResearchSource, Step, Workshop
    from cjm_workshop.services import accounts, joining, journey_map, steps
    from cjm_workshop.services import notes as note_service
    from cjm_workshop.services.workshops import PersonaFields, WorkshopFields, create_workshop

    kinds = [
        NoteKind.CUSTOMER_ACTION,
        NoteKind.TOUCHPOINT,
        NoteKind.INSIGHT,
        NoteKind.PAIN_POINT,
        NoteKind.OPPORTUNITY,
    ]
    with app.app_context():
        owner = accounts.create_facilitator(
            db.session, email="bench@example.org", name="Bench", password="bench-password"
        )
        workshop = create_workshop(
            db.session,
            owner,
            WorkshopFields(
                title="A big workshop",
                journey="Booking a dentist appointment",
                goal="Fewer phone calls",
                language="en",
                anonymous=False,
                dots_per_participant=5,
            ),
            persona=PersonaFields(name="Fatima"),
            stage_template="custom",
            custom_stages=STAGES,
        )
        people = [joining.join(db.session, workshop, f"Person {n}", None) for n in range(30)]
        stage_ids = [stage.id for stage in workshop.stages]
        steps.go_to_step(db.session, workshop, Step.VISUALIZE)
        made = []
        for number in range(notes):
            kind = kinds[number % len(kinds)]
            fields = note_service.NoteFields(
                kind=kind,
                text=f"{TEXTS[number % len(TEXTS)]} (#{number})",
                stage_id=stage_ids[(number // len(kinds)) % len(stage_ids)],
                source=ResearchSource.INTERVIEW if kind is NoteKind.INSIGHT else None,
                channel=list(Channel)[number % len(Channel)]
                if kind is NoteKind.TOUCHPOINT
                else None,
            )
            made.append(note_service.add_note(db.session, workshop, fields, f"bench-{number}"))
            made[-1].author_id = people[number % len(people)].id
        db.session.flush()
        for keep, duplicate in zip(made[:20:2], made[1:20:2], strict=True):
            journey_map.merge(db.session, workshop, keep, [duplicate])
        db.session.commit()
        workshop = db.session.get(Workshop, workshop.id)
        return workshop.id, workshop.join_code, people[0].token


def measure(client, url: str, runs: int, headers=None, before=None) -> dict:
    times, body = [], b""
    for _ in range(runs + 2):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_data()
    times = sorted(times[2:])
    return {
        "p50": statistics.median(times) * 1000,
        "p95": times[int(len(times) * 0.95) - 1] * 1000,
        "raw": len(body) / 1024,
        "gzip": len(gzip.compress(body, compresslevel=6)) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    scratch = ScratchDatabase(
        os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    )
    try:
        from cjm_workshop import live
        from cjm_workshop.extensions import db

        app = bench_app(
            scratch.url,
            RATELIMIT_ENABLED=False,
            WTF_CSRF_ENABLED=False,  # the bench logs in without reading the form
        )
        workshop_id, code, token = build(app, args.notes)
        laptop, phone = app.test_client(), app.test_client()
        laptop.post("/login", data={"email": "bench@example.org", "password": "bench-password"})
        phone.set_cookie(f"cjm_p_{code}", token)

        def forget() -> None:  # as after a change: the next screen renders the map again
            with app.app_context():
                live.broadcaster().prepared.clear()

        hx = {"HX-Request": "true"}
        print(f"database: {scratch.url.split(':')[0]}")
        print(f"notes on the map: {args.notes} (10 of them merged into others), 6 stages, 6 lanes")
        print(f"{'view':38} {'p50 ms':>8} {'p95 ms':>8} {'KB raw':>8} {'KB gzip':>8}")
        rows = [
            ("facilitator's map page", laptop, f"/workshops/{workshop_id}/map", None, None),
            (
                "facilitator's map region (htmx)",
                laptop,
                f"/workshops/{workshop_id}/map?part=map",
                hx,
                None,
            ),
            (
                "projector map region, uncached",
                laptop,
                f"/workshops/{workshop_id}/board/map",
                hx,
                forget,
            ),
            (
                "projector map region, cached",
                laptop,
                f"/workshops/{workshop_id}/board/map",
                hx,
                None,
            ),
            ("phone map region, uncached", phone, f"/w/{code}/map", hx, forget),
            ("phone page with the map, uncached", phone, f"/w/{code}", None, forget),
        ]
        for label, client, url, headers, before in rows:
            figures = measure(client, url, args.runs, headers, before)
            print(
                f"{label:38} {figures['p50']:8.1f} {figures['p95']:8.1f}"
                f" {figures['raw']:8.1f} {figures['gzip']:8.1f}"
            )
        with app.app_context():
            db.engine.dispose()
    finally:
        scratch.drop()


if __name__ == "__main__":
    main()
