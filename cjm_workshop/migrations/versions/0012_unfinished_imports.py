"""workshops being imported stay out of sight until their last part is written

Revision ID: 8d2a4c6e1f03
Revises: 5c1f0e7a9b21
Create Date: 2026-12-03 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d2a4c6e1f03'
down_revision = '5c1f0e7a9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('importing', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.drop_column('importing')
