"""Recording billing-code payments: store the notification, then apply it. Never commits.

What a notification means (DESIGN.md "Payments and reconciliation"): a SIMPONI code
is paid for its exact amount, so the exact amount on a live code settles the
invoice and moves the order to ``paid``; anything else is recorded and flagged for
the treasurer, never trusted and never dropped. The same NTPN twice is one payment
(a unique constraint decides, so concurrent deliveries cannot both count).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from sales_service.clock import aware, utcnow
from sales_service.errors import Conflict, DomainError, NotFound
from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import BillingGateway
from sales_service.invoices.models import BillingCode, CodeStatus, Invoice, InvoiceStatus
from sales_service.money import format_rupiah
from sales_service.orders import workflow
from sales_service.orders.lifecycle import Action, OrderStatus
from sales_service.orders.models import Order
from sales_service.orm import insert_many_unless_present, insert_unless_present, take_turn, turn_is_write_lock
from sales_service.paging import Page, paginate
from sales_service.payments.models import (
    NotificationChannel,
    NotificationState,
    Payment,
    PaymentNotification,
    PaymentProblem,
    PaymentSource,
    PaymentStatus,
    RefundedPayment,
)
from sales_service.payments.notifications import BillingPaid, parse_body

log = logging.getLogger(__name__)


class MoneyOnInvoice(Conflict):
    def __init__(self, number: str, amount: int):
        super().__init__("Invoice {number} sudah menerima {amount}, jadi tidak dapat diganti versi baru: uang itu "
                         "akan terpisah dari tagihannya. Tolak koreksi dengan penjelasan; pembeli lalu membayar "
                         "sisanya dengan invoice ini.", number=number, amount=format_rupiah(amount))


def no_money_on(session: Session, invoice: Invoice) -> None:
    """A correction may not void an invoice that money was already counted towards (registered
    with ``invoices.guard_reissue`` by the app factory)."""
    counted = amount_counted(session, invoice.id)
    if counted:
        raise MoneyOnInvoice(invoice.number, counted)


def flag_money_of_cancelled(session: Session, invoice: Invoice, order: Order) -> None:
    """An order cancelled with money counted on its invoice (a part paid): that money is owed
    back, not revenue. Each settled payment of the invoice goes to the treasurer's exceptions
    queue (order not payable), where it is refunded or applied elsewhere; nothing is dropped.
    Registered with ``invoices.on_cancel`` by the app factory."""
    for payment in session.scalars(select(Payment).where(Payment.invoice_id == invoice.id,
                                                         Payment.status == PaymentStatus.SETTLED)):
        payment.status, payment.problem = PaymentStatus.FLAGGED, PaymentProblem.ORDER_NOT_PAYABLE
        workflow.record(session, order, None, "payment_flagged", details=_details(payment))


class NotificationNotFound(NotFound):
    def __init__(self):
        super().__init__("Notifikasi pembayaran tidak ditemukan.")


# -- receiving ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Applied:
    """What became of one stored notification that :func:`apply_stored` took."""

    state: NotificationState
    error: str | None = None
    unexpected: bool = False  # failed on something other than a domain error (a fault to look into)
    already: bool = False  # it was applied before: nothing was done (:func:`apply_again`)
    label: str = ""  # its NTPN, or its webhook-id when the body does not read (:func:`apply_again`)


@dataclass(frozen=True)
class Received:
    """A delivery stored: its notification's id, and for a webhook-id received before the earlier
    one's state (nothing was written); ``applied`` what :func:`apply_stored` did in the same
    transaction, where it did (None: the caller applies, a transaction after)."""

    notification_id: int
    earlier: NotificationState | None
    applied: dict[int, Applied] | None = None


def receive(session: Session, webhook_id: str, body: bytes, *,
            channel: NotificationChannel = NotificationChannel.WEBHOOK) -> Received:
    """Store a notification as received, to be applied by :func:`apply_stored` once this is
    committed (other transactions must see it first, to apply it when they have the turn). One
    ``INSERT … ON CONFLICT DO NOTHING``: concurrent deliveries of one webhook-id store it once.
    Where the turn to apply is the write lock this insert holds already (SQLite), waiting ones
    are applied in this same transaction instead, which saves a commit per delivery."""
    notification_id = insert_unless_present(session, PaymentNotification, dict(
        webhook_id=webhook_id, channel=channel, body=body.decode("utf-8"), state=NotificationState.RECEIVED,
        received_at=utcnow()), PaymentNotification.id, unique=PaymentNotification.webhook_id)
    if notification_id is None:
        return Received(*session.execute(select(PaymentNotification.id, PaymentNotification.state)
                                         .where(PaymentNotification.webhook_id == webhook_id)).one())
    if not turn_is_write_lock(session):
        return Received(notification_id, None)
    try:
        with session.begin_nested():  # whatever happens applying, the delivery stays stored
            return Received(notification_id, None, apply_stored(session))
    except Exception:  # noqa: BLE001 - left received: the caller applies it again, in a transaction of its own
        _forget_rolled_back(session)
        log.exception("payment notification %s stored, applying it failed", notification_id)
        return Received(notification_id, None)


# Applying stored notifications is one transaction's turn at a time (taken with orm.take_turn).
APPLY_TURN = 0x5A1E5_0001
APPLY_BATCH = 100  # notifications applied together in one transaction at most


def apply_stored(session: Session, *, limit: int = APPLY_BATCH) -> dict[int, Applied] | None:
    """Apply up to ``limit`` stored notifications not applied yet, oldest first, together:
    what became of each, by notification id; an empty dict when none waits; None when another
    transaction has the turn (it looks again for waiting ones before it gives the turn up, so
    the caller may leave them to it). Applying many at once reads their codes, invoices and
    payments in one query each and writes each table once. If the batch fails, each
    notification is applied on its own instead, and one that fails is kept failed with why
    (``apply-notifications`` retries it); the others are applied all the same."""
    if not take_turn(session, APPLY_TURN):
        return None
    # Locked, waiting for one being applied alone meanwhile (a retry, ``apply-notifications``):
    # what it applied is no longer received when read again, and is left out.
    waiting = session.execute(
        select(PaymentNotification.id, PaymentNotification.body)
        .where(PaymentNotification.state == NotificationState.RECEIVED)
        .order_by(PaymentNotification.id).limit(limit).with_for_update()).all()
    outcome: dict[int, tuple[Applied, int | None, datetime | None]] = {}
    notices: dict[int, BillingPaid] = {}
    for notification_id, body in waiting:
        try:
            notices[notification_id] = parse_body(body.encode("utf-8"))
        except DomainError as error:  # stored by an older version whose reading differed: kept, with why
            outcome[notification_id] = Applied(NotificationState.FAILED, error.message[:2000]), None, None
    if notices:
        try:
            with session.begin_nested():
                outcome |= {notification_id: _applied(payment) for notification_id, payment
                            in zip(notices, record_billing_payments(session, list(notices.values())), strict=True)}
        except Exception as error:  # noqa: BLE001 - one bad notification must not hold the others back
            log.warning("applying %d notifications together failed (%s): applying each on its own",
                        len(notices), error)
            _forget_rolled_back(session)
            outcome |= {notification_id: _apply_alone(session, notification_id, notice)
                        for notification_id, notice in notices.items()}
    if outcome:
        table = PaymentNotification.__table__
        session.execute(update(table).where(table.c.id == bindparam("notification_id")).values(
            state=bindparam("new_state"), error=bindparam("new_error"), payment_id=bindparam("new_payment"),
            applied_at=bindparam("new_applied_at")), [
            {"notification_id": notification_id, "new_state": applied.state, "new_error": applied.error,
             "new_payment": payment_id, "new_applied_at": applied_at}
            for notification_id, (applied, payment_id, applied_at) in outcome.items()])
    return {notification_id: applied for notification_id, (applied, _p, _a) in outcome.items()}


def _forget_rolled_back(session: Session) -> None:
    """After a savepoint was rolled back: what the session holds is read again from the database
    (an invoice another transaction changed meanwhile, a payment whose id SQLite gives out again),
    and the orders moved inside it are no longer waiting for ``workflow.save``."""
    session.expire_all()
    workflow.forget_moves(session)


def _applied(payment: Payment | None) -> tuple[Applied, int | None, datetime]:
    """What a stored notification becomes once applied (with its payment's id and when): the
    payment it recorded, or a duplicate of one recorded before (its NTPN was known)."""
    state = NotificationState.APPLIED if payment is not None else NotificationState.DUPLICATE
    return Applied(state), payment.id if payment is not None else None, utcnow()


def _apply_alone(session: Session, notification_id: int,
                 notice: BillingPaid) -> tuple[Applied, int | None, datetime | None]:
    try:
        with session.begin_nested():
            return _applied(record_billing_payment(session, notice))
    except Exception as error:  # noqa: BLE001 - kept failed with why, like any other
        return _failure(session, notification_id, error), None, None


def _failure(session: Session, notification_id: int, error: Exception) -> Applied:
    """Why a notification could not be applied, once its savepoint was rolled back: a domain
    error's message, or for anything else (a fault to look into) its type and text, logged."""
    _forget_rolled_back(session)
    if isinstance(error, DomainError):
        log.error("payment notification %s stored but not applied: %s", notification_id, error.message)
        return Applied(NotificationState.FAILED, error.message[:2000])
    log.error("payment notification %s stored but not applied", notification_id, exc_info=error)
    return Applied(NotificationState.FAILED, f"{type(error).__name__}: {error}"[:2000], unexpected=True)


def waiting_to_apply(session: Session) -> bool:
    """Whether a stored notification waits to be applied (asked after giving the turn up). Not
    locked, and not skipping locked ones: one being applied right now only costs another try
    for the turn, while skipping it could leave it to no one."""
    return session.scalar(select(PaymentNotification.id).where(
        PaymentNotification.state == NotificationState.RECEIVED).limit(1)) is not None


def _locked(session: Session, notification_id: int) -> PaymentNotification:
    """The stored notification, read after taking its write lock (a row lock on PostgreSQL, the
    database's on SQLite, which has no row locks): what decides is read after a concurrent apply
    of it has committed, never before. :class:`NotificationNotFound` when there is none."""
    session.execute(update(PaymentNotification).where(PaymentNotification.id == notification_id)
                    .values(id=PaymentNotification.id))
    notification = session.scalar(select(PaymentNotification).where(PaymentNotification.id == notification_id)
                                  .execution_options(populate_existing=True))
    if notification is None:
        raise NotificationNotFound()
    return notification


def apply_notification(session: Session, notification_id: int,
                       actor: workflow.Actor | None = None) -> PaymentNotification:
    """Record the payment a stored notification reports (received, or failed before), on the
    order's timeline as ``actor`` (None: the system). Applying again changes nothing. Its lock
    comes first, so a payment on the same code applied meanwhile is read, never missed."""
    notification = _locked(session, notification_id)
    if notification.state in (NotificationState.APPLIED, NotificationState.DUPLICATE):
        return notification
    paid = parse_body(notification.body.encode())
    applied, notification.payment_id, notification.applied_at = _applied(record_billing_payment(session, paid, actor))
    notification.state, notification.error = applied.state, None
    session.flush()
    return notification


def apply_again(session: Session, notification_id: int, actor: workflow.Actor | None = None) -> Applied:
    """Apply a stored notification that was not applied (``apply-notifications``, the sender's
    retry, the treasurer's button, which records the treasurer on the order's timeline): what
    became of it. If it fails again, what applying wrote is undone and the notification kept
    failed with the new reason; its lock is held throughout (taken before the savepoint)."""
    notification = _locked(session, notification_id)
    paid = _reads(notification.body)
    label = paid.ntpn if paid is not None else notification.webhook_id
    if notification.state in (NotificationState.APPLIED, NotificationState.DUPLICATE):
        return Applied(notification.state, already=True, label=label)
    try:
        with session.begin_nested():
            return Applied(apply_notification(session, notification_id, actor).state, label=label)
    except Exception as error:  # noqa: BLE001 - kept failed with why, like any other
        failed = _failure(session, notification_id, error)
    mark_failed(session, notification_id, failed.error)
    return replace(failed, label=label)


def mark_failed(session: Session, notification_id: int, error: str) -> None:
    """The notification stays stored with why it could not be applied (``apply-notifications``
    retries), unless it was applied meanwhile."""
    try:
        notification = _locked(session, notification_id)
    except NotificationNotFound:
        return
    _fail(notification, error)
    session.flush()


def _fail(notification: PaymentNotification, error: str) -> None:
    """Failed, with the latest reason (never over an applied one)."""
    if notification.state in (NotificationState.RECEIVED, NotificationState.FAILED):
        notification.state = NotificationState.FAILED
        notification.error = error[:2000]


@dataclass(frozen=True)
class UnappliedNotification:
    """A stored notification not applied, as the treasurer's list shows it."""

    notification: PaymentNotification
    paid: BillingPaid | None  # what it reports; None when its body does not read (the error says why)


UNAPPLIED = (NotificationState.RECEIVED, NotificationState.FAILED)


def unapplied_notifications(session: Session, *, page: int = 1) -> Page[UnappliedNotification]:
    """Stored notifications not applied, oldest first, a page at a time: those kept failed with
    their error, and any still waiting (applied within moments, unless a server stopped meanwhile).
    Money they report is on no list of payments until they are applied."""
    query = (select(PaymentNotification).where(PaymentNotification.state.in_(UNAPPLIED))
             .order_by(PaymentNotification.id))
    return paginate(session, query, page=page).map(
        lambda shown: [UnappliedNotification(notification, _reads(notification.body)) for notification in shown])


def unapplied_count(session: Session) -> int:
    return session.scalar(select(func.count(PaymentNotification.id))
                          .where(PaymentNotification.state.in_(UNAPPLIED))) or 0


def _reads(body: str) -> BillingPaid | None:
    try:
        return parse_body(body.encode("utf-8"))
    except DomainError:
        return None


def pending_notifications(session: Session) -> list[int]:
    """Ids of notifications not applied yet (received, or failed before), oldest first."""
    return list(session.scalars(select(PaymentNotification.id).where(PaymentNotification.state.in_(UNAPPLIED))
                                .order_by(PaymentNotification.id)))


# -- what a payment means -----------------------------------------------------------------------

def record_billing_payment(session: Session, paid: BillingPaid, actor: workflow.Actor | None = None) -> Payment | None:
    """Record ``paid`` once: settle its invoice when it may be trusted, flag it otherwise.
    None when its NTPN was recorded before: a repeat changes nothing (see
    :func:`record_billing_payments`)."""
    return record_billing_payments(session, [paid], actor)[0]


class _RacedInBatch(Exception):
    """A payment of a batch was recorded meanwhile by another transaction: the batch is
    applied one by one instead (what followed it in the batch was decided without it)."""


def record_billing_payments(session: Session, notices: Sequence[BillingPaid],
                            actor: workflow.Actor | None = None) -> list[Payment | None]:
    """Record each of ``notices`` once, in order, as :func:`record_billing_payment` does one,
    on the orders' timelines as ``actor`` (None: the system, for notifications as they come),
    reading their codes, invoices and orders, and the payments already recorded, in one query
    each, and writing each table once. The unique NTPN decides between concurrent deliveries.
    Deliveries for one code queue on the invoice's row lock on PostgreSQL (taken in invoice
    order, so two batches cannot deadlock); on SQLite the caller holds the database's write
    lock already, so what is read includes every payment committed before."""
    found = {code.code: (code, invoice, order) for code, invoice, order in session.execute(
        select(BillingCode, Invoice, Order).join(Invoice, Invoice.id == BillingCode.invoice_id)
        .join(Order, Order.id == Invoice.order_id)
        .where(BillingCode.code.in_({notice.billing_code for notice in notices}))
        .order_by(Invoice.id).with_for_update(of=Invoice))}
    ntpns = {notice.ntpn for notice in notices}
    invoice_ids = {invoice.id for _code, invoice, _order in found.values()}
    known: set[str] = set()
    settled_on: set[int] = set()  # invoices with a settled payment (another NTPN on one is a double payment)
    for ntpn, invoice_id, status in session.execute(select(Payment.ntpn, Payment.invoice_id, Payment.status).where(
            or_(Payment.ntpn.in_(ntpns),
                and_(Payment.invoice_id.in_(invoice_ids), Payment.status == PaymentStatus.SETTLED)))):
        if ntpn in ntpns:
            known.add(ntpn)
        if status == PaymentStatus.SETTLED:
            settled_on.add(invoice_id)
    decided: list[tuple[BillingPaid, PaymentProblem | None] | None] = []
    for notice in notices:
        if notice.ntpn in known:  # recorded before, or earlier in this batch
            decided.append(None)
            continue
        known.add(notice.ntpn)
        code, invoice, order = found.get(notice.billing_code, (None, None, None))
        problem = _problem(notice, code, invoice, order,
                           settled_before=invoice is not None and invoice.id in settled_on)
        if problem is None:
            settled_on.add(invoice.id)
        decided.append((notice, problem))
    rows = [_payment_row(notice, problem, found.get(notice.billing_code, (None, None, None))[1])
            for notice, problem in filter(None, decided)]
    inserted = {payment.ntpn: payment for payment in _insert_payments(session, rows)} if rows else {}
    if len(inserted) < len(rows) and len(notices) > 1:
        raise _RacedInBatch()
    recorded: list[Payment | None] = []
    for choice in decided:
        payment = inserted.get(choice[0].ntpn) if choice is not None else None
        recorded.append(payment)
        if payment is None:
            continue
        code, invoice, order = found.get(payment.billing_code, (None, None, None))
        if payment.problem is None:
            settle(session, payment, invoice, actor, save=False)
        else:
            log.warning("payment %s on billing code %s flagged: %s", payment.ntpn, payment.billing_code,
                        payment.problem)
            if order is not None:
                workflow.record(session, order, actor, "payment_flagged", details=_details(payment))
    workflow.save(session)
    return recorded


def _payment_row(notice: BillingPaid, problem: PaymentProblem | None, invoice: Invoice | None) -> dict:
    return dict(source=PaymentSource.BILLING_NOTIFICATION, amount=notice.amount, currency=notice.currency,
                ntpn=notice.ntpn, ntb=notice.ntb, bank=notice.bank, channel=notice.channel,
                billing_code=notice.billing_code, paid_at=notice.paid_at, recorded_at=utcnow(),
                invoice_id=invoice.id if invoice else None, order_id=invoice.order_id if invoice else None,
                status=PaymentStatus.FLAGGED if problem else PaymentStatus.SETTLED, problem=problem)


def _insert_payments(session: Session, rows: list[dict]) -> list[Payment]:
    """Insert the payment rows but any whose NTPN was recorded meanwhile (one statement); the
    new payments, as objects of the session."""
    # populate_existing: an object left in the session by a rolled-back savepoint may carry the id
    # SQLite gives out again; the row just inserted is what it must hold.
    return list(session.scalars(insert_many_unless_present(session, Payment, unique=Payment.ntpn, returning=Payment),
                                rows, execution_options={"populate_existing": True}))


def _problem(paid: BillingPaid, code: BillingCode | None, invoice: Invoice | None, order: Order | None, *,
             settled_before: bool) -> PaymentProblem | None:
    """Why a billing-code payment may not be trusted, or None (checked before it is recorded)."""
    if code is None or invoice is None:
        return PaymentProblem.UNKNOWN_CODE
    if code.status != CodeStatus.ACTIVE or invoice.status == InvoiceStatus.VOID:
        return PaymentProblem.VOID_CODE
    if settled_before or invoice.status == InvoiceStatus.PAID:
        return PaymentProblem.DOUBLE_PAYMENT
    if aware(paid.paid_at) > aware(code.expires_at):
        return PaymentProblem.EXPIRED_CODE
    if paid.amount != code.amount:
        return PaymentProblem.WRONG_AMOUNT
    if order.status != OrderStatus.INVOICED:
        return PaymentProblem.ORDER_NOT_PAYABLE
    return None


def _details(payment: Payment) -> dict:
    return {"amount": payment.amount, "ntpn": payment.ntpn, "billing_code": payment.billing_code,
            "problem": payment.problem.value if payment.problem else None}


def settle(session: Session, payment: Payment, invoice: Invoice, actor: workflow.Actor | None = None, *,
           save: bool = True) -> None:
    """Count ``payment`` towards ``invoice``, which it completes: the invoice is marked paid and
    its order moves to paid, on the timeline as ``actor`` (None: the system, for a notification).
    Every way money arrives (notification, statement line, proof, cash) settles through here.
    ``save=False`` leaves the write to the caller's one ``workflow.save`` (many settled together)."""
    payment.status = PaymentStatus.SETTLED
    invoices.mark_paid(session, invoice)
    order = workflow.get_order(session, invoice.order_id)
    workflow.apply(session, order, actor, Action.RECORD_PAYMENT,
                   details={**_details(payment), "source": payment.source.value})
    if save:
        workflow.save(session)


# -- reading ----------------------------------------------------------------------------------------

def payments_of_invoice(session: Session, invoice_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.invoice_id == invoice_id)
                                .order_by(Payment.paid_at, Payment.id)))


def payments_of_order(session: Session, order_id: int) -> list[Payment]:
    """Every payment recorded for the order, on any of its invoice versions, in the order paid."""
    return list(session.scalars(select(Payment).where(Payment.order_id == order_id)
                                .order_by(Payment.paid_at, Payment.id)))


def amount_settled(payments: Sequence[Payment]) -> int:
    return sum(p.amount for p in payments if p.status == PaymentStatus.SETTLED)


def amount_counted(session: Session, invoice_id: int, *, payments: Sequence[Payment] | None = None) -> int:
    """Whole rupiah counted towards an invoice: its settled payments less what refunds set apart
    from them (an over-payment's excess, a double payment returned whole), which the invoice never
    asked for. A paid invoice counts exactly its total, also after such a refund. ``payments``: the
    order's payments when the caller has read them (the order page)."""
    if payments is not None:
        settled_ones = [p for p in payments if p.invoice_id == invoice_id and p.status == PaymentStatus.SETTLED]
        return amount_settled(settled_ones) - sum(set_apart(session, [p.id for p in settled_ones]).values())
    settled = select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.invoice_id == invoice_id, Payment.status == PaymentStatus.SETTLED).scalar_subquery()
    returned = select(func.coalesce(func.sum(RefundedPayment.amount), 0)).join(
        Payment, Payment.id == RefundedPayment.payment_id).where(
        Payment.invoice_id == invoice_id, Payment.status == PaymentStatus.SETTLED).scalar_subquery()
    return int(session.scalar(select(settled - returned)))  # NUMERIC on PostgreSQL


def set_apart(session: Session, payment_ids: Sequence[int]) -> dict[int, int]:
    """Per payment, the rupiah refunds set apart from it (what it counts for its invoice is the rest)."""
    if not payment_ids:
        return {}
    rows = session.execute(select(RefundedPayment.payment_id, func.sum(RefundedPayment.amount))
                           .where(RefundedPayment.payment_id.in_(payment_ids)).group_by(RefundedPayment.payment_id))
    return {payment_id: int(amount) for payment_id, amount in rows}  # NUMERIC on PostgreSQL


def exceptions(session: Session, *, page: int = 1) -> Page:
    """The treasurer's exceptions queue: flagged payments, oldest first, one page."""
    query = select(Payment).where(Payment.status == PaymentStatus.FLAGGED).order_by(Payment.recorded_at, Payment.id)
    return paginate(session, query, page=page)


# -- lost notifications --------------------------------------------------------------------------------

def sweep(session: Session, gateway: BillingGateway, *, now: datetime, after: timedelta) -> list[Payment]:
    """Ask the payment network about live codes of unpaid invoices issued more than
    ``after`` ago, and record any payment it reports that we have not heard of, through
    the same path as a notification."""
    codes = list(session.scalars(
        select(BillingCode).join(Invoice, Invoice.id == BillingCode.invoice_id)
        .where(BillingCode.status == CodeStatus.ACTIVE, Invoice.status == InvoiceStatus.ISSUED,
               BillingCode.issued_at <= now - after)
        .order_by(Invoice.id, BillingCode.id)))  # invoice order, as a batch locks them: no deadlock cycle
    found: list[Payment] = []
    for code in codes:
        for paid in gateway.payments_of(session, code.code):
            if session.scalar(select(Payment.id).where(Payment.ntpn == paid.ntpn)) is not None:
                continue
            received = receive(session, f"inquiry_{paid.ntpn}", _body(paid), channel=NotificationChannel.STATUS_INQUIRY)
            if received.earlier in (NotificationState.APPLIED, NotificationState.DUPLICATE):
                continue
            applied = apply_notification(session, received.notification_id)  # applied already where receive did
            if applied.payment is not None:
                found.append(applied.payment)
    return found


def _body(paid: BillingPaid) -> bytes:
    return json.dumps(paid.as_body()).encode("utf-8")
