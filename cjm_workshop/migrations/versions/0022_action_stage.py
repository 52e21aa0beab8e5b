"""an action's own stage on the map (else the stage of the note it answers)

Revision ID: 6c2f0a9e1d47
Revises: 4e1b7c9d2a63
Create Date: 2026-12-07 16:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '6c2f0a9e1d47'
down_revision = "4e1b7c9d2a63"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_item') as batch:
        batch.add_column(sa.Column('stage_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f('fk_action_item_stage_id_stage'), 'stage', ['stage_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('action_item') as batch:
        batch.drop_constraint(batch.f('fk_action_item_stage_id_stage'), type_='foreignkey')
        batch.drop_column('stage_id')
