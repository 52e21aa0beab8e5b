"""`cjm backup FILE` and `cjm restore FILE`: a whole server, taken while phones post, comes
back with every note that was acknowledged before the backup began (both databases)."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from cjm_workshop import create_app
from cjm_workshop.extensions import db
from tests.factories import Factories


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """A database URL of its own for each call, dropped afterwards."""
    made = []

    def make() -> str:
        if not database_url.startswith("postgresql"):
            return f"sqlite:///{tmp_path / uuid.uuid4().hex}.sqlite3"
        base = sa.engine.make_url(database_url)
        name = f"cjm_backup_{os.getpid()}_{len(made)}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append((admin, name))
        return base.set(database=name).render_as_string(hide_password=False)

    yield make
    for admin, name in made:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_app(url: str, migrate: bool = True):
    app = create_app(
        {
            "TESTING": True,
            "APP_ENV": "test",
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "BASE_URL": "",
            "PROXY_COUNT": 0,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "RATELIMIT_STORAGE_URI": "cjm-db://",
        }
    )
    if migrate:
        with app.app_context():
            upgrade()
    return app


def note_texts(app) -> set[str]:
    with app.app_context():
        texts = set(db.session.scalars(sa.text("SELECT text FROM note")))
        db.session.remove()
        db.engine.dispose()
        return texts


def test_a_backup_taken_while_phones_post_restores_every_acknowledged_note(scratch_url, tmp_path):
    source = server_app(scratch_url())
    make = Factories(source)
    workshop = make.workshop()
    acknowledged: list[str] = []
    stop = threading.Event()

    def room_posts() -> None:
        number = 0
        while not stop.is_set():
            text = f"Insight {number}"
            make.note(workshop, text=text)  # committed: the phone was told it is saved
            acknowledged.append(text)
            number += 1

    writer = threading.Thread(target=room_posts)
    writer.start()
    try:
        while len(acknowledged) < 20:
            stop.wait(0.01)
        before = list(acknowledged)
        file = tmp_path / "server.backup"
        made = source.test_cli_runner().invoke(args=["cjm", "backup", str(file)])
        assert made.exit_code == 0, made.output
        assert "Backed up to" in made.output
        while len(acknowledged) < len(before) + 5:  # phones go on posting afterwards
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()

    target = server_app(scratch_url(), migrate=False)  # an empty new server
    refused = target.test_cli_runner().invoke(args=["cjm", "restore", str(file)], input="n\n")
    assert refused.exit_code != 0  # it asks first
    restored = target.test_cli_runner().invoke(args=["cjm", "restore", str(file), "--yes"])
    assert restored.exit_code == 0, restored.output
    texts = note_texts(target)
    assert set(before) <= texts  # every note acknowledged before the backup began
    assert texts <= set(acknowledged)  # and nothing that was never saved
    note_texts(source)


def test_restoring_something_that_is_no_backup_changes_nothing(scratch_url, tmp_path):
    target = server_app(scratch_url())
    Factories(target).note(Factories(target).workshop(), text="Still here")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is no backup at all" * 100)
    refused = target.test_cli_runner().invoke(args=["cjm", "restore", str(junk), "--yes"])
    assert refused.exit_code != 0
    assert "Error:" in refused.output
    assert note_texts(target) == {"Still here"}
