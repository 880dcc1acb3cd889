"""The officers' text search over orders: the words each order is found by, kept in
``order_search_word``, and the conditions the queue puts on what an officer types.

What matches is the pure rule of ``orders.search_words``. The words are written here only:
``index_order`` after the services that set an order's buyer name or institution or change its
lines (ordering, walk-in); ``follow_status`` from ``workflow.save``, which every status move goes
through; ``word_rows`` for Core inserts of many orders at once (the bulk seeding of tests and
benchmarks). A profile correction changes neither: the order keeps its buyer as at ordering,
and so does the search.

Each word row carries its order's status, and the index is (status, word): a typed word reads,
per status asked, the range of words it begins, so the queue's search costs what the matching
orders in those statuses cost, however many closed orders carry the word. Never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order, OrderSearchWord
from sales_service.orders.search_words import Term, order_words, prefix_bounds

_WORDS = OrderSearchWord.__table__


def word_rows(order_id: int, status: OrderStatus, buyer_name: str | None, buyer_institution: str | None,
              titles: Iterable[str]) -> list[dict]:
    """The rows of ``order_search_word`` for one order, for an ``insert`` executemany."""
    return [{"order_id": order_id, "word": word, "status": status}
            for word in sorted(order_words(buyer_name, buyer_institution, titles))]


def index_order(session: Session, order: Order) -> None:
    """Make the order findable by its buyer name, institution and lines as they are now: call
    after any of them changed. Flushes first (a new order needs its id)."""
    session.flush()
    session.execute(delete(_WORDS).where(_WORDS.c.order_id == order.id))
    rows = word_rows(order.id, order.status, order.buyer_name, order.buyer_institution,
                     (line.product_title for line in order.lines))
    if rows:
        session.execute(insert(_WORDS), rows)


def follow_status(session: Session, orders: Iterable[Order]) -> None:
    """Copy the orders' status (just moved and flushed) onto their words: one statement."""
    moved = [{"moved_id": order.id, "moved_status": order.status} for order in orders]
    if moved:
        session.execute(update(_WORDS).where(_WORDS.c.order_id == bindparam("moved_id"))
                        .values(status=bindparam("moved_status")), moved)


def _carrying(term: int, prefix: int, statuses: BindParameter) -> ColumnElement[bool]:
    return Order.id.in_(select(_WORDS.c.order_id).where(
        _WORDS.c.status.in_(statuses), _WORDS.c.word >= bindparam(f"term{term}_low{prefix}"),
        _WORDS.c.word < bindparam(f"term{term}_high{prefix}")))


def matching(shaped: Sequence[tuple[int, bool]], statuses: BindParameter) -> list[ColumnElement[bool]]:
    """Conditions on ``Order``, all to hold, for the terms an officer typed, given by their
    :func:`shape`, among the orders in ``statuses`` (an expanding bound parameter; the caller
    filters ``Order.status`` too): every term matches, by beginning words of the order (all the
    words of a term such as "Gadjah-Mada" on the same order) or by naming its number. No condition
    for no terms. The conditions hold bound parameters only, so a query built on them serves every
    search of the same shape; their values are :func:`values`."""
    conditions = []
    for n, (words, numbered) in enumerate(shaped):
        ways = []
        if words:
            ways.append(and_(*(_carrying(n, m, statuses) for m in range(words))))
        if numbered:
            ways.append(Order.id == bindparam(f"term{n}_order_id"))
        conditions.append(or_(*ways))
    return conditions


def shape(found: Sequence[Term]) -> tuple[tuple[int, bool], ...]:
    """What :func:`matching`'s conditions depend on: per term (``search_words.terms``), how many
    words it has and whether it names an order number (the words and number are values)."""
    return tuple((len(term.prefixes), term.order_id is not None) for term in found)


def values(found: Sequence[Term]) -> dict:
    """The bound values of :func:`matching`'s conditions for these terms."""
    bound: dict = {}
    for n, term in enumerate(found):
        for m, prefix in enumerate(term.prefixes):
            bound[f"term{n}_low{m}"], bound[f"term{n}_high{m}"] = prefix_bounds(prefix)
        if term.order_id is not None:
            bound[f"term{n}_order_id"] = term.order_id
    return bound
