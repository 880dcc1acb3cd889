"""walk-in visitors: a company visitor's NPWP, and when each visitor was called and served

The service standards promise a walk-in visitor is served within 10 minutes of their queue
turn; ``called_at`` and ``served_at`` let the counter measure it. Earlier visits keep both empty.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('walk_in_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('npwp', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('called_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('served_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('walk_in_visit', schema=None) as batch_op:
        batch_op.drop_column('served_at')
        batch_op.drop_column('called_at')
        batch_op.drop_column('npwp')
