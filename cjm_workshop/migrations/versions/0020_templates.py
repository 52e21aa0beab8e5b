"""templates: a facilitator's workshop templates; prompts, timeboxes and private notes per
step; the voting form's defaults on the workshop

Revision ID: b75e8515b94a
Revises: b918220edecb
Create Date: 2026-12-07 01:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b75e8515b94a'
down_revision = "b918220edecb"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshop_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('setup', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], name=op.f('fk_workshop_template_facilitator_id_facilitator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_template')),
    sa.UniqueConstraint('facilitator_id', 'name', name=op.f('uq_workshop_template_name'))
    )
    with op.batch_alter_table('workshop_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_template_facilitator_id'), ['facilitator_id'], unique=False)
    with op.batch_alter_table('workshop_step') as batch:
        batch.add_column(sa.Column('prompt', sa.String(length=500), server_default='', nullable=False))
        batch.add_column(sa.Column('timebox_minutes', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('facilitator_notes', sa.Text(), server_default='', nullable=False))
        batch.create_check_constraint(
            op.f('ck_workshop_step_timebox_range'), 'timebox_minutes BETWEEN 1 AND 120'
        )
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('several_dots_per_note', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('own_note_dots', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('workshop') as batch:
        batch.drop_column('own_note_dots')
        batch.drop_column('several_dots_per_note')
    with op.batch_alter_table('workshop_step') as batch:
        batch.drop_constraint(op.f('ck_workshop_step_timebox_range'), type_='check')
        batch.drop_column('facilitator_notes')
        batch.drop_column('timebox_minutes')
        batch.drop_column('prompt')
    with op.batch_alter_table('workshop_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_template_facilitator_id'))
    op.drop_table('workshop_template')
