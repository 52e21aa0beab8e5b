"""Fixtures for every layer: an app on a migrated database (SQLite by default, PostgreSQL
when CJM_TEST_DATABASE_URL names one), a client, a CLI runner and small helpers."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
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
        with _db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
    if "cjm_live" in app.extensions:  # event ids start again from 1 on an emptied table
        app.extensions["cjm_live"].forget_position()


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
