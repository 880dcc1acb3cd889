"""The stored SLA deadline (``Order.sla_deadline``) that the officers' queue sorts and filters
by, and the paused working days stored with it (``Order.sla_paused_days``) from which the queue
tells each order's SLA status: kept current by every status move and every leave-day change,
equal to what the pure rule computes from the order's moves, and the queue read a page at a time."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from sales_service.config import PROJECT_ROOT
from sales_service.orders import office_calendar, ordering, queue, review, workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order, OrderEvent
from sales_service.orders.sla import Pause, sla_status
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.bulk import line_templates, local_day, seed_orders
from tests.factories import SLA_DAYS, make_buyer, make_microdata, make_order, make_publication, make_staff

NOW = datetime.now(UTC)
TODAY = local_day(NOW)


def stored_deadline(session, order_id: int) -> date | None:
    return session.execute(select(Order.sla_deadline).where(Order.id == order_id)).scalar_one()


@pytest.fixture
def people(tariffs_loaded):
    session = tariffs_loaded
    return dict(session=session, buyer=make_buyer(session, full_name="Ani Lestari"),
                officer=make_staff(session, Role.OFFICER), admin=make_staff(session, Role.ADMIN))


def test_a_submitted_order_gets_its_deadline_and_loses_it_while_with_the_buyer(people):
    session, buyer, officer = people["session"], people["buyer"], people["officer"]
    draft = make_order(session, buyer, make_publication(session), submitted_on=None)
    assert stored_deadline(session, draft.id) is None  # not submitted: no clock

    order = make_order(session, make_buyer(session), make_publication(session), submitted_on=date(2026, 11, 6))
    # Friday 6 November 2026 + 10 working days = Friday 20 November.
    assert stored_deadline(session, order.id) == date(2026, 11, 20)
    review.return_order(session, Actor(officer), order.id, {"other": "Lengkapi tujuan."})
    assert stored_deadline(session, order.id) is None  # paused: the buyer holds it


def test_a_resubmitted_order_gets_back_the_working_days_it_spent_with_the_buyer(people):
    session, buyer, officer = people["session"], people["buyer"], people["officer"]
    started = TODAY - timedelta(days=30)
    order = make_order(session, buyer, make_publication(session), submitted_on=started)
    first = stored_deadline(session, order.id)
    review.return_order(session, Actor(officer), order.id, {"other": "Lengkapi tujuan."})
    # The officer returned it five days after it was complete (the timeline is append-only for
    # the application; the test moves the moment it records).
    returned_on = started + timedelta(days=5)
    session.execute(update(OrderEvent).where(OrderEvent.order_id == order.id,
                                             OrderEvent.to_status == OrderStatus.RETURNED)
                    .values(at=datetime.combine(returned_on, datetime.min.time(), UTC) + timedelta(hours=3)))
    ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)  # resubmitted today

    cal = office_calendar.calendar(session)
    expected = sla_status(cal, started=started, budget_days=10, pauses=[Pause(returned_on, TODAY)],
                          today=TODAY).deadline
    assert stored_deadline(session, order.id) == expected
    assert cal.working_days_between(first, expected) == cal.working_days_between(returned_on, TODAY) > 0


def test_the_clock_stops_and_resumes_with_the_order(people):
    session, buyer, officer = people["session"], people["buyer"], people["officer"]
    order = make_order(session, buyer, make_microdata(session), submitted_on=date(2026, 11, 6))
    review.accept(session, Actor(officer), order.id)
    assert stored_deadline(session, order.id) == date(2026, 11, 20)  # accepted: still the office's
    ordering.cancel(session, Actor(officer), order.id, reason="Pembeli membatalkan.")
    assert stored_deadline(session, order.id) is None  # cancelled: no deadline, never overdue


def test_a_leave_day_moves_the_running_deadlines_and_removing_it_moves_them_back(people):
    session, officer, admin = people["session"], people["officer"], people["admin"]
    running = make_order(session, people["buyer"], make_publication(session), submitted_on=date(2026, 11, 6))
    paused = make_order(session, make_buyer(session), make_publication(session), submitted_on=date(2026, 11, 6))
    review.return_order(session, Actor(officer), paused.id, {"other": "Lengkapi tujuan."})
    version = running.version

    leave = office_calendar.add_leave_day(session, Actor(admin), date(2026, 11, 11), "Rapat kerja kantor")
    assert stored_deadline(session, running.id) == date(2026, 11, 23)  # the Wednesday off: past the weekend
    assert running.sla_deadline == date(2026, 11, 23)  # the loaded order sees it too
    assert stored_deadline(session, paused.id) is None
    # Not a change by a user: an officer's open page of the order is not made stale.
    assert session.execute(select(Order.version).where(Order.id == running.id)).scalar_one() == version

    office_calendar.remove_leave_day(session, Actor(admin), leave.id)
    assert stored_deadline(session, running.id) == date(2026, 11, 20)


def test_a_leave_day_outside_an_orders_stretch_leaves_its_deadline(people):
    session, admin = people["session"], people["admin"]
    order = make_order(session, people["buyer"], make_publication(session), submitted_on=date(2026, 11, 6))
    office_calendar.add_leave_day(session, Actor(admin), date(2026, 11, 30), "Setelah tenggat")
    assert stored_deadline(session, order.id) == date(2026, 11, 20)


@pytest.fixture
def bulk(tariffs_loaded):
    """300 realistic orders in every status, with deadlines as a leave day would recompute them."""
    session = tariffs_loaded
    officer = make_staff(session, Role.OFFICER)
    make_publication(session)
    make_microdata(session)
    products = line_templates(session, TODAY)
    session.flush()
    seed_orders(session.connection(), 300, now=NOW, products=products, officer_id=officer.id, seed=3)
    office_calendar.refresh_running_deadlines(session)
    return session


def _urgency(row: queue.QueueRow):
    """The queue's order as the pure rule computes it: earliest deadline, paused or stopped after."""
    deadline = row.sla.deadline if row.sla else None
    return (deadline is None, deadline or date.max, row.order.id)


def test_the_stored_deadlines_are_the_ones_the_rule_computes(bulk):
    rows = queue.officer_queue(bulk, today=TODAY, to_local=local_day, per_page=1000).items
    assert len(rows) > 50
    # Each row's SLA status, from the stored clock (or the moves of an order with the buyer), is the
    # one the rule computes from the order's status moves; the rows come in the stored deadline's order.
    cal = office_calendar.calendar(bulk)
    from_moves = {r.order.id: queue.sla_for(r.order, workflow.events(bulk, r.order.id), cal, today=TODAY,
                                            to_local=local_day) for r in rows}
    assert {r.order.id: r.sla for r in rows} == from_moves
    assert sum(1 for r in rows if r.sla and not r.sla.paused) > 20 and any(r.sla and r.sla.paused for r in rows)
    assert any(r.sla and r.sla.overdue for r in rows) and any(r.sla is None for r in rows)
    assert [(r.order.sla_deadline, r.order.id) for r in rows] == [
        (r.sla.deadline if r.sla else None, r.order.id) for r in sorted(rows, key=_urgency)]
    assert office_calendar.refresh_running_deadlines(bulk) == 0  # nothing left to correct


def test_an_order_with_the_buyer_has_no_stored_clock_and_gets_it_back_when_resubmitted(people):
    session, buyer, officer = people["session"], people["buyer"], people["officer"]
    order = make_order(session, buyer, make_publication(session), submitted_on=date(2026, 11, 6))
    review.return_order(session, Actor(officer), order.id, {"purpose": "Lengkapi tujuan."})
    session.flush()
    assert session.execute(select(Order.sla_deadline, Order.sla_paused_days)
                           .where(Order.id == order.id)).one() == (None, None)  # with the buyer: no clock
    ordering.submit(session, Actor(buyer), order.id, today=date(2026, 11, 6), sla_days=SLA_DAYS)
    session.flush()
    deadline, paused = session.execute(select(Order.sla_deadline, Order.sla_paused_days)
                                       .where(Order.id == order.id)).one()
    [row] = queue.officer_queue(session, today=TODAY, to_local=local_day).items
    assert (row.sla.deadline, paused) == (deadline, 0) and not row.sla.paused


def test_a_deadline_stored_without_its_paused_days_is_cleared_when_the_order_goes_to_the_buyer(people):
    """As code from before the paused days were stored leaves it (a worker still running during the
    upgrade): the order returned to the buyer must not stay counted as overdue, and a leave-day
    change stores the whole clock of a running one."""
    session, buyer, officer, admin = people["session"], people["buyer"], people["officer"], people["admin"]
    returned = make_order(session, buyer, make_publication(session), submitted_on=date(2026, 11, 6))
    running = make_order(session, buyer, make_publication(session, title="Lain"), submitted_on=date(2026, 11, 6))
    session.flush()
    session.execute(update(Order).values(sla_paused_days=None))
    session.expire_all()
    overdue_on = date(2026, 11, 30)  # after the deadline of 20 November
    assert queue.queue_counts(session, today=overdue_on).overdue == 2

    review.return_order(session, Actor(officer), returned.id, {"purpose": "Lengkapi tujuan."})
    session.flush()
    assert session.execute(select(Order.sla_deadline, Order.sla_paused_days)
                           .where(Order.id == returned.id)).one() == (None, None)
    assert queue.queue_counts(session, today=overdue_on).overdue == 1
    office_calendar.add_leave_day(session, Actor(admin), date(2026, 12, 1), "Rapat kerja")
    assert session.execute(select(Order.sla_paused_days).where(Order.id == running.id)).scalar_one() == 0


def test_the_queue_reads_no_status_moves_for_the_orders_whose_clock_runs(bulk):
    statements: list[str] = []

    def note(_connection, _cursor, statement, *_args):
        statements.append(statement)

    engine = bulk.get_bind().engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        rows = queue.officer_queue(bulk, today=TODAY, to_local=local_day, per_page=10).items
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(rows) == 10 and all(r.sla and not r.sla.paused for r in rows)  # the most urgent first
    assert not [s for s in statements if "order_event" in s]


def _revision(name: str):
    spec = importlib.util.spec_from_file_location(f"revision_{name[:4]}",
                                                  PROJECT_ROOT / "sales_service/migrations/versions" / name)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    return revision


def test_the_migration_backfills_the_same_deadlines(bulk):
    paused = dict(bulk.execute(select(Order.id, Order.sla_paused_days)).all())
    bulk.execute(update(Order).values(sla_deadline=None))
    _revision("0007_order_sla_deadline.py")._backfill(bulk.connection())
    bulk.expire_all()
    assert bulk.scalar(select(Order.id).where(Order.sla_deadline.is_not(None)).limit(1)) is not None
    assert dict(bulk.execute(select(Order.id, Order.sla_paused_days)).all()) == paused  # 0007 knew none
    assert office_calendar.refresh_running_deadlines(bulk) == 0  # the revision wrote what the service would


def test_the_migration_backfills_the_same_paused_days(bulk):
    bulk.execute(update(Order).values(sla_paused_days=None))
    _revision("0018_order_sla_paused_days.py")._backfill(bulk.connection())
    bulk.expire_all()
    assert bulk.scalar(select(func.count()).select_from(Order).where(Order.sla_paused_days > 0)) > 0
    assert office_calendar.refresh_running_deadlines(bulk) == 0  # the revision wrote what the service would


def test_page_two_continues_where_page_one_ends(bulk):
    def page(number, **filters):
        return queue.officer_queue(bulk, today=TODAY, to_local=local_day, page=number, per_page=10, **filters)

    everything = queue.officer_queue(bulk, today=TODAY, to_local=local_day, per_page=1000)
    first, second = page(1), page(2)
    assert [r.order.id for r in first.items + second.items] == [r.order.id for r in everything.items[:20]]
    assert first.total == second.total == everything.total and second.number == 2
    last = page(10_000)  # beyond the end: the last page
    assert last.number == last.pages and last.items[-1].order.id == everything.items[-1].order.id

    submitted = page(2, statuses=[OrderStatus.SUBMITTED])
    assert {r.order.status for r in submitted.items} == {OrderStatus.SUBMITTED}
    overdue = page(1, overdue_only=True)
    assert overdue.total and all(r.sla.overdue for r in overdue.items)


def test_staff_home_counts_are_the_sizes_of_the_filtered_queues(bulk):
    counts = queue.queue_counts(bulk, today=TODAY)

    def total(**filters):
        return queue.officer_queue(bulk, today=TODAY, to_local=local_day, **filters).total

    assert counts == queue.QueueCounts(
        to_review=total(statuses=[OrderStatus.SUBMITTED]), to_invoice=total(statuses=[OrderStatus.ACCEPTED]),
        corrections=total(statuses=[OrderStatus.CORRECTION_REQUESTED]), overdue=total(overdue_only=True))
    assert counts.to_review and counts.to_invoice and counts.overdue


def test_a_buyers_own_orders_come_a_page_at_a_time(people):
    session, buyer = people["session"], people["buyer"]
    publication = make_publication(session)
    made = [make_order(session, buyer, publication).id for _ in range(3)]
    first = queue.buyer_orders(session, buyer, per_page=2)
    second = queue.buyer_orders(session, buyer, page=2, per_page=2)
    assert [o.id for o in first.items + second.items] == sorted(made, reverse=True)  # newest first
    assert (first.total, first.pages) == (3, 2)
    assert queue.buyer_orders(session, make_buyer(session)).total == 0

