"""Real gunicorn app servers for tests and benchmarks, and a small HTTP client for them."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """gunicorn with the app's settings (cjm_workshop/gunicorn_conf.py) on a port of its own,
    as `make run` (`cjm serve`) starts it."""

    def __init__(
        self,
        database_url: str,
        workers: int = 1,
        threads: int | None = 64,
        app: str = "wsgi:app",
    ) -> None:
        """`threads`: with WORKER_CLASS=gthread, threads per worker (None: the default);
        `app`: another WSGI app served the same way (the benchmarks' baselines)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-servers",
            "APP_ENV": "production",
            "PORT": str(self.port),
            "WORKERS": str(workers),
            **({"THREADS": str(threads)} if threads else {}),
            "ACCESS_LOG": "",
        }
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--config",
                "python:cjm_workshop.gunicorn_conf",
                "--no-control-socket",
                app,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> float:
        """Stop like Ctrl-C does; returns how long that took in seconds."""
        started = time.monotonic()
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies and CSRF tokens, like a browser without JavaScript."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )
        self.token = ""

    def set_cookie(self, name: str, value: str) -> None:
        """A cookie this client carries from the start (a participant's identity)."""
        host = self.base.split("//", 1)[1].split(":", 1)[0]
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                name,
                value,
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                True,
                None,
                None,
                {},
            )
        )

    def get(self, path: str, headers: dict | None = None) -> str:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        page = self.opener.open(request, timeout=30).read().decode()
        found = re.search(r'name="[\w-]*csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'name="csrf-token" content="([^"]+)"', page
        )
        if found:
            self.token = found.group(1)
        return page

    def post(self, path: str, data: dict, headers: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": self.token} | data).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode()

    def add_insight(self, code: str, text: str, key: str, *, htmx: bool = False) -> int:
        """A participant's insight note, as the phone's form posts it; the answer's status."""
        status, _ = self.post(
            f"/w/{code}/notes/insight",
            {
                "insight-text": text,
                "insight-source": "survey",
                "insight-idempotency_key": key,
                "insight-csrf_token": self.token,
            },
            headers={"HX-Request": "true"} if htmx else None,
        )
        return status

    def stream(self, path: str):
        request = urllib.request.Request(self.base + path, headers={"Accept": "text/event-stream"})
        return self.opener.open(request, timeout=30)


def read_events(response, until, timeout: float = 10.0) -> list[tuple[str, str]]:
    """Read server-sent events until `until(event, data)` is true; returns what was read."""
    seen, event, data = [], "", ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = response.readline().decode()
        if not line:
            break
        line = line.rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and event:
            seen.append((event, data))
            if until(event, data):
                return seen
            event, data = "", ""
    raise AssertionError(f"no matching event within {timeout}s; saw {seen}")
