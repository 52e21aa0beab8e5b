"""presession research: a window before the session in which participants add insights

Revision ID: b918220edecb
Revises: 7e20aad94657
Create Date: 2026-12-07 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b918220edecb'
down_revision = "7e20aad94657"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('research_opens_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('research_closes_at', sa.DateTime(), nullable=True))
        batch.create_check_constraint(
            op.f('ck_workshop_research_window'),
            '(research_opens_at IS NULL AND research_closes_at IS NULL) OR '
            '(research_opens_at IS NOT NULL AND research_closes_at > research_opens_at)',
        )


def downgrade():
    with op.batch_alter_table('workshop') as batch:
        batch.drop_constraint(op.f('ck_workshop_research_window'), type_='check')
        batch.drop_column('research_closes_at')
        batch.drop_column('research_opens_at')
