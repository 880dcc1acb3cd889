"""The revenue recap (issue 10, point 11): its totals are the settled payments (minus refunds),
split by tariff item and counted on the office's calendar, with the Rp0 register beside them."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from sales_service.files.storage import FileStorage
from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.payments import recap
from sales_service.payments import services as payments
from sales_service.payments.models import (
    Deposit,
    Payment,
    PaymentProblem,
    PaymentSource,
    PaymentStatus,
    Refund,
    RefundedPayment,
    RefundStepRecord,
)
from sales_service.payments.notifications import BillingPaid
from sales_service.payments.refund_steps import RefundStatus, RefundStep
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.factories import ABSTRACT, make_buyer, make_map, make_publication, make_staff
from tests.services.test_invoices import SETTINGS, SLA, Clock

WIB = ZoneInfo("Asia/Jakarta")
ZONE = "Asia/Jakarta"
ACCOUNT = "425131"
PUBLICATION = 335_000  # 1.000 pages: 50.000 + 19 x 15.000
MAP = 70_000  # one regency by desa
_ntpns = iter(f"RECAP{n:011d}" for n in range(1, 10_000))


def wib(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def simponi(clock):
    return SimulatedSimponi(first_digit=8, webhook_url="http://127.0.0.1:9/unused",
                            webhook_secret="whsec_" + "A" * 44, clock=clock)


class Office:
    """Orders invoiced on chosen days and paid at chosen moments, through the services."""

    def __init__(self, session, officer, simponi, clock, tmp_path):
        self.session, self.officer, self.simponi, self.clock = session, officer, simponi, clock
        self.storage = FileStorage(tmp_path / "uploads")

    def invoice(self, issued_at: datetime, *products, buyer=None, zero_rate=False):
        session = self.session
        buyer = buyer or make_buyer(session)
        products = products or (make_publication(session, pages=1000),)
        day = issued_at.astimezone(WIB).date()
        order = ordering.add_to_order(session, buyer, products[0].id, on=day)
        for product in products[1:]:
            ordering.add_to_order(session, buyer, product.id, on=day)
        ordering.update_details(session, Actor(buyer), order.id, purpose="Penelitian", commercial=not zero_rate,
                                claim_zero_rate=zero_rate, zero_rate_purpose="research" if zero_rate else None)
        if order.kinds & {ProductKind.MICRODATA, ProductKind.MAP}:
            ordering.save_abstract(session, Actor(buyer), order.id, ABSTRACT, self.storage, max_bytes=10**7)
        if zero_rate:
            from sales_service.files.models import DocumentType
            from tests.factories import pdf_bytes

            ordering.upload_document(session, Actor(buyer), order.id, DocumentType.REQUEST_LETTER, pdf_bytes(),
                                     "surat.pdf", self.storage, max_bytes=10**7)
        ordering.submit(session, Actor(buyer), order.id, today=day, sla_days=SLA)
        if zero_rate:
            review.decide_zero_rate(session, Actor(self.officer), order.id, approve=True)
        review.accept(session, Actor(self.officer), order.id)
        self.clock.now = issued_at.astimezone(UTC)
        return invoices.issue_invoice(session, Actor(self.officer), order.id, SETTINGS, self.simponi, today=day)

    def pay(self, invoice, paid_at: datetime, amount: int | None = None) -> Payment:
        notice = BillingPaid(billing_code=invoice.current_code.code, amount=invoice.total if amount is None else amount,
                             currency="IDR", ntpn=next(_ntpns), ntb="123456789012", bank="BANK X", channel="teller",
                             paid_at=paid_at.astimezone(UTC))
        return payments.record_billing_payment(self.session, notice)

    def paid(self, issued_at: datetime, paid_at: datetime, *products) -> Payment:
        return self.pay(self.invoice(issued_at, *products), paid_at)


@pytest.fixture
def office(tariffs_loaded, officer, simponi, clock, tmp_path):
    return Office(tariffs_loaded, officer, simponi, clock, tmp_path)


def refund(session, payment: Payment, *, paid_on: date | None, decided_on: date) -> Refund:
    """A double payment returned as the refund procedure leaves it (``payments.resolutions``): the payment
    settled (received money), a refund of it approved and, when ``paid_on`` is given, paid by the KPPN."""
    treasurer = make_staff(session, Role.TREASURER)
    payment.status = PaymentStatus.SETTLED
    returned = Refund(amount=payment.amount, status=RefundStatus.PAID if paid_on else RefundStatus.APPROVED,
                      payer="Budi Santoso", order_id=payment.order_id, invoice_id=payment.invoice_id,
                      reason="Pembayaran ganda", opened_by_id=treasurer.id)
    session.add(returned)
    session.flush()
    session.add(RefundedPayment(refund_id=returned.id, payment_id=payment.id, amount=payment.amount))
    steps = [(RefundStep.REQUEST, decided_on - timedelta(days=3), None), (RefundStep.DECISION, decided_on, True)]
    if paid_on:
        steps.append((RefundStep.PAYMENT, paid_on, None))
    session.add_all(RefundStepRecord(refund_id=returned.id, step=step, happened_on=day, reference=f"{step.value}-1",
                                     approved=approved, recorded_by_id=treasurer.id) for step, day, approved in steps)
    session.flush()
    return returned


def seed_books(office) -> None:
    """November 2031: Rp335.000 + Rp405.000 (publication and map) on the 3rd, Rp335.000 on the 4th at
    00.30 WIB (still the 3rd in UTC) and the same code paid again that day, refunded by the KPPN on the
    20th; a wrong amount of Rp300.000 left flagged; an approved Rp0 order of a university on the 4th.
    December: Rp335.000 on the 1st at 00.15 WIB (still November in UTC), paid again on the 2nd, whose
    refund is approved but not paid yet."""
    session = office.session
    office.paid(wib(2031, 11, 3, 8), wib(2031, 11, 3, 10))
    office.paid(wib(2031, 11, 3, 8), wib(2031, 11, 3, 23, 30), make_publication(session, pages=1000),
                make_map(session))
    fourth = office.invoice(wib(2031, 11, 3, 9))
    office.pay(fourth, wib(2031, 11, 4, 0, 30))
    again = office.pay(fourth, wib(2031, 11, 4, 9))
    assert again.problem == PaymentProblem.DOUBLE_PAYMENT
    refund(session, again, paid_on=date(2031, 11, 20), decided_on=date(2031, 11, 12))
    december = office.invoice(wib(2031, 11, 28, 9))
    office.pay(december, wib(2031, 12, 1, 0, 15))
    refund(session, office.pay(december, wib(2031, 12, 2, 9)), paid_on=None, decided_on=date(2031, 12, 10))
    flagged = office.pay(office.invoice(wib(2031, 11, 3, 9)), wib(2031, 11, 3, 11), amount=300_000)
    assert flagged.status == PaymentStatus.FLAGGED  # recorded, not trusted: must not count
    school = make_buyer(session, segment=BuyerSegment.EDUCATION_INSTITUTION, institution="Universitas Contoh")
    free = office.invoice(wib(2031, 11, 4, 9), make_publication(session, pages=1000), buyer=school, zero_rate=True)
    assert free.total == 0 and all(line.waived for line in free.lines)


@pytest.fixture
def seeded(office):
    seed_books(office)
    return office.session


def settled_between(session, start: datetime, end: datetime) -> int:
    """What the treasurer's ledger says independently: the settled payments of the moments [start, end)."""
    return session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.status == PaymentStatus.SETTLED, Payment.paid_at >= start.astimezone(UTC),
        Payment.paid_at < end.astimezone(UTC)))


def refunds_paid_between(session, first: date, last: date) -> int:
    """The refunds the KPPN paid on the days [first, last]."""
    return session.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).join(
        RefundStepRecord, RefundStepRecord.refund_id == Refund.id).where(
        Refund.status == RefundStatus.PAID, RefundStepRecord.step == RefundStep.PAYMENT,
        RefundStepRecord.happened_on >= first, RefundStepRecord.happened_on <= last))


def test_the_days_of_a_month_total_the_settled_payments_minus_refunds_on_the_offices_calendar(seeded):
    session = seeded
    november = recap.revenue_recap(session, recap.Span.days_of(2031, 11), timezone=ZONE, account_code=ACCOUNT)

    by_day = {t.period: (t.received, t.refunded) for t in november.totals if t.received or t.refunded}
    assert by_day == {date(2031, 11, 3): (2 * PUBLICATION + MAP, 0), date(2031, 11, 4): (2 * PUBLICATION, 0),
                      date(2031, 11, 20): (0, PUBLICATION)}
    assert len(november.totals) == 30  # every day of November, empty ones included
    settled = settled_between(session, wib(2031, 11, 1, 0), wib(2031, 12, 1, 0))
    refunded = refunds_paid_between(session, date(2031, 11, 1), date(2031, 11, 30))
    assert (november.received, november.refunded) == (settled, refunded) == (4 * PUBLICATION + MAP, PUBLICATION)
    assert november.net == settled - refunded == 3 * PUBLICATION + MAP
    assert november.payments == 4  # the flagged payment of Rp300.000 is not revenue

    rows = {(r.period, r.item_code): r.amount for r in november.items}
    assert rows == {(date(2031, 11, 3), "pub-electronic"): 2 * PUBLICATION,
                    (date(2031, 11, 3), "map-regency-desa"): MAP,
                    (date(2031, 11, 4), "pub-electronic"): 2 * PUBLICATION}
    assert {r.account_code for r in november.items} == {ACCOUNT}
    assert {r.regulation for r in november.items} == {"PP 13/2024"}
    assert sum(r.amount for r in november.items) == november.received
    map_row = next(r for r in november.items if r.item_code == "map-regency-desa")
    assert map_row.name_id == "Peta digital wilkerstat satu kabupaten/kota per desa/kelurahan"


def test_the_months_of_a_year_total_the_settled_payments_minus_refunds_paid(seeded):
    session = seeded
    year = recap.revenue_recap(session, recap.Span.months_of(2031), timezone=ZONE, account_code=ACCOUNT)

    by_month = {t.period: (t.received, t.refunded, t.net) for t in year.totals if t.received}
    assert by_month == {date(2031, 11, 1): (4 * PUBLICATION + MAP, PUBLICATION, 3 * PUBLICATION + MAP),
                        date(2031, 12, 1): (2 * PUBLICATION, 0, 2 * PUBLICATION)}  # December's refund is not paid
    assert len(year.totals) == 12
    settled = settled_between(session, wib(2031, 1, 1, 0), wib(2032, 1, 1, 0))
    refunded = refunds_paid_between(session, date(2031, 1, 1), date(2031, 12, 31))
    assert year.net == settled - refunded == 5 * PUBLICATION + MAP
    assert {(r.item_code, r.amount) for r in year.item_totals} == {("pub-electronic", 6 * PUBLICATION),
                                                                    ("map-regency-desa", MAP)}
    assert sum(r.amount for r in year.items) == sum(r.amount for r in year.item_totals) == year.received


def test_the_rp0_register_shows_the_normal_amount_waived_per_segment(seeded):
    november = recap.revenue_recap(seeded, recap.Span.days_of(2031, 11), timezone=ZONE, account_code=ACCOUNT)
    assert [(w.period, w.segment, w.orders, w.lines, w.waived) for w in november.waivers] == [
        (date(2031, 11, 4), BuyerSegment.EDUCATION_INSTITUTION, 1, 1, PUBLICATION)]
    assert november.received == 4 * PUBLICATION + MAP  # waived money is no revenue
    december = recap.revenue_recap(seeded, recap.Span.days_of(2031, 12), timezone=ZONE, account_code=ACCOUNT)
    assert december.waivers == [] and december.received == 2 * PUBLICATION


def test_a_short_credit_is_split_over_the_items_pro_rata_to_the_rupiah(office):
    """A buyer abroad's transfer short by bank charges still counts, spread over the lines so that
    its parts add up to exactly what was credited."""
    session = office.session
    invoice = office.invoice(wib(2031, 10, 6, 9), make_publication(session, pages=1000), make_map(session))
    credited = 400_001  # of 405.000
    session.add(Payment(source=PaymentSource.TRANSFER_PROOF, amount=credited, currency="IDR",
                        paid_at=wib(2031, 10, 7, 0, 0).astimezone(UTC), status=PaymentStatus.SETTLED,
                        invoice_id=invoice.id, order_id=invoice.order_id, ntb="TT-1"))
    session.flush()

    october = recap.revenue_recap(session, recap.Span.days_of(2031, 10), timezone=ZONE, account_code=ACCOUNT)

    parts = {r.item_code: r.amount for r in october.items}
    assert parts == {"pub-electronic": 400_001 * 335_000 // 405_000,
                     "map-regency-desa": credited - 400_001 * 335_000 // 405_000}
    assert sum(parts.values()) == october.received == credited


def test_money_without_an_invoice_is_a_row_of_its_own_and_still_counts(office):
    session = office.session
    session.add(Payment(source=PaymentSource.CASH, amount=12_345, currency="IDR", status=PaymentStatus.SETTLED,
                        paid_at=wib(2031, 9, 10, 12).astimezone(UTC)))
    session.flush()
    september = recap.revenue_recap(session, recap.Span.days_of(2031, 9), timezone=ZONE, account_code=ACCOUNT)
    assert [(r.period, r.item_code, r.amount) for r in september.items] == [(date(2031, 9, 10), None, 12_345)]
    assert september.received == 12_345


def test_deposits_are_shown_apart_from_money_received(office):
    session = office.session
    session.add(Deposit(deposited_on=date(2031, 8, 20), billing_code="820310820000001", ntpn="DEPOSIT000000001",
                        amount=250_000))
    session.flush()
    august = recap.revenue_recap(session, recap.Span.days_of(2031, 8), timezone=ZONE, account_code=ACCOUNT)
    assert {t.period: t.deposited for t in august.totals if t.deposited} == {date(2031, 8, 20): 250_000}
    assert august.deposited == 250_000 and august.received == 0


@pytest.mark.parametrize("span, first, last, previous, following", [
    (recap.Span.days_of(2031, 1), date(2031, 1, 1), date(2031, 1, 31), recap.Span.days_of(2030, 12),
     recap.Span.days_of(2031, 2)),
    (recap.Span.days_of(2032, 2), date(2032, 2, 1), date(2032, 2, 29), recap.Span.days_of(2032, 1),
     recap.Span.days_of(2032, 3)),
    (recap.Span.months_of(2031), date(2031, 1, 1), date(2031, 12, 31), recap.Span.months_of(2030),
     recap.Span.months_of(2032)),
])
def test_a_span_is_a_month_of_days_or_a_year_of_months(span, first, last, previous, following):
    assert (span.first, span.last, span.previous, span.next) == (first, last, previous, following)
    assert len(span.periods) == (last - first).days + 1 if span.granularity == recap.Granularity.DAY else 12
    start, end = span.moments(ZONE)
    assert start == datetime(first.year, first.month, first.day, tzinfo=WIB) and end - start == timedelta(
        days=(last - first).days + 1)
