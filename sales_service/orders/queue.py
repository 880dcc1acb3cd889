"""Lists of orders, a page at a time: the officers' queue (most urgent first, with each
shown order's SLA status), the counts on the staff home, and a buyer's own orders.

The queue sorts and filters by the stored running deadline (``Order.sla_deadline``, kept
current by ``workflow.save`` and ``office_calendar``) and searches the stored words of each
order (``orders.search``), so its cost does not grow with the number of orders: one counting
query, one query for the page, and the SLA of the shown orders only (from their stored clocks,
``Order.sla_deadline`` and ``Order.sla_paused_days``). Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, load_only, selectinload

from sales_service.accounts.models import User
from sales_service.orders import office_calendar, search
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Channel, Order, OrderEvent, OrderLine
from sales_service.orders.search_words import terms
from sales_service.orders.sla import (
    CLOCK_STOPPED,
    DEFAULT_BUDGET_DAYS,
    SlaStatus,
    WorkingCalendar,
    buyer_pauses,
    running_status,
    sla_status,
    stored_clock,
)
from sales_service.paging import Page, paginate
from sales_service.pnbp.schedule import ProductKind

QUEUE_PAGE_SIZE = 25  # a screenful: officers work from the top
BUYER_PAGE_SIZE = 20
# What the queue shows without a status filter: every order that may still need staff.
OPEN_STATUSES = tuple(s for s in OrderStatus if s not in (OrderStatus.DRAFT, OrderStatus.CANCELLED,
                                                         OrderStatus.COMPLETED))


@dataclass(frozen=True)
class QueueRow:
    order: Order  # with only the columns the queue shows (QUEUE_COLUMNS); another one raises
    sla: SlaStatus | None
    products: tuple[str, ...] = ()  # the titles on the order's lines

    @property
    def products_text(self) -> str:
        return "; ".join(self.products)


# What a queue row shows of its order, and its SLA needs: the page reads these columns only.
QUEUE_COLUMNS = (Order.id, Order.channel, Order.status, Order.version, Order.buyer_name, Order.buyer_institution,
                 Order.created_at, Order.requirements_complete_on, Order.sla_budget_days, Order.sla_deadline,
                 Order.sla_paused_days)


@dataclass(frozen=True)
class QueueCounts:
    """The staff home's figures, each the size of one filtered queue."""

    to_review: int  # submitted
    to_invoice: int  # accepted
    corrections: int  # an invoice, SPPD draft or sample disputed by the buyer
    overdue: int  # the clock runs and its deadline has passed


def sla_for(order: Order, order_events: Sequence[OrderEvent], cal: WorkingCalendar, *, today: date,
            to_local) -> SlaStatus | None:
    """The order's SLA status, or None before the requirements were complete or once it
    no longer runs (cancelled, delivered, completed). ``order_events`` are its events (or
    rows with ``at`` and ``to_status``), oldest first."""
    if order.requirements_complete_on is None or order.status in CLOCK_STOPPED:
        return None
    moves = ((to_local(event.at), event.to_status) for event in order_events if event.to_status is not None)
    pauses = buyer_pauses(moves, order.requirements_complete_on)
    return sla_status(cal, started=order.requirements_complete_on,
                      budget_days=order.sla_budget_days or DEFAULT_BUDGET_DAYS, pauses=pauses, today=today)


@lru_cache(maxsize=64)
def _queue_query(*, kind: bool, channel: bool, overdue_only: bool, terms: tuple[tuple[int, bool], ...]) -> Select:
    """The queue's statement for one shape of filters (which are set, how many words searched),
    built once and kept: every value is a bound parameter (:func:`_queue_values`)."""
    # An IN list rather than NOT IN, so the (status, sla_deadline) index serves it.
    statuses = bindparam("statuses", expanding=True)
    query = select(Order).where(Order.status.in_(statuses))
    if kind:
        query = query.where(Order.id.in_(select(OrderLine.order_id).where(OrderLine.kind == bindparam("kind"))))
    if channel:
        query = query.where(Order.channel == bindparam("channel"))
    # Looked up among the words of the orders in those statuses only (each word row carries its
    # order's status), so closed orders' words are never read.
    query = query.where(*search.matching(terms, statuses))
    if overdue_only:
        # A stored deadline exists only while the clock runs: paused and stopped orders are never late.
        query = query.where(Order.sla_deadline < bindparam("today"))
    return (query.options(load_only(*QUEUE_COLUMNS, raiseload=True))
            .order_by(Order.sla_deadline.asc().nulls_last(), Order.id))


def officer_queue(session: Session, *, today: date, to_local, statuses: Sequence[OrderStatus] = (),
                  kind: ProductKind | None = None, channel: Channel | None = None, text: str = "",
                  overdue_only: bool = False, page: int = 1, per_page: int = QUEUE_PAGE_SIZE) -> Page[QueueRow]:
    """A page of the orders needing staff, most urgent first: earliest deadline, then the
    orders whose clock is paused (with the buyer) or not running, then by number. Each shown
    order carries its SLA status on ``today`` and its product titles."""
    typed = terms(text)
    query = _queue_query(kind=kind is not None, channel=channel is not None, overdue_only=overdue_only,
                         terms=search.shape(typed))
    values = {"statuses": list(statuses or OPEN_STATUSES), "kind": kind, "channel": channel, "today": today,
              **search.values(typed)}
    orders = paginate(session, query, page=page, per_page=per_page, values=values)
    return orders.map(lambda shown: _rows(session, shown, today=today, to_local=to_local))


def _rows(session: Session, orders: list[Order], *, today: date, to_local) -> list[QueueRow]:
    """The shown orders' rows: their titles read in one query (plain columns, not whole lines).
    A running clock's status comes from what is stored of it; only the orders with the buyer
    (paused, a few of a page) have their status moves read, in one query, for theirs."""
    if not orders:
        return []
    ids = [order.id for order in orders]
    titles: dict[int, list[str]] = {}
    for order_id, title in session.execute(_titles_of_orders(), {"order_ids": ids}):
        titles.setdefault(order_id, []).append(title)
    clocks = {o.id: stored_clock(o.sla_deadline, o.sla_paused_days) for o in orders
              if o.requirements_complete_on is not None and o.status not in CLOCK_STOPPED}
    moves: dict[int, list] = {}
    if unstored := [order_id for order_id, clock in clocks.items() if clock is None]:
        for move in session.execute(select(OrderEvent.order_id, OrderEvent.at, OrderEvent.to_status)
                                    .where(OrderEvent.order_id.in_(unstored), OrderEvent.to_status.is_not(None))
                                    .order_by(OrderEvent.at, OrderEvent.id)):
            moves.setdefault(move.order_id, []).append(move)
    cal = office_calendar.calendar(session) if clocks else None

    def sla(order: Order) -> SlaStatus | None:
        if order.id not in clocks:
            return None
        if (clock := clocks[order.id]) is not None:
            return running_status(cal, started=order.requirements_complete_on,
                                  budget_days=order.sla_budget_days or DEFAULT_BUDGET_DAYS, clock=clock, today=today)
        return sla_for(order, moves.get(order.id, ()), cal, today=today, to_local=to_local)

    return [QueueRow(o, sla(o), tuple(titles.get(o.id, ()))) for o in orders]


@cache
def _titles_of_orders() -> Select:
    return (select(OrderLine.order_id, OrderLine.product_title)
            .where(OrderLine.order_id.in_(bindparam("order_ids", expanding=True))).order_by(OrderLine.id))


def queue_counts(session: Session, *, today: date) -> QueueCounts:
    """How many orders wait in each of the staff home's queues: one grouped count, one overdue count."""
    wanted = (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.CORRECTION_REQUESTED)
    per_status = dict(session.execute(
        select(Order.status, func.count()).where(Order.status.in_(wanted)).group_by(Order.status)).all())
    overdue = session.scalar(
        select(func.count()).select_from(Order).where(Order.status.in_(OPEN_STATUSES), Order.sla_deadline < today))
    return QueueCounts(to_review=per_status.get(OrderStatus.SUBMITTED, 0),
                       to_invoice=per_status.get(OrderStatus.ACCEPTED, 0),
                       corrections=per_status.get(OrderStatus.CORRECTION_REQUESTED, 0), overdue=overdue or 0)


def buyer_orders(session: Session, buyer: User, *, page: int = 1, per_page: int = BUYER_PAGE_SIZE) -> Page[Order]:
    """A page of the buyer's own orders, newest first."""
    query = (select(Order).where(Order.buyer_id == buyer.id).options(selectinload(Order.lines))
             .order_by(Order.created_at.desc(), Order.id.desc()))
    return paginate(session, query, page=page, per_page=per_page)
