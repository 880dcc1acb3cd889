"""The order lifecycle, in one place (DESIGN.md "Order lifecycle").

``draft → submitted → (returned ⇄ submitted) → accepted → invoiced →
(correction_requested → invoiced) → paid → receipted → delivered →
(delivery_correction → delivered) → completed``, plus ``cancelled``.

``accepted`` is the step the design leaves implicit: documents accepted, invoice
not yet issued (no invoice before the documents are accepted). Rp0 orders skip
payment: from ``invoiced`` (a zero-total invoice) they go to delivery.

Only the status moves are decided here; guards that need data (requirements
complete, signed SPPD present) live in the services. Pure module.
"""

from __future__ import annotations

from enum import StrEnum

from sales_service.errors import N_, Conflict


class OrderStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # with the buyer for correction
    ACCEPTED = "accepted"
    INVOICED = "invoiced"
    CORRECTION_REQUESTED = "correction_requested"  # invoice, SPPD draft or sample disputed
    PAID = "paid"
    RECEIPTED = "receipted"
    DELIVERED = "delivered"
    DELIVERY_CORRECTION = "delivery_correction"  # receipt or product disputed
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    ONLINE = "online"
    WALK_IN = "walk_in"


class ZeroRateClaim(StrEnum):
    NONE = "none"
    PENDING = "pending"  # claimed, the officer has not decided
    APPROVED = "approved"
    REFUSED = "refused"  # the buyer chooses: full price or cancel


class Action(StrEnum):
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    CANCEL = "cancel"
    ISSUE_INVOICE = "issue_invoice"
    REQUEST_CORRECTION = "request_correction"
    REISSUE = "reissue"
    DECLINE_CORRECTION = "decline_correction"
    RECORD_PAYMENT = "record_payment"
    ISSUE_RECEIPT = "issue_receipt"
    DELIVER = "deliver"
    REQUEST_DELIVERY_CORRECTION = "request_delivery_correction"
    RESEND = "resend"
    COMPLETE = "complete"


S, A = OrderStatus, Action

# (from, action) -> to. Anything not listed is illegal.
TRANSITIONS: dict[tuple[OrderStatus, Action], OrderStatus] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.ISSUE_INVOICE): S.INVOICED,
    (S.INVOICED, A.REQUEST_CORRECTION): S.CORRECTION_REQUESTED,
    (S.CORRECTION_REQUESTED, A.REISSUE): S.INVOICED,
    (S.CORRECTION_REQUESTED, A.DECLINE_CORRECTION): S.INVOICED,
    (S.INVOICED, A.RECORD_PAYMENT): S.PAID,
    (S.PAID, A.ISSUE_RECEIPT): S.RECEIPTED,
    (S.RECEIPTED, A.DELIVER): S.DELIVERED,
    (S.DELIVERED, A.REQUEST_DELIVERY_CORRECTION): S.DELIVERY_CORRECTION,
    (S.DELIVERY_CORRECTION, A.RESEND): S.DELIVERED,
    (S.DELIVERY_CORRECTION, A.DECLINE_CORRECTION): S.DELIVERED,
    (S.DELIVERED, A.COMPLETE): S.COMPLETED,
    # Cancelling is possible until money may have moved.
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.SUBMITTED, A.CANCEL): S.CANCELLED,
    (S.RETURNED, A.CANCEL): S.CANCELLED,
    (S.ACCEPTED, A.CANCEL): S.CANCELLED,
    (S.INVOICED, A.CANCEL): S.CANCELLED,
    (S.CORRECTION_REQUESTED, A.CANCEL): S.CANCELLED,
}

# Rp0 orders have nothing to pay: the zero-total invoice leads straight to delivery.
ZERO_RATE_TRANSITIONS: dict[tuple[OrderStatus, Action], OrderStatus] = {
    (S.INVOICED, A.DELIVER): S.DELIVERED,
}
ZERO_RATE_BLOCKED = {(S.INVOICED, A.RECORD_PAYMENT)}

# The buyer holds the order in these states (the SLA clock is paused).
WITH_BUYER = frozenset({S.DRAFT, S.RETURNED})
OPEN = frozenset(set(S) - {S.COMPLETED, S.CANCELLED})
# An invoice is current and payable or under correction.
INVOICED = frozenset({S.INVOICED, S.CORRECTION_REQUESTED})

STATUS_LABELS = {
    S.DRAFT: N_("Draf"),
    S.SUBMITTED: N_("Diajukan, menunggu pemeriksaan"),
    S.RETURNED: N_("Dikembalikan untuk perbaikan"),
    S.ACCEPTED: N_("Dokumen diterima"),
    S.INVOICED: N_("Invoice terbit"),
    S.CORRECTION_REQUESTED: N_("Koreksi diminta"),
    S.PAID: N_("Dibayar"),
    S.RECEIPTED: N_("Kuitansi terbit"),
    S.DELIVERED: N_("Produk dikirim"),
    S.DELIVERY_CORRECTION: N_("Koreksi produk diminta"),
    S.COMPLETED: N_("Selesai"),
    S.CANCELLED: N_("Dibatalkan"),
}

# Names of the actions (a noun each: "tidak dapat diproses dengan tindakan “penerbitan invoice”"); the
# timeline says what someone did with verbs of its own (orders.pages.EVENT_LABELS).
ACTION_LABELS = {
    A.SUBMIT: N_("pengajuan"),
    A.RETURN: N_("pengembalian untuk perbaikan"),
    A.ACCEPT: N_("penerimaan dokumen"),
    A.CANCEL: N_("pembatalan"),
    A.ISSUE_INVOICE: N_("penerbitan invoice"),
    A.REQUEST_CORRECTION: N_("permintaan koreksi"),
    A.REISSUE: N_("penerbitan ulang"),
    A.DECLINE_CORRECTION: N_("penolakan koreksi"),
    A.RECORD_PAYMENT: N_("pencatatan pembayaran"),
    A.ISSUE_RECEIPT: N_("penerbitan kuitansi"),
    A.DELIVER: N_("pengiriman produk"),
    A.REQUEST_DELIVERY_CORRECTION: N_("permintaan koreksi produk"),
    A.RESEND: N_("pengiriman ulang"),
    A.COMPLETE: N_("penyelesaian"),
}


class IllegalTransition(Conflict):
    def __init__(self, status: OrderStatus, action: Action):
        super().__init__(
            "Pesanan berstatus \u201c{status}\u201d tidak dapat diproses dengan tindakan \u201c{action}\u201d.",
            status=STATUS_LABELS[status],
            action=ACTION_LABELS[action],
        )
        self.status = status
        self.action = action


def next_status(status: OrderStatus, action: Action, *, zero_rated: bool = False) -> OrderStatus:
    """The status after ``action``, or :class:`IllegalTransition`."""
    key = (status, action)
    if zero_rated:
        if key in ZERO_RATE_BLOCKED:
            raise IllegalTransition(status, action)
        if key in ZERO_RATE_TRANSITIONS:
            return ZERO_RATE_TRANSITIONS[key]
    try:
        return TRANSITIONS[key]
    except KeyError:
        raise IllegalTransition(status, action) from None


def allowed_actions(status: OrderStatus, *, zero_rated: bool = False) -> set[Action]:
    actions = {action for (source, action) in TRANSITIONS if source == status}
    if zero_rated:
        actions |= {action for (source, action) in ZERO_RATE_TRANSITIONS if source == status}
        actions -= {action for (source, action) in ZERO_RATE_BLOCKED if source == status}
    return actions
