"""A room joins at once: N phones scan the QR code within a few seconds.

Starts gunicorn as `make run` does (cjm_workshop/gunicorn_conf.py) on a fresh database, then lets N phones
open the QR link, post a name (many the same) and load the brief, from a thread pool.
Prints latency percentiles per step, errors and the participants stored. Not a test:
timings on a 2-core machine are noisy; compare runs made together.

    .venv/bin/python bench/join_rush.py --phones 120 --concurrency 24
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/join_rush.py
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from tests.live.servers import AppServer  # noqa: E402


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def bench_app(url: str, **settings):
    """The app on the bench's database, configured as the benches run it (migrated)."""
    from flask_migrate import upgrade

    from cjm_workshop import create_app

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "APP_ENV": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "BASE_URL": "",
            "PROXY_COUNT": 0,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            **settings,
        }
    )
    with app.app_context():
        upgrade()
    return app


class ScratchDatabase:
    """On PostgreSQL, a database of the bench's own next to the one named, dropped after."""

    def __init__(self, url: str) -> None:
        self.url, self._admin, self._name = url, None, None
        if url.startswith("postgresql"):
            import sqlalchemy as sa

            base = sa.engine.make_url(url)
            self._name = f"cjm_bench_{os.getpid()}"
            self._admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
            with self._admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{self._name}"'))
            self.url = base.set(database=self._name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self._admin is not None:
            import sqlalchemy as sa

            with self._admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE "{self._name}" WITH (FORCE)'))
            self._admin.dispose()


def phone(base: str, code: str, token: str, name: str) -> dict[str, float]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    timings = {}
    started = time.perf_counter()
    page = opener.open(f"{base}/j/{code}?k={token}", timeout=30).read().decode()
    timings["open link"] = time.perf_counter() - started
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    key = re.search(r'name="join_key"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": csrf, "join_key": key, "k": token, "display_name": name}
    ).encode()
    started = time.perf_counter()
    try:
        opener.open(urllib.request.Request(f"{base}/j/{code}", data=body), timeout=30)
        raise RuntimeError("expected a redirect")
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            raise RuntimeError(f"join answered {answer.code}") from None
    timings["post name"] = time.perf_counter() - started
    started = time.perf_counter()
    brief = opener.open(f"{base}/w/{code}", timeout=30).read().decode()
    timings["load brief"] = time.perf_counter() - started
    if "Hello" not in brief and "Hoi" not in brief:
        raise RuntimeError("no brief")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    folder = tempfile.mkdtemp()
    env = os.environ | {"SECRET_KEY": "bench", "APP_ENV": "production"}
    env.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    scratch = ScratchDatabase(env["DATABASE_URL"])
    env["DATABASE_URL"] = scratch.url
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    seeded = subprocess.run(
        [*flask, "cjm", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    code = re.search(r"code (\w+)", seeded).group(1)
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    from cjm_workshop import create_app
    from cjm_workshop.extensions import db
    from cjm_workshop.models import Participant, Workshop

    app = create_app()
    with app.app_context():
        token = db.session.query(Workshop).filter_by(join_code=code).one().join_token

    server = AppServer(env["DATABASE_URL"], workers=args.workers)
    base = server.url
    try:
        names = [("Anna" if n % 3 == 0 else f"Phone {n}") for n in range(args.phones)]
        errors: list[str] = []
        results: list[dict[str, float]] = []

        def run(name: str) -> None:
            try:
                results.append(phone(base, code, token, name))
            except Exception as error:  # noqa: BLE001 - counted and printed
                errors.append(repr(error))

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(run, names))
        wall = time.perf_counter() - started
    finally:
        server.stop()

    with app.app_context():
        joined = db.session.query(Participant).count() - 3  # the demo seeds three
        db.engine.dispose()
    scratch.drop()
    database = env["DATABASE_URL"].split(":", 1)[0]
    print(
        f"join rush: {args.phones} phones, {args.concurrency} at once, "
        f"{args.workers} gthread workers, {database}"
    )
    print(
        f"  wall time {wall:.2f} s, {args.phones / wall:.0f} phones/s, "
        f"errors {len(errors)}, participants stored {joined}"
    )
    for step in ("open link", "post name", "load brief"):
        values = sorted(r[step] * 1000 for r in results)
        if values:
            p95 = values[int(len(values) * 0.95) - 1]
            print(
                f"  {step:<11} p50 {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms   "
                f"max {values[-1]:6.1f} ms"
            )
    for error in errors[:5]:
        print("  error:", error)


if __name__ == "__main__":
    main()
