"""Who may do what to an order, and when: the one answer to "may this actor do this
to this order now".

Services call :func:`refusal` (through ``workflow.Actor.require``) to refuse an
action; pages call :func:`may` (through the ``may`` template helper) to decide
which buttons and forms to show. Guards that need more data than the order row
(requirements complete, an expired billing code, a sample uploaded) stay in the
services. Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from sales_service.errors import Conflict, DomainError, NotFound, PermissionDenied
from sales_service.orders.lifecycle import (
    INVOICED,
    WITH_BUYER,
    Action,
    IllegalTransition,
    OrderStatus,
    ZeroRateClaim,
    allowed_actions,
)
from sales_service.roles import STAFF_ROLES, Role

OFFICERS = frozenset({Role.OFFICER, Role.ADMIN})
TREASURERS = frozenset({Role.TREASURER, Role.ADMIN})  # bendahara penerimaan; admin stands in


class Do(StrEnum):
    """Everything someone can do to one order."""

    EDIT = "edit"  # purpose and use, Rp0 claim, abstract, request letter
    REMOVE_LINE = "remove_line"
    SUBMIT = "submit"
    CONTINUE_FULL_PRICE = "continue_full_price"  # after a refused Rp0 claim
    RETURN = "return"
    ACCEPT = "accept"
    DECIDE_ZERO_RATE = "decide_zero_rate"
    SET_FINAL_SIZE = "set_final_size"
    CANCEL = "cancel"  # before an invoice exists
    CANCEL_INVOICED = "cancel_invoiced"  # voids the invoice and its billing code with the order
    ISSUE_INVOICE = "issue_invoice"
    NEW_BILLING_CODE = "new_billing_code"
    UPLOAD_SAMPLE = "upload_sample"
    REQUEST_CORRECTION = "request_correction"
    ANSWER_CORRECTION = "answer_correction"  # reissue or decline
    SEE_REVIEW_DETAILS = "see_review_details"  # SLA clock, requested variables beside the abstract
    ISSUE_RECEIPT = "issue_receipt"  # the treasurer's kuitansi for the fully paid invoice


class OrderFacts(Protocol):
    """What the rules read of an order (the ``Order`` model has all of it)."""

    status: OrderStatus
    buyer_id: int | None
    zero_rate: ZeroRateClaim
    needs_agreement: bool
    has_sample: bool
    awaiting_final_size: tuple[str, ...]  # lines whose extract size the officer must still record

    @property
    def is_walk_in(self) -> bool: ...


class NotTheBuyer(PermissionDenied):
    def __init__(self):
        super().__init__("Tindakan ini dilakukan oleh pembeli sendiri.")


class OfficersOnly(PermissionDenied):
    def __init__(self):
        super().__init__("Hanya petugas yang dapat melakukan tindakan ini.")


class TreasurersOnly(PermissionDenied):
    def __init__(self):
        super().__init__("Hanya bendahara penerimaan (atau admin) yang dapat melakukan tindakan ini.")


class OrderNotFound(NotFound):
    def __init__(self):
        super().__init__("Pesanan tidak ditemukan.")


class NotEditable(Conflict):
    def __init__(self):
        super().__init__("Pesanan yang sedang diperiksa atau sudah diproses tidak dapat diubah.")


def _zero_rated(order: OrderFacts) -> bool:
    return order.zero_rate == ZeroRateClaim.APPROVED


def _lifecycle_allows(order: OrderFacts, action: Action) -> bool:
    return action in allowed_actions(order.status, zero_rated=_zero_rated(order))


def side_refusal(order: OrderFacts, role: Role, user_id: int | None) -> DomainError | None:
    """The buyer's side of an order: its owner, or an officer for a walk-in visitor (who
    has no account). Another buyer's order answers like a missing one; other staff see
    the order but do not act as its buyer."""
    if order.buyer_id is not None and order.buyer_id == user_id:
        return None
    if role not in STAFF_ROLES:
        return OrderNotFound()
    if order.is_walk_in and role in OFFICERS:
        return None
    return NotTheBuyer()


class FinalSizeFirst(Conflict):
    """A line priced on an estimate: the invoice waits for the extract's recorded size."""

    def __init__(self, titles: Sequence[str]):
        super().__init__("Catat dulu ukuran akhir ekstrak untuk: {lines}.", lines=", ".join(titles))


def state_refusal(do: Do, order: OrderFacts) -> DomainError | None:
    """Whether the order's state allows ``do`` at all (whoever asks)."""
    status = order.status
    if do == Do.EDIT:
        return None if status in WITH_BUYER else NotEditable()
    if do == Do.REMOVE_LINE:
        return None if status == OrderStatus.DRAFT else Conflict(
            "Produk hanya dapat dihapus dari pesanan yang masih draf.")
    if do == Do.CONTINUE_FULL_PRICE:
        return None if order.zero_rate == ZeroRateClaim.REFUSED and status == OrderStatus.RETURNED else Conflict(
            "Pilihan ini hanya ada setelah permohonan tarif Rp0 ditolak.")
    if do == Do.ACCEPT and order.zero_rate == ZeroRateClaim.PENDING and status == OrderStatus.SUBMITTED:
        return Conflict("Putuskan dulu permohonan tarif Rp0 (setujui atau tolak).")
    if do == Do.DECIDE_ZERO_RATE:
        return None if status == OrderStatus.SUBMITTED and order.zero_rate == ZeroRateClaim.PENDING else Conflict(
            "Tidak ada permohonan tarif Rp0 yang menunggu keputusan pada pesanan ini.")
    if do == Do.SET_FINAL_SIZE:
        return None if status in (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED) else Conflict(
            "Ukuran akhir dicatat setelah pesanan diajukan dan sebelum invoice terbit.")
    if do == Do.CANCEL and status in INVOICED:
        # The invoice and its billing code must be voided with it, or a payment could
        # still arrive for a cancelled order.
        return Conflict("Pesanan yang sudah ber-invoice dibatalkan oleh petugas bersama invoicenya.")
    if do == Do.CANCEL_INVOICED:
        return None if status in INVOICED else Conflict(
            "Pesanan ini belum ber-invoice; batalkan dari bagian tindakan pesanan.")
    if do == Do.NEW_BILLING_CODE:
        return None if status in INVOICED else Conflict("Invoice ini tidak dibayar dengan kode billing yang berlaku.")
    if do == Do.UPLOAD_SAMPLE:
        if not order.has_sample:
            return Conflict("Sampel hanya untuk pesanan data mikro.")
        return None if status in (OrderStatus.ACCEPTED, *INVOICED) else Conflict(
            "Sampel diunggah setelah dokumen diterima dan sebelum pembayaran.")
    if do == Do.ANSWER_CORRECTION:
        return None if status == OrderStatus.CORRECTION_REQUESTED else Conflict(
            "Tidak ada permintaan koreksi yang terbuka pada pesanan ini.")
    if do == Do.SEE_REVIEW_DETAILS:
        return None
    if do == Do.ISSUE_RECEIPT:
        # One receipt per fully paid invoice: the order is paid and not receipted yet.
        return None if status == OrderStatus.PAID else Conflict(
            "Kuitansi diterbitkan untuk pesanan yang sudah lunas dan belum berkuitansi.")
    lifecycle_action = LIFECYCLE_ACTIONS.get(do)
    if lifecycle_action is not None and not _lifecycle_allows(order, lifecycle_action):
        return IllegalTransition(status, lifecycle_action)
    if do == Do.ISSUE_INVOICE and order.awaiting_final_size:
        return FinalSizeFirst(order.awaiting_final_size)
    return None


# The lifecycle move behind an action, where there is one.
LIFECYCLE_ACTIONS = {
    Do.SUBMIT: Action.SUBMIT,
    Do.RETURN: Action.RETURN,
    Do.ACCEPT: Action.ACCEPT,
    Do.CANCEL: Action.CANCEL,
    Do.ISSUE_INVOICE: Action.ISSUE_INVOICE,
    Do.REQUEST_CORRECTION: Action.REQUEST_CORRECTION,
}

BUYER_SIDE = frozenset({Do.EDIT, Do.REMOVE_LINE, Do.SUBMIT, Do.CONTINUE_FULL_PRICE, Do.REQUEST_CORRECTION})
OFFICER_ONLY = frozenset({Do.RETURN, Do.ACCEPT, Do.DECIDE_ZERO_RATE, Do.SET_FINAL_SIZE, Do.CANCEL_INVOICED,
                          Do.ISSUE_INVOICE, Do.UPLOAD_SAMPLE, Do.ANSWER_CORRECTION})


def who_refusal(do: Do, order: OrderFacts, role: Role, user_id: int | None) -> DomainError | None:
    """Whether this actor is one who may ever ``do`` this to this order."""
    if do in BUYER_SIDE:
        return side_refusal(order, role, user_id)
    if do in OFFICER_ONLY:
        return None if role in OFFICERS else OfficersOnly()
    if do == Do.CANCEL:  # the buyer, or an officer (with a reason)
        who = side_refusal(order, role, user_id)
        if isinstance(who, NotTheBuyer):
            return None if role in OFFICERS else PermissionDenied(
                "Hanya pembeli atau petugas yang dapat membatalkan pesanan.")
        return who
    if do == Do.NEW_BILLING_CODE:
        owner = order.buyer_id is not None and order.buyer_id == user_id
        return None if owner or role in STAFF_ROLES else OrderNotFound()
    if do == Do.SEE_REVIEW_DETAILS:
        return None if role in STAFF_ROLES else OfficersOnly()
    if do == Do.ISSUE_RECEIPT:
        return None if role in TREASURERS else TreasurersOnly()
    raise ValueError(do)  # pragma: no cover - every Do is listed above


def refusal(do: Do, order: OrderFacts, role: Role, user_id: int | None) -> DomainError | None:
    """Why ``do`` is refused to this actor on this order now, or None when it may be done.
    Who asks is judged before the order's state, so an outsider learns nothing of it."""
    return who_refusal(do, order, role, user_id) or state_refusal(do, order)


def may(do: Do | str, order: OrderFacts, role: Role, user_id: int | None) -> bool:
    return refusal(Do(do), order, role, user_id) is None
