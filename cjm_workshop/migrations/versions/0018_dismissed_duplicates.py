"""dismissed duplicates: pairs of notes the facilitator said are not duplicates

Revision ID: 7e20aad94657
Revises: 3c745d857f3e
Create Date: 2026-12-07 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e20aad94657'
down_revision = '3c745d857f3e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dismissed_duplicate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('other_note_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('note_id < other_note_id', name=op.f('ck_dismissed_duplicate_pair_in_order')),
    sa.ForeignKeyConstraint(['note_id'], ['note.id'], name=op.f('fk_dismissed_duplicate_note_id_note'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_note_id'], ['note.id'], name=op.f('fk_dismissed_duplicate_other_note_id_note'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_dismissed_duplicate_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dismissed_duplicate')),
    sa.UniqueConstraint('note_id', 'other_note_id', name=op.f('uq_dismissed_duplicate_pair'))
    )
    with op.batch_alter_table('dismissed_duplicate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dismissed_duplicate_other_note_id'), ['other_note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dismissed_duplicate_workshop_id'), ['workshop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('dismissed_duplicate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dismissed_duplicate_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_dismissed_duplicate_other_note_id'))
    op.drop_table('dismissed_duplicate')
