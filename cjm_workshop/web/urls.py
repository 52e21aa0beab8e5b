"""Addresses: safe redirects and the public address phones use to reach the app."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for


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
    """Cookies are sent only over HTTPS when the site is served over it (behind a proxy that
    says so) or configured so (SECURE_COOKIES, or a BASE_URL starting with https)."""
    return request.is_secure or current_app.config["SESSION_COOKIE_SECURE"]
