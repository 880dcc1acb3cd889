"""the language an invoice and its SPPD were issued in

"en": bilingual documents for a buyer who reads English (user_account.language at issue). Every
invoice before this revision was issued in Indonesian.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='id', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('language')
