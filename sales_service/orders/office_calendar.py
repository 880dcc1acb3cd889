"""The office calendar: working days are Indonesian working days minus the office's own
leave days, which the admin keeps; and the SLA deadlines that calendar decides.

Every order's running deadline is stored (``Order.sla_deadline``) so the officers' queue can
sort and filter by it in SQL, with the working days its pauses took (``Order.sla_paused_days``)
so the queue tells each shown order's SLA status without its status moves. Both depend only on
the order's status moves and on the calendar, so they are recomputed exactly when one of
them changes: by ``workflow.save`` for the orders moved in that unit of work
(:func:`refresh_deadlines`), and here for every running order when the admin adds or removes
a leave day (:func:`refresh_running_deadlines`).
Never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from sales_service.errors import N_, Conflict, NotFound
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import LeaveDay, Order, OrderEvent
from sales_service.orders.sla import BUYERS_TURN, CLOCK_STOPPED, RunningClock, WorkingCalendar, running_clock
from sales_service.paging import Page, paginate
from sales_service.text import clean_text

if TYPE_CHECKING:  # only called, never imported at run time: workflow imports this module
    from sales_service.orders.workflow import Actor

LEAVE_DAYS_PAGE_SIZE = 50
# The sessions the app makes carry the office's zone (``SALES_TIMEZONE``) in ``Session.info``
# (``db.init_app``); a session made elsewhere (tests, scripts) gets the setting's default.
TIMEZONE_KEY = "timezone"
DEFAULT_TIMEZONE = "Asia/Jakarta"
_CHUNK = 500  # ids per IN (...) list: far below every database's limit on bound parameters


def calendar(session: Session) -> WorkingCalendar:
    """The office's working calendar with the leave days stored now (one query)."""
    return _calendar_with(frozenset(session.scalars(_leave_days())))


@cache
def _leave_days() -> Select:
    return select(LeaveDay.day)  # built once: every page showing an SLA asks


@lru_cache(maxsize=8)
def _calendar_with(leave_days: frozenset[date]) -> WorkingCalendar:
    # Built once per process for each set of leave days (the set changes only when the admin
    # edits it): a calendar never changes once made, and building its years' working days was
    # a tenth of a millisecond on every page that shows an SLA.
    return WorkingCalendar(leave_days)


def office_timezone(session: Session) -> ZoneInfo:
    return ZoneInfo(session.info.get(TIMEZONE_KEY) or DEFAULT_TIMEZONE)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """A stored moment (UTC; naive from SQLite) as the office's calendar day."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone).date()


def leave_days(session: Session, *, page: int = 1, per_page: int = LEAVE_DAYS_PAGE_SIZE) -> Page[LeaveDay]:
    """The office leave days, latest first, a page at a time."""
    return paginate(session, select(LeaveDay).order_by(LeaveDay.day.desc()), page=page, per_page=per_page)


def add_leave_day(session: Session, actor: Actor, day: date, note: str) -> LeaveDay:
    actor.require_admin()
    note = clean_text(note, N_("Keterangan"), max_length=200)
    if session.scalar(select(LeaveDay.id).where(LeaveDay.day == day)) is not None:
        raise Conflict("Tanggal {day} sudah tercatat sebagai hari cuti kantor.", day=day.isoformat())
    leave = LeaveDay(day=day, note=note, created_by=actor.user.full_name)
    session.add(leave)
    session.flush()
    refresh_running_deadlines(session)
    return leave


def remove_leave_day(session: Session, actor: Actor, leave_id: int) -> None:
    actor.require_admin()
    leave = session.get(LeaveDay, leave_id)
    if leave is None:
        raise NotFound("Hari cuti tidak ditemukan.")
    session.delete(leave)
    session.flush()
    refresh_running_deadlines(session)


# -- the stored deadlines ----------------------------------------------------------------------

def _moves(session: Session, order_ids: Sequence[int], zone: ZoneInfo) -> dict[int, list[tuple[date, OrderStatus]]]:
    """Each order's status moves as (office day, new status), oldest first."""
    moves: dict[int, list[tuple[date, OrderStatus]]] = {}
    for start in range(0, len(order_ids), _CHUNK):
        rows = session.execute(
            select(OrderEvent.order_id, OrderEvent.at, OrderEvent.to_status)
            .where(OrderEvent.order_id.in_(order_ids[start:start + _CHUNK]), OrderEvent.to_status.is_not(None))
            .order_by(OrderEvent.order_id, OrderEvent.at, OrderEvent.id)
        )
        for order_id, at, to_status in rows:
            moves.setdefault(order_id, []).append((local_day(at, zone), to_status))
    return moves


def _write(session: Session, changed: dict[int, tuple[RunningClock | None, int]]) -> None:
    """Store derived clocks (deadline and paused days), ``{order id: (clock, version it was computed from)}``.

    The version counter is not moved: a deadline moved by a leave day is no change by a user
    and must not turn an officer's open page stale. It guards instead: an order that another
    transaction moved meanwhile keeps the clock that transaction's own save computed."""
    if not changed:
        return
    table = Order.__table__
    stored = {order_id: _as_stored(clock) for order_id, (clock, _version) in changed.items()}
    session.execute(
        update(table).where(table.c.id == bindparam("order_id"), table.c.version == bindparam("seen"))
        .values(sla_deadline=bindparam("deadline"), sla_paused_days=bindparam("paused_days")),
        [{"order_id": order_id, "deadline": stored[order_id][0], "paused_days": stored[order_id][1], "seen": version}
         for order_id, (_clock, version) in changed.items()],
    )
    for order in list(session.identity_map.values()):
        if isinstance(order, Order) and order.id in changed and order.version == changed[order.id][1]:
            set_committed_value(order, "sla_deadline", stored[order.id][0])
            set_committed_value(order, "sla_paused_days", stored[order.id][1])


def _as_stored(clock: RunningClock | None) -> tuple[date | None, int | None]:
    return (clock.deadline, clock.paused_days) if clock is not None else (None, None)


def refresh_deadlines(session: Session, orders: Iterable[Order]) -> None:
    """Recompute the stored deadline (and paused days) of these (flushed) orders from their status moves."""
    current = {order.id: order for order in orders if order.id is not None}
    running = {order_id for order_id, order in current.items()
               if order.requirements_complete_on is not None and order.status not in CLOCK_STOPPED | BUYERS_TURN}
    moves = _moves(session, sorted(running), office_timezone(session)) if running else {}
    cal = calendar(session) if running else None
    changed = {}
    for order_id, order in current.items():
        clock = running_clock(
            cal, status=order.status, started=order.requirements_complete_on, budget_days=order.sla_budget_days,
            moves=moves.get(order_id, []),
        ) if order_id in running else None
        if _as_stored(clock) != (order.sla_deadline, order.sla_paused_days):
            changed[order_id] = (clock, order.version)
    _write(session, changed)


def refresh_running_deadlines(session: Session) -> int:
    """Recompute the deadline (and paused days) of every order whose clock runs (after the
    calendar changed); returns how many moved. Orders that are paused or stopped have none and keep none."""
    rows = session.execute(
        select(Order.id, Order.version, Order.status, Order.requirements_complete_on, Order.sla_budget_days,
               Order.sla_deadline, Order.sla_paused_days)
        .where(Order.requirements_complete_on.is_not(None),
               Order.status.not_in(list(CLOCK_STOPPED | BUYERS_TURN)))
    ).all()
    if not rows:
        return 0
    moves = _moves(session, [row.id for row in rows], office_timezone(session))
    cal = calendar(session)
    changed = {}
    for row in rows:
        clock = running_clock(cal, status=row.status, started=row.requirements_complete_on,
                              budget_days=row.sla_budget_days, moves=moves.get(row.id, []))
        if _as_stored(clock) != (row.sla_deadline, row.sla_paused_days):
            changed[row.id] = (clock, row.version)
    _write(session, changed)
    return len(changed)
