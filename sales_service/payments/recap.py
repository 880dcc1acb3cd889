"""The revenue recap (rekapitulasi penerimaan): what the office received per day or per month,
by account code and tariff item, what it refunded and deposited, and the Rp0 register. Never
commits.

It is the basis of the treasurer's receipts cash book and monthly accountability report
(DOMAIN.md "Money the treasurer holds"), so its total is exactly the settled payments of the
period minus the refunds paid in it. Every figure comes from grouped SQL over the period; no
Python loop runs over payments.

* Revenue is money received: settled payments, counted on the office's calendar day of
  ``paid_at`` (the office's time zone, ``TIMEZONE``).
* A payment is spread over its invoice's charged lines in proportion to their amounts by the
  cumulative-floor rule: line *k* gets ``floor(P·C_k/T) − floor(P·C_{k−1}/T)`` (``C`` the running
  line total, ``T`` the invoice's), so the parts of one payment add up to exactly ``P``. A payment
  of the whole invoice (every billing-code payment) gives each line its own amount; a short
  credit from abroad is split pro rata.
* Money with no charged line to spread over (a settled payment without an invoice) is one row
  without a tariff item, so the total still equals the settled payments.
* The Rp0 register lists the normal amount waived (``normal_amount − amount`` of waived lines) of
  invoices not voided, on their issue day, per segment: the institution behind the Rp0 claim
  (``zero_rate_institution_segment``), else the buyer's segment.
* Refunds (pengembalian PNBP) are subtracted in the period the state treasury office paid them
  (the day of their ``payment`` step, the SP2D), whole, from the period's total: the payments they
  return stay settled (received money, of which the refund goes back; ``payments.resolutions``),
  and the item rows show what was received.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, cast, func, literal, select
from sqlalchemy.orm import Session

from sales_service.invoices.models import Invoice, InvoiceLine, InvoiceStatus
from sales_service.orders.models import Order
from sales_service.payments.models import Deposit, Payment, PaymentStatus, Refund, RefundStepRecord
from sales_service.payments.refund_steps import RefundStatus, RefundStep
from sales_service.pnbp import services as pnbp
from sales_service.pnbp.segments import BuyerSegment

FIRST_YEAR, LAST_YEAR = 2000, 2999  # a recap outside these years is a typing error


class Granularity(StrEnum):
    DAY = "day"  # the days of one month
    MONTH = "month"  # the months of one year


@dataclass(frozen=True)
class Span:
    """What one recap covers: the days of a month, or the months of a year. Bounded (31 or 12
    periods), so a recap is a report of fixed size, stepped through with ``previous``/``next``."""

    granularity: Granularity
    year: int
    month: int = 1  # only for DAY

    def __post_init__(self) -> None:
        if not FIRST_YEAR <= self.year <= LAST_YEAR or not 1 <= self.month <= 12:
            raise ValueError(f"no recap for {self.year}-{self.month}")

    @classmethod
    def days_of(cls, year: int, month: int) -> Span:
        return cls(Granularity.DAY, year, month)

    @classmethod
    def months_of(cls, year: int) -> Span:
        return cls(Granularity.MONTH, year)

    @property
    def first(self) -> date:
        return date(self.year, self.month if self.granularity == Granularity.DAY else 1, 1)

    @property
    def last(self) -> date:
        if self.granularity == Granularity.DAY:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, 12, 31)

    @property
    def periods(self) -> list[date]:
        """Each day of the month, or the first day of each month of the year."""
        if self.granularity == Granularity.DAY:
            return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]
        return [date(self.year, month, 1) for month in range(1, 13)]

    @property
    def previous(self) -> Span | None:
        if self.granularity == Granularity.MONTH:
            return Span.months_of(self.year - 1) if self.year > FIRST_YEAR else None
        if self.month == 1:
            return Span.days_of(self.year - 1, 12) if self.year > FIRST_YEAR else None
        return Span.days_of(self.year, self.month - 1)

    @property
    def next(self) -> Span | None:
        if self.granularity == Granularity.MONTH:
            return Span.months_of(self.year + 1) if self.year < LAST_YEAR else None
        if self.month == 12:
            return Span.days_of(self.year + 1, 1) if self.year < LAST_YEAR else None
        return Span.days_of(self.year, self.month + 1)

    def moments(self, timezone: str) -> tuple[datetime, datetime]:
        """The span as UTC moments [start, end): midnight at the office on its first day and
        on the day after its last."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.first, time(), zone)
        end = datetime.combine(self.last + timedelta(days=1), time(), zone)
        return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class ItemRow:
    """Money received in one period for one tariff item, booked to one account code."""

    period: date
    account_code: str
    regulation: str | None  # None: money with no tariff line to spread over
    item_code: str | None
    name_id: str | None  # the item as the regulation names it (tariff schedule), else None
    name_en: str | None
    amount: int  # whole rupiah
    payments: int  # payments that contributed


@dataclass(frozen=True)
class PeriodTotal:
    period: date
    received: int  # settled payments
    payments: int
    refunded: int  # refunds the state treasury office paid in the period
    deposited: int  # held money (cash, transfers) the treasurer paid into the state treasury

    @property
    def net(self) -> int:
        return self.received - self.refunded


@dataclass(frozen=True)
class WaiverRow:
    """The Rp0 register: what would have been charged, and was waived, per segment."""

    period: date
    segment: BuyerSegment
    orders: int
    lines: int
    waived: int  # whole rupiah: the normal amount of the waived lines


@dataclass(frozen=True)
class Recap:
    span: Span
    account_code: str
    totals: list[PeriodTotal]  # every period of the span, empty ones included
    items: list[ItemRow]  # periods with money only
    waivers: list[WaiverRow]
    item_totals: list[ItemRow] = field(default_factory=list)  # per item over the whole span (period = first)

    @property
    def received(self) -> int:
        return sum(t.received for t in self.totals)

    @property
    def refunded(self) -> int:
        return sum(t.refunded for t in self.totals)

    @property
    def net(self) -> int:
        return self.received - self.refunded

    @property
    def deposited(self) -> int:
        return sum(t.deposited for t in self.totals)

    @property
    def payments(self) -> int:
        return sum(t.payments for t in self.totals)

    @property
    def waived(self) -> int:
        return sum(w.waived for w in self.waivers)

    @property
    def waived_orders(self) -> int:
        return sum(w.orders for w in self.waivers)


# -- the recap ---------------------------------------------------------------------------------------

def revenue_recap(session: Session, span: Span, *, timezone: str, account_code: str) -> Recap:
    """The recap of ``span`` on the office's calendar (``timezone``), the lines booked to
    ``account_code`` (the office's revenue account, ``ACCOUNT_CODE``)."""
    received = _received(session, span, timezone)
    deposited = _deposited(session, span)
    refunded = _refunded(session, span)
    totals = [PeriodTotal(period=period, received=received.get(period, (0, 0))[0],
                          payments=received.get(period, (0, 0))[1], refunded=refunded.get(period, 0),
                          deposited=deposited.get(period, 0)) for period in span.periods]
    items = _items(session, span, timezone, account_code)
    return Recap(span=span, account_code=account_code, totals=totals, items=items,
                 waivers=_waivers(session, span), item_totals=_over_span(span, items))


def _settled_in(span: Span, timezone: str) -> tuple[ColumnElement[bool], ...]:
    start, end = span.moments(timezone)
    return Payment.status == PaymentStatus.SETTLED, Payment.paid_at >= start, Payment.paid_at < end


def _received(session: Session, span: Span, timezone: str) -> dict[date, tuple[int, int]]:
    key = _moment_key(session, Payment.paid_at, span, timezone)
    rows = session.execute(select(key, cast(func.sum(Payment.amount), BigInteger), func.count(Payment.id))
                           .where(*_settled_in(span, timezone)).group_by(key))
    return {_period(span, period): (int(amount), count) for period, amount, count in rows}


def _deposited(session: Session, span: Span) -> dict[date, int]:
    key = _day_key(session, Deposit.deposited_on, span)
    rows = session.execute(select(key, cast(func.sum(Deposit.amount), BigInteger))
                           .where(Deposit.deposited_on >= span.first, Deposit.deposited_on <= span.last)
                           .group_by(key))
    return {_period(span, period): int(amount) for period, amount in rows}


def _refunded(session: Session, span: Span) -> dict[date, int]:
    """Refunds paid, on the day of their payment step (one per refund: unique)."""
    paid_on = RefundStepRecord.happened_on
    key = _day_key(session, paid_on, span)
    rows = session.execute(
        select(key, cast(func.sum(Refund.amount), BigInteger))
        .select_from(Refund)
        .join(RefundStepRecord, (RefundStepRecord.refund_id == Refund.id)
              & (RefundStepRecord.step == RefundStep.PAYMENT))
        .where(Refund.status == RefundStatus.PAID, paid_on >= span.first, paid_on <= span.last)
        .group_by(key))
    return {_period(span, period): int(amount) for period, amount in rows}


def _items(session: Session, span: Span, timezone: str, account_code: str) -> list[ItemRow]:
    settled = _settled_in(span, timezone)
    paid_invoices = select(Payment.invoice_id).where(*settled, Payment.invoice_id.is_not(None))
    # Running and whole totals of each invoice's charged lines (PostgreSQL sums bigints as numeric: cast back).
    upto = cast(func.sum(InvoiceLine.amount).over(partition_by=InvoiceLine.invoice_id,
                                                  order_by=(InvoiceLine.position, InvoiceLine.id)), BigInteger)
    whole = cast(func.sum(InvoiceLine.amount).over(partition_by=InvoiceLine.invoice_id), BigInteger)
    lines = (select(InvoiceLine.invoice_id, InvoiceLine.regulation, InvoiceLine.schedule_code, InvoiceLine.item_code,
                    InvoiceLine.amount, upto.label("upto"), whole.label("whole"))
             .where(InvoiceLine.amount > 0, InvoiceLine.invoice_id.in_(paid_invoices))
             .subquery())
    # The cumulative-floor share (module docstring): integer division of non-negative bigints, the
    # product well inside 2^63 for any real invoice (under Rp10^9 squared).
    share = (Payment.amount * lines.c.upto // lines.c.whole
             - Payment.amount * (lines.c.upto - lines.c.amount) // lines.c.whole)
    amount = cast(func.sum(func.coalesce(share, Payment.amount)), BigInteger)
    key = _moment_key(session, Payment.paid_at, span, timezone)
    rows = session.execute(
        select(key, lines.c.regulation, lines.c.schedule_code, lines.c.item_code, amount,
               func.count(func.distinct(Payment.id)))
        .select_from(Payment).outerjoin(lines, lines.c.invoice_id == Payment.invoice_id)
        .where(*settled)
        .group_by(key, lines.c.regulation, lines.c.schedule_code, lines.c.item_code))
    names = _item_names(session)
    found = [ItemRow(period=_period(span, period), account_code=account_code, regulation=regulation,
                     item_code=item_code, name_id=names.get((schedule_code, item_code), (None, None))[0],
                     name_en=names.get((schedule_code, item_code), (None, None))[1], amount=int(total),
                     payments=count)
             for period, regulation, schedule_code, item_code, total, count in rows]
    return sorted(found, key=lambda row: (row.period, row.regulation is None, row.regulation or "",
                                          row.item_code or ""))


def _item_names(session: Session) -> dict[tuple[str, str], tuple[str, str]]:
    """(schedule, item) -> the item's Indonesian and English names from the tariff schedules."""
    return {(schedule.code, item.code): (item.name_id, item.name_en)
            for schedule in pnbp.schedule_book(session) for item in schedule.items.values()}


def _over_span(span: Span, items: list[ItemRow]) -> list[ItemRow]:
    """The item rows summed over the whole span (a dozen grouped rows at most, not payments)."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    first: dict[tuple, ItemRow] = {}
    for row in items:
        key = (row.account_code, row.regulation, row.item_code)
        sums[key][0] += row.amount
        sums[key][1] += row.payments  # a payment split over two periods cannot happen: one paid_at
        first.setdefault(key, row)
    return [ItemRow(period=span.first, account_code=row.account_code, regulation=row.regulation,
                    item_code=row.item_code, name_id=row.name_id, name_en=row.name_en, amount=sums[key][0],
                    payments=sums[key][1])
            for key, row in sorted(first.items(), key=lambda kv: (kv[0][1] is None, kv[0][1] or "",
                                                                  kv[0][2] or ""))]


def _waivers(session: Session, span: Span) -> list[WaiverRow]:
    segment = func.coalesce(Order.zero_rate_institution_segment, Order.segment)
    key = _day_key(session, Invoice.issued_on, span)
    rows = session.execute(
        select(key, segment, func.count(func.distinct(Invoice.order_id)), func.count(InvoiceLine.id),
               cast(func.sum(InvoiceLine.normal_amount - InvoiceLine.amount), BigInteger))
        .select_from(InvoiceLine).join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(Order, Order.id == Invoice.order_id)
        .where(InvoiceLine.waived.is_(True), Invoice.status != InvoiceStatus.VOID,
               Invoice.issued_on >= span.first, Invoice.issued_on <= span.last)
        .group_by(key, segment))
    found = [WaiverRow(period=_period(span, period), segment=BuyerSegment(kind), orders=orders, lines=lines,
                       waived=int(waived)) for period, kind, orders, lines, waived in rows]
    return sorted(found, key=lambda row: (row.period, list(BuyerSegment).index(row.segment)))


# -- the office's calendar in SQL --------------------------------------------------------------------

def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _moment_key(session: Session, column, span: Span, timezone: str):
    """A stored moment's day ('2026-11-24') or month ('2026-11') on the office's calendar, in SQL."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone(_inline(timezone), column), _inline(_to_char(span)))
    # SQLite keeps moments as naive UTC text and knows no zones: shift by the office's offset. The
    # Indonesian zones (WIB, WITA, WIT) have had one fixed offset since 1964; refuse a zone that moves.
    zone = ZoneInfo(timezone)
    start, end = span.moments(timezone)
    offset = start.astimezone(zone).utcoffset()
    if end.astimezone(zone).utcoffset() != offset:
        raise ValueError(f"{timezone} changes its UTC offset within the recap; SQLite cannot group by its days")
    return func.strftime(_inline(_strftime(span)), column, _inline(f"{int(offset.total_seconds()):+d} seconds"))


def _day_key(session: Session, column, span: Span):
    """A calendar day column's day or month, in SQL, as text."""
    if _dialect(session) == "postgresql":
        return func.to_char(column, _inline(_to_char(span)))
    return func.strftime(_inline(_strftime(span)), column)


def _inline(text: str):
    """A constant written into the SQL text, so the SELECT and the GROUP BY read the very same
    expression (PostgreSQL cannot tell two bound parameters are equal, and refuses the query)."""
    return literal(text, literal_execute=True)


def _to_char(span: Span) -> str:
    return "YYYY-MM-DD" if span.granularity == Granularity.DAY else "YYYY-MM"


def _strftime(span: Span) -> str:
    return "%Y-%m-%d" if span.granularity == Granularity.DAY else "%Y-%m"


def _period(span: Span, key: str) -> date:
    return date.fromisoformat(key if span.granularity == Granularity.DAY else f"{key}-01")
