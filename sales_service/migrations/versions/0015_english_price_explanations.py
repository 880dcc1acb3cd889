"""English price explanations kept on order and invoice lines; a buyer's document language

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # None on lines priced before this revision: pages fall back to the Indonesian basis.
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis_en', sa.Text(), nullable=True))
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis_en', sa.Text(), nullable=True))
    # The language a buyer reads (``id`` or ``en``); None until they choose one.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_column('basis_en')
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('basis_en')
