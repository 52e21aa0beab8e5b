"""The projector board of a full room, measured in Chromium: does it scroll, and how large
is each kind of text (computed CSS px; SVG text as drawn) in every step and resolution.

Builds the dense Dutch workshop of tests/browser/boards.py (24 notes per step, 48 on
the map; --insights 16 for 40 on the map) on a scratch SQLite database, serves it in-process
and opens the board from an English browser. Prints one Markdown table: a row per step and resolution. Not a test; the
targets (issue 16) are checked by tests/browser/test_board_fit.py.

    .venv/bin/python bench/board_sizes.py [--insights 16]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--insights", type=int, default=24, help="24: 48 notes on the map")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from bench.join_rush import bench_app
    from tests.browser.boards import (
        RESOLUTIONS,
        SIZE_COLUMNS,
        STAGES_OF_A_SESSION,
        dense_room,
        measure,
        settle,
        show,
    )
    from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path
    from tests.factories import PASSWORD, Factories

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(f"sqlite:///{folder}/board.sqlite3", RATELIMIT_ENABLED=False)
        make = Factories(app)
        room = dense_room(make, insights=args.insights)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        print("| step | screen | fits | scroll w×h | +N more | " + " | ".join(SIZE_COLUMNS) + " |")
        print("|" + "---|" * (5 + len(SIZE_COLUMNS)))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
            )
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("#email", room.email)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            for step in STAGES_OF_A_SESSION:
                show(make, room, step)
                for width, height in RESOLUTIONS:
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(f"{base}/workshops/{room.workshop.id}/board")
                    settle(page)
                    found = measure(page)
                    w, h, _iw, _ih = found["scroll"]
                    sizes = " | ".join(_px(found[c]) for c in SIZE_COLUMNS)
                    print(
                        f"| {step} | {width}×{height} | {'yes' if found['fits'] else 'NO'}"
                        f" | {w}×{h} | {found['more']} | {sizes} |",
                        flush=True,
                    )
                    if width == 1920:
                        page.screenshot(path=f"/tmp/board-{step}.png")
            browser.close()
        server.shutdown()


def _px(value) -> str:
    return "–" if value is None else f"{value:g}"


if __name__ == "__main__":
    main()
