"""The poster of a big workshop: WeasyPrint's render time and peak memory, against headless
Chromium printing the same HTML.

Builds workshops of 20, 100, 300 and 1,000 notes (6 stages, 5 lanes of notes; rated
touchpoints, a revealed dot-voting round on pain points, a dozen actions) on a scratch
database, makes each one's A1 poster HTML as the app does, and then:

- renders it as production does (`render.make_pdf`: a process forked from the poster
  server, nothing cached) and reports the wall time;
- renders it in a fresh process of its own (WeasyPrint imported first, as the poster
  server has it) and reports the render time and that process's peak memory (ru_maxrss);
- prints it with Debian's Chromium through Playwright (`page.pdf`, after a warm-up) and
  reports the time and the peak memory of all Chromium processes (sampled every 10 ms).

Targets (issue 7): A1 with 300 notes <= 1.0 s and <= 150 MB; 1,000 notes <= 4 s;
WeasyPrint <= 1.5 x Chromium's time at under a fifth of its memory. Medians of --runs.
Writes the PDFs to --out (default /tmp/cjm-posters) for a look with pdftoppm.
Not a test: timings are noisy.

    .venv/bin/python bench/poster_render.py [--notes 20 100 300 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The render processes import this module again (as multiprocessing does with a script):
# what they do not need is imported inside the functions, as a gunicorn script imports
# little.

# Renders one HTML file in a fresh process and prints seconds and peak memory as JSON.
# Peak memory is the kernel's high-water mark of this process (VmHWM; ru_maxrss would
# report the bench's own size, inherited through fork and exec).
CHILD = """
import json, sys, time
from cjm_workshop.poster import pdf
def peak():
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
html = open(sys.argv[1], encoding="utf-8").read()
before = peak()
started = time.perf_counter()
made, asked = pdf.render(html, sys.argv[2])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mb": peak(), "import_mb": before,
                  "bytes": len(made), "asked": len(asked)}))
"""


def enrich(app, workshop_id: int) -> None:
    """A persona box, ratings on every touchpoint, a revealed round of dots on pain points,
    actions."""
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Note, NoteKind, Participant, Step, Workshop
    from cjm_workshop.services import actions, emotions, steps, voting

    rng = random.Random(7)
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        persona = workshop.personas[0]  # a persona box as a workshop fills it in
        persona.description = "38, works four days a week, books for herself and two children."
        persona.goals = "Find a time that fits around work and school; be sure it is booked."
        persona.frustrations = "Calling during office hours; the same form again per child."
        people = list(db.session.query(Participant).filter_by(workshop_id=workshop_id))
        notes = list(db.session.query(Note).filter_by(workshop_id=workshop_id, merged_into_id=None))
        steps.go_to_step(db.session, workshop, Step.EMOTIONS)
        for note in (n for n in notes if n.kind is NoteKind.TOUCHPOINT):
            for person in people[:8]:
                emotions.rate(db.session, workshop, person, note, rng.randint(1, 5))
        chosen = voting.open_round(
            db.session,
            workshop,
            NoteKind.PAIN_POINT,
            dots=5,
            several_per_note=False,
            own_notes=True,
        )
        pains = [n for n in notes if n.kind is NoteKind.PAIN_POINT]
        for person in people:
            for note in rng.sample(pains, min(5, len(pains))):
                key = f"bench-{person.id}-{note.id}"
                voting.vote(
                    db.session, voting.ballot_for(db.session, workshop_id, person.id, note.id, key)
                )
        voting.reveal(db.session, workshop, chosen)
        steps.go_to_step(db.session, workshop, Step.ACTIONS)
        ideas = [n for n in notes if n.kind is NoteKind.OPPORTUNITY]
        for number in range(12):
            source = ideas[number % len(ideas)].id if ideas else None
            fields = actions.ActionFields(
                f"Action {number + 1}: make free slots visible online", f"Owner {number + 1}"
            )
            actions.add_action(db.session, workshop, fields, source)
        db.session.commit()


def poster_html(app, workshop_id: int) -> str:
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Workshop
    from cjm_workshop.poster import layout, render

    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        url = "http://127.0.0.1:5000/workshops/1/results"
        return render.poster_html(db.session, workshop, layout.FORMATS["A1"], url)


def production(app, workshop_id: int, html: str, runs: int) -> tuple[float, bytes]:
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Workshop
    from cjm_workshop.poster import layout, render

    times, pdf = [], b""
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        for _ in range(runs):
            app.config["POSTER_CACHE_DIR"] = tempfile.mkdtemp()
            started = time.perf_counter()
            pdf = render.make_pdf(workshop, html, layout.FORMATS["A1"]).pdf
            times.append(time.perf_counter() - started)
    return statistics.median(times), pdf


def weasyprint_alone(html_file: Path, static: str, runs: int) -> dict:
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(html_file), static],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        key: statistics.median(result[key] for result in results)
        for key in ("seconds", "peak_mb", "import_mb", "bytes")
    }


def _is_chromium(pid: int) -> bool:
    try:
        return "chrom" in Path(f"/proc/{pid}/comm").read_text()
    except FileNotFoundError:  # a helper process that already ended
        return False


def rss_mb(pids: list[int]) -> float:
    """The processes' resident memory together, in MB."""
    from bench.live_delivery import status_field

    return status_field(pids, "VmRSS") / 1024


def _sample(pids: list[int], samples: list[float], stop: threading.Event) -> None:
    while not stop.is_set():
        samples.append(rss_mb(pids))
        time.sleep(0.01)


def chromium(html: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.live_delivery import process_tree
    from tests.browser.conftest import CHROMIUM_FLAGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        page = browser.new_page()
        page.set_content(html)
        options = {"print_background": True, "prefer_css_page_size": True}
        page.pdf(**options)  # warm-up
        pids = [pid for pid in process_tree(os.getpid()) if _is_chromium(pid)]
        times, peak = [], 0.0
        for _ in range(runs):
            stop = threading.Event()
            samples = [rss_mb(pids)]
            watcher = threading.Thread(target=_sample, args=(pids, samples, stop))
            watcher.start()
            started = time.perf_counter()
            page.set_content(html)
            made = page.pdf(**options)
            times.append(time.perf_counter() - started)
            stop.set()
            watcher.join()
            peak = max(peak, *samples)
        browser.close()
        cold = []  # what a server without a browser kept running pays: launch, load, print
        for _ in range(runs):
            started = time.perf_counter()
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
            )
            page = browser.new_page()
            page.set_content(html)
            page.pdf(**options)
            browser.close()
            cold.append(time.perf_counter() - started)
    return {
        "seconds": statistics.median(times),
        "cold": statistics.median(cold),
        "peak_mb": peak,
        "bytes": len(made),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[20, 100, 300, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default="/tmp/cjm-posters")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from bench.join_rush import ScratchDatabase, bench_app
    from bench.map_render import build

    print(f"A1 poster, medians of {args.runs} runs")
    header = (
        f"{'notes':>6} {'make_pdf s':>10} {'weasy s':>8} {'weasy MB':>9} {'chromium s':>10}"
        f" {'cold s':>7} {'chromium MB':>11} {'time ×':>7} {'memory ×':>8} {'PDF KB':>7}"
        f" {'+PNG s':>7} {'+SVG s':>7}"
    )
    print(header)
    for notes in args.notes:
        scratch = ScratchDatabase(
            os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        )
        try:
            app = bench_app(scratch.url, RATELIMIT_ENABLED=False, POSTER_TIME_LIMIT=60.0)
            workshop_id, _code, _token = build(app, notes)
            enrich(app, workshop_id)
            html = poster_html(app, workshop_id)
            html_file = out / f"poster-{notes}.html"
            html_file.write_text(html, encoding="utf-8")
            made_seconds, pdf = production(app, workshop_id, html, args.runs)
            (out / f"poster-{notes}.pdf").write_bytes(pdf)
            png_seconds = picture(pdf, args.runs, out / f"poster-{notes}.png")
            svg_seconds = picture(pdf, args.runs, out / f"poster-{notes}.svg", "svg")
            alone = weasyprint_alone(html_file, app.static_folder, args.runs)
            chrome = chromium(html, args.runs)
            print(
                f"{notes:6d} {made_seconds:10.2f} {alone['seconds']:8.2f} {alone['peak_mb']:9.0f}"
                f" {chrome['seconds']:10.2f} {chrome['cold']:7.2f} {chrome['peak_mb']:11.0f}"
                f" {alone['seconds'] / chrome['seconds']:7.2f}"
                f" {alone['peak_mb'] / chrome['peak_mb']:8.2f} {len(pdf) / 1024:7.0f}"
                f" {png_seconds:7.2f} {svg_seconds:7.2f}",
                flush=True,
            )
            from cjm_workshop.extensions import db

            with app.app_context():
                db.engine.dispose()
        finally:
            scratch.drop()
    print("make_pdf: as the app renders (a process forked from the poster server, no cache).")
    print("weasy s, weasy MB: the render alone in a fresh process, and that process's peak")
    print(f"  resident memory (about {alone['import_mb']:.0f} MB of it before the render starts).")
    print("chromium s: load and print in a running browser; cold s: launch, load, print.")
    print("time ×, memory ×: WeasyPrint against the running browser.")
    print("+PNG s, +SVG s: the picture for slides (1920 px, or SVG) made from that PDF.")
    print(f"PDFs and HTML in {out}")


def picture(pdf: bytes, runs: int, path: Path, kind: str = "png") -> float:
    """Median seconds to make the picture for slides (1920 px PNG, or SVG) from the PDF."""
    from cjm_workshop.poster import images

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        made = images.picture(pdf, kind, 1920)
        times.append(time.perf_counter() - started)
    path.with_suffix(f".{kind}").write_bytes(made)
    return statistics.median(times)


if __name__ == "__main__":
    main()
