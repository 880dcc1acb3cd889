"""The treasurer's home: how much waits in each queue. Never commits.

Each count is one grouped query over indexed columns, so the page asks the database the same
number of questions whatever the number of payments (``tests/web/test_treasurer_home.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from sales_service.invoices.models import Invoice, InvoiceStatus
from sales_service.payments import deposits, refunds, resolutions, services
from sales_service.payments.models import PaymentProblem, ProofStatus, Receipt, ReceiptStatus, TransferProof
from sales_service.payments.refund_steps import OPEN, RefundStatus


@dataclass(frozen=True)
class DeskCounts:
    proofs_to_verify: int
    exceptions: dict[PaymentProblem, int]
    invoices_to_receipt: int  # paid invoices without a valid receipt
    held: deposits.Holding  # settled cash and transfers not deposited yet
    refunds: dict[RefundStatus, int]
    notifications_unapplied: int  # stored payment notifications not applied (failed, or waiting)

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
        notifications_unapplied=services.unapplied_count(session),
    )


def without_receipt():
    """Paid invoices without a valid receipt: the receipts batch lists the same ones
    (``receipts.awaiting_receipt``), a page at a time (``ix_invoice_status_id``)."""
    receipted = exists().where(Receipt.invoice_id == Invoice.id, Receipt.status == ReceiptStatus.ISSUED)
    return (Invoice.status == InvoiceStatus.PAID, ~receipted)
