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
from datetime import datetime, timedelta

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
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
from sales_service.orm import insert_unless_present
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


class AlreadyReceived(DomainError):
    """The same delivery (webhook-id) came again: it changes nothing."""

    http_status = 200

    def __init__(self):
        super().__init__("Notifikasi ini sudah diterima sebelumnya.")


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

def store_notification(session: Session, webhook_id: str, body: bytes, *,
                       channel: NotificationChannel = NotificationChannel.WEBHOOK) -> PaymentNotification:
    """Keep the raw notification before anything is done with it. A repeated webhook-id
    raises :class:`AlreadyReceived` (the unique constraint decides, also under races),
    unless the earlier delivery was stored but never applied: then that one is returned,
    so the sender's retry finishes the work."""
    earlier = session.scalar(select(PaymentNotification).where(PaymentNotification.webhook_id == webhook_id))
    if earlier is not None:
        if earlier.state in (NotificationState.RECEIVED, NotificationState.FAILED):
            return earlier  # stored before but never applied (e.g. the server failed): apply it now
        raise AlreadyReceived()
    notification = PaymentNotification(webhook_id=webhook_id, channel=channel, body=body.decode("utf-8"),
                                       state=NotificationState.RECEIVED)
    try:
        with session.begin_nested():
            session.add(notification)
    except IntegrityError as exc:  # a concurrent delivery of the same id won
        raise AlreadyReceived() from exc
    return notification


def receive_notification(session: Session, webhook_id: str, body: bytes, *,
                         channel: NotificationChannel = NotificationChannel.WEBHOOK) -> NotificationState | None:
    """Store a notification and apply it, in the caller's one transaction, and say what
    became of it; None when this webhook-id was received and applied before (a repeat,
    nothing written). A delivery stored before but never applied is applied now. When it
    cannot be applied the error propagates: the caller rolls back and keeps the
    notification with why (:func:`keep_failed`), for ``apply-notifications``."""
    notification_id = insert_unless_present(session, PaymentNotification, dict(
        webhook_id=webhook_id, channel=channel, body=body.decode("utf-8"), state=NotificationState.RECEIVED,
        received_at=utcnow()), PaymentNotification.id, unique=PaymentNotification.webhook_id)
    if notification_id is None:  # the same webhook-id came before: finish it if it was never applied
        earlier_id, state = session.execute(select(PaymentNotification.id, PaymentNotification.state)
                                            .where(PaymentNotification.webhook_id == webhook_id)).one()
        if state in (NotificationState.APPLIED, NotificationState.DUPLICATE):
            return None
        return apply_notification(session, earlier_id).state
    outcome = _outcome(record_billing_payment(session, parse_body(body)))
    table = PaymentNotification.__table__
    session.execute(update(table).where(table.c.id == notification_id).values(**outcome))
    return outcome["state"]


def _outcome(payment: Payment | None) -> dict:
    """What a stored notification becomes once applied: the payment it recorded, or a duplicate
    of one recorded before (its NTPN was known)."""
    return dict(state=NotificationState.APPLIED if payment is not None else NotificationState.DUPLICATE,
                payment_id=payment.id if payment is not None else None, applied_at=utcnow(), error=None)


def keep_failed(session: Session, webhook_id: str, body: bytes, error: str, *,
                channel: NotificationChannel = NotificationChannel.WEBHOOK) -> None:
    """Keep a notification that could not be applied, with why (its transaction was rolled back)."""
    notification = store_notification(session, webhook_id, body, channel=channel)
    _fail(notification, error)
    session.flush()


def apply_notification(session: Session, notification_id: int) -> PaymentNotification:
    """Record the payment a stored notification reports. Applying again changes nothing.
    The notification's write lock comes first (a row lock on PostgreSQL, the database's on
    SQLite, which has no row locks), so what decides is read after a concurrent apply of it
    or of a payment on the same code has committed, never before."""
    session.execute(update(PaymentNotification).where(PaymentNotification.id == notification_id)
                    .values(id=PaymentNotification.id))
    notification = session.scalar(select(PaymentNotification).where(PaymentNotification.id == notification_id)
                                  .execution_options(populate_existing=True))
    if notification is None:
        raise NotificationNotFound()
    if notification.state in (NotificationState.APPLIED, NotificationState.DUPLICATE):
        return notification
    for name, value in _outcome(record_billing_payment(session, parse_body(notification.body.encode()))).items():
        setattr(notification, name, value)
    session.flush()
    return notification


def mark_failed(session: Session, notification_id: int, error: str) -> None:
    """The notification stays stored with why it could not be applied (``apply-notifications`` retries)."""
    notification = session.get(PaymentNotification, notification_id)
    if notification is not None:
        _fail(notification, error)
        session.flush()


def _fail(notification: PaymentNotification, error: str) -> None:
    """Failed, with the latest reason (never over an applied one)."""
    if notification.state in (NotificationState.RECEIVED, NotificationState.FAILED):
        notification.state = NotificationState.FAILED
        notification.error = error[:2000]


def pending_notifications(session: Session) -> list[int]:
    """Ids of notifications not applied yet (received, or failed before), oldest first."""
    return list(session.scalars(select(PaymentNotification.id).where(
        PaymentNotification.state.in_([NotificationState.RECEIVED, NotificationState.FAILED]))
        .order_by(PaymentNotification.id)))


def retry_notification(session: Session, notification_id: int) -> PaymentNotification:
    notification = session.get(PaymentNotification, notification_id)
    if notification is None:
        raise NotificationNotFound()
    if notification.state == NotificationState.FAILED:
        notification.state = NotificationState.RECEIVED
    return apply_notification(session, notification_id)


# -- what a payment means -----------------------------------------------------------------------

def record_billing_payment(session: Session, paid: BillingPaid) -> Payment | None:
    """Record ``paid`` once: settle its invoice when it may be trusted, flag it otherwise.
    None when its NTPN was recorded before: a repeat changes nothing. The unique NTPN
    decides between concurrent deliveries. Deliveries for one code queue on the invoice's
    row lock on PostgreSQL; on SQLite the caller holds the database's write lock already
    (the notification is written first), so the later reads the earlier's payment."""
    found = session.execute(
        select(BillingCode, Invoice, Order).join(Invoice, Invoice.id == BillingCode.invoice_id)
        .join(Order, Order.id == Invoice.order_id)
        .where(BillingCode.code == paid.billing_code).with_for_update(of=Invoice)).first()
    code, invoice, order = found if found is not None else (None, None, None)
    # This NTPN, or a payment already settled on the invoice (a second NTPN is a double payment).
    # Two rows are enough to decide: if settled ones hide this NTPN's row, the insert's conflict finds it.
    recorded = session.execute(select(Payment.ntpn, Payment.status).where(
        or_(Payment.ntpn == paid.ntpn,
            and_(Payment.invoice_id == invoice.id, Payment.status == PaymentStatus.SETTLED) if invoice else false()))
        .limit(2)).all()
    if any(row.ntpn == paid.ntpn for row in recorded):
        return None
    problem = _problem(paid, code, invoice, order, settled_before=bool(recorded))
    payment = insert_unless_present(session, Payment, dict(
        source=PaymentSource.BILLING_NOTIFICATION, amount=paid.amount, currency=paid.currency, ntpn=paid.ntpn,
        ntb=paid.ntb, bank=paid.bank, channel=paid.channel, billing_code=paid.billing_code, paid_at=paid.paid_at,
        invoice_id=invoice.id if invoice else None, order_id=invoice.order_id if invoice else None,
        status=PaymentStatus.FLAGGED if problem else PaymentStatus.SETTLED, problem=problem), Payment,
        unique=Payment.ntpn)
    if payment is None:  # recorded at this moment by a concurrent delivery (its NTPN is unique)
        return None
    if problem is None:
        settle(session, payment, invoice)
    else:
        log.warning("payment %s on billing code %s flagged: %s", paid.ntpn, paid.billing_code, problem)
        if order is not None:
            workflow.record(session, order, None, "payment_flagged", details=_details(payment))
    session.flush()
    return payment


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


def settle(session: Session, payment: Payment, invoice: Invoice, actor: workflow.Actor | None = None) -> None:
    """Count ``payment`` towards ``invoice``, which it completes: the invoice is marked paid and
    its order moves to paid, on the timeline as ``actor`` (None: the system, for a notification).
    Every way money arrives (notification, statement line, proof, cash) settles through here."""
    payment.status = PaymentStatus.SETTLED
    invoices.mark_paid(session, invoice)
    order = workflow.get_order(session, invoice.order_id)
    workflow.apply(session, order, actor, Action.RECORD_PAYMENT,
                   details={**_details(payment), "source": payment.source.value})
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
        .order_by(BillingCode.id)))
    found: list[Payment] = []
    for code in codes:
        for paid in gateway.payments_of(session, code.code):
            if session.scalar(select(Payment.id).where(Payment.ntpn == paid.ntpn)) is not None:
                continue
            webhook_id = f"inquiry_{paid.ntpn}"
            try:
                notification = store_notification(session, webhook_id, _body(paid),
                                                  channel=NotificationChannel.STATUS_INQUIRY)
            except AlreadyReceived:
                continue
            applied = apply_notification(session, notification.id)
            if applied.payment is not None:
                found.append(applied.payment)
    return found


def _body(paid: BillingPaid) -> bytes:
    return json.dumps(paid.as_body()).encode("utf-8")
