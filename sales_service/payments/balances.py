"""What an order's current invoice still asks for: total, paid so far, remainder, and the facts
the payment rules read (``payments.permissions``). Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from sales_service.invoices import services as invoices
from sales_service.invoices.models import Invoice, InvoiceStatus, PaymentRoute
from sales_service.orders.models import Order
from sales_service.payments import services
from sales_service.payments.models import Payment, ProofStatus, TransferProof
from sales_service.payments.permissions import PaymentFacts


def current_invoice(session: Session, order_id: int, *, lock: bool = False) -> Invoice | None:
    """The order's newest invoice version; ``lock`` holds its row until the transaction ends, so two
    payments recorded against one invoice at once are counted one after the other."""
    invoice = invoices.current_invoice(session, order_id)
    if invoice is not None and lock:
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice.id).with_for_update()
                                 .execution_options(populate_existing=True))
    return invoice


def facts(session: Session, order: Order, invoice: Invoice | None, *,
          proofs: Sequence[TransferProof] | None = None,
          payments: Sequence[Payment] | None = None) -> PaymentFacts | None:
    """The payment facts of ``order`` and its current ``invoice`` (None before any invoice).
    ``proofs`` and ``payments``: the order's proofs of transfer and payments when the caller
    has read them (the order page)."""
    if invoice is None:
        return None
    if proofs is None:
        proofs = session.scalars(select(TransferProof).where(TransferProof.invoice_id == invoice.id)).all()
    waiting = any(p.invoice_id == invoice.id and p.status == ProofStatus.PENDING for p in proofs)
    return PaymentFacts(
        order_status=order.status, buyer_id=order.buyer_id, walk_in=order.is_walk_in,
        invoice_open=invoice.status == InvoiceStatus.ISSUED,
        by_transfer=invoice.payment_route == PaymentRoute.BANK_TRANSFER,
        zero_rated=invoice.payment_route == PaymentRoute.NONE,
        total=invoice.total,
        paid=services.amount_settled(
            [p for p in payments if p.invoice_id == invoice.id] if payments is not None
            else services.payments_of_invoice(session, invoice.id)),
        proof_waiting=waiting,
    )


def moment_of(day: date) -> datetime:
    """A payment's moment when only its day is known (a transfer, cash counted at the counter):
    midnight UTC, which is the same calendar day on every Indonesian office clock (UTC+7 to +9)."""
    return datetime.combine(day, time(), tzinfo=UTC)
