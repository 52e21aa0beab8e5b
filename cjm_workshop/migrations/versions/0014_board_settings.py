"""the projector's settings: prompt shown, sound at the timer's end, a spotlight

Revision ID: 5c1e7a3b9d20
Revises: 3f6b2d9a7c14
Create Date: 2026-12-06 14:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1e7a3b9d20'
down_revision = '3f6b2d9a7c14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('board_prompt', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column('board_sound', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('spotlight', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('workshop') as batch:
        batch.drop_column('spotlight')
        batch.drop_column('board_sound')
        batch.drop_column('board_prompt')
