"""Stored notifications applied many at once mean exactly what each means applied alone."""

import json

import pytest
from sqlalchemy import select

from sales_service.errors import Conflict
from sales_service.invoices import services as invoices
from sales_service.invoices.models import InvoiceStatus
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.payments import services as payments
from sales_service.payments.models import NotificationState, Payment, PaymentNotification, PaymentProblem
from tests.factories import stored_notification
from tests.services.test_invoices import SETTINGS, TODAY, accepted_order
from tests.services.test_payments import clock, paid, simponi  # noqa: F401  (fixtures)


@pytest.fixture
def three_invoices(tariffs_loaded, officer, simponi, tmp_path):  # noqa: F811
    session = tariffs_loaded
    made = []
    for _ in range(3):
        order, _buyer = accepted_order(session, officer, tmp_path)
        made.append((order, invoices.issue_invoice(session, Actor(officer), order.id, SETTINGS, simponi, today=TODAY)))
    return made


def store(session, webhook_id: str, notice) -> int:
    """Stored, not applied yet (as deliveries are that come while another transaction has the turn)."""
    return stored_notification(session, webhook_id, json.dumps(notice.as_body()).encode())


def test_one_batch_settles_flags_and_ignores_as_each_notification_alone_would(tariffs_loaded, three_invoices):
    session = tariffs_loaded
    (first, first_invoice), (second, second_invoice), (third, third_invoice) = three_invoices
    ids = {
        "settles": store(session, "msg_a", paid(first_invoice.current_code.code, ntpn="AAAA0000AAAA0001")),
        "same NTPN again": store(session, "msg_b", paid(first_invoice.current_code.code, ntpn="AAAA0000AAAA0001")),
        "second NTPN on the code": store(session, "msg_c", paid(first_invoice.current_code.code,
                                                                ntpn="AAAA0000AAAA0002")),
        "wrong amount": store(session, "msg_d", paid(second_invoice.current_code.code, amount=300_000,
                                                     ntpn="AAAA0000AAAA0003")),
        "unknown code": store(session, "msg_e", paid("820261124999999", ntpn="AAAA0000AAAA0004")),
        "settles too": store(session, "msg_f", paid(third_invoice.current_code.code, ntpn="AAAA0000AAAA0005")),
    }
    applied = payments.apply_stored(session)
    assert {name: applied[i].state for name, i in ids.items()} == {
        "settles": NotificationState.APPLIED, "same NTPN again": NotificationState.DUPLICATE,
        "second NTPN on the code": NotificationState.APPLIED, "wrong amount": NotificationState.APPLIED,
        "unknown code": NotificationState.APPLIED, "settles too": NotificationState.APPLIED}
    recorded = {ntpn: (status, problem) for ntpn, status, problem in session.execute(
        select(Payment.ntpn, Payment.status, Payment.problem))}
    assert recorded == {
        "AAAA0000AAAA0001": ("settled", None),
        "AAAA0000AAAA0002": ("flagged", PaymentProblem.DOUBLE_PAYMENT),
        "AAAA0000AAAA0003": ("flagged", PaymentProblem.WRONG_AMOUNT),
        "AAAA0000AAAA0004": ("flagged", PaymentProblem.UNKNOWN_CODE),
        "AAAA0000AAAA0005": ("settled", None)}
    assert (first.status, second.status, third.status) == (OrderStatus.PAID, OrderStatus.INVOICED, OrderStatus.PAID)
    assert (first_invoice.status, third_invoice.status) == (InvoiceStatus.PAID, InvoiceStatus.PAID)
    # Each order's timeline has its own entries, and the stored notifications point at their payments.
    assert [e.action for e in workflow.events(session, first.id)][-2:] == ["record_payment", "payment_flagged"]
    assert workflow.events(session, second.id)[-1].action == "payment_flagged"
    notified = {row.id: row.payment_id for row in session.execute(
        select(PaymentNotification.id, PaymentNotification.payment_id))}
    assert notified[ids["same NTPN again"]] is None and notified[ids["settles"]] is not None
    # The paid orders' SLA deadline was brought up to date in the same batch.
    assert first.sla_deadline is not None and first.sla_deadline == third.sla_deadline
    assert payments.apply_stored(session) == {}  # nothing is left waiting


@pytest.mark.parametrize("failing", ["the first", "the second"])
def test_a_notification_that_fails_in_a_batch_is_kept_failed_and_the_others_are_applied(
        tariffs_loaded, three_invoices, monkeypatch, failing):
    """Whichever fails: the one after it is applied in full (on SQLite, a payment id freed by the
    failed one's rollback is given out again, and must not be mistaken for the rolled-back payment)."""
    session = tariffs_loaded
    (first, first_invoice), (second, second_invoice), _third = three_invoices
    (bad_order, bad_invoice), (good_order, good_invoice) = \
        ((first, first_invoice), (second, second_invoice)) if failing == "the first" else \
        ((second, second_invoice), (first, first_invoice))
    real = payments.settle

    def fail_on_bad(session, payment, invoice, *args, **kwargs):
        if invoice.id == bad_invoice.id:
            raise Conflict("Pesanan ini baru saja diubah oleh pengguna lain.")
        return real(session, payment, invoice, *args, **kwargs)

    monkeypatch.setattr(payments, "settle", fail_on_bad)
    ntpns = {first_invoice.id: "BBBB0000BBBB0001", second_invoice.id: "BBBB0000BBBB0002"}
    stored = {invoice.id: store(session, f"msg_{invoice.id}", paid(invoice.current_code.code, ntpn=ntpns[invoice.id]))
              for invoice in (first_invoice, second_invoice)}
    good, bad = stored[good_invoice.id], stored[bad_invoice.id]
    applied = payments.apply_stored(session)
    assert applied[good].state == NotificationState.APPLIED
    assert applied[bad].state == NotificationState.FAILED and "diubah oleh pengguna lain" in applied[bad].error
    assert not applied[bad].unexpected
    # The failed one left nothing; the good one's payment is settled and counted on its invoice.
    assert session.execute(select(Payment.ntpn, Payment.status, Payment.invoice_id)).all() == [
        (ntpns[good_invoice.id], "settled", good_invoice.id)]
    assert session.get(PaymentNotification, good).payment_id is not None
    assert (good_order.status, good_invoice.status) == (OrderStatus.PAID, InvoiceStatus.PAID)
    assert (bad_order.status, bad_invoice.status) == (OrderStatus.INVOICED, InvoiceStatus.ISSUED)
    failed = session.get(PaymentNotification, bad)
    assert failed.state == NotificationState.FAILED and "diubah" in failed.error
    assert payments.apply_stored(session) == {}  # failed ones wait for `apply-notifications`, not the next batch

    monkeypatch.setattr(payments, "settle", real)
    assert payments.apply_notification(session, bad).state == NotificationState.APPLIED
    assert bad_order.status == OrderStatus.PAID


def test_a_stored_notification_that_no_longer_reads_is_kept_failed_without_holding_the_others(
        tariffs_loaded, three_invoices):
    session = tariffs_loaded
    (first, first_invoice), _second, _third = three_invoices
    unreadable = stored_notification(session, "msg_old", b'{"type": "billing.paid", "data": {}}')
    good = store(session, "msg_new", paid(first_invoice.current_code.code, ntpn="DDDD0000DDDD0001"))
    applied = payments.apply_stored(session)
    assert applied[unreadable].state == NotificationState.FAILED and applied[unreadable].error
    assert applied[good].state == NotificationState.APPLIED and first.status == OrderStatus.PAID
    assert payments.apply_stored(session) == {}
