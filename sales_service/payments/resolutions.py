"""The treasurer's exceptions queue and the one explicit action that resolves each flagged payment.
Never commits.

A flagged payment is money received and not trusted: an unknown or void code, a wrong amount, a
second payment of one code, a credit on an order that was not waiting for it. The treasurer
resolves it once (``resolution_rules`` says which actions fit): apply it to an invoice, ask the
buyer for a top-up, open a refund, or reject the record. Each resolution keeps its note, who and
when (``PaymentResolution``, one per payment: a unique constraint decides between two treasurers
at the same moment) and is written on the timeline of every order it touches. Money is never
deleted or netted: a rejected record stays, marked rejected; an excess is refunded through the
PNBP procedure (``refunds``), never taken off silently.

Whatever counts towards an invoice is settled; when it completes the invoice it settles it through
``payments.services.settle`` (the invoice marked paid, the order moved to paid). A payment returned
by a refund is settled too (received money, of which the refund goes back), so revenue is settled
payments minus refunds paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sales_service.accounts.models import User
from sales_service.errors import N_, InvalidInput, NotFound
from sales_service.invoices import services as invoices
from sales_service.invoices.models import Invoice, InvoiceStatus
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order
from sales_service.paging import Page, paginate
from sales_service.payments import services
from sales_service.payments.models import (
    Payment,
    PaymentProblem,
    PaymentResolution,
    PaymentStatus,
    Refund,
    RefundedPayment,
)
from sales_service.payments.permissions import TreasurersOnly, may_decide
from sales_service.payments.refund_steps import RefundStatus
from sales_service.payments.resolution_rules import (
    AlreadyResolved,
    FlaggedPayment,
    InvoiceStanding,
    Resolution,
    allowed,
    count_towards,
    refund_amount,
    refusal,
    target_refusal,
)
from sales_service.text import MAX_REASON, clean_text

# What each resolution writes on an order's timeline.
EVENTS = {
    Resolution.APPLY: "resolve_apply",
    Resolution.TOP_UP: "resolve_top_up",
    Resolution.REFUND: "resolve_refund",
    Resolution.REJECT: "resolve_reject",
}


class PaymentNotFound(NotFound):
    def __init__(self):
        super().__init__("Pembayaran tidak ditemukan.")


class InvoiceNumberNotFound(NotFound):
    def __init__(self, number: str):
        super().__init__("Invoice bernomor {number} tidak ditemukan.", number=number)


class UnknownResolution(InvalidInput):
    def __init__(self):
        super().__init__("Pilih salah satu penyelesaian: terapkan, minta kekurangan, kembalikan atau tolak.")


# -- reading ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExceptionRow:
    payment: Payment
    order_id: int | None
    order_reference: str | None
    invoice_number: str | None
    buyer_name: str | None


def problem_counts(session: Session) -> dict[PaymentProblem, int]:
    """Flagged payments per problem, in one grouped query (every problem present, zero or not)."""
    found = dict(session.execute(select(Payment.problem, func.count(Payment.id))
                                 .where(Payment.status == PaymentStatus.FLAGGED).group_by(Payment.problem)).all())
    counts = {problem: found.get(problem, 0) for problem in PaymentProblem}
    if found.get(None):  # flagged without a named problem: counted all the same
        counts[None] = found[None]
    return counts


def exception_queue(session: Session, *, problem: PaymentProblem | None = None, page: int = 1) -> Page[ExceptionRow]:
    """Flagged payments, oldest first (``problem``: of that problem only), one page in a fixed
    number of queries (``ix_payment_status_problem_recorded_at``)."""
    return paginate(session, flagged_payments(problem), page=page).map(lambda payments: _rows(session, payments))


def flagged_payments(problem: PaymentProblem | None = None) -> Select:
    """The exceptions queue's query, oldest first."""
    query = select(Payment).where(Payment.status == PaymentStatus.FLAGGED)
    if problem is not None:
        query = query.where(Payment.problem == problem)
    return query.order_by(Payment.recorded_at, Payment.id)


def _rows(session: Session, payments: Sequence[Payment]) -> list[ExceptionRow]:
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_({p.order_id for p in payments})))}
    invoices = {i.id: i for i in session.scalars(select(Invoice).where(
        Invoice.id.in_({p.invoice_id for p in payments})))}
    rows = []
    for payment in payments:
        order, invoice = orders.get(payment.order_id), invoices.get(payment.invoice_id)
        rows.append(ExceptionRow(payment=payment, order_id=order.id if order else None,
                                 order_reference=order.reference if order else None,
                                 invoice_number=invoice.number if invoice else None,
                                 buyer_name=invoice.buyer_name if invoice else None))
    return rows


@dataclass(frozen=True)
class ExceptionCase:
    """One payment of the queue with what the treasurer needs to resolve it, or how it was resolved."""

    payment: Payment
    invoice: Invoice | None  # the invoice it came for
    order: Order | None
    standing: InvoiceStanding | None
    allowed: dict[Resolution, bool]
    refund_amount: int  # what a refund would return
    resolution: PaymentResolution | None
    resolved_by: str | None
    applied_to: Invoice | None  # where a resolution counted it
    refund: Refund | None


def exception_case(session: Session, payment_id: int) -> ExceptionCase:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise PaymentNotFound()
    resolution = session.scalar(select(PaymentResolution).where(PaymentResolution.payment_id == payment.id))
    came_for = resolution.from_invoice_id if resolution is not None else payment.invoice_id
    invoice = session.get(Invoice, came_for) if came_for else None
    order = session.get(Order, invoice.order_id if invoice else payment.order_id) \
        if (invoice or payment.order_id) else None
    standing = standing_of(session, invoice) if invoice is not None else None
    facts = FlaggedPayment(flagged=payment.status == PaymentStatus.FLAGGED, amount=payment.amount, invoice=standing)
    resolved_by = session.get(User, resolution.resolved_by_id).full_name if resolution is not None else None
    applied_to = session.get(Invoice, resolution.invoice_id) if resolution is not None and resolution.invoice_id \
        else None
    refund = session.get(Refund, resolution.refund_id) if resolution is not None and resolution.refund_id else None
    return ExceptionCase(payment=payment, invoice=invoice, order=order, standing=standing, allowed=allowed(facts),
                         refund_amount=refund_amount(facts), resolution=resolution, resolved_by=resolved_by,
                         applied_to=applied_to, refund=refund)


def standing_of(session: Session, invoice: Invoice, *, order: Order | None = None,
                payments: Sequence[Payment] | None = None) -> InvoiceStanding:
    """``invoice`` as a payment would count towards it: what is settled so far, and whether its
    order waits for payment. ``order`` and ``payments`` (the order's): when the caller has them."""
    settled = services.amount_counted(session, invoice.id, payments=payments)
    order_status = order.status if order is not None else \
        session.scalar(select(Order.status).where(Order.id == invoice.order_id))
    return InvoiceStanding(open=invoice.status == InvoiceStatus.ISSUED, void=invoice.status == InvoiceStatus.VOID,
                           total=invoice.total, settled=settled, awaiting_payment=order_status == OrderStatus.INVOICED)


# -- resolving ----------------------------------------------------------------------------------------

def resolve(session: Session, actor: workflow.Actor, payment_id: int, what: Resolution | str, *, note: str,
            invoice_number: str = "", payer: str = "") -> PaymentResolution:
    """Resolve flagged payment ``payment_id`` by ``what``, with the treasurer's ``note``.
    ``invoice_number`` names the invoice to apply it to; ``payer`` names who a refund of unmatched
    money goes back to (the invoice's buyer otherwise)."""
    if not may_decide(actor.user.role):
        raise TreasurersOnly()
    try:
        what = Resolution(what)
    except ValueError:
        raise UnknownResolution() from None
    why = clean_text(note, N_("Catatan"), max_length=MAX_REASON)
    # Take the payment's write lock before reading anything that decides: a row lock on PostgreSQL,
    # the database's write lock on SQLite (which has no row locks), so a treasurer who loses a race
    # reads the winner's outcome whole, not half of it.
    session.execute(update(Payment).where(Payment.id == payment_id).values(id=Payment.id))
    payment = session.scalar(select(Payment).where(Payment.id == payment_id).with_for_update()
                             .execution_options(populate_existing=True))
    if payment is None:
        raise PaymentNotFound()
    own = _locked_invoice(session, payment.invoice_id) if payment.invoice_id else None
    facts = FlaggedPayment(flagged=payment.status == PaymentStatus.FLAGGED, amount=payment.amount,
                           invoice=standing_of(session, own) if own is not None else None)
    error = refusal(what, facts)
    if error is not None:
        raise error
    if what == Resolution.APPLY:
        number = clean_text(invoice_number, N_("Nomor invoice"), max_length=80)
        target = _locked_invoice(session, None, number=number)
        return _apply(session, actor, payment, target, why)
    if what == Resolution.TOP_UP:
        return _top_up(session, actor, payment, own, facts.invoice, why)
    if what == Resolution.REFUND:
        who = clean_text(payer, N_("Nama pembayar"), required=False, max_length=200)
        return _refund(session, actor, payment, own, facts, why, who)
    return _reject(session, actor, payment, why)


def _apply(session: Session, actor: workflow.Actor, payment: Payment, target: Invoice, note: str) -> PaymentResolution:
    standing = standing_of(session, target)
    error = target_refusal(standing)
    if error is not None:
        raise error
    counted = count_towards(payment.amount, standing)
    came_for, came_with = payment.invoice_id, payment.order_id
    payment.invoice_id, payment.order_id = target.id, target.order_id
    refund = _open_refund(session, actor, [(payment, counted.excess)], payer=target.buyer_name,
                          order_id=target.order_id, invoice_id=target.id, reason=note) if counted.excess else None
    resolution = _record(session, actor, payment, Resolution.APPLY, note, from_invoice_id=came_for,
                         invoice_id=target.id, counted=counted.counted, remaining=counted.remaining_after,
                         refund=refund)
    details = {**_details(payment, resolution), "invoice": target.number, "counted": counted.counted,
               "remaining": counted.remaining_after, "excess": counted.excess}
    order = workflow.load_order(session, target.order_id)
    workflow.record(session, order, actor, EVENTS[Resolution.APPLY], reason=note, details=details)
    if came_with is not None and came_with != target.order_id:  # it leaves the order it came for
        workflow.record(session, workflow.load_order(session, came_with), actor, EVENTS[Resolution.APPLY],
                        reason=note, details=details)
    if counted.completes:
        services.settle(session, payment, target, actor)
    else:
        payment.status = PaymentStatus.SETTLED  # counted partly; the rest is still due
        workflow.save(session)
    return resolution


def _top_up(session: Session, actor: workflow.Actor, payment: Payment, own: Invoice, standing: InvoiceStanding,
            note: str) -> PaymentResolution:
    counted = count_towards(payment.amount, standing)
    payment.status = PaymentStatus.SETTLED  # counted; the buyer is asked for the remainder on the order page
    resolution = _record(session, actor, payment, Resolution.TOP_UP, note, from_invoice_id=own.id,
                         invoice_id=own.id, counted=counted.counted, remaining=counted.remaining_after)
    order = workflow.load_order(session, own.order_id)
    workflow.record(session, order, actor, EVENTS[Resolution.TOP_UP], reason=note, details={
        **_details(payment, resolution), "invoice": own.number, "counted": counted.counted,
        "remaining": counted.remaining_after})
    workflow.save(session)
    return resolution


def _refund(session: Session, actor: workflow.Actor, payment: Payment, own: Invoice | None, facts: FlaggedPayment,
            note: str, payer: str) -> PaymentResolution:
    amount = refund_amount(facts)
    takes_part = own is not None and facts.invoice is not None and facts.invoice.open and amount < payment.amount
    counted = count_towards(payment.amount, facts.invoice) if takes_part else None
    refund = _open_refund(session, actor, [(payment, amount)],
                          payer=own.buyer_name if own is not None else payer or None,
                          order_id=payment.order_id, invoice_id=payment.invoice_id, reason=note)
    resolution = _record(session, actor, payment, Resolution.REFUND, note, from_invoice_id=payment.invoice_id,
                         invoice_id=own.id if counted else None, counted=counted.counted if counted else None,
                         remaining=counted.remaining_after if counted else None, refund=refund)
    if payment.order_id is not None:
        order = workflow.load_order(session, payment.order_id)
        workflow.record(session, order, actor, EVENTS[Resolution.REFUND], reason=note, details={
            **_details(payment, resolution), "refund_id": refund.id, "refund": amount,
            "counted": counted.counted if counted else 0})
    if counted is not None:  # the invoice keeps what it asked for and is complete; the excess goes back
        services.settle(session, payment, own, actor)
    else:
        payment.status = PaymentStatus.SETTLED  # received; the refund says it all goes back
        workflow.save(session)
    return resolution


def _reject(session: Session, actor: workflow.Actor, payment: Payment, note: str) -> PaymentResolution:
    payment.status = PaymentStatus.REJECTED  # kept, never deleted: the note says why it does not count
    resolution = _record(session, actor, payment, Resolution.REJECT, note, from_invoice_id=payment.invoice_id)
    if payment.order_id is not None:
        workflow.record(session, workflow.load_order(session, payment.order_id), actor, EVENTS[Resolution.REJECT],
                        reason=note, details=_details(payment, resolution))
    workflow.save(session)
    return resolution


def _open_refund(session: Session, actor: workflow.Actor, parts: list[tuple[Payment, int]], *, payer: str | None,
                 order_id: int | None, invoice_id: int | None, reason: str) -> Refund:
    """A refund of ``parts`` (payment, whole rupiah of it), waiting for the payer's request."""
    refund = Refund(amount=sum(amount for _payment, amount in parts), status=RefundStatus.AWAITING_REQUEST,
                    payer=payer, order_id=order_id, invoice_id=invoice_id, reason=reason, opened_by_id=actor.user.id)
    session.add(refund)
    session.flush()
    try:
        with session.begin_nested():
            session.add_all([RefundedPayment(refund_id=refund.id, payment_id=payment.id, amount=amount)
                             for payment, amount in parts])
    except IntegrityError as exc:  # a payment is refunded at most once
        raise AlreadyResolved() from exc
    return refund


def _record(session: Session, actor: workflow.Actor, payment: Payment, what: Resolution, note: str, *,
            from_invoice_id: int | None, invoice_id: int | None = None, counted: int | None = None,
            remaining: int | None = None, refund: Refund | None = None) -> PaymentResolution:
    resolution = PaymentResolution(payment_id=payment.id, action=what, problem=payment.problem, note=note,
                                   from_invoice_id=from_invoice_id, invoice_id=invoice_id, counted=counted,
                                   remaining=remaining, refund_id=refund.id if refund is not None else None,
                                   resolved_by_id=actor.user.id)
    try:
        with session.begin_nested():
            session.add(resolution)
    except IntegrityError as exc:  # resolved at this very moment by someone else
        raise AlreadyResolved() from exc
    return resolution


def _details(payment: Payment, resolution: PaymentResolution) -> dict:
    return {"payment_id": payment.id, "resolution_id": resolution.id, "amount": payment.amount,
            "problem": payment.problem.value if payment.problem else None, "ntpn": payment.ntpn,
            "billing_code": payment.billing_code}


def _locked_invoice(session: Session, invoice_id: int | None, *, number: str | None = None) -> Invoice:
    condition = Invoice.id == invoice_id if number is None else Invoice.number == number
    invoice = session.scalar(select(Invoice).where(condition).with_for_update()
                             .execution_options(populate_existing=True))
    if invoice is None:
        raise InvoiceNumberNotFound(number or str(invoice_id))
    return invoice


# -- the buyer's side ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TopUpAsked:
    """The treasurer asked the buyer for the rest of an invoice, which still asks for ``remaining``."""

    invoice_number: str
    remaining: int
    note: str
    asked_at: datetime


def top_up_asked(session: Session, order: Order, *, payments: Sequence[Payment] | None = None) -> TopUpAsked | None:
    """The newest top-up asked on the order's current, still open invoice, with what it still asks
    for now (None once paid, voided or never asked). ``payments``: the order's, when read already."""
    invoice = invoices.current_invoice(session, order.id)
    if invoice is None or invoice.status != InvoiceStatus.ISSUED:
        return None
    # A top-up or an application is asked by resolving a payment that then counts towards this
    # invoice (``_top_up``, ``_apply``): with none of the order's payments on it, none was asked.
    if payments is not None and not any(payment.invoice_id == invoice.id for payment in payments):
        return None
    asked = session.scalar(select(PaymentResolution).where(
        PaymentResolution.invoice_id == invoice.id,
        PaymentResolution.action.in_([Resolution.TOP_UP, Resolution.APPLY]),
        PaymentResolution.remaining > 0).order_by(PaymentResolution.resolved_at.desc(), PaymentResolution.id.desc())
        .limit(1))
    if asked is None:
        return None
    remaining = standing_of(session, invoice, order=order, payments=payments).remaining
    if remaining == 0:
        return None
    note = asked.note if asked.action == Resolution.TOP_UP else ""
    return TopUpAsked(invoice_number=invoice.number, remaining=remaining, note=note, asked_at=asked.resolved_at)
