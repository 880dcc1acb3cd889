"""The exceptions queue's resolutions (issue 10, point 8): apply to an invoice, ask for a top-up, open
a refund, reject; each once, with its note, who and when, on the orders' timelines; money never
deleted or netted."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from sales_service.errors import InvalidInput
from sales_service.invoices import services as invoices
from sales_service.invoices.models import InvoiceStatus
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.payments import resolutions
from sales_service.payments import services as payments
from sales_service.payments.models import Payment, PaymentProblem, PaymentStatus, Refund
from sales_service.payments.notifications import BillingPaid
from sales_service.payments.permissions import TreasurersOnly
from sales_service.payments.refund_steps import RefundStatus
from sales_service.payments.resolution_rules import (
    AlreadyResolved,
    InvoiceAlreadyPaid,
    InvoiceVoid,
    NoInvoiceToTopUp,
    NotAnOverPayment,
    NotAnUnderPayment,
    Resolution,
)
from sales_service.roles import Role
from tests.factories import make_staff
from tests.services.test_invoices import SETTINGS, TODAY, accepted_order

PAID_AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TOTAL = 335_000
_ntpns = iter(f"NTPN{n:012d}" for n in range(1, 10_000))


@pytest.fixture
def treasurer(tariffs_loaded):
    return Actor(make_staff(tariffs_loaded, Role.TREASURER, full_name="Bendahara Satu"))


@pytest.fixture
def invoiced(tariffs_loaded, officer, gateway, tmp_path):
    """Invoiced orders of Rp335.000 each, made on demand."""
    def make():
        order, _buyer = accepted_order(tariffs_loaded, officer, tmp_path)
        invoice = invoices.issue_invoice(tariffs_loaded, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
        assert invoice.total == TOTAL
        return order, invoice
    return make


def notify(session, code: str, amount: int = TOTAL) -> Payment:
    return payments.record_billing_payment(session, BillingPaid(
        billing_code=code, amount=amount, currency="IDR", ntpn=next(_ntpns), ntb="123456789012", bank="BANK X",
        channel="teller", paid_at=PAID_AT))


def unknown_money(session, amount: int) -> Payment:
    payment = notify(session, "820261124999999", amount)
    assert payment.problem == PaymentProblem.UNKNOWN_CODE and payment.status == PaymentStatus.FLAGGED
    return payment


def actions(session, order) -> list[str]:
    return [e.action for e in workflow.events(session, order.id)]


def settled_towards(session, invoice) -> int:
    return payments.amount_settled(payments.payments_of_invoice(session, invoice.id))


# -- apply to an invoice ------------------------------------------------------------------------------

def test_unmatched_money_applied_to_the_payers_invoice_settles_it(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    order, invoice = invoiced()
    payment = unknown_money(session, TOTAL)

    resolution = resolutions.resolve(session, treasurer, payment.id, "apply", invoice_number=invoice.number,
                                     note="Pembayar salah ketik kode billing; dikonfirmasi lewat telepon.")

    assert payment.status == PaymentStatus.SETTLED and payment.invoice_id == invoice.id
    assert payment.order_id == order.id and payment.amount == TOTAL  # the record keeps its amount
    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID
    assert (resolution.action, resolution.problem, resolution.resolved_by_id) == (
        Resolution.APPLY, PaymentProblem.UNKNOWN_CODE, treasurer.user.id)
    assert resolution.from_invoice_id is None and (resolution.counted, resolution.remaining) == (TOTAL, 0)
    assert resolution.resolved_at is not None
    events = workflow.events(session, order.id)
    applied = next(e for e in events if e.action == "resolve_apply")
    assert applied.actor_name == "Bendahara Satu" and applied.reason.startswith("Pembayar salah ketik")
    assert events[-1].action == "record_payment" and events[-1].to_status == OrderStatus.PAID
    assert resolutions.exception_queue(session).total == 0


def test_less_than_the_remainder_counts_partly_and_the_buyer_sees_what_is_left(tariffs_loaded, invoiced,
                                                                                treasurer):
    session = tariffs_loaded
    order, invoice = invoiced()
    payment = unknown_money(session, 200_000)

    resolutions.resolve(session, treasurer, payment.id, "apply", invoice_number=invoice.number, note="Ditemukan.")

    assert payment.status == PaymentStatus.SETTLED and settled_towards(session, invoice) == 200_000
    assert invoice.status == InvoiceStatus.ISSUED and order.status == OrderStatus.INVOICED
    asked = resolutions.top_up_asked(session, order)
    assert asked is not None and asked.remaining == 135_000 and asked.invoice_number == invoice.number


def test_more_than_the_remainder_settles_and_opens_a_refund_of_the_excess(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    order, invoice = invoiced()
    payment = unknown_money(session, 400_000)

    resolution = resolutions.resolve(session, treasurer, payment.id, "apply", invoice_number=invoice.number,
                                     note="Ditemukan, lebih bayar.")

    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID
    assert payment.amount == 400_000 and payment.status == PaymentStatus.SETTLED  # not netted
    refund = session.get(Refund, resolution.refund_id)
    assert refund.amount == 65_000 and refund.status == RefundStatus.AWAITING_REQUEST
    assert [(i.payment_id, i.amount) for i in refund.items] == [(payment.id, 65_000)]
    assert refund.order_id == order.id and refund.payer == invoice.buyer_name


def test_a_void_or_paid_invoice_takes_nothing(tariffs_loaded, invoiced, treasurer, officer, gateway):
    session = tariffs_loaded
    paid_order, paid_invoice = invoiced()
    notify(session, paid_invoice.current_code.code)
    assert paid_invoice.status == InvoiceStatus.PAID
    cancelled, void_invoice = invoiced()
    invoices.cancel_invoiced_order(session, Actor(officer), cancelled.id, gateway, reason="Batal.")
    payment = unknown_money(session, TOTAL)

    with pytest.raises(InvoiceAlreadyPaid):
        resolutions.resolve(session, treasurer, payment.id, "apply", invoice_number=paid_invoice.number, note="x")
    with pytest.raises(InvoiceVoid):
        resolutions.resolve(session, treasurer, payment.id, "apply", invoice_number=void_invoice.number, note="x")
    with pytest.raises(resolutions.InvoiceNumberNotFound):
        resolutions.resolve(session, treasurer, payment.id, "apply", invoice_number="INV/NONE/1", note="x")

    assert payment.status == PaymentStatus.FLAGGED and resolutions.exception_queue(session).total == 1


def test_money_applied_to_another_orders_invoice_is_on_both_timelines(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    first, first_invoice = invoiced()
    second, second_invoice = invoiced()
    notify(session, first_invoice.current_code.code)
    twice = notify(session, first_invoice.current_code.code)  # the second order's payer used the first code
    assert twice.problem == PaymentProblem.DOUBLE_PAYMENT

    resolution = resolutions.resolve(session, treasurer, twice.id, Resolution.APPLY,
                                     invoice_number=second_invoice.number, note="Kode billing tertukar.")

    assert resolution.from_invoice_id == first_invoice.id and twice.invoice_id == second_invoice.id
    assert second.status == OrderStatus.PAID and second_invoice.status == InvoiceStatus.PAID
    assert "resolve_apply" in actions(session, first) and "resolve_apply" in actions(session, second)
    assert settled_towards(session, first_invoice) == TOTAL  # the first invoice keeps only its own payment


# -- ask for a top-up ---------------------------------------------------------------------------------

def test_an_under_payment_counts_and_the_buyer_is_asked_for_the_remainder(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    order, invoice = invoiced()
    short = notify(session, invoice.current_code.code, 300_000)
    assert short.problem == PaymentProblem.WRONG_AMOUNT

    resolution = resolutions.resolve(session, treasurer, short.id, "top_up",
                                     note="Mohon transfer kekurangan Rp35.000 ke rekening bendahara.")

    assert short.status == PaymentStatus.SETTLED and (resolution.counted, resolution.remaining) == (300_000, 35_000)
    assert invoice.status == InvoiceStatus.ISSUED and order.status == OrderStatus.INVOICED
    asked = resolutions.top_up_asked(session, order)
    assert (asked.remaining, asked.note) == (35_000, "Mohon transfer kekurangan Rp35.000 ke rekening bendahara.")
    assert actions(session, order)[-1] == "resolve_top_up"


def test_a_top_up_is_asked_only_for_an_under_payment_of_an_open_invoice(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    _order, invoice = invoiced()
    over = notify(session, invoice.current_code.code, 400_000)
    with pytest.raises(NotAnUnderPayment):
        resolutions.resolve(session, treasurer, over.id, "top_up", note="x")
    with pytest.raises(NoInvoiceToTopUp):
        resolutions.resolve(session, treasurer, unknown_money(session, 1_000).id, "top_up", note="x")


def test_the_top_up_request_goes_once_the_invoice_is_paid(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    order, invoice = invoiced()
    short = notify(session, invoice.current_code.code, 300_000)
    resolutions.resolve(session, treasurer, short.id, "top_up", note="Kurang Rp35.000.")
    rest = unknown_money(session, 35_000)
    resolutions.resolve(session, treasurer, rest.id, "apply", invoice_number=invoice.number, note="Kekurangan.")
    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID
    assert resolutions.top_up_asked(session, order) is None


# -- open a refund ------------------------------------------------------------------------------------

def test_an_over_payment_settles_its_invoice_and_refunds_the_excess(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    order, invoice = invoiced()
    over = notify(session, invoice.current_code.code, 400_000)

    resolution = resolutions.resolve(session, treasurer, over.id, "refund", note="Lebih bayar Rp65.000.")

    refund = session.get(Refund, resolution.refund_id)
    assert refund.amount == 65_000 and [(i.payment_id, i.amount) for i in refund.items] == [(over.id, 65_000)]
    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID
    assert over.amount == 400_000 and over.status == PaymentStatus.SETTLED
    assert {"resolve_refund", "record_payment"} <= set(actions(session, order))
    assert payments.amount_counted(session, invoice.id) == TOTAL  # the excess is set apart, not counted


def test_a_double_payment_is_refunded_whole(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    order, invoice = invoiced()
    notify(session, invoice.current_code.code)
    second = notify(session, invoice.current_code.code)

    resolution = resolutions.resolve(session, treasurer, second.id, "refund", note="Dibayar dua kali.")

    refund = session.get(Refund, resolution.refund_id)
    assert refund.amount == TOTAL and refund.status == RefundStatus.AWAITING_REQUEST
    assert refund.order_id == order.id and refund.payer == invoice.buyer_name
    assert second.status == PaymentStatus.SETTLED  # received; the refund says it goes back
    assert settled_towards(session, invoice) == 2 * TOTAL and payments.amount_counted(session, invoice.id) == TOTAL
    assert actions(session, order)[-1] == "resolve_refund"


def test_unmatched_money_is_refunded_whole_to_the_named_payer(tariffs_loaded, treasurer):
    session = tariffs_loaded
    payment = unknown_money(session, 50_000)
    resolution = resolutions.resolve(session, treasurer, payment.id, "refund", note="Bukan pembayaran ke BPS.",
                                     payer="CV Salah Transfer")
    refund = session.get(Refund, resolution.refund_id)
    assert (refund.amount, refund.payer, refund.order_id) == (50_000, "CV Salah Transfer", None)


def test_no_refund_of_what_an_open_invoice_still_asks_for(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    _order, invoice = invoiced()
    short = notify(session, invoice.current_code.code, 300_000)
    with pytest.raises(NotAnOverPayment):
        resolutions.resolve(session, treasurer, short.id, "refund", note="x")
    assert short.status == PaymentStatus.FLAGGED


# -- reject -------------------------------------------------------------------------------------------

def test_a_rejected_record_stays_marked_rejected_with_the_reason(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    order, invoice = invoiced()
    bounced = notify(session, invoice.current_code.code, 1)

    resolution = resolutions.resolve(session, treasurer, bounced.id, "reject",
                                     note="Notifikasi uji coba dari bank, bukan uang masuk.")

    assert session.get(Payment, bounced.id).status == PaymentStatus.REJECTED  # kept, not deleted
    assert resolution.note == "Notifikasi uji coba dari bank, bukan uang masuk."
    assert invoice.status == InvoiceStatus.ISSUED and settled_towards(session, invoice) == 0
    event = workflow.events(session, order.id)[-1]
    assert (event.action, event.reason) == ("resolve_reject", "Notifikasi uji coba dari bank, bukan uang masuk.")


# -- exactly one explicit, audited action ---------------------------------------------------------------

def test_a_payment_is_resolved_once(tariffs_loaded, invoiced, treasurer):
    session = tariffs_loaded
    _order, invoice = invoiced()
    over = notify(session, invoice.current_code.code, 400_000)
    resolutions.resolve(session, treasurer, over.id, "reject", note="Salah catat.")
    for what in Resolution:
        with pytest.raises(AlreadyResolved):
            resolutions.resolve(session, treasurer, over.id, what, note="Lagi.", invoice_number=invoice.number)
    assert session.scalar(select(func.count(Refund.id))) == 0


def test_only_the_treasurer_resolves_and_always_with_a_note(tariffs_loaded, officer, treasurer):
    session = tariffs_loaded
    payment = unknown_money(session, 10_000)
    with pytest.raises(TreasurersOnly):
        resolutions.resolve(session, Actor(officer), payment.id, "reject", note="x")
    with pytest.raises(InvalidInput, match="Catatan"):
        resolutions.resolve(session, treasurer, payment.id, "reject", note="   ")
    with pytest.raises(InvalidInput):
        resolutions.resolve(session, treasurer, payment.id, "delete", note="x")
    assert payment.status == PaymentStatus.FLAGGED


def test_the_queue_lists_flagged_payments_oldest_first_and_filters_by_problem(tariffs_loaded, invoiced,
                                                                               treasurer):
    session = tariffs_loaded
    _order, invoice = invoiced()
    lost = unknown_money(session, 10_000)
    wrong = notify(session, invoice.current_code.code, 1_000)
    queue = resolutions.exception_queue(session)
    assert [row.payment.id for row in queue.items] == [lost.id, wrong.id]
    assert queue.items[1].invoice_number == invoice.number and queue.items[0].order_reference is None
    only = resolutions.exception_queue(session, problem=PaymentProblem.WRONG_AMOUNT)
    assert [row.payment.id for row in only.items] == [wrong.id]
    counts = resolutions.problem_counts(session)
    assert counts[PaymentProblem.UNKNOWN_CODE] == 1 and counts[PaymentProblem.WRONG_AMOUNT] == 1
    assert counts[PaymentProblem.DOUBLE_PAYMENT] == 0

    resolutions.resolve(session, treasurer, lost.id, "reject", note="Salah catat.")
    assert [row.payment.id for row in resolutions.exception_queue(session).items] == [wrong.id]
    case = resolutions.exception_case(session, lost.id)
    assert case.resolution.action == Resolution.REJECT and case.resolved_by == "Bendahara Satu"
    assert not any(case.allowed.values())


def test_an_over_paid_invoice_whose_excess_is_refunded_still_gets_its_receipt(tariffs_loaded, invoiced, treasurer,
                                                                               tmp_path):
    from sales_service.files.storage import FileStorage
    from sales_service.payments import receipts
    from tests.services.test_receipts import OFFICE

    session = tariffs_loaded
    order, invoice = invoiced()
    over = notify(session, invoice.current_code.code, 400_000)
    resolutions.resolve(session, treasurer, over.id, "refund", note="Lebih bayar Rp65.000.")
    settings = receipts.ReceiptSettings(office=OFFICE, timezone="Asia/Jakarta", storage=FileStorage(tmp_path / "f"),
                                        verify_url=lambda code: f"https://penjualan.example/verify/kuitansi/{code}")
    receipt = receipts.issue_receipt(session, treasurer, order.id, settings, today=TODAY)
    assert receipt.number.startswith("KW/") and order.status == OrderStatus.RECEIPTED
