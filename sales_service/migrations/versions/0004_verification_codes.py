"""opaque random verification codes for documents' QR links

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 15:40:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'verification_code',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.Enum('invoice', 'sppd', name='verified_document', native_enum=False,
                                  create_constraint=True, length=40), nullable=False),
        sa.Column('invoice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_verification_code_invoice_id_invoice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_code')),
        sa.UniqueConstraint('code', name=op.f('uq_verification_code_code')),
        sa.UniqueConstraint('invoice_id', 'kind', name=op.f('uq_verification_code_invoice_id')),
    )
    with op.batch_alter_table('verification_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_code_invoice_id'), ['invoice_id'], unique=False)

    # Invoices issued before this revision get their codes now (their old signed links stop working).
    connection = op.get_bind()
    codes = sa.table('verification_code', sa.column('code'), sa.column('kind'), sa.column('invoice_id'))
    invoice_ids = [row[0] for row in connection.execute(sa.text('SELECT id FROM invoice'))]
    rows = [{'code': secrets.token_urlsafe(18), 'kind': kind, 'invoice_id': invoice_id}
            for invoice_id in invoice_ids for kind in ('invoice', 'sppd')]
    if rows:
        op.bulk_insert(codes, rows)


def downgrade() -> None:
    with op.batch_alter_table('verification_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_code_invoice_id'))
    op.drop_table('verification_code')
