"""The officers' queue: orders needing staff, most urgent first, with their SLA
deadline. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from sales_service.orders import office_calendar
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Channel, Order, OrderEvent, OrderLine
from sales_service.orders.sla import CLOCK_STOPPED, SlaStatus, WorkingCalendar, buyer_pauses, sla_status
from sales_service.pnbp.schedule import ProductKind


@dataclass(frozen=True)
class QueueRow:
    order: Order
    sla: SlaStatus | None


def sla_for(order: Order, order_events: Sequence[OrderEvent], cal: WorkingCalendar, *, today: date,
            to_local) -> SlaStatus | None:
    """The order's SLA status, or None before the requirements were complete or once it
    no longer runs (cancelled, delivered, completed)."""
    if order.requirements_complete_on is None or order.status in CLOCK_STOPPED:
        return None
    moves = ((to_local(event.at), event.to_status) for event in order_events if event.to_status is not None)
    pauses = buyer_pauses(moves, order.requirements_complete_on)
    return sla_status(cal, started=order.requirements_complete_on, budget_days=order.sla_budget_days or 10,
                      pauses=pauses, today=today)


def officer_queue(session: Session, *, today: date, to_local, statuses: Sequence[OrderStatus] = (),
                  kind: ProductKind | None = None, channel: Channel | None = None, text: str = "",
                  overdue_only: bool = False) -> list[QueueRow]:
    """Orders needing staff, oldest first, each with its SLA deadline and days left."""
    query = select(Order).options(selectinload(Order.lines))
    if statuses:
        query = query.where(Order.status.in_(statuses))
    else:
        query = query.where(Order.status.not_in([OrderStatus.DRAFT, OrderStatus.CANCELLED,
                                                 OrderStatus.COMPLETED]))
    if kind is not None:
        query = query.where(Order.id.in_(select(OrderLine.order_id).where(OrderLine.kind == kind)))
    if channel is not None:
        query = query.where(Order.channel == channel)
    for word in text.split()[:5]:
        pattern = f"%{word.lower()}%"
        conditions = [func.lower(Order.buyer_name).like(pattern),
                      func.lower(func.coalesce(Order.buyer_institution, "")).like(pattern),
                      Order.id.in_(select(OrderLine.order_id).where(func.lower(OrderLine.product_title).like(pattern)))]
        digits = word.rsplit("-", 1)[-1]
        if digits.isascii() and digits.isdigit() and len(digits) <= 12:
            conditions.append(Order.id == int(digits))
        query = query.where(or_(*conditions))
    orders = list(session.scalars(query.order_by(Order.submitted_at.asc().nulls_last(), Order.id)))
    if not orders:
        return []
    all_events = session.scalars(select(OrderEvent).where(OrderEvent.order_id.in_([o.id for o in orders]))
                                 .order_by(OrderEvent.at, OrderEvent.id))
    by_order: dict[int, list[OrderEvent]] = {}
    for event in all_events:
        by_order.setdefault(event.order_id, []).append(event)
    cal = office_calendar.calendar(session)
    rows = [QueueRow(o, sla_for(o, by_order.get(o.id, []), cal, today=today, to_local=to_local)) for o in orders]
    if overdue_only:
        rows = [row for row in rows if row.sla is not None and row.sla.overdue]
    # Most urgent first: earliest deadline, paused ones (with the buyer) after running ones.
    return sorted(rows, key=lambda r: (r.sla is None or r.sla.deadline is None,
                                       r.sla.deadline if r.sla and r.sla.deadline else date.max,
                                       r.order.id))
