"""Real gunicorn app servers for tests and benchmarks, and a small HTTP client for them."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import os
import re
import shutil
import socket
import ssl
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
        env: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        """`threads`: with WORKER_CLASS=gthread, threads per worker (None: the default);
        `app`: another WSGI app served the same way (the benchmarks' baselines);
        `env`: further settings (PROXY_COUNT ...); `port`: one chosen before (a proxy's)."""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-servers",
            "APP_ENV": "production",
            "PORT": str(self.port),
            "WORKERS": str(workers),
            **({"THREADS": str(threads)} if threads else {}),
            "ACCESS_LOG": "",
            **(env or {}),
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


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "cjm-workshop.conf"


class NginxProxy:
    """Debian's nginx running deploy/nginx/cjm-workshop.conf as written, in front of app
    servers on ports of their own: TLS on a port of its own with a self-signed certificate
    (`context` trusts it), the configuration's proxying rules unchanged."""

    def __init__(self, upstreams: list[int], folder: Path) -> None:
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        certificate, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
            + ["-keyout", str(key), "-out", str(certificate)],
            check=True,
            capture_output=True,
        )
        self.context = ssl.create_default_context(cafile=str(certificate))
        site = SITE.read_text(encoding="utf-8")
        ports = iter(upstreams)
        site, count = re.subn(
            r"(\n    server 127\.0\.0\.1:)\d+", lambda m: m.group(1) + str(next(ports)), site
        )
        assert count == len(upstreams), f"{SITE.name} lists another number of app servers"
        for written, here in [
            ("listen 80;", f"listen 127.0.0.1:{free_port()};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.port} ssl http2;"),
            ("/etc/letsencrypt/live/cjm.example.org/fullchain.pem", str(certificate)),
            ("/etc/letsencrypt/live/cjm.example.org/privkey.pem", str(key)),
        ]:
            assert written in site, f"{SITE.name} no longer says {written!r}"
            site = site.replace(written, here)
        site = re.sub(r"\n *listen \[::\]:\d+[^;]*;", "", site)
        (folder / "site.conf").write_text(site, encoding="utf-8")
        temporary = (
            " ".join(
                f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi")
            )
            + f" uwsgi_temp_path {folder / 'uwsgi'}; scgi_temp_path {folder / 'scgi'};"
        )
        (folder / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")  # its workers may read tmp_path
            + f"daemon off; worker_processes 1; pid {folder / 'nginx.pid'};\n"
            + f"error_log {folder / 'error.log'} warn;\n"
            + "events { worker_connections 1024; }\n"
            + f"http {{ access_log off; {temporary} include {folder / 'site.conf'}; }}\n",
            encoding="utf-8",
        )
        self.folder = folder
        self.process = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", "stderr"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1, context=self.context)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("nginx did not start: " + (folder / "error.log").read_text())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _HTTPSFrom(urllib.request.HTTPSHandler):
    """HTTPS from a source address of its own (127.0.0.2, 127.0.0.3 ...: phones on other
    addresses, as a proxy sees them)."""

    def __init__(self, context: ssl.SSLContext | None, source: str | None) -> None:
        super().__init__(context=context)
        self.source = source

    def https_open(self, req):
        connection = functools.partial(
            http.client.HTTPSConnection,
            source_address=(self.source, 0) if self.source else None,
        )
        return self.do_open(connection, req, context=self._context)


class Browser:
    """Cookies and CSRF tokens, like a browser without JavaScript; over HTTPS, `context`
    says whom to trust, `source` from which local address to connect."""

    def __init__(
        self, base: str, *, context: ssl.SSLContext | None = None, source: str | None = None
    ) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect, _HTTPSFrom(context, source)
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
        # A browser's same-origin Referer (over HTTPS, Flask-WTF checks it).
        headers = {"Referer": self.base + path} | (headers or {})
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
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
