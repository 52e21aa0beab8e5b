"""Upgrading an empty database yields exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cjm_workshop.extensions import db


def test_migrations_match_the_models(app):
    # The session fixture upgraded an empty database with `flask db upgrade`'s code path.
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
        tables = set(db.inspect(connection).get_table_names())
    assert {"facilitator", "workshop", "persona", "stage", "participant"} <= tables


def test_sqlite_connections_are_tuned(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("foreign_keys") == 1
            assert pragma("journal_mode") == "wal"
            assert pragma("busy_timeout") == 10000
