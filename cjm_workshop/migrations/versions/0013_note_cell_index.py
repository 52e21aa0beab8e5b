"""a cell's notes in their order, so that a new note finds its place at the end at once

Revision ID: 3f6b2d9a7c14
Revises: 8d2a4c6e1f03
Create Date: 2026-12-03 22:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f6b2d9a7c14'
down_revision = '8d2a4c6e1f03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_note_cell', 'note', ['workshop_id', 'kind', 'stage_id', 'position'])


def downgrade():
    op.drop_index('ix_note_cell', table_name='note')
