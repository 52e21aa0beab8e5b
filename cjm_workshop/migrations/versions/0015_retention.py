"""retention: when a workshop closed, when its participants' names go; old live events

Workshops closed already count as closed at their last change (the best there is).

Revision ID: 8a4d2f6c1e35
Revises: 5c1e7a3b9d20
Create Date: 2026-12-08 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8a4d2f6c1e35'
down_revision = '5c1e7a3b9d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('erase_names_after_days', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('names_erased_at', sa.DateTime(), nullable=True))
        batch.create_check_constraint(
            op.f('ck_workshop_erase_names_range'), 'erase_names_after_days BETWEEN 0 AND 365'
        )
    op.execute("UPDATE workshop SET closed_at = updated_at WHERE status = 'closed'")
    with op.batch_alter_table('live_event') as batch:
        batch.create_index(batch.f('ix_live_event_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('live_event') as batch:
        batch.drop_index(batch.f('ix_live_event_created_at'))
    with op.batch_alter_table('workshop') as batch:
        batch.drop_constraint(op.f('ck_workshop_erase_names_range'), type_='check')
        batch.drop_column('names_erased_at')
        batch.drop_column('erase_names_after_days')
        batch.drop_column('closed_at')
