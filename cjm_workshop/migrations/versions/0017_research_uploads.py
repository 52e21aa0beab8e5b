"""research uploads: a CSV or workbook of insights between upload and import

Revision ID: 3c745d857f3e
Revises: 7d2a9c4e1f08
Create Date: 2026-12-07 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c745d857f3e'
down_revision = '7d2a9c4e1f08'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('research_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('table', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], name=op.f('fk_research_upload_facilitator_id_facilitator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_research_upload_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_upload')),
    sa.UniqueConstraint('key', name=op.f('uq_research_upload_key'))
    )
    with op.batch_alter_table('research_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_upload_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_upload_facilitator_id'), ['facilitator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_upload_workshop_id'), ['workshop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('research_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_upload_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_research_upload_facilitator_id'))
        batch_op.drop_index(batch_op.f('ix_research_upload_created_at'))
    op.drop_table('research_upload')
