"""catalogue in English for buyers abroad: a product's description, a data set's period and each
variable's label, each optional (the Indonesian text is shown when empty)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=True))
    with op.batch_alter_table('microdata_set', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_en', sa.String(length=60), nullable=True))
    with op.batch_alter_table('microdata_variable', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_en', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('microdata_variable', schema=None) as batch_op:
        batch_op.drop_column('label_en')
    with op.batch_alter_table('microdata_set', schema=None) as batch_op:
        batch_op.drop_column('period_en')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('description_en')
