"""Upgrading an empty database yields exactly the models' schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from cjm_workshop import create_app
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


def test_on_postgresql_the_live_event_trigger_comes_and_goes_with_its_migration(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: on SQLite, migration 0021 does nothing")

        def triggers() -> list[str]:
            with db.engine.connect() as connection:
                return list(
                    connection.exec_driver_sql(
                        "SELECT tgname FROM pg_trigger "
                        "WHERE tgrelid = 'live_event'::regclass AND NOT tgisinternal"
                    ).scalars()
                )

        assert triggers() == ["live_event_notify"]
        downgrade(revision="b75e8515b94a")
        try:
            assert triggers() == []
        finally:
            upgrade()
        assert triggers() == ["live_event_notify"]


def test_the_journey_map_migration_places_existing_notes_and_adds_lanes(app, tmp_path):
    """Workshops from before the map get six lanes; their notes dense places per cell."""
    app = _old_app(app, tmp_path)
    with app.app_context():
        upgrade(revision="7dee1adcc493")  # the step timer: the last schema without a map
        with db.engine.begin() as connection:
            run = lambda sql: connection.exec_driver_sql(sql)  # noqa: E731
            _insert_workshop(run)
            for note_id, kind, stage in [
                (1, "touchpoint", 1),
                (2, "insight", "NULL"),
                (3, "touchpoint", 1),
                (4, "insight", "NULL"),
                (5, "touchpoint", 1),
            ]:
                run(
                    "INSERT INTO note (id, workshop_id, kind, step, text, stage_id, "
                    "by_facilitator, hidden, idempotency_key, created_at, updated_at) "
                    f"VALUES ({note_id}, 1, '{kind}', 'research', 'n', {stage}, 1, 0, "
                    f"'k{note_id}', '2026-01-01', '2026-01-01')"
                )
        upgrade()
        with db.engine.connect() as connection:
            positions = dict(connection.exec_driver_sql("SELECT id, position FROM note").all())
            lanes = list(connection.exec_driver_sql("SELECT kind FROM lane ORDER BY position"))
            connection.exec_driver_sql(
                "INSERT INTO live_event (workshop_id, kind, created_at) VALUES (1, 'map', '2026-01-01')"
            )
        db.engine.dispose()
    assert positions == {1: 0, 2: 0, 3: 1, 4: 1, 5: 2}
    assert [kind for (kind,) in lanes] == [
        "customer_action",
        "touchpoint",
        "insight",
        "pain_point",
        "opportunity",
        "action",
    ]


def test_the_versions_migration_keeps_every_workshop_and_its_parts(app, tmp_path):
    """SQLite rebuilds the workshop table: nothing that references it may go with it."""
    app = _old_app(app, tmp_path)
    with app.app_context():
        upgrade(revision="f7554dfccc79")  # actions and sharing: the last schema without versions
        with db.engine.begin() as connection:
            _insert_workshop(lambda sql: connection.exec_driver_sql(sql))
        upgrade()
        with db.engine.connect() as connection:
            versions = connection.exec_driver_sql(
                "SELECT journey_key, version, previous_version_id FROM workshop"
            ).all()
            stages = connection.exec_driver_sql("SELECT count(*) FROM stage").scalar()
        downgrade(revision="f7554dfccc79")
        with db.engine.connect() as connection:
            stages_after_downgrade = connection.exec_driver_sql(
                "SELECT count(*) FROM stage"
            ).scalar()
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        db.engine.dispose()
    assert versions == [("w1", 1, None)]
    assert stages == stages_after_downgrade == 1
    assert foreign_keys == 1


def test_the_retention_migration_dates_closed_workshops_and_keeps_their_parts(app, tmp_path):
    """SQLite rebuilds the workshop table for its new check: participants must stay."""
    app = _old_app(app, tmp_path)
    with app.app_context():
        upgrade(revision="5c1e7a3b9d20")  # the projector's settings: before retention
        with db.engine.begin() as connection:
            run = lambda sql: connection.exec_driver_sql(sql)  # noqa: E731
            run(
                "INSERT INTO facilitator (id, email, name, password_hash, created_at) "
                "VALUES (1, 'f@example.org', 'F', 'x', '2026-01-01')"
            )
            run(
                "INSERT INTO workshop (id, facilitator_id, title, journey, goal, language, "
                "dots_per_participant, anonymous, status, current_step, join_code, join_token, "
                "journey_key, version, created_at, updated_at) VALUES (1, 1, 'T', 'J', 'G', "
                "'en', 5, 0, 'closed', 'actions', 'ABCDEFGH', 'tok', 'w1', 1, '2026-01-01', "
                "'2026-02-03 04:05:06')"
            )
            run(
                "INSERT INTO participant (workshop_id, display_name, name_key, token, joined_at)"
                " VALUES (1, 'Anna', 'anna', 't', '2026-01-01')"
            )
        upgrade()
        with db.engine.connect() as connection:
            closed_at = connection.exec_driver_sql("SELECT closed_at FROM workshop").scalar()
            people = connection.exec_driver_sql("SELECT count(*) FROM participant").scalar()
        downgrade(revision="5c1e7a3b9d20")
        db.engine.dispose()
    assert str(closed_at).startswith("2026-02-03 04:05:06")
    assert people == 1


def _old_app(app, tmp_path):
    """The app on an empty SQLite file of its own, to upgrade step by step."""
    return create_app(
        {**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"}
    )


def _insert_workshop(run) -> None:
    """A facilitator and workshop 1 with one stage, in SQL any revision since 0005 takes."""
    run(
        "INSERT INTO facilitator (id, email, name, password_hash, created_at) "
        "VALUES (1, 'f@example.org', 'F', 'x', '2026-01-01')"
    )
    run(
        "INSERT INTO workshop (id, facilitator_id, title, journey, goal, language, "
        "dots_per_participant, anonymous, status, current_step, join_code, join_token, "
        "created_at, updated_at) VALUES (1, 1, 'T', 'J', 'G', 'en', 5, 0, 'live', "
        "'visualize', 'ABCDEFGH', 'tok', '2026-01-01', '2026-01-01')"
    )
    run("INSERT INTO stage (id, workshop_id, position, name) VALUES (1, 1, 0, 'S')")
