"""The steps of a PNBP refund (pengembalian PNBP), in their one order. Pure module: no Flask,
no SQLAlchemy.

Money already in the state treasury is not paid back from the treasurer's cash: the payer asks
in writing (the request letter), the office decides (a decision letter: approved or refused),
and the state treasury office (KPPN) pays an approved refund (its SP2D). A refused refund and a
paid one are closed. Each step has the day it happened and the reference of its document, and
no step happens before the one it follows (DOMAIN.md "Money the treasurer holds, deposits and
refunds").
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sales_service.errors import N_, Conflict, InvalidInput


class RefundStatus(StrEnum):
    AWAITING_REQUEST = "awaiting_request"  # opened by the treasurer; the payer's letter not received yet
    REQUESTED = "requested"  # the payer's request received: the office decides next
    APPROVED = "approved"  # the office approved: the KPPN pays next
    REFUSED = "refused"  # the office refused: closed, the money stays in the state treasury
    PAID = "paid"  # the KPPN paid it back: closed


class RefundStep(StrEnum):
    REQUEST = "request"  # the payer's request letter
    DECISION = "decision"  # the office's decision letter
    PAYMENT = "payment"  # payment by the KPPN (SP2D)


STEPS = (RefundStep.REQUEST, RefundStep.DECISION, RefundStep.PAYMENT)
CLOSED = frozenset({RefundStatus.REFUSED, RefundStatus.PAID})
OPEN = frozenset(RefundStatus) - CLOSED

# The step each open status waits for.
_NEXT = {
    RefundStatus.AWAITING_REQUEST: RefundStep.REQUEST,
    RefundStatus.REQUESTED: RefundStep.DECISION,
    RefundStatus.APPROVED: RefundStep.PAYMENT,
}

STEP_LABELS = {
    RefundStep.REQUEST: N_("Permohonan pembayar"),
    RefundStep.DECISION: N_("Keputusan kantor"),
    RefundStep.PAYMENT: N_("Pembayaran oleh KPPN"),
}
STATUS_LABELS = {
    RefundStatus.AWAITING_REQUEST: N_("menunggu permohonan pembayar"),
    RefundStatus.REQUESTED: N_("menunggu keputusan kantor"),
    RefundStatus.APPROVED: N_("disetujui, menunggu pembayaran KPPN"),
    RefundStatus.REFUSED: N_("ditolak (selesai)"),
    RefundStatus.PAID: N_("dibayar KPPN (selesai)"),
}


class RefundClosed(Conflict):
    def __init__(self):
        super().__init__("Pengembalian ini sudah selesai; tidak ada langkah lagi yang dapat dicatat.")


class StepOutOfOrder(Conflict):
    def __init__(self, step: RefundStep, expected: RefundStep):
        super().__init__("Langkah \"{step}\" belum dapat dicatat: langkah berikutnya adalah \"{expected}\".",
                         step=STEP_LABELS[step], expected=STEP_LABELS[expected])


class StepBeforePrevious(InvalidInput):
    def __init__(self, step: RefundStep, previous: RefundStep):
        super().__init__("Tanggal \"{step}\" tidak boleh sebelum tanggal \"{previous}\" yang sudah dicatat.",
                         step=STEP_LABELS[step], previous=STEP_LABELS[previous])


class StepInFuture(InvalidInput):
    def __init__(self, step: RefundStep):
        super().__init__("Tanggal \"{step}\" tidak boleh sesudah hari ini.", step=STEP_LABELS[step])


class DecisionMissing(InvalidInput):
    def __init__(self):
        super().__init__("Pilih keputusan kantor: disetujui atau ditolak.")


def next_step(status: RefundStatus) -> RefundStep | None:
    """The step ``status`` waits for; None once the refund is closed."""
    return _NEXT.get(RefundStatus(status))


def is_open(status: RefundStatus) -> bool:
    return RefundStatus(status) in OPEN


def refusal(step: RefundStep, status: RefundStatus) -> Conflict | None:
    """Why ``step`` may not be recorded on a refund in ``status`` now, or None."""
    expected = next_step(status)
    if expected is None:
        return RefundClosed()
    if RefundStep(step) != expected:
        return StepOutOfOrder(RefundStep(step), expected)
    return None


def status_after(step: RefundStep, *, approved: bool | None = None) -> RefundStatus:
    """Where a refund stands once ``step`` is recorded (``approved`` is the decision's outcome)."""
    step = RefundStep(step)
    if step == RefundStep.REQUEST:
        return RefundStatus.REQUESTED
    if step == RefundStep.DECISION:
        if approved is None:
            raise DecisionMissing()
        return RefundStatus.APPROVED if approved else RefundStatus.REFUSED
    return RefundStatus.PAID


def date_refusal(step: RefundStep, day: date, *, previous_day: date | None, today: date) -> InvalidInput | None:
    """A step happens on a day not after ``today`` and not before the step it follows."""
    step = RefundStep(step)
    if day > today:
        return StepInFuture(step)
    if previous_day is not None and day < previous_day:
        return StepBeforePrevious(step, STEPS[max(STEPS.index(step) - 1, 0)])
    return None
