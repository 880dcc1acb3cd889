"""Deposits (setor) of the money the treasurer holds into the state treasury. Never commits.

Cash and transfers from abroad (settled payments of source cash, transfer proof or statement
line) land with the treasurer (bendahara penerimaan) first; PNBP must reach the state treasury
promptly (PP 7/2015 Pasal 9), so the treasurer pays it in with a billing code of their own, and
that payment yields its own NTPN. A deposit covers one or more held payments and its amount is
exactly their sum: its billing code was issued for that sum and a bank takes no other amount of
a code. A payment is deposited at most once; the unique constraint on ``deposited_payment``
decides, also when two deposits are recorded at the same moment. Billing-code payments are not
held: they were paid straight into the state treasury.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from sales_service.dates import local_moment
from sales_service.errors import N_, Conflict, InvalidInput, NotFound
from sales_service.invoices.models import Invoice
from sales_service.money import format_rupiah, parse_rupiah
from sales_service.orders import workflow
from sales_service.orders.models import Order
from sales_service.paging import Page, paginate
from sales_service.payments import entries
from sales_service.payments.models import Deposit, DepositedPayment, Payment, PaymentSource, PaymentStatus
from sales_service.payments.permissions import TreasurersOnly, may_decide

HELD_SOURCES = (PaymentSource.CASH, PaymentSource.TRANSFER_PROOF, PaymentSource.STATEMENT_LINE)


class NothingChosen(InvalidInput):
    def __init__(self):
        super().__init__("Pilih pembayaran yang disetor.")


class PaymentNotHeld(Conflict):
    def __init__(self, payment_id: int):
        super().__init__("Pembayaran #{id} bukan uang yang dipegang bendahara (tunai atau transfer yang sudah "
                         "diterima).", id=payment_id)


class AlreadyDeposited(Conflict):
    def __init__(self, payment_id: int):
        super().__init__("Pembayaran #{id} sudah disetor; satu pembayaran hanya disetor sekali.", id=payment_id)


class AmountNotTheSum(InvalidInput):
    def __init__(self, amount: int, total: int):
        super().__init__("Jumlah setoran {amount} tidak sama dengan jumlah pembayaran yang dipilih {total}. "
                         "Kode billing setoran terbit untuk jumlah yang tepat; pilih pembayaran yang sesuai.",
                         amount=format_rupiah(amount), total=format_rupiah(total))


class DepositBeforeReceipt(InvalidInput):
    def __init__(self, received: date):
        super().__init__("Tanggal setor tidak boleh sebelum uangnya diterima ({day}).", day=received.isoformat())


class DepositRecorded(Conflict):
    def __init__(self):
        super().__init__("Kode billing atau NTPN ini sudah tercatat pada setoran lain.")


class DepositNotFound(NotFound):
    def __init__(self):
        super().__init__("Setoran tidak ditemukan.")


def _held():
    deposited = exists().where(DepositedPayment.payment_id == Payment.id)
    return (Payment.source.in_(HELD_SOURCES), Payment.status == PaymentStatus.SETTLED, ~deposited)


@dataclass(frozen=True)
class HeldPayment:
    payment: Payment
    received_on: date  # the office's calendar day
    age_days: int  # days held so far
    order_id: int | None
    order_reference: str | None
    invoice_number: str | None


@dataclass(frozen=True)
class Holding:
    count: int
    total: int  # whole rupiah held, not yet deposited


def holding(session: Session) -> Holding:
    count, total = session.execute(select(func.count(Payment.id), func.coalesce(func.sum(Payment.amount), 0))
                                   .where(*_held())).one()
    return Holding(count=count, total=total)


def held(session: Session, *, today: date, timezone: str, page: int = 1) -> Page[HeldPayment]:
    """Money held and not yet deposited, oldest first, with its age in days; one page."""
    query = select(Payment).where(*_held()).order_by(Payment.paid_at, Payment.id)
    return paginate(session, query, page=page).map(lambda payments: _held_rows(session, payments, today, timezone))


def _held_rows(session: Session, payments: Sequence[Payment], today: date, timezone: str) -> list[HeldPayment]:
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_({p.order_id for p in payments})))}
    numbers = dict(session.execute(select(Invoice.id, Invoice.number)
                                   .where(Invoice.id.in_({p.invoice_id for p in payments}))).all())
    rows = []
    for payment in payments:
        day = local_moment(payment.paid_at, timezone).date()
        order = orders.get(payment.order_id)
        rows.append(HeldPayment(payment=payment, received_on=day, age_days=max((today - day).days, 0),
                                order_id=order.id if order else None,
                                order_reference=order.reference if order else None,
                                invoice_number=numbers.get(payment.invoice_id)))
    return rows


@dataclass(frozen=True)
class DepositSlip:
    """What the treasurer typed about a deposit, as typed."""

    deposited_on: str
    billing_code: str
    ntpn: str
    amount: str


def record_deposit(session: Session, actor: workflow.Actor, slip: DepositSlip, payment_ids: Sequence[int], *,
                   today: date, timezone: str) -> Deposit:
    """A deposit into the state treasury covering ``payment_ids``, each held and not deposited before."""
    if not may_decide(actor.user.role):
        raise TreasurersOnly()
    deposited_on = entries.past_day(slip.deposited_on, N_("Tanggal setor"), today=today)
    code = entries.billing_code(slip.billing_code)
    ntpn = entries.ntpn(slip.ntpn)
    amount = parse_rupiah(slip.amount)
    ids = sorted(set(payment_ids))
    if not ids:
        raise NothingChosen()
    payments = list(session.scalars(select(Payment).where(Payment.id.in_(ids)).order_by(Payment.id)
                                    .with_for_update().execution_options(populate_existing=True)))
    if len(payments) != len(ids):
        missing = min(set(ids) - {p.id for p in payments})
        raise PaymentNotHeld(missing)
    already = session.scalar(select(func.min(DepositedPayment.payment_id)).where(DepositedPayment.payment_id.in_(ids)))
    if already is not None:
        raise AlreadyDeposited(already)
    for payment in payments:
        if payment.source not in HELD_SOURCES or payment.status != PaymentStatus.SETTLED:
            raise PaymentNotHeld(payment.id)
    total = sum(p.amount for p in payments)
    if amount != total:
        raise AmountNotTheSum(amount, total)
    last_received = max(local_moment(p.paid_at, timezone).date() for p in payments)
    if deposited_on < last_received:
        raise DepositBeforeReceipt(last_received)
    if session.scalar(select(Deposit.id).where((Deposit.ntpn == ntpn) | (Deposit.billing_code == code))):
        raise DepositRecorded()
    deposit = Deposit(deposited_on=deposited_on, billing_code=code, ntpn=ntpn, amount=amount,
                      recorded_by_id=actor.user.id)
    try:
        with session.begin_nested():
            session.add(deposit)
            session.flush()
            session.add_all([DepositedPayment(deposit_id=deposit.id, payment_id=p.id) for p in payments])
    except IntegrityError as exc:  # a deposit recorded at this moment took a payment, the code or the NTPN
        taken = session.scalar(select(func.min(DepositedPayment.payment_id))
                               .where(DepositedPayment.payment_id.in_(ids)))
        raise (AlreadyDeposited(taken) if taken is not None else DepositRecorded()) from exc
    for order in session.scalars(select(Order).where(Order.id.in_({p.order_id for p in payments if p.order_id}))
                                 .order_by(Order.id)):
        workflow.record(session, order, actor, "deposit", details={
            "deposit_id": deposit.id, "deposited_on": deposited_on.isoformat(), "ntpn": ntpn, "billing_code": code,
            "payments": [p.id for p in payments if p.order_id == order.id]})
    workflow.save(session)
    return deposit


def deposits(session: Session, *, page: int = 1) -> Page[Deposit]:
    """Deposits made, newest first, with the payments each covers; one page."""
    query = (select(Deposit).options(selectinload(Deposit.items).selectinload(DepositedPayment.payment))
             .order_by(Deposit.deposited_on.desc(), Deposit.id.desc()))
    return paginate(session, query, page=page)
