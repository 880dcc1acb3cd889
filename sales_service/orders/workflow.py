"""The public order workflow: the only way any code moves an order or writes to its
timeline.

Load an order, check the page's version, ask whether the actor may act, apply a
lifecycle action and record the event, then :func:`save`. ``invoices`` and
``payments`` move orders through these names only. :func:`save` also keeps each moved
order's stored SLA deadline current, so no caller ever computes it. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from sales_service.accounts.models import User
from sales_service.errors import Conflict, PermissionDenied
from sales_service.orders import office_calendar, search
from sales_service.orders.lifecycle import Action, OrderStatus, ZeroRateClaim, next_status
from sales_service.orders.models import Order, OrderEvent, OrderLineVariable
from sales_service.orders.permissions import (
    OFFICERS,
    Do,
    OfficersOnly,
    OrderNotFound,
    may,
    state_refusal,
    who_refusal,
)
from sales_service.pnbp.schedule import ProductKind
from sales_service.roles import STAFF_ROLES, Role

# Orders given a new status in this session and not yet saved (Session.info is per session).
_MOVED = "orders_moved"


class OrderChanged(Conflict):
    def __init__(self):
        super().__init__(
            "Pesanan ini baru saja diubah oleh pengguna lain. Muat ulang halaman untuk melihat keadaan "
            "terbaru; tindakan Anda tidak disimpan."
        )


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (buyer or staff). The audit trail keeps name and role."""

    user: User

    @property
    def is_staff(self) -> bool:
        return self.user.role in STAFF_ROLES

    def may(self, do: Do | str, order: Order) -> bool:
        return may(do, order, self.user.role, self.user.id)

    def require_officer(self) -> None:
        if self.user.role not in OFFICERS:
            raise OfficersOnly()

    def require_admin(self) -> None:
        if self.user.role != Role.ADMIN:
            raise PermissionDenied("Hanya admin yang dapat melakukan tindakan ini.")

    def require(self, do: Do, order: Order, *, expected_version: int | None = None) -> None:
        """Refuse with the reason (a domain error) unless the actor may ``do`` this now:
        first who asks, then whether their page is current, then the order's state."""
        error = who_refusal(do, order, self.user.role, self.user.id)
        if error is None:
            check_version(order, expected_version)
            error = state_refusal(do, order)
        if error is not None:
            raise error


def load_order(session: Session, order_id: int) -> Order:
    """The order with its lines and walk-in visit, or :class:`OrderNotFound`.

    The lines (a handful) and the visit (one or none) come joined to the order, in its one
    query; the variables chosen on its microdata lines (up to hundreds each) in a second, only
    when it has such lines: a publication or map line has none (only a microdata set's
    variables can be chosen, ``catalog.priced_quantity``)."""
    order = session.scalars(_order_with_lines(), {"order_id": order_id}).unique().one_or_none()
    if order is None:
        raise OrderNotFound()
    unread = [line for line in order.lines if "variables" in inspect(line).unloaded]
    if unread:
        chosen: dict[int, list[OrderLineVariable]] = {line.id: [] for line in unread}
        microdata = [line.id for line in unread if line.kind == ProductKind.MICRODATA]
        if microdata:
            for variable in session.scalars(_variables_of_lines(), {"line_ids": microdata}):
                chosen[variable.line_id].append(variable)
        for line in unread:
            set_committed_value(line, "variables", chosen[line.id])
    return order


# Statements every order page and action sends, built once: building one (and its cache key) again
# for each call cost as much as SQLAlchemy's whole work on a small result.
@cache
def _order_with_lines() -> Select:
    return (select(Order).where(Order.id == bindparam("order_id"))
            .options(joinedload(Order.lines), joinedload(Order.walk_in)))


@cache
def _variables_of_lines() -> Select:
    return (select(OrderLineVariable).where(OrderLineVariable.line_id.in_(bindparam("line_ids", expanding=True)))
            .order_by(OrderLineVariable.line_id, OrderLineVariable.position))


@cache
def _events_of_order() -> Select:
    return (select(OrderEvent).where(OrderEvent.order_id == bindparam("order_id"))
            # Joined, not a second query: only returns carry reasons, a few each.
            .options(joinedload(OrderEvent.return_reasons))
            .order_by(OrderEvent.at, OrderEvent.id))


def get_order(session: Session, order_id: int) -> Order:
    """The order alone, for a move that needs neither its lines nor its visit (taken from
    the session when it is loaded already), or :class:`OrderNotFound`."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound()
    return order


def get_order_for(session: Session, order_id: int, user: User) -> Order:
    """The order if ``user`` may see it: staff see every order, a buyer only their own
    (another buyer's order answers exactly like a missing one)."""
    order = load_order(session, order_id)
    if user.role in STAFF_ROLES or order.buyer_id == user.id:
        return order
    raise OrderNotFound()


def check_version(order: Order, expected_version: int | None) -> None:
    """Refuse to act on a page older than the order (someone changed it meanwhile)."""
    if expected_version is not None and order.version != expected_version:
        raise OrderChanged()


def record(session: Session, order: Order, actor: Actor | None, action: str, *,
           from_status: OrderStatus | None = None, to_status: OrderStatus | None = None,
           reason: str | None = None, details: dict | None = None, system: str = "sistem") -> OrderEvent:
    """Write one event on the order's append-only timeline (who, when, from, to, why)."""
    event = OrderEvent(
        order=order,
        actor_id=actor.user.id if actor else None,
        actor_name=actor.user.full_name if actor else system,
        actor_role=actor.user.role.value if actor else "system",
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    if to_status is not None:
        session.info.setdefault(_MOVED, set()).add(order)
    return event


def apply(session: Session, order: Order, actor: Actor | None, action: Action, *,
          reason: str | None = None, details: dict | None = None,
          expected_version: int | None = None) -> OrderEvent:
    """Move the order as the lifecycle allows, and record the move."""
    check_version(order, expected_version)
    before = order.status
    after = next_status(before, action, zero_rated=order.zero_rate == ZeroRateClaim.APPROVED)
    order.status = after
    return record(session, order, actor, action.value, from_status=before, to_status=after,
                  reason=reason, details=details)


def refuse_unless_legal(order: Order, action: Action) -> None:
    """Refuse an illegal move before any side effect outside the database (a gateway call)."""
    next_status(order.status, action, zero_rated=order.zero_rate == ZeroRateClaim.APPROVED)


def mark_cancelled(session: Session, order: Order, actor: Actor, reason: str | None, *,
                   expected_version: int | None = None) -> OrderEvent:
    event = apply(session, order, actor, Action.CANCEL, reason=reason, expected_version=expected_version)
    order.cancel_reason = reason
    return event


def save(session: Session) -> None:
    """Write now, so a concurrent change to the same order surfaces here as a clear
    conflict (the version counter), not as a half-applied action; then bring the stored
    SLA deadline and the search words' status of every order moved since the last save up to date."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise OrderChanged() from exc
    moved = [order for order in session.info.pop(_MOVED, set()) if inspect(order).persistent]
    office_calendar.refresh_deadlines(session, moved)
    search.follow_status(session, moved)


def forget_moves(session: Session) -> None:
    """The moves recorded since the last :func:`save` were rolled back (a savepoint): their
    orders no longer wait for ``save`` to refresh their deadline and search words."""
    session.info.pop(_MOVED, None)


def events(session: Session, order_id: int) -> list[OrderEvent]:
    """The order's timeline, oldest first, each return with its reasons."""
    return list(session.scalars(_events_of_order(), {"order_id": order_id}).unique())


__all__ = [
    "Actor", "Do", "OrderChanged", "OrderNotFound", "apply", "check_version", "events", "forget_moves", "get_order",
    "get_order_for", "load_order", "mark_cancelled", "record", "refuse_unless_legal", "save",
]
