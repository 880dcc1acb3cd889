"""PNBP refunds, step by step: the payer's request, the office's decision, payment by the state
treasury office (KPPN). Never commits.

A refund is opened by resolving a flagged payment (``resolutions``). Each step is recorded once,
in the order ``refund_steps`` states, with the day it happened and its document's reference (the
request letter's number, the decision letter's number, the SP2D number), who recorded it and when;
and on the order's timeline when the refund belongs to an order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from sales_service.accounts.models import User
from sales_service.errors import N_, Conflict, NotFound
from sales_service.invoices.models import Invoice
from sales_service.orders import workflow
from sales_service.orders.models import Order
from sales_service.paging import Page, paginate
from sales_service.payments.entries import past_day
from sales_service.payments.models import Refund, RefundedPayment, RefundStepRecord
from sales_service.payments.permissions import TreasurersOnly, may_decide
from sales_service.payments.refund_steps import (
    CLOSED,
    OPEN,
    STEPS,
    DecisionMissing,
    RefundStatus,
    RefundStep,
    date_refusal,
    next_step,
    refusal,
    status_after,
)
from sales_service.text import MAX_REASON, clean_text

EVENTS = {
    RefundStep.REQUEST: "refund_request",
    RefundStep.DECISION: "refund_decision",
    RefundStep.PAYMENT: "refund_payment",
}
# What each step's reference is, as its form asks for it.
REFERENCE_LABELS = {
    RefundStep.REQUEST: N_("Nomor surat permohonan"),
    RefundStep.DECISION: N_("Nomor surat keputusan"),
    RefundStep.PAYMENT: N_("Nomor SP2D"),
}
DAY_LABELS = {
    RefundStep.REQUEST: N_("Tanggal surat permohonan"),
    RefundStep.DECISION: N_("Tanggal keputusan"),
    RefundStep.PAYMENT: N_("Tanggal SP2D"),
}


class RefundNotFound(NotFound):
    def __init__(self):
        super().__init__("Pengembalian tidak ditemukan.")


class StepAlreadyRecorded(Conflict):
    def __init__(self):
        super().__init__("Langkah ini baru saja dicatat oleh pengguna lain; muat ulang halaman.")


@dataclass(frozen=True)
class StepTyped:
    """What the treasurer typed into a step's form, as typed."""

    happened_on: str
    reference: str
    decision: str = ""  # "approve" or "refuse", for the decision
    note: str = ""


def record_step(session: Session, actor: workflow.Actor, refund_id: int, step: RefundStep | str, typed: StepTyped, *,
                today: date) -> Refund:
    """Record ``step`` of refund ``refund_id``: refused when it is not the step the refund waits for,
    dated before the step it follows or after today."""
    if not may_decide(actor.user.role):
        raise TreasurersOnly()
    refund = session.scalar(select(Refund).where(Refund.id == refund_id).with_for_update()
                            .execution_options(populate_existing=True))
    if refund is None:
        raise RefundNotFound()
    step = RefundStep(step)
    error = refusal(step, refund.status)
    if error is not None:
        raise error
    day = past_day(typed.happened_on, DAY_LABELS[step], today=today)
    reference = clean_text(typed.reference, REFERENCE_LABELS[step], max_length=100)
    note = clean_text(typed.note, N_("Catatan"), required=False, max_length=MAX_REASON) or None
    approved = None
    if step == RefundStep.DECISION:
        if typed.decision not in ("approve", "refuse"):
            raise DecisionMissing()
        approved = typed.decision == "approve"
    previous = session.scalar(select(RefundStepRecord.happened_on).where(RefundStepRecord.refund_id == refund.id)
                              .order_by(RefundStepRecord.id.desc()).limit(1))
    error = date_refusal(step, day, previous_day=previous, today=today)
    if error is not None:
        raise error
    record = RefundStepRecord(refund_id=refund.id, step=step, happened_on=day, reference=reference, approved=approved,
                              note=note, recorded_by_id=actor.user.id)
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError as exc:
        raise StepAlreadyRecorded() from exc
    refund.status = status_after(step, approved=approved)
    if refund.order_id is not None:
        order = workflow.load_order(session, refund.order_id)
        workflow.record(session, order, actor, EVENTS[step], reason=note, details={
            "refund_id": refund.id, "amount": refund.amount, "on": day.isoformat(), "reference": reference,
            "approved": approved, "status": refund.status.value})
    workflow.save(session)
    return refund


# -- reading ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RefundRow:
    refund: Refund
    order_id: int | None
    order_reference: str | None
    invoice_number: str | None


def status_counts(session: Session) -> dict[RefundStatus, int]:
    """Refunds per status, in one grouped query."""
    found = dict(session.execute(select(Refund.status, func.count(Refund.id)).group_by(Refund.status)).all())
    return {status: found.get(status, 0) for status in RefundStatus}


def refund_list(session: Session, *, closed: bool = False, page: int = 1) -> Page[RefundRow]:
    """Open refunds (or closed ones), oldest first, one page (``ix_refund_status_opened_at_id``)."""
    query = (select(Refund).where(Refund.status.in_(sorted(CLOSED if closed else OPEN)))
             .order_by(Refund.opened_at, Refund.id))
    return paginate(session, query, page=page).map(lambda refunds: _rows(session, refunds))


def _rows(session: Session, refunds: Sequence[Refund]) -> list[RefundRow]:
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_({r.order_id for r in refunds})))}
    numbers = dict(session.execute(select(Invoice.id, Invoice.number)
                                   .where(Invoice.id.in_({r.invoice_id for r in refunds}))).all())
    return [RefundRow(refund=r, order_id=r.order_id, order_reference=orders[r.order_id].reference
                      if r.order_id in orders else None, invoice_number=numbers.get(r.invoice_id))
            for r in refunds]


@dataclass(frozen=True)
class RecordedStep:
    record: RefundStepRecord
    recorded_by: str


@dataclass(frozen=True)
class RefundView:
    refund: Refund
    order: Order | None
    invoice_number: str | None
    opened_by: str
    steps: list[RecordedStep]
    next_step: RefundStep | None


def refund_view(session: Session, refund_id: int) -> RefundView:
    refund = session.scalar(select(Refund).where(Refund.id == refund_id).options(
        selectinload(Refund.items).selectinload(RefundedPayment.payment), selectinload(Refund.steps)))
    if refund is None:
        raise RefundNotFound()
    people = {refund.opened_by_id, *(s.recorded_by_id for s in refund.steps)}
    names = dict(session.execute(select(User.id, User.full_name).where(User.id.in_(people))).all())
    order = session.get(Order, refund.order_id) if refund.order_id else None
    number = session.scalar(select(Invoice.number).where(Invoice.id == refund.invoice_id)) \
        if refund.invoice_id else None
    steps = sorted(refund.steps, key=lambda s: STEPS.index(s.step))
    return RefundView(refund=refund, order=order, invoice_number=number, opened_by=names[refund.opened_by_id],
                      steps=[RecordedStep(s, names[s.recorded_by_id]) for s in steps],
                      next_step=next_step(refund.status))


def refunds_of_order(session: Session, order_id: int) -> list[Refund]:
    """The order's refunds, newest first, with their steps (for the order page)."""
    return list(session.scalars(select(Refund).where(Refund.order_id == order_id)
                                .options(selectinload(Refund.steps))
                                .order_by(Refund.opened_at.desc(), Refund.id.desc())))
