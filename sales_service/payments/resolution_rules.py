"""How a flagged payment may be resolved: the one answer the exceptions page asks to show a form
and the resolving service asks to refuse. Pure module: no Flask, no SQLAlchemy.

A flagged payment is money received that was not trusted (DESIGN.md "Payments and
reconciliation"). The treasurer resolves it by exactly one explicit action:

* **apply** it to an invoice the treasurer names (unmatched money whose payer is found, a payment
  on a replaced code): it completes the invoice when it covers what remains, counts partly
  otherwise; any excess is owed back and opens a refund. A void or paid invoice takes nothing.
* **ask for a top-up**: an under-payment of its own open invoice counts partly and the buyer is
  asked for the remainder on the order page.
* **open a refund**: an over-payment returns its excess (the rest completes the invoice); a
  payment that no open invoice takes (a double payment, a void code, unmatched money) returns
  whole. Refunds follow the PNBP procedure (``refund_steps``).
* **reject**: a bounced or mistaken record is marked rejected with the reason; nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sales_service.errors import N_, Conflict


class Resolution(StrEnum):
    APPLY = "apply"
    TOP_UP = "top_up"
    REFUND = "refund"
    REJECT = "reject"


RESOLUTION_LABELS = {
    Resolution.APPLY: N_("diterapkan ke invoice"),
    Resolution.TOP_UP: N_("diminta kekurangannya"),
    Resolution.REFUND: N_("dikembalikan"),
    Resolution.REJECT: N_("ditolak"),
}


@dataclass(frozen=True)
class InvoiceStanding:
    """An invoice as a payment would be counted towards it."""

    open: bool  # issued: neither void nor paid
    void: bool
    total: int  # whole rupiah
    settled: int  # whole rupiah already counted towards it
    awaiting_payment: bool  # its order waits for payment (not under correction, not cancelled)

    @property
    def remaining(self) -> int:
        return max(self.total - self.settled, 0)


@dataclass(frozen=True)
class FlaggedPayment:
    """What the rules read of a payment and the invoice it came for (None: unmatched)."""

    flagged: bool  # still in the exceptions queue
    amount: int  # whole rupiah received
    invoice: InvoiceStanding | None


@dataclass(frozen=True)
class Counted:
    """How a payment counts towards an open invoice: ``counted`` towards it, ``excess`` owed back."""

    counted: int
    excess: int
    remaining_after: int

    @property
    def completes(self) -> bool:
        return self.remaining_after == 0


class AlreadyResolved(Conflict):
    def __init__(self):
        super().__init__("Pembayaran ini sudah diselesaikan; muat ulang halaman untuk melihat penyelesaiannya.")


class InvoiceVoid(Conflict):
    def __init__(self):
        super().__init__("Invoice ini sudah batal; terapkan pembayaran ke versi invoice yang berlaku.")


class InvoiceAlreadyPaid(Conflict):
    def __init__(self):
        super().__init__("Invoice ini sudah lunas; pembayaran tambahan dikembalikan, bukan diterapkan.")


class InvoiceHasNothingToPay(Conflict):
    def __init__(self):
        super().__init__("Invoice Rp0 tidak menerima pembayaran.")


class OrderNotAwaitingPayment(Conflict):
    def __init__(self):
        super().__init__("Pesanan invoice ini tidak sedang menunggu pembayaran (misalnya ada permintaan koreksi "
                         "yang belum dijawab); selesaikan itu dulu.")


class NoInvoiceToTopUp(Conflict):
    def __init__(self):
        super().__init__("Pembayaran ini tidak terhubung ke invoice yang masih terbuka; terapkan ke invoice "
                         "lebih dulu.")


class NotAnUnderPayment(Conflict):
    def __init__(self):
        super().__init__("Pembayaran ini tidak kurang dari sisa tagihan; tidak ada kekurangan yang diminta.")


class NotAnOverPayment(Conflict):
    def __init__(self):
        super().__init__("Pembayaran ini tidak melebihi sisa tagihan invoicenya: terapkan ke invoice atau minta "
                         "kekurangannya, bukan dikembalikan.")


def count_towards(amount: int, invoice: InvoiceStanding) -> Counted:
    """``amount`` against what ``invoice`` still asks for: never more than that is counted."""
    counted = min(amount, invoice.remaining)
    return Counted(counted=counted, excess=amount - counted, remaining_after=invoice.remaining - counted)


def target_refusal(invoice: InvoiceStanding) -> Conflict | None:
    """Why a payment may not be applied to ``invoice``, or None."""
    if invoice.void:
        return InvoiceVoid()
    if not invoice.open:
        return InvoiceAlreadyPaid()
    if invoice.total == 0:
        return InvoiceHasNothingToPay()
    if not invoice.awaiting_payment:
        return OrderNotAwaitingPayment()
    return None


def refusal(what: Resolution, payment: FlaggedPayment) -> Conflict | None:
    """Why ``what`` may not resolve ``payment`` now, or None. Applying also asks
    :func:`target_refusal` of the invoice the treasurer names."""
    if not payment.flagged:
        return AlreadyResolved()
    what = Resolution(what)
    if what in (Resolution.APPLY, Resolution.REJECT):
        return None
    invoice = payment.invoice
    takes_it = invoice is not None and invoice.open and invoice.total > 0
    if what == Resolution.TOP_UP:
        if not takes_it:
            return NoInvoiceToTopUp()
        if not invoice.awaiting_payment:
            return OrderNotAwaitingPayment()
        if payment.amount >= invoice.remaining:
            return NotAnUnderPayment()
        return None
    # REFUND: an open invoice keeps what it asks for; only the excess goes back.
    if takes_it:
        if payment.amount <= invoice.remaining:
            return NotAnOverPayment()
        if not invoice.awaiting_payment:
            return OrderNotAwaitingPayment()
    return None


def refund_amount(payment: FlaggedPayment) -> int:
    """What a refund of ``payment`` returns: the excess over an open invoice's remainder, else all."""
    invoice = payment.invoice
    if invoice is not None and invoice.open and invoice.total > 0:
        return count_towards(payment.amount, invoice).excess
    return payment.amount


def allowed(payment: FlaggedPayment) -> dict[Resolution, bool]:
    """Which resolutions the exceptions page offers for ``payment``."""
    return {what: refusal(what, payment) is None for what in Resolution}
