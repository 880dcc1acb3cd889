"""Cash at the counter for walk-in visitors, recorded by the treasurer. Never commits.

Receipt of cash is exact: an amount above what the invoice still asks for is refused with the
remainder named, and the treasurer hands the change back across the counter before recording.
Recording the surplus instead (flagged, to refund) would send change through the PNBP refund
procedure (the payer's request, the office's decision, payment by the state treasury office)
for money that never had to leave the drawer, and the cash book must equal the cash kept. Less
than the remainder is a part payment, as for a short transfer; the amount that completes the
invoice settles it and moves the order to paid, through the same ``payments.services.settle``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from sales_service.errors import N_, InvalidInput
from sales_service.money import format_rupiah, parse_rupiah
from sales_service.orders import workflow
from sales_service.payments import balances, services
from sales_service.payments.entries import past_day
from sales_service.payments.models import Payment, PaymentSource, PaymentStatus
from sales_service.payments.permissions import Pay, TreasurersOnly, may_decide, refusal
from sales_service.text import clean_text


class CashAboveRemainder(InvalidInput):
    def __init__(self, amount: int, remaining: int):
        super().__init__(
            "Uang tunai {amount} melebihi sisa tagihan {remaining}. Terima tepat sebesar sisa tagihan dan "
            "kembalikan selebihnya kepada pembayar; tidak ada yang dicatat.",
            amount=format_rupiah(amount), remaining=format_rupiah(remaining))


class CashNotPositive(InvalidInput):
    def __init__(self):
        super().__init__("Jumlah uang tunai harus lebih dari nol.")


def record_cash(session: Session, actor: workflow.Actor, order_id: int, *, amount: str, received_on: str,
                received_by: str, today: date) -> Payment:
    """Cash counted at the counter for a walk-in order: ``amount`` as typed ("335.000")."""
    order = workflow.get_order_for(session, order_id, actor.user)
    if not may_decide(actor.user.role):
        raise TreasurersOnly()
    invoice = balances.current_invoice(session, order.id, lock=True)
    facts = balances.facts(session, order, invoice)
    if facts is None:
        raise InvalidInput("Invoice pesanan ini belum terbit.")
    error = refusal(Pay.RECORD_CASH, facts, actor.user.role, actor.user.id)
    if error is not None:
        raise error
    rupiah = parse_rupiah(amount)
    if rupiah <= 0:
        raise CashNotPositive()
    if rupiah > facts.remainder:
        raise CashAboveRemainder(rupiah, facts.remainder)
    day = past_day(received_on, N_("Tanggal diterima"), today=today)
    who = clean_text(received_by, N_("Diterima oleh"), max_length=200)
    payment = Payment(source=PaymentSource.CASH, amount=rupiah, currency="IDR", channel="cash",
                      paid_at=balances.moment_of(day), status=PaymentStatus.PENDING_VERIFICATION,
                      invoice_id=invoice.id, order_id=order.id, recorded_by_id=actor.user.id, received_by=who)
    session.add(payment)
    session.flush()
    remaining_after = facts.remainder - rupiah
    workflow.record(session, order, actor, "record_cash", details={
        "payment_id": payment.id, "amount": rupiah, "received_on": day.isoformat(), "received_by": who,
        "invoice": invoice.number, "paid": facts.paid + rupiah, "remaining": remaining_after})
    if remaining_after:
        payment.status = PaymentStatus.SETTLED  # a part payment: the rest is still due
        workflow.save(session)
    else:
        services.settle(session, payment, invoice, actor)
    return payment
