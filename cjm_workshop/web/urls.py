"""Addresses: safe redirects and the public address phones use to reach the app."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app, request, url_for

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it stays on this site (no scheme, no host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for phones: BASE_URL when set, else the address this browser used."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    return base + path


def is_loopback_address(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in {"localhost", "127.0.0.1", "::1"} or host.startswith("127.")


def secure_cookies() -> bool:
    """Cookies are sent only over HTTPS when configured so (SECURE_COOKIES, or a BASE_URL
    starting with https); an answer over HTTPS makes every cookie Secure anyway
    (SecureCookiesOverHTTPS)."""
    return current_app.config["SESSION_COOKIE_SECURE"]


class SecureCookiesOverHTTPS:
    """Every cookie of an answer over HTTPS is Secure, also behind a proxy that says so
    (ProxyFix sets the scheme): Flask's session and Flask-Login's remember-me cookies
    follow only their settings, and the session's is written after every hook has run."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start(status, headers, exc_info=None):
            headers = [
                (name, f"{value}; Secure")
                if name.lower() == "set-cookie" and "; secure" not in value.lower()
                else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start)
