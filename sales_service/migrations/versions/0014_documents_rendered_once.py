"""tariff item names on lines, the SPPD's own number series, transfer validity, PDFs rendered once

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 18:00:00
"""
import tomllib

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# The number pattern of SALES_SPPD_NUMBER_FORMAT's default, for agreements issued before this revision.
SPPD_NUMBER = 'SPPD/{satker}/{year}/{seq:05d}'


def upgrade() -> None:
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_name', sa.String(length=300), nullable=True))
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_name', sa.String(length=300), nullable=True))
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('sppd_number', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('sppd_sequence', sa.Integer(), nullable=True))
        # A unique index, not a constraint: SQLite adds it without rebuilding the invoice table.
        batch_op.create_index(batch_op.f('ix_invoice_sppd_number'), ['sppd_number'], unique=True)
    op.create_table(
        'sppd_counter',
        sa.Column('office_code', sa.String(length=20), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_sequence', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('office_code', 'year', name=op.f('pk_sppd_counter')),
    )
    op.create_table(
        'document_rendering',
        sa.Column('id', BigId, nullable=False),
        sa.Column('invoice_id', BigId, nullable=False),
        sa.Column('kind', sa.Enum('invoice', 'sppd', name='rendered_document_kind', native_enum=False,
                                  create_constraint=True, length=40), nullable=False),
        sa.Column('state', sa.String(length=80), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_document_rendering_invoice_id_invoice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_rendering')),
        sa.UniqueConstraint('invoice_id', 'kind', 'state', name=op.f('uq_document_rendering_invoice_id')),
    )
    with op.batch_alter_table('document_rendering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_rendering_invoice_id'), ['invoice_id'], unique=False)

    connection = op.get_bind()
    _name_old_lines(connection)
    _number_old_agreements(connection)


def _name_old_lines(connection) -> None:
    """Lines priced before names were copied get the item's name from the newest stored version of
    the schedule their code names; a line whose schedule or item is gone keeps none (the invoice
    then prints the item code)."""
    names = {}
    rows = connection.execute(sa.text(
        'SELECT code, content FROM tariff_schedule_version v WHERE version = '
        '(SELECT MAX(version) FROM tariff_schedule_version w WHERE w.code = v.code)'))
    for code, content in rows:
        try:
            items = tomllib.loads(content).get('item', [])
        except tomllib.TOMLDecodeError:
            continue
        for item in items:
            if isinstance(item, dict) and isinstance(item.get('name_id'), str):
                names[(code, item.get('code'))] = item['name_id'].strip()[:300]
    for table in ('order_line', 'invoice_line'):
        update = sa.text(f'UPDATE {table} SET item_name = :name '
                         'WHERE schedule_code = :schedule AND item_code = :item AND item_name IS NULL')
        for (schedule, item), name in names.items():
            connection.execute(update, {'name': name, 'schedule': schedule, 'item': item})


def _number_old_agreements(connection) -> None:
    """Invoices of microdata or maps issued before this revision carry an SPPD: number them in
    issue order, per office and year, and leave each counter at the last number given."""
    rows = connection.execute(sa.text(
        "SELECT id, office_code, year FROM invoice WHERE EXISTS (SELECT 1 FROM invoice_line l "
        "WHERE l.invoice_id = invoice.id AND l.kind IN ('microdata', 'map')) ORDER BY office_code, year, id"))
    last = {}
    for invoice_id, office_code, year in rows:
        sequence = last.get((office_code, year), 0) + 1
        last[(office_code, year)] = sequence
        connection.execute(sa.text('UPDATE invoice SET sppd_sequence = :seq, sppd_number = :number WHERE id = :id'),
                           {'seq': sequence, 'id': invoice_id,
                            'number': SPPD_NUMBER.format(satker=office_code, year=year, seq=sequence)})
    for (office_code, year), sequence in last.items():
        connection.execute(sa.text('INSERT INTO sppd_counter (office_code, year, last_sequence) '
                                   'VALUES (:office, :year, :seq)'), {'office': office_code, 'year': year, 'seq': sequence})


def downgrade() -> None:
    with op.batch_alter_table('document_rendering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_rendering_invoice_id'))
    op.drop_table('document_rendering')
    op.drop_table('sppd_counter')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_sppd_number'))
        batch_op.drop_column('sppd_sequence')
        batch_op.drop_column('sppd_number')
        batch_op.drop_column('valid_until')
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_column('item_name')
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('item_name')
