"""Who may pay how, and when: the one answer for proofs of transfer, cash and the treasurer's
decisions. Services call :func:`refusal` to refuse; the order page's payments section asks
:func:`may` to show or hide a form (templates never compare statuses or roles).

Money is taken while the order waits for it: the order is ``invoiced`` (not under correction,
not cancelled), its current invoice is issued and something remains to pay. A buyer abroad
(invoice paid by transfer) uploads proofs, one waiting at a time; cash at the counter is for
walk-in visitors and is recorded by the treasurer. Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sales_service.errors import Conflict, DomainError, PermissionDenied
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.permissions import NotTheBuyer, OrderNotFound
from sales_service.roles import STAFF_ROLES, Role

TREASURERS = frozenset({Role.TREASURER, Role.ADMIN})  # bendahara penerimaan; admin stands in


class Pay(StrEnum):
    UPLOAD_PROOF = "upload_proof"  # the buyer abroad, for the remainder
    RECORD_CASH = "record_cash"  # the treasurer, for a walk-in visitor
    DECIDE_PROOF = "decide_proof"  # the treasurer verifies or rejects a proof


@dataclass(frozen=True)
class PaymentFacts:
    """What the rules read of an order and its current invoice."""

    order_status: OrderStatus
    buyer_id: int | None
    walk_in: bool
    invoice_open: bool  # the current invoice is issued: neither void nor paid
    by_transfer: bool  # paid by transfer from abroad (no billing code)
    zero_rated: bool  # an Rp0 invoice: nothing to pay
    total: int  # whole rupiah
    paid: int  # whole rupiah of settled payments
    proof_waiting: bool  # a proof of this invoice waits for the treasurer

    @property
    def remainder(self) -> int:
        return max(self.total - self.paid, 0)

    @property
    def partly_paid(self) -> bool:
        """Something was paid, not all of it: the buyer is asked for a top-up."""
        return self.paid > 0 and self.remainder > 0


class TreasurersOnly(PermissionDenied):
    def __init__(self):
        super().__init__("Hanya bendahara penerimaan (atau admin) yang dapat melakukan tindakan ini.")


class NothingToPay(Conflict):
    def __init__(self):
        super().__init__("Invoice Rp0 tidak perlu dibayar.")


class NotPaidByTransfer(Conflict):
    def __init__(self):
        super().__init__("Invoice ini dibayar dengan kode billing di bank, bukan dengan transfer dari luar negeri.")


class CashOnlyForWalkIns(Conflict):
    def __init__(self):
        super().__init__("Pembayaran tunai di loket dicatat untuk pesanan tamu loket.")


class AwaitingCorrection(Conflict):
    def __init__(self):
        super().__init__("Jangan membayar dulu: permintaan koreksi belum dijawab petugas.")


class NotAwaitingPayment(Conflict):
    def __init__(self):
        super().__init__("Pesanan ini tidak sedang menunggu pembayaran.")


class AlreadyPaid(Conflict):
    def __init__(self):
        super().__init__("Invoice ini sudah lunas; tidak ada sisa yang perlu dibayar.")


class ProofWaiting(Conflict):
    def __init__(self):
        super().__init__("Bukti transfer sebelumnya masih menunggu verifikasi bendahara.")


def _awaiting_payment(facts: PaymentFacts) -> DomainError | None:
    if facts.zero_rated:
        return NothingToPay()
    if facts.order_status == OrderStatus.CORRECTION_REQUESTED:
        return AwaitingCorrection()
    if facts.order_status in (OrderStatus.PAID, OrderStatus.RECEIPTED, OrderStatus.DELIVERED,
                              OrderStatus.DELIVERY_CORRECTION, OrderStatus.COMPLETED) or (
            facts.order_status == OrderStatus.INVOICED and facts.remainder == 0):
        return AlreadyPaid()
    if facts.order_status != OrderStatus.INVOICED or not facts.invoice_open:
        return NotAwaitingPayment()
    return None


def refusal(what: Pay, facts: PaymentFacts, role: Role, user_id: int | None) -> DomainError | None:
    """Why ``what`` is refused to this actor now, or None. Who asks comes first, so another
    buyer learns nothing of the order."""
    if what == Pay.UPLOAD_PROOF:
        if facts.buyer_id is None or facts.buyer_id != user_id:
            return NotTheBuyer() if role in STAFF_ROLES else OrderNotFound()
        if not facts.by_transfer and not facts.zero_rated:
            return NotPaidByTransfer()
        return _awaiting_payment(facts) or (ProofWaiting() if facts.proof_waiting else None)
    if role not in TREASURERS:
        return TreasurersOnly()
    if what == Pay.RECORD_CASH:
        if not facts.walk_in:
            return CashOnlyForWalkIns()
        return _awaiting_payment(facts)
    return None  # DECIDE_PROOF: the proof's own state is checked where it is decided


def may(what: Pay | str, facts: PaymentFacts, role: Role, user_id: int | None) -> bool:
    return refusal(Pay(what), facts, role, user_id) is None


def may_decide(role: Role) -> bool:
    """Verify or reject proofs, record cash and deposits: the treasurer's desk."""
    return role in TREASURERS
