"""Fixtures for every layer: an app on a migrated database (SQLite by default, PostgreSQL
when CJM_TEST_DATABASE_URL names one), a client, a CLI runner and small helpers."""

from __future__ import annotations

import email
import email.policy
import os
import secrets
import socket
import tempfile
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from cjm_workshop import assets, create_app
from cjm_workshop.extensions import db as _db
from tests.factories import Factories

POSTGRES_URL = os.environ.get("CJM_TEST_DATABASE_URL", "")


def _postgres_database(base_url: str) -> Iterator[str]:
    """A database of its own for this run, dropped afterwards."""
    url = make_url(base_url)
    name = f"cjm_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    # Pages name fingerprinted static files (`make static`); a bare `pytest` builds them too.
    assets.build_if_stale()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if POSTGRES_URL:
        yield from _postgres_database(POSTGRES_URL)
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "",
            "PROXY_COUNT": 0,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "RATELIMIT_STORAGE_URI": "cjm-db://",
            "POSTER_CACHE_DIR": str(tmp_path_factory.mktemp("posters")),
        }
    )
    with app.app_context():
        upgrade()
    yield app
    if "cjm_live" in app.extensions:
        app.extensions["cjm_live"].stop()  # end open event streams before the database goes
    with app.app_context():
        _db.engine.dispose()
        live_engine = app.extensions.get("cjm_live_engine")
        if live_engine is not None:  # the live path's own pool (live.live_engine)
            live_engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(app: Flask) -> Iterator[None]:
    yield
    with app.app_context():
        _db.session.remove()
        tables = list(reversed(_db.metadata.sorted_tables))
        if _db.engine.dialect.name == "postgresql":
            _truncate(tables)
        else:
            with _db.engine.begin() as connection:
                for table in tables:
                    connection.execute(table.delete())
    if "cjm_live" in app.extensions:  # event ids start again from 1 on an emptied table
        app.extensions["cjm_live"].forget_position()


DEADLOCK_DETECTED = "40P01"


def _truncate(tables: list[sa.Table], attempts: int = 5) -> None:
    """Empty every table at once. A request a just-closed browser tab left running on the
    test's server can hold a lock TRUNCATE needs while it waits for one TRUNCATE took:
    PostgreSQL then ends one of the two, and when that was the TRUNCATE it goes again once
    the request is through."""
    names = ", ".join(f'"{table.name}"' for table in tables)
    for attempt in range(attempts):
        try:
            with _db.engine.begin() as connection:
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        except sa.exc.OperationalError as error:
            if (
                getattr(error.orig, "sqlstate", None) != DEADLOCK_DETECTED
                or attempt == attempts - 1
            ):
                raise


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        _db.session.rollback()


@pytest.fixture
def session(app_context):
    return _db.session


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make(app: Flask) -> Factories:
    return Factories(app)


@pytest.fixture
def csrf_on(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


class AuthActions:
    """Log a facilitator in and out through the real forms."""

    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str, password: str = "correct horse battery"):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def me(make, auth):
    """A facilitator, logged in through `client`."""
    facilitator = make.facilitator("me@example.org")
    auth.login("me@example.org")
    return facilitator


class Mailbox:
    """What a real SMTP server (aiosmtpd, on a free local port) received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted"

    def wait(self, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        """The first `count` messages, waiting for mail sent in the background."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages[:count]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """An SMTP server the app is configured to send through (plain SMTP, no log-in)."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": controller.port,
        "SMTP_STARTTLS": False,
        "SMTP_SSL": False,
        "MAIL_FROM": "CJM Workshop <noreply@cjm.test>",
        "BASE_URL": "http://localhost",  # mail is only sent with it (web/mail.py)
    }.items():
        monkeypatch.setitem(app.config, name, value)
    try:
        yield box
    finally:
        controller.stop()
