"""live events notify the broadcasters themselves on PostgreSQL (a trigger, not a statement
of every change)

Revision ID: 4e1b7c9d2a63
Revises: b75e8515b94a
Create Date: 2026-12-07 05:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4e1b7c9d2a63'
down_revision = "b75e8515b94a"
branch_labels = None
depends_on = None

# Once per statement that records events, delivered when its transaction commits (NOTIFY
# folds repeats within a transaction into one): the app sent `SELECT pg_notify(...)` after
# each event, one more round trip for every note.
NOTIFY = """
CREATE FUNCTION live_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cjm_live', '');
    RETURN NULL;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's processes ring each other's doorbell (cjm_workshop/live.py)
    op.execute(NOTIFY)
    op.execute(
        "CREATE TRIGGER live_event_notify AFTER INSERT ON live_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION live_event_notify()"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER live_event_notify ON live_event")
    op.execute("DROP FUNCTION live_event_notify()")
