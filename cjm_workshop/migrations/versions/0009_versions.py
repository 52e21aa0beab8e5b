"""versions of a journey

Every existing workshop becomes version 1 of a journey of its own.

Revision ID: f7f3c6ba7b9b
Revises: f7554dfccc79
Create Date: 2026-11-24 19:11:51.046376

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7f3c6ba7b9b'
down_revision = 'f7554dfccc79'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('journey_key', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('previous_version_id', sa.Integer(), nullable=True))

    # A key per existing workshop; new ones get a random key from the model.
    op.execute("UPDATE workshop SET journey_key = 'w' || CAST(id AS VARCHAR(20))")

    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.alter_column('journey_key', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('version', existing_type=sa.Integer(), server_default=None)
        batch_op.create_unique_constraint('uq_workshop_journey_version', ['journey_key', 'version'])
        batch_op.create_check_constraint(op.f('ck_workshop_version_positive'), 'version >= 1')
        batch_op.create_foreign_key(batch_op.f('fk_workshop_previous_version_id_workshop'), 'workshop', ['previous_version_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_workshop_previous_version_id_workshop'), type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_workshop_version_positive'), type_='check')
        batch_op.drop_constraint('uq_workshop_journey_version', type_='unique')
        batch_op.drop_column('previous_version_id')
        batch_op.drop_column('version')
        batch_op.drop_column('journey_key')
