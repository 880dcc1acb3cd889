"""Concurrent deliveries of one payment make one payment (unique constraints, not
in-memory checks). Meaningful on PostgreSQL (`make test-pg`); on SQLite writers queue."""

import json
import threading
import uuid

import pytest
from sqlalchemy import func, select

from sales_service.accounts.models import User
from sales_service.invoices import services as invoices
from sales_service.invoices.models import Invoice
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order
from sales_service.orders.workflow import Actor
from sales_service.payments import services as payments
from sales_service.payments.models import NotificationState, Payment, PaymentNotification
from tests.committed import run_together
from tests.factories import stored_notification
from tests.services.test_invoice_concurrency import TODAY, accepted_orders, arrange, gateway

DELIVERIES = 16


def _invoiced(factory, committed):
    """An invoiced order with a live billing code: (order id, invoice id, code)."""
    world = arrange(factory, committed, officers=1)
    order_id, = accepted_orders(factory, world, 1)
    with factory() as session:
        officer = session.get(User, world.officer_ids[0])
        invoice = invoices.issue_invoice(session, Actor(officer), order_id, world.settings, gateway(), today=TODAY)
        code, invoice_id = invoice.current_code.code, invoice.id
        session.commit()
    return order_id, invoice_id, code


def _body(code: str, ntpn: str) -> bytes:
    return json.dumps({"type": "billing.paid", "data": {
        "billing_code": code, "amount": 335_000, "currency": "IDR", "ntpn": ntpn, "ntb": "1", "bank": "BANK X",
        "channel": "teller", "paid_at": "2026-11-24T10:15:00+07:00"}}).encode()


def _deliver(factory, all_ready, path: str, webhook_id: str, body: bytes):
    """A delivery as the webhook view makes it (store and commit, then apply stored ones a batch
    per transaction while it has the turn), or as a retry or ``apply-notifications`` does (store,
    commit, then apply that one): what became of it, or "left to another" (whose turn it was)."""
    with factory() as session:
        all_ready.wait()
        if path == "webhook":
            received = payments.receive(session, webhook_id, body)
            session.commit()
            if received.earlier is not None:
                return "duplicate delivery"
            notification_id, applied = received.notification_id, dict(received.applied or {})
            while (batch := payments.apply_stored(session)) is not None:
                session.commit()
                applied.update(batch)
                if not batch and not payments.waiting_to_apply(session):
                    break
            session.commit()
            return applied[notification_id].state if notification_id in applied else "left to another"
        received = payments.receive(session, webhook_id, body)
        session.commit()
        if received.earlier in (NotificationState.APPLIED, NotificationState.DUPLICATE):
            return "duplicate delivery"
        applied = payments.apply_notification(session, received.notification_id)  # applied already on SQLite
        session.commit()
        return applied.state


def _states(factory, webhook_ids) -> list[str]:
    """The stored notifications' states, sorted: none may be left received once every delivery answered."""
    with factory() as session:
        return sorted(session.scalars(select(PaymentNotification.state).where(
            PaymentNotification.webhook_id.in_(webhook_ids))))


@pytest.mark.parametrize("path", ["webhook", "stored, then applied"])
@pytest.mark.parametrize("same_webhook_id", [True, False], ids=["one delivery 16 times", "one NTPN, 16 ids"])
def test_sixteen_concurrent_deliveries_of_one_payment_record_it_once(committing, same_webhook_id, path):
    factory, committed = committing
    order_id, invoice_id, code = _invoiced(factory, committed)
    ntpn = uuid.uuid4().hex[:16].upper()
    body = _body(code, ntpn)
    ids = [f"msg_{uuid.uuid4().hex}"] * DELIVERIES if same_webhook_id else \
        [f"msg_{uuid.uuid4().hex}" for _ in range(DELIVERIES)]
    committed.webhook_ids += sorted(set(ids))
    all_ready = threading.Barrier(DELIVERIES)

    outcomes = run_together(*(lambda webhook_id=webhook_id: _deliver(factory, all_ready, path, webhook_id, body)
                              for webhook_id in ids))
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    with factory() as session:
        assert session.scalar(select(func.count(Payment.id)).where(Payment.ntpn == ntpn)) == 1
        assert session.scalar(select(Invoice.status).where(Invoice.id == invoice_id)) == "paid"
        assert session.scalar(select(Order.status).where(Order.id == order_id)) == OrderStatus.PAID
        stored = session.scalar(select(func.count(PaymentNotification.id)).where(
            PaymentNotification.webhook_id.in_(ids)))
    if same_webhook_id:
        assert stored == 1 and _states(factory, ids) == [NotificationState.APPLIED]
        assert set(outcomes) <= {"duplicate delivery", "left to another", NotificationState.APPLIED}
    else:
        assert stored == DELIVERIES
        assert _states(factory, ids) == [NotificationState.APPLIED] + [NotificationState.DUPLICATE] * (DELIVERIES - 1)
        if path != "webhook":
            assert outcomes.count(NotificationState.APPLIED) == 1
            assert outcomes.count(NotificationState.DUPLICATE) == DELIVERIES - 1


@pytest.mark.parametrize("path", ["webhook", "stored, then applied"])
def test_two_payments_of_one_code_at_once_settle_it_once_and_flag_the_other_as_a_double_payment(committing, path):
    factory, committed = committing
    order_id, invoice_id, code = _invoiced(factory, committed)
    ntpns = [uuid.uuid4().hex[:16].upper() for _ in range(2)]
    ids = [f"msg_{uuid.uuid4().hex}" for _ in ntpns]
    committed.webhook_ids += ids
    all_ready = threading.Barrier(2)

    outcomes = run_together(*(lambda webhook_id=webhook_id, ntpn=ntpn: _deliver(
        factory, all_ready, path, webhook_id, _body(code, ntpn)) for webhook_id, ntpn in zip(ids, ntpns, strict=True)))
    assert _states(factory, ids) == [NotificationState.APPLIED] * 2, outcomes
    with factory() as session:
        recorded = session.execute(select(Payment.status, Payment.problem).where(Payment.ntpn.in_(ntpns))).all()
        assert sorted(recorded) == [("flagged", "double_payment"), ("settled", None)]
        assert session.scalar(select(Invoice.status).where(Invoice.id == invoice_id)) == "paid"
        assert session.scalar(select(Order.status).where(Order.id == order_id)) == OrderStatus.PAID


def test_while_one_transaction_applies_stored_notifications_another_leaves_them_to_it(committing):
    """PostgreSQL: the turn is a lock of its own, so a delivery that finds it taken answers at
    once, and the transaction with the turn applies what that delivery stored once it looks again.
    (SQLite's turn is its write lock, which the delivery's own insert holds already.)"""
    factory, committed = committing
    order_id, invoice_id, code = _invoiced(factory, committed)
    if factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite's turn is its write lock, taken by every delivery in turn")
    webhook_id = f"msg_{uuid.uuid4().hex}"
    committed.webhook_ids.append(webhook_id)
    with factory() as holder, factory() as delivery:
        assert payments.apply_stored(holder) == {}  # has the turn; nothing waits yet
        received = payments.receive(delivery, webhook_id, _body(code, uuid.uuid4().hex[:16].upper()))
        delivery.commit()
        assert received.applied is None
        assert payments.apply_stored(delivery) is None  # the turn is taken: left to the holder
        delivery.commit()
        holder.commit()  # gives the turn up, then looks again, as the webhook does
        assert payments.waiting_to_apply(holder)
        applied = payments.apply_stored(holder)
        holder.commit()
    assert applied[received.notification_id].state == NotificationState.APPLIED
    with factory() as session:
        assert session.scalar(select(Order.status).where(Order.id == order_id)) == OrderStatus.PAID


def test_a_notification_another_request_is_only_looking_for_is_still_applied_by_the_turn_s_holder(committing):
    """PostgreSQL, three requests: C gives the turn up and looks for waiting notifications, B's
    among them; D takes the turn meanwhile. D must apply B's too (C will find the turn taken)."""
    factory, committed = committing
    if factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite's turn is its write lock, taken by every delivery in turn")
    codes = [_invoiced(factory, committed)[2] for _ in range(2)]
    ids = [f"msg_{uuid.uuid4().hex}" for _ in codes]
    committed.webhook_ids += ids
    with factory() as c, factory() as b, factory() as d:
        assert payments.apply_stored(c) == {}  # C has the turn, nothing waits
        from_b = payments.receive(b, ids[0], _body(codes[0], uuid.uuid4().hex[:16].upper()))
        b.commit()
        assert payments.apply_stored(b) is None  # B answers "received"
        b.commit()
        c.commit()
        assert payments.waiting_to_apply(c)  # C sees B's and will try for the turn again
        from_d = payments.receive(d, ids[1], _body(codes[1], uuid.uuid4().hex[:16].upper()))
        d.commit()
        batch = payments.apply_stored(d)  # D has the turn now
        assert payments.apply_stored(c) is None  # so C stops
        c.commit()
        d.commit()
    assert set(batch) == {from_b.notification_id, from_d.notification_id}
    assert _states(factory, ids) == [NotificationState.APPLIED] * 2


def test_two_retries_of_a_failed_notification_at_once_leave_it_applied_with_its_payment(committing):
    """The sender retries a failed delivery while ``apply-notifications`` runs: the later retry
    waits for the earlier, then finds it applied and changes nothing."""
    factory, committed = committing
    _order_id, _invoice_id, code = _invoiced(factory, committed)
    webhook_id = f"msg_{uuid.uuid4().hex}"
    committed.webhook_ids.append(webhook_id)
    with factory() as session:
        notification_id = stored_notification(session, webhook_id, _body(code, uuid.uuid4().hex[:16].upper()))
        payments.mark_failed(session, notification_id, "the first attempt failed")
        session.commit()
    all_ready = threading.Barrier(2)

    def retry():
        with factory() as session:
            all_ready.wait()
            state = payments.apply_notification(session, notification_id).state
            session.commit()
            return state

    outcomes = run_together(retry, retry)
    assert sorted(outcomes) == [NotificationState.APPLIED] * 2, outcomes
    with factory() as session:
        stored = session.execute(select(PaymentNotification.state, PaymentNotification.payment_id)
                                 .where(PaymentNotification.id == notification_id)).one()
    assert stored.state == NotificationState.APPLIED and stored.payment_id is not None
