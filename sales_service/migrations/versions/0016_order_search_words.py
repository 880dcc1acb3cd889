"""the words each order is found by in the officers' text search, with the order's status

The queue searched with ``lower(buyer_name) LIKE '%word%'`` (and the institution, and every
line's title) over every open order; a typed word now reads one range of the (status, word)
index per status asked. Existing orders get their words here, by the same pure rule that keeps
them later (``orders.search_words.order_words``): buyer name and institution as on the order, and
the product titles of its lines; each row carries its order's status.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_STATUSES = ('draft', 'submitted', 'returned', 'accepted', 'invoiced', 'correction_requested', 'paid', 'receipted',
             'delivered', 'delivery_correction', 'completed', 'cancelled')
# The columns this revision reads and writes, as they are at this revision (not the models of today).
_orders = sa.table('sales_order', sa.column('id', sa.BigInteger), sa.column('status', sa.String),
                   sa.column('buyer_name', sa.String), sa.column('buyer_institution', sa.String))
_lines = sa.table('order_line', sa.column('id', sa.BigInteger), sa.column('order_id', sa.BigInteger),
                  sa.column('product_title', sa.String))
_words = sa.table('order_search_word', sa.column('order_id', sa.BigInteger), sa.column('word', sa.String),
                  sa.column('status', sa.String))
_CHUNK = 1000


def upgrade() -> None:
    op.create_table('order_search_word',
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('word', sa.String(length=40).with_variant(sa.String(length=40, collation='C'), 'postgresql'),
              nullable=False),
    sa.Column('status', sa.Enum(*_STATUSES, name='search_word_status', native_enum=False, create_constraint=True,
                                length=40), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_order_search_word_order_id_sales_order'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', 'word', name=op.f('pk_order_search_word'))
    )
    with op.batch_alter_table('order_search_word', schema=None) as batch_op:
        batch_op.create_index('ix_order_search_word_status_word', ['status', 'word', 'order_id'], unique=False)
    _backfill(op.get_bind())


def _backfill(connection) -> None:
    from sales_service.orders.search_words import order_words

    last = 0
    while True:
        orders = connection.execute(
            sa.select(_orders.c.id, _orders.c.status, _orders.c.buyer_name, _orders.c.buyer_institution)
            .where(_orders.c.id > last).order_by(_orders.c.id).limit(_CHUNK)
        ).all()
        if not orders:
            return
        last = orders[-1].id
        titles: dict[int, list[str]] = {}
        for order_id, title in connection.execute(
            sa.select(_lines.c.order_id, _lines.c.product_title)
            .where(_lines.c.order_id.in_([row.id for row in orders])).order_by(_lines.c.id)
        ):
            titles.setdefault(order_id, []).append(title)
        rows = [{'order_id': row.id, 'word': word, 'status': row.status} for row in orders
                for word in sorted(order_words(row.buyer_name, row.buyer_institution, titles.get(row.id, ())))]
        if rows:
            connection.execute(sa.insert(_words), rows)


def downgrade() -> None:
    with op.batch_alter_table('order_search_word', schema=None) as batch_op:
        batch_op.drop_index('ix_order_search_word_status_word')
    op.drop_table('order_search_word')
