"""The treasurer's home: how much waits in each queue. Never commits.

Each count is one grouped query over indexed columns, so the page asks the database the same
number of questions whatever the number of payments (``tests/web/test_treasurer_home.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from sales_service.invoices.models import Invoice, InvoiceStatus
from sales_service.orders.models import Order
from sales_service.paging import Page, paginate
from sales_service.payments import deposits, refunds, resolutions
from sales_service.payments.models import PaymentProblem, ProofStatus, Receipt, ReceiptStatus, TransferProof
from sales_service.payments.refund_steps import OPEN, RefundStatus


@dataclass(frozen=True)
class DeskCounts:
    proofs_to_verify: int
    exceptions: dict[PaymentProblem, int]
    invoices_to_receipt: int  # paid invoices without a valid receipt
    held: deposits.Holding  # settled cash and transfers not deposited yet
    refunds: dict[RefundStatus, int]

    @property
    def exceptions_total(self) -> int:
        return sum(self.exceptions.values())

    @property
    def refunds_open(self) -> int:
        return sum(n for status, n in self.refunds.items() if status in OPEN)


def desk_counts(session: Session) -> DeskCounts:
    return DeskCounts(
        proofs_to_verify=session.scalar(select(func.count(TransferProof.id))
                                        .where(TransferProof.status == ProofStatus.PENDING)),
        exceptions=resolutions.problem_counts(session),
        invoices_to_receipt=session.scalar(select(func.count(Invoice.id)).where(*without_receipt())),
        held=deposits.holding(session),
        refunds=refunds.status_counts(session),
    )


def without_receipt():
    receipted = exists().where(Receipt.invoice_id == Invoice.id, Receipt.status == ReceiptStatus.ISSUED)
    return (Invoice.status == InvoiceStatus.PAID, ~receipted)


@dataclass(frozen=True)
class UnreceiptedInvoice:
    invoice: Invoice
    order_reference: str


def invoices_to_receipt(session: Session, *, page: int = 1) -> Page[UnreceiptedInvoice]:
    """Paid invoices without a valid receipt, oldest first, one page (``ix_invoice_status_id``)."""
    query = select(Invoice).where(*without_receipt()).order_by(Invoice.id)
    return paginate(session, query, page=page).map(lambda invoices: _with_orders(session, invoices))


def _with_orders(session: Session, invoices: list[Invoice]) -> list[UnreceiptedInvoice]:
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_({i.order_id for i in invoices})))}
    return [UnreceiptedInvoice(invoice=i, order_reference=orders[i.order_id].reference) for i in invoices]
