"""What a billing-code payment means: settle, flag, or change nothing."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from sales_service.accounts.models import User
from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.invoices.models import InvoiceStatus
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.payments import services as payments
from sales_service.payments.models import NotificationState, PaymentProblem, PaymentStatus
from sales_service.payments.notifications import BillingPaid
from tests.services.test_invoices import SETTINGS, TODAY, Clock, accepted_order

PAID_AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def simponi(clock):
    """The simulated network; its notifications go nowhere (these tests apply them directly)."""
    return SimulatedSimponi(first_digit=8, webhook_url="http://127.0.0.1:9/unused",
                            webhook_secret="whsec_" + "A" * 44, clock=clock)


@pytest.fixture
def invoiced(tariffs_loaded, officer, simponi, tmp_path):
    session = tariffs_loaded
    order, buyer = accepted_order(session, officer, tmp_path)
    invoice = invoices.issue_invoice(session, Actor(officer), order.id, SETTINGS, simponi, today=TODAY)
    return order, invoice


def paid(code: str, amount: int = 335_000, ntpn: str = "0A1B2C3D4E5F6G7H", at: datetime = PAID_AT) -> BillingPaid:
    return BillingPaid(billing_code=code, amount=amount, currency="IDR", ntpn=ntpn, ntb="123456789012",
                       bank="BANK X", channel="teller", paid_at=at)


def test_the_exact_amount_settles_the_invoice_and_moves_the_order_to_paid(tariffs_loaded, invoiced):
    session = tariffs_loaded
    order, invoice = invoiced
    payment = payments.record_billing_payment(session, paid(invoice.current_code.code))
    assert payment.status == PaymentStatus.SETTLED and payment.problem is None
    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID
    assert payment.invoice_id == invoice.id and payment.order_id == order.id
    last = workflow.events(session, order.id)[-1]
    assert (last.action, last.to_status, last.actor_name) == ("record_payment", OrderStatus.PAID, "sistem")
    assert last.details["ntpn"] == "0A1B2C3D4E5F6G7H"
    assert payments.exceptions(session).total == 0


@pytest.mark.parametrize("amount", [335_001, 334_999, 1])
def test_any_other_amount_is_recorded_and_flagged_never_trusted(tariffs_loaded, invoiced, amount):
    session = tariffs_loaded
    order, invoice = invoiced
    payment = payments.record_billing_payment(session, paid(invoice.current_code.code, amount=amount))
    assert payment.status == PaymentStatus.FLAGGED and payment.problem == PaymentProblem.WRONG_AMOUNT
    assert payment.amount == amount and payment.invoice_id == invoice.id
    assert invoice.status == InvoiceStatus.ISSUED and order.status == OrderStatus.INVOICED
    queue = payments.exceptions(session)
    assert queue.total == 1 and queue.items[0].id == payment.id
    assert workflow.events(session, order.id)[-1].action == "payment_flagged"


def test_a_second_ntpn_on_one_code_is_a_double_payment(tariffs_loaded, invoiced):
    session = tariffs_loaded
    order, invoice = invoiced
    code = invoice.current_code.code
    first = payments.record_billing_payment(session, paid(code))
    second = payments.record_billing_payment(session, paid(code, ntpn="ZZZZ2222YYYY1111"))
    assert first.status == PaymentStatus.SETTLED
    assert second.status == PaymentStatus.FLAGGED and second.problem == PaymentProblem.DOUBLE_PAYMENT
    assert order.status == OrderStatus.PAID
    assert [p.id for p in payments.exceptions(session).items] == [second.id]


def test_the_same_ntpn_again_changes_nothing(tariffs_loaded, invoiced):
    session = tariffs_loaded
    _order, invoice = invoiced
    code = invoice.current_code.code
    assert payments.record_billing_payment(session, paid(code)) is not None
    assert payments.record_billing_payment(session, paid(code, amount=1)) is None  # a late or repeated notice
    assert len(payments.payments_of_invoice(session, invoice.id)) == 1
    assert payments.exceptions(session).total == 0


def test_an_unknown_code_is_unmatched_money(tariffs_loaded):
    session = tariffs_loaded
    payment = payments.record_billing_payment(session, paid("820261124999999"))
    assert payment.status == PaymentStatus.FLAGGED and payment.problem == PaymentProblem.UNKNOWN_CODE
    assert payment.invoice_id is None and payment.amount == 335_000
    assert payments.exceptions(session).items == [payment]


def test_a_payment_on_a_voided_code_is_recorded_and_flagged(tariffs_loaded, invoiced, officer, simponi):
    session = tariffs_loaded
    order, invoice = invoiced
    code = invoice.current_code.code
    invoices.cancel_invoiced_order(session, Actor(officer), order.id, simponi, reason="Dibatalkan pembeli.")
    payment = payments.record_billing_payment(session, paid(code))
    assert payment.problem == PaymentProblem.VOID_CODE and payment.invoice_id == invoice.id
    assert order.status == OrderStatus.CANCELLED and invoice.status == InvoiceStatus.VOID


def test_a_payment_after_the_code_expired_is_flagged(tariffs_loaded, invoiced):
    session = tariffs_loaded
    order, invoice = invoiced
    late = invoice.current_code.expires_at.replace(tzinfo=UTC) + timedelta(minutes=1)
    payment = payments.record_billing_payment(session, paid(invoice.current_code.code, at=late))
    assert payment.problem == PaymentProblem.EXPIRED_CODE and order.status == OrderStatus.INVOICED


def test_a_payment_while_a_correction_is_open_is_flagged_for_the_treasurer(tariffs_loaded, invoiced):
    session = tariffs_loaded
    order, invoice = invoiced
    buyer = session.get(User, order.buyer_id)
    invoices.request_correction(session, Actor(buyer), order.id, "invoice", "Nama instansi salah.")
    payment = payments.record_billing_payment(session, paid(invoice.current_code.code))
    assert payment.problem == PaymentProblem.ORDER_NOT_PAYABLE
    assert order.status == OrderStatus.CORRECTION_REQUESTED and invoice.status == InvoiceStatus.ISSUED


def test_a_notification_is_stored_once_and_applying_it_again_changes_nothing(tariffs_loaded, invoiced):
    session = tariffs_loaded
    order, invoice = invoiced
    body = json.dumps(paid(invoice.current_code.code).as_body()).encode()
    first = payments.receive(session, "msg_1", body)
    assert first.earlier is None
    # Delivered again: the same notification, no copy, and what became of it.
    again = payments.receive(session, "msg_1", body)
    assert again.notification_id == first.notification_id and again.earlier is not None
    assert payments.apply_notification(session, first.notification_id).state == NotificationState.APPLIED
    assert payments.receive(session, "msg_1", body).earlier == NotificationState.APPLIED
    assert payments.apply_notification(session, first.notification_id).state == NotificationState.APPLIED
    renamed = payments.receive(session, "msg_2", body)  # same NTPN under a new id
    assert payments.apply_notification(session, renamed.notification_id).state == NotificationState.DUPLICATE
    assert len(payments.payments_of_invoice(session, invoice.id)) == 1 and order.status == OrderStatus.PAID


def test_the_sweep_finds_a_payment_whose_notification_was_lost_and_records_it_once(tariffs_loaded, invoiced,
                                                                                   simponi, clock):
    session = tariffs_loaded
    order, invoice = invoiced
    code = invoice.current_code.code
    sent = simponi.pay(session, code, notify=False)
    assert sent["status"] is None  # nothing was sent: only the inquiry can find it
    assert payments.sweep(session, simponi, now=clock.now, after=timedelta(hours=1)) == []  # too recent to ask
    found = payments.sweep(session, simponi, now=clock.now + timedelta(hours=2), after=timedelta(hours=1))
    assert [p.ntpn for p in found] == [sent["body"]["data"]["ntpn"]]
    assert found[0].status == PaymentStatus.SETTLED and order.status == OrderStatus.PAID
    assert payments.sweep(session, simponi, now=clock.now + timedelta(hours=3), after=timedelta(hours=1)) == []
    assert len(payments.payments_of_invoice(session, invoice.id)) == 1
