"""Health check, error pages, configuration from the environment."""

from __future__ import annotations

import flask_sqlalchemy.session
import pytest
from sqlalchemy.exc import OperationalError

from cjm_workshop import __version__, config
from cjm_workshop.extensions import db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "version": __version__}


def test_healthz_is_503_when_the_database_does_not_answer(client, app, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with app.app_context():
        monkeypatch.setattr(type(db.session()), "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "unavailable",
        "version": __version__,
    }


def test_a_note_saved_before_the_connection_died_is_answered_as_saved(make, app, monkeypatch):
    """The database drops the connection after the note's commit: closing the request's
    session then fails too, and must not turn the saved note into a 500 (the phone would
    show an error for a note the room already sees)."""
    workshop = make.workshop()
    make.step(workshop, "research")
    phone = make.phone(workshop, make.participant(workshop))
    session_class = flask_sqlalchemy.session.Session
    close = session_class.close
    failures = []

    def close_on_a_dead_connection(session):
        close(session)
        if not failures:
            failures.append(session)
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection"))

    monkeypatch.setattr(session_class, "close", close_on_a_dead_connection)
    response = phone.post(
        f"/w/{workshop.join_code}/notes/insight",
        data={
            "insight-text": "Saved before the drop",
            "insight-source": "survey",
            "insight-idempotency_key": "dropped-after-commit",
        },
        headers={"HX-Request": "true"},
    )
    assert failures  # the session's close did fail
    assert response.status_code == 201
    assert "Saved before the drop" in response.text


def test_404_page_in_the_visitors_language(client):
    english = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert "Page not found" in english.text
    dutch = client.get("/no/such/page", headers={"Accept-Language": "nl"})
    assert dutch.status_code == 404
    assert "Pagina niet gevonden" in dutch.text


def test_500_page_in_the_visitors_language(client, app, monkeypatch):
    def explode():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "core.home", explode)
    response = client.get("/", headers={"Accept-Language": "nl"})
    assert response.status_code == 500
    assert "boom" not in response.text
    assert '<html lang="nl">' in response.text
    assert "Er ging iets mis" in response.text


def test_403_page(client, app, monkeypatch):
    from flask import abort

    monkeypatch.setitem(app.view_functions, "core.home", lambda: abort(403))
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "Access denied" in response.text


def test_oversized_posts_are_refused(client):
    response = client.post("/join", data={"code": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """No settings in the environment, and no `.env` where the app looks for one; whatever
    a test's `.env` sets is taken away again afterwards."""
    for name in ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "BASE_URL", "SECURE_COOKIES"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_settings_come_from_a_dot_env_file_where_the_environment_has_none(environment, tmp_path):
    (tmp_path / ".env").write_text(
        "SECRET_KEY=from-the-file\nBASE_URL=https://cjm.example.org\n", encoding="utf-8"
    )
    environment.setenv("BASE_URL", "https://workshops.example.org")
    settings = config.from_environment()
    assert settings["SECRET_KEY"] == "from-the-file"
    assert settings["BASE_URL"] == "https://workshops.example.org"  # the environment wins


def test_secret_key_is_required_outside_development(environment):
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.from_environment()
    environment.setenv("APP_ENV", "development")
    assert config.from_environment()["SECRET_KEY"]


def test_database_defaults_to_sqlite_under_instance(environment):
    environment.setenv("SECRET_KEY", "k")
    settings = config.from_environment()
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{config.INSTANCE / 'cjm.sqlite3'}"
    environment.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert config.from_environment()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_cookies_are_secure_behind_https(environment):
    environment.setenv("SECRET_KEY", "k")
    assert config.from_environment()["SESSION_COOKIE_SECURE"] is False
    environment.setenv("BASE_URL", "https://cjm.example.org/")
    settings = config.from_environment()
    assert settings["BASE_URL"] == "https://cjm.example.org"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
