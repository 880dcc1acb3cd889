"""store with each running order's SLA deadline the working days its pauses took

With the deadline, the paused working days tell an order's SLA status on any later day
(``orders.sla.running_status``) without reading its status moves: the officers' queue shows
25 orders at a time and no longer reads their events for it. Existing running orders get theirs
computed here from their status moves and the office calendar (the same pure rule,
``orders.sla.running_clock``, that keeps both current later), in the office's time zone as
configured (``SALES_TIMEZONE``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 22:00:00
"""
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# The columns this revision reads and writes, as they are at this revision (not the models of today).
_orders = sa.table(
    'sales_order',
    sa.column('id', sa.BigInteger), sa.column('status', sa.String), sa.column('requirements_complete_on', sa.Date),
    sa.column('sla_budget_days', sa.Integer), sa.column('sla_deadline', sa.Date),
    sa.column('sla_paused_days', sa.Integer),
)
_events = sa.table('order_event', sa.column('id', sa.BigInteger), sa.column('order_id', sa.BigInteger),
                   sa.column('at', sa.DateTime(timezone=True)), sa.column('to_status', sa.String))
_leave_days = sa.table('leave_day', sa.column('day', sa.Date))
_CHUNK = 500


def upgrade() -> None:
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_paused_days', sa.Integer(), nullable=True))
    _backfill(op.get_bind())


def _backfill(connection) -> None:
    from sales_service.config import load_settings
    from sales_service.orders.lifecycle import OrderStatus
    from sales_service.orders.sla import BUYERS_TURN, CLOCK_STOPPED, WorkingCalendar, running_clock

    zone = ZoneInfo(load_settings()['TIMEZONE'])
    not_running = [status.value for status in CLOCK_STOPPED | BUYERS_TURN]
    orders = connection.execute(
        sa.select(_orders.c.id, _orders.c.status, _orders.c.requirements_complete_on, _orders.c.sla_budget_days)
        .where(_orders.c.requirements_complete_on.is_not(None), _orders.c.status.not_in(not_running))
    ).all()
    if not orders:
        return
    calendar = WorkingCalendar(connection.scalars(sa.select(_leave_days.c.day)))
    ids = [row.id for row in orders]
    moves: dict[int, list] = {}
    for start in range(0, len(ids), _CHUNK):
        for order_id, at, to_status in connection.execute(
            sa.select(_events.c.order_id, _events.c.at, _events.c.to_status)
            .where(_events.c.order_id.in_(ids[start:start + _CHUNK]), _events.c.to_status.is_not(None))
            .order_by(_events.c.order_id, _events.c.at, _events.c.id)
        ):
            moment = at if at.tzinfo else at.replace(tzinfo=UTC)
            moves.setdefault(order_id, []).append((moment.astimezone(zone).date(), OrderStatus(to_status)))
    clocks = []
    for row in orders:
        clock = running_clock(calendar, status=OrderStatus(row.status), started=row.requirements_complete_on,
                              budget_days=row.sla_budget_days, moves=moves.get(row.id, []))
        clocks.append({'order_id': row.id, 'deadline': clock.deadline if clock else None,
                       'paused_days': clock.paused_days if clock else None})
    connection.execute(
        sa.update(_orders).where(_orders.c.id == sa.bindparam('order_id'))
        .values(sla_deadline=sa.bindparam('deadline'), sla_paused_days=sa.bindparam('paused_days')),
        clocks,
    )


def downgrade() -> None:
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_column('sla_paused_days')
