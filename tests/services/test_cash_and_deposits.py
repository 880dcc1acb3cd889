"""Cash at the counter for walk-in orders, and deposits of held money to the state treasury."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sales_service.accounts.models import Domicile
from sales_service.errors import PermissionDenied
from sales_service.files.storage import FileStorage
from sales_service.invoices import services as invoices
from sales_service.invoices.models import InvoiceStatus
from sales_service.orders import review, workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.payments import balances, cash, deposits, transfers
from sales_service.payments import services as payments
from sales_service.payments.models import DepositedPayment, PaymentSource, PaymentStatus
from sales_service.payments.notifications import BillingPaid
from sales_service.payments.permissions import CashOnlyForWalkIns, TreasurersOnly
from sales_service.roles import Role
from tests.factories import make_buyer, make_publication, make_staff, make_walk_in_order, pdf_bytes
from tests.services.test_invoices import SETTINGS, TODAY, accepted_order

DAY = date(2026, 11, 26)  # the office's day of the cash and the deposits
TZ = "Asia/Jakarta"


@pytest.fixture
def staff(tariffs_loaded):
    session = tariffs_loaded
    return {"officer": make_staff(session, Role.OFFICER, full_name="Petugas Loket"),
            "treasurer": make_staff(session, Role.TREASURER, full_name="Bendahara Satu")}


def walk_in_invoiced(session, staff, gateway):
    """A walk-in visitor's publication order (1.000 pages: Rp335.000), invoiced."""
    order = make_walk_in_order(session, staff["officer"], make_publication(session, pages=1000))
    review.accept(session, Actor(staff["officer"]), order.id)
    invoice = invoices.issue_invoice(session, Actor(staff["officer"]), order.id, SETTINGS, gateway, today=TODAY)
    assert invoice.total == 335_000
    return order, invoice


def pay_cash(session, staff, order, amount: str, *, on: date = DAY, who=None):
    return cash.record_cash(session, Actor(who or staff["treasurer"]), order.id, amount=amount,
                            received_on=on.isoformat(), received_by="Rina, loket", today=DAY)


# -- cash -----------------------------------------------------------------------------------------------

def test_cash_of_the_whole_amount_settles_a_walk_in_order(tariffs_loaded, staff, gateway):
    session = tariffs_loaded
    order, invoice = walk_in_invoiced(session, staff, gateway)
    payment = pay_cash(session, staff, order, "335.000")
    assert (payment.source, payment.status, payment.amount, payment.received_by) == (
        PaymentSource.CASH, PaymentStatus.SETTLED, 335_000, "Rina, loket")
    assert payment.recorded_by_id == staff["treasurer"].id
    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID
    actions = [e.action for e in workflow.events(session, order.id)]
    assert actions[-2:] == ["record_cash", "record_payment"]


def test_cash_above_the_remainder_is_refused_with_the_remainder_named(tariffs_loaded, staff, gateway):
    session = tariffs_loaded
    order, invoice = walk_in_invoiced(session, staff, gateway)
    with pytest.raises(cash.CashAboveRemainder, match="sisa tagihan Rp335.000"):
        pay_cash(session, staff, order, "400.000")
    assert payments.payments_of_invoice(session, invoice.id) == [] and order.status == OrderStatus.INVOICED


def test_part_cash_leaves_the_rest_due_and_the_rest_settles(tariffs_loaded, staff, gateway):
    session = tariffs_loaded
    order, invoice = walk_in_invoiced(session, staff, gateway)
    pay_cash(session, staff, order, "300.000")
    facts = balances.facts(session, order, invoice)
    assert (facts.paid, facts.remainder) == (300_000, 35_000) and order.status == OrderStatus.INVOICED
    with pytest.raises(cash.CashAboveRemainder, match="sisa tagihan Rp35.000"):
        pay_cash(session, staff, order, "50.000")
    pay_cash(session, staff, order, "35000")
    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID


def test_cash_is_for_walk_in_orders_and_recorded_by_the_treasurer(tariffs_loaded, staff, gateway, tmp_path):
    session = tariffs_loaded
    order, _invoice = walk_in_invoiced(session, staff, gateway)
    with pytest.raises(TreasurersOnly):
        pay_cash(session, staff, order, "335.000", who=staff["officer"])
    online, _ = accepted_order(session, staff["officer"], tmp_path)
    invoices.issue_invoice(session, Actor(staff["officer"]), online.id, SETTINGS, gateway, today=TODAY)
    with pytest.raises(CashOnlyForWalkIns):
        pay_cash(session, staff, online, "335.000")


# -- deposits -------------------------------------------------------------------------------------------

def slip(amount: str, *, code="820261126000001", ntpn="SETOR0000000001A", on: date = DAY) -> deposits.DepositSlip:
    return deposits.DepositSlip(deposited_on=on.isoformat(), billing_code=code, ntpn=ntpn, amount=amount)


def deposit(session, staff, the_slip, payment_ids):
    return deposits.record_deposit(session, Actor(staff["treasurer"]), the_slip, payment_ids, today=DAY, timezone=TZ)


def held_ids(session) -> list[int]:
    return [row.payment.id for row in deposits.held(session, today=DAY, timezone=TZ).items]


@pytest.fixture
def two_held(tariffs_loaded, staff, gateway, tmp_path):
    """Two walk-in orders paid in cash, on 25 and 26 November."""
    session = tariffs_loaded
    first, _ = walk_in_invoiced(session, staff, gateway)
    second, _ = walk_in_invoiced(session, staff, gateway)
    return pay_cash(session, staff, second, "335.000", on=date(2026, 11, 26)), \
        pay_cash(session, staff, first, "335.000", on=date(2026, 11, 25))


def test_held_money_is_listed_oldest_first_with_its_age(tariffs_loaded, two_held):
    session = tariffs_loaded
    newer, older = two_held
    rows = deposits.held(session, today=date(2026, 11, 30), timezone=TZ).items
    assert [(r.payment.id, r.received_on, r.age_days) for r in rows] == [
        (older.id, date(2026, 11, 25), 5), (newer.id, date(2026, 11, 26), 4)]
    assert deposits.holding(session) == deposits.Holding(count=2, total=670_000)


def test_billing_code_payments_are_not_held(tariffs_loaded, staff, gateway, tmp_path):
    session = tariffs_loaded
    order, invoice = accepted_order(session, staff["officer"], tmp_path)
    invoice = invoices.issue_invoice(session, Actor(staff["officer"]), order.id, SETTINGS, gateway, today=TODAY)
    payments.record_billing_payment(session, BillingPaid(
        billing_code=invoice.current_code.code, amount=335_000, currency="IDR", ntpn="0A1B2C3D4E5F6G7H", ntb=None,
        bank="BANK X", channel="teller", paid_at=datetime(2026, 11, 24, 5, tzinfo=UTC)))
    assert order.status == OrderStatus.PAID and held_ids(session) == []  # paid straight into the state treasury


def test_a_deposit_covering_two_payments_clears_them_from_the_held_list(tariffs_loaded, staff, two_held):
    session = tariffs_loaded
    newer, older = two_held
    made = deposit(session, staff, slip("670.000", ntpn="setor0000000001a"), [newer.id, older.id])
    assert (made.amount, made.ntpn, made.billing_code) == (670_000, "SETOR0000000001A", "820261126000001")
    assert sorted(item.payment_id for item in made.items) == sorted([newer.id, older.id])
    assert held_ids(session) == [] and deposits.holding(session).total == 0
    assert [d.id for d in deposits.deposits(session).items] == [made.id]
    assert workflow.events(session, newer.order_id)[-1].action == "deposit"


def test_depositing_a_payment_twice_is_refused(tariffs_loaded, staff, two_held):
    session = tariffs_loaded
    newer, older = two_held
    deposit(session, staff, slip("335.000"), [older.id])
    with pytest.raises(deposits.AlreadyDeposited, match=f"#{older.id} sudah disetor"):
        deposit(session, staff, slip("670.000", code="820261126000002", ntpn="SETOR0000000002B"), [older.id, newer.id])
    assert held_ids(session) == [newer.id]


def test_the_database_itself_refuses_a_second_deposit_of_one_payment(tariffs_loaded, staff, two_held):
    session = tariffs_loaded
    _newer, older = two_held
    first = deposit(session, staff, slip("335.000"), [older.id])
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(DepositedPayment(deposit_id=first.id, payment_id=older.id))
    assert session.scalars(select(DepositedPayment.payment_id)).all() == [older.id]


@pytest.mark.parametrize("the_slip, error", [
    (slip("600.000"), deposits.AmountNotTheSum),  # not the sum of what was ticked
    (slip("670.000", code="82026112600000"), Exception),  # 14 digits
    (slip("670.000", ntpn="SETOR-0000000001"), Exception),  # not letters and digits
    (slip("670.000", on=date(2026, 11, 25)), deposits.DepositBeforeReceipt),  # before the 26th's cash came in
])
def test_a_deposit_must_match_its_payments_and_its_slip(tariffs_loaded, staff, two_held, the_slip, error):
    session = tariffs_loaded
    newer, older = two_held
    with pytest.raises(error):
        deposit(session, staff, the_slip, [newer.id, older.id])
    assert sorted(held_ids(session)) == sorted([newer.id, older.id])


def test_one_ntpn_is_one_deposit(tariffs_loaded, staff, two_held):
    session = tariffs_loaded
    newer, older = two_held
    deposit(session, staff, slip("335.000"), [older.id])
    with pytest.raises(deposits.DepositRecorded):
        deposit(session, staff, slip("335.000", code="820261126000009"), [newer.id])


def test_a_verified_transfer_is_held_and_a_pending_one_is_not(tariffs_loaded, staff, gateway, tmp_path):
    session = tariffs_loaded
    buyer = make_buyer(session, domicile=Domicile.ABROAD)
    order, _ = accepted_order(session, staff["officer"], tmp_path, buyer=buyer)
    invoices.issue_invoice(session, Actor(staff["officer"]), order.id, SETTINGS, gateway, today=TODAY)
    proof = transfers.upload_proof(
        session, Actor(buyer), order.id, (pdf_bytes(), "wire.pdf"),
        transfers.DeclaredTransfer(amount="21.50", currency="USD", transferred_on="2026-11-25", sender_name="J",
                                   sender_bank="B", reference="R1"),
        FileStorage(tmp_path / "up"), max_bytes=10**7, locale="en_GB", today=DAY)
    assert held_ids(session) == []
    transfers.verify_proof(session, Actor(staff["treasurer"]), proof.id, credited=320_000, received_on=DAY)
    [row] = deposits.held(session, today=DAY, timezone=TZ).items
    assert (row.payment.amount, row.payment.source, row.received_on) == (320_000, PaymentSource.TRANSFER_PROOF, DAY)


def test_only_the_treasurer_records_a_deposit(tariffs_loaded, staff, two_held):
    session = tariffs_loaded
    newer, _older = two_held
    with pytest.raises(PermissionDenied):
        deposits.record_deposit(session, Actor(staff["officer"]), slip("335.000"), [newer.id], today=DAY,
                                timezone=TZ)
