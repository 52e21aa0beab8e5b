"""Settings, read from the environment once when the app is created."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import find_dotenv, load_dotenv

from cjm_workshop.models.workshop import ERASE_DAYS_MAX

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def read_env_file() -> None:
    """Settings from a `.env` file in the working directory (or a folder above it), as
    `flask` and `cjm` read it; variables already set in the environment win."""
    load_dotenv(find_dotenv(usecwd=True))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _days_or_off(name: str, default: int | None, most: int) -> int | None:
    """A number of days from 0 to `most`, or "off" (None)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"off", "never", "no", "false"}:
        return None
    if not value.isdigit() or int(value) > most:
        raise ConfigError(f"{name} must be a number of days from 0 to {most}, or off.")
    return int(value)


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {value!r}.")
    return int(value)


def _connections_per_worker() -> int:
    """How many requests one gunicorn worker serves at once (gunicorn_conf.py reads the same
    variables): its greenlets with the default gevent worker, its threads with gthread."""
    if os.environ.get("WORKER_CLASS", "gevent") == "gthread":
        return int(os.environ.get("THREADS") or 200)
    return int(os.environ.get("CONNECTIONS") or 4000)


# Settings that do not depend on the environment; tests start from these too.
DEFAULTS: dict = {
    # Cookies: HttpOnly and SameSite=Lax always; Secure behind HTTPS (see from_environment).
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,
    "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
    # Fourteen days from the last change (a login, a CSRF token, a flash) is long enough;
    # re-signing the cookie on every request cost a tap of a dot about a tenth of its time.
    "SESSION_REFRESH_EACH_REQUEST": False,
    # A phone page opened at 09:00 must still post at 10:05: tokens live as long as
    # the session does instead of Flask-WTF's default hour.
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # A CSV file or workbook of research insights may be this large (RESEARCH_IMPORT_MAX_MB).
    "RESEARCH_IMPORT_MAX_BYTES": 5 * 1024 * 1024,
    # Who may create an account from the web (see SIGNUP_MODES), how long an invitation
    # and a password-reset link work.
    "SIGNUP": "open",
    "INVITATION_DAYS": 7,
    "PASSWORD_RESET_SECONDS": 3600,
    # E-mail (invitations, password resets): nothing is sent while SMTP_HOST is empty.
    "SMTP_HOST": "",
    "SMTP_PORT": 587,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": True,
    "SMTP_SSL": False,
    "MAIL_FROM": "",
    # Posters (cjm_workshop/poster/render.py): rendered PDFs are kept here by content,
    # at most this many render at once (across workers), each stopped after this long.
    "POSTER_CACHE_DIR": str(INSTANCE / "posters"),
    "POSTER_RENDERS": 2,
    "POSTER_TIME_LIMIT": 20.0,
    # Event streams one participant, one account and one address may hold open per process
    # (a phone with two tabs and a reconnect; a facilitator's console, board and map; a room
    # behind one Wi-Fi address: all but 20 of the connections a worker serves at once, kept
    # for ordinary requests; see gunicorn_conf.py).
    "LIVE_STREAMS_PER_PHONE": 3,
    "LIVE_STREAMS_PER_ACCOUNT": 10,
    "LIVE_STREAMS_PER_ADDRESS": _connections_per_worker() - 20,
    # A connection the database dropped (a restart) is noticed and replaced when taken from
    # the pool, instead of failing the request that got it.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Retention (services/retention.py): live events are kept this many hours; participants'
    # names are erased this many days after their workshop closed, unless the workshop says
    # otherwise (None: kept). Each process runs that now and then (housekeeping.py); 0: only
    # by `flask cjm prune` (tests run it themselves).
    "LIVE_EVENTS_KEPT_HOURS": 24,
    "ERASE_NAMES_AFTER_DAYS": 30,
    "HOUSEKEEPING_EVERY_MINUTES": 0,
    "RATELIMIT_STRATEGY": "fixed-window",
    "RATELIMIT_HEADERS_ENABLED": False,
    "BABEL_DEFAULT_LOCALE": "en",
    # The facilitators' local time: times they type (research before the session) are
    # read in it and shown in it; the database keeps UTC.
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "application/javascript",
        "text/javascript",
        "application/json",
        "image/svg+xml",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 6,  # as cheap as gzip at its default, 5-10 % smaller; 11 costs 50 ms a page
    "COMPRESS_MIN_SIZE": 300,
    # Never buffer a stream to compress it (and Flask-Compress leaks the file handle of a
    # streamed file); static files come precompressed, served by WhiteNoise (assets.py).
    "COMPRESS_STREAMS": False,
}


# open: anyone signs up; invite: only through an invitation link; closed: accounts are made
# by an administrator (`cjm create-facilitator`), not from the web.
SIGNUP_MODES = ("open", "invite", "closed")


def login_lasts(config: Mapping) -> timedelta:
    """How long a log-in lasts at most, remembered or not: as long as a remember-me cookie
    (REMEMBER_COOKIE_DURATION, seconds or a timedelta)."""
    duration = config["REMEMBER_COOKIE_DURATION"]
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def _signup_mode() -> str:
    mode = (os.environ.get("SIGNUP") or "open").strip().lower()
    if mode not in SIGNUP_MODES:
        raise ConfigError(f"SIGNUP must be one of {', '.join(SIGNUP_MODES)}, not {mode!r}.")
    return mode


def _mail_settings(base_url: str) -> dict:
    ssl = _bool("SMTP_SSL", False)
    starttls = _bool("SMTP_STARTTLS", not ssl)
    if ssl and starttls:
        raise ConfigError("Set SMTP_SSL or SMTP_STARTTLS, not both.")
    host = os.environ.get("SMTP_HOST", "").strip()
    if host and not base_url:
        raise ConfigError(
            "BASE_URL is required when SMTP_HOST is set: links in mails must name this "
            "server, not whatever Host a request came with."
        )
    default_port = 465 if ssl else 587 if starttls else 25
    site = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return {
        "SMTP_HOST": host,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT") or default_port),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": starttls,
        "SMTP_SSL": ssl,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "").strip() or f"CJM Workshop <noreply@{site}>",
    }


def _timezone() -> str:
    name = os.environ.get("TIMEZONE", "").strip() or DEFAULTS["BABEL_DEFAULT_TIMEZONE"]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(
            f"TIMEZONE must name a time zone such as Europe/Amsterdam, not {name!r}."
        ) from error
    return name


def from_environment() -> dict:
    """Build the Flask config from environment variables (see README, Configuration)."""
    read_env_file()
    env = os.environ.get("APP_ENV", "production").strip().lower()
    secret = os.environ.get("SECRET_KEY", "")
    if not secret:
        if env != "development":
            raise ConfigError(
                "SECRET_KEY is required outside development "
                "(set APP_ENV=development for a throwaway key, or use `make run`)."
            )
        secret = "development-only-secret-key"  # noqa: S105 - development only
    base_url = os.environ.get("BASE_URL", "").strip().rstrip("/")
    secure_cookies = _bool("SECURE_COOKIES", base_url.startswith("https://"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'cjm.sqlite3'}"
    return (
        DEFAULTS
        | _mail_settings(base_url)
        | {
            "APP_ENV": env,
            "SIGNUP": _signup_mode(),
            "BABEL_DEFAULT_TIMEZONE": _timezone(),
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": base_url,
            "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0") or 0),
            "SESSION_COOKIE_SECURE": secure_cookies,
            "REMEMBER_COOKIE_SECURE": secure_cookies,
            # Rate-limit counters live where every worker and app server sees them:
            # the database by default, or Redis (redis://...) when configured.
            "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "cjm-db://"),
            "POSTER_CACHE_DIR": os.environ.get("POSTER_CACHE_DIR") or DEFAULTS["POSTER_CACHE_DIR"],
            "POSTER_RENDERS": int(os.environ.get("POSTER_RENDERS") or DEFAULTS["POSTER_RENDERS"]),
            "LIVE_EVENTS_KEPT_HOURS": _whole_number("LIVE_EVENTS_KEPT_HOURS", 24),
            "ERASE_NAMES_AFTER_DAYS": _days_or_off("ERASE_NAMES_AFTER_DAYS", 30, ERASE_DAYS_MAX),
            "HOUSEKEEPING_EVERY_MINUTES": _whole_number("HOUSEKEEPING_EVERY_MINUTES", 15),
            "RESEARCH_IMPORT_MAX_BYTES": _whole_number("RESEARCH_IMPORT_MAX_MB", 5) * 1024 * 1024,
            "POSTER_TIME_LIMIT": float(
                os.environ.get("POSTER_TIME_LIMIT") or DEFAULTS["POSTER_TIME_LIMIT"]
            ),
        }
    )
