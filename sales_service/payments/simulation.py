"""What the payment simulator's controls need to know (issue 10, point 12): which billing code an
order offers for payment, and whose order a code belongs to. Read only; never commits.

The simulated bank pays billing codes, as a real one does (and as ``flask simulate-payment CODE``
does); whether it takes the money (a cancelled or expired code is refused) is the simulator's
answer, not ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sales_service.errors import NotFound
from sales_service.invoices import services as invoices
from sales_service.invoices.models import BillingCode, CodeStatus, Invoice


class CodeNotFound(NotFound):
    def __init__(self, code: str):
        super().__init__("Kode billing {code} tidak ditemukan.", code=code)


@dataclass(frozen=True)
class Code:
    code: str
    amount: int  # whole rupiah billed
    order_id: int


def offered_code(session: Session, order_id: int) -> Code | None:
    """The live billing code of the order's current invoice, paid or not (a code may be paid twice)."""
    invoice = invoices.current_invoice(session, order_id)
    code = invoice.current_code if invoice is not None else None
    if code is None or code.status != CodeStatus.ACTIVE:
        return None
    return Code(code=code.code, amount=code.amount, order_id=order_id)


def code_of(session: Session, code: str) -> Code:
    """A billing code the service issued, with the order it bills."""
    found = session.execute(select(BillingCode.code, BillingCode.amount, Invoice.order_id)
                            .join(Invoice, Invoice.id == BillingCode.invoice_id)
                            .where(BillingCode.code == code)).one_or_none()
    if found is None:
        raise CodeNotFound(code)
    return Code(*found)
