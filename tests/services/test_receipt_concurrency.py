"""Treasurers issuing receipts at the same moment, each on a connection of their own, with real
commits: receipt numbers stay unique and without gaps, and one invoice receipted twice at once
gets one receipt. Runs on SQLite (``make test``) and PostgreSQL (``make test-pg``), where the
row lock on the year's counter and the one-issued-receipt index are what decide.

Built on ``test_invoice_concurrency``'s arrangements: each test numbers under an office code of
its own, and everything it committed is deleted afterwards (``tests/committed.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sales_service.accounts.models import User
from sales_service.documents.layout import Office
from sales_service.errors import Conflict, DomainError
from sales_service.files.storage import FileStorage
from sales_service.invoices import services as invoices
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order
from sales_service.orders.workflow import Actor
from sales_service.payments import receipts
from sales_service.payments import services as payments
from sales_service.payments.models import Receipt, ReceiptCounter
from sales_service.payments.notifications import BillingPaid
from sales_service.roles import Role
from tests.committed import WAIT_S, Committed, run_together
from tests.factories import make_staff
from tests.services.test_invoice_concurrency import TODAY, World, accepted_orders, arrange, gateway

ISSUE_DAY = date(2026, 11, 26)
TREASURERS = 6  # receipts of different invoices issued at once


@dataclass(frozen=True)
class Issued:
    number: str
    sequence: int


def treasurers(factory: sessionmaker[Session], committed: Committed, how_many: int) -> list[int]:
    with factory() as session:
        staff = [make_staff(session, Role.TREASURER, email=f"bendahara.race{n}.{id(committed)}@example.test",
                            full_name=f"Bendahara {n}") for n in range(1, how_many + 1)]
        session.commit()
        committed.user_ids += [user.id for user in staff]
        return [user.id for user in staff]


def paid_orders(factory: sessionmaker[Session], world: World, how_many: int) -> list[int]:
    """Accepted orders, invoiced and paid by billing code (a NTPN of their own each), committed."""
    order_ids = accepted_orders(factory, world, how_many)
    with factory() as session:
        officer = session.get(User, world.officer_ids[0])
        for order_id in order_ids:
            invoice = invoices.issue_invoice(session, Actor(officer), order_id, world.settings, gateway(), today=TODAY)
            ntpn = f"R{world.settings.office_code}{order_id:09d}"  # 16 characters, unique per order
            payments.record_billing_payment(session, BillingPaid(
                billing_code=invoice.current_code.code, amount=invoice.total, currency="IDR", ntpn=ntpn,
                ntb="123456789012", bank="BANK X", channel="teller", paid_at=datetime(2026, 11, 25, 3, tzinfo=UTC)))
        session.commit()
        assert {session.get(Order, order_id).status for order_id in order_ids} == {OrderStatus.PAID}
    return order_ids


def settings_for(world: World, tmp_path) -> receipts.ReceiptSettings:
    office = Office(name="BPS Uji", address="Jl. Uji", city="Uji", satker_code=world.settings.office_code,
                    ministry_code="054", echelon_code="01", account_code="425131", head_name="Kepala",
                    treasurer_name="Bendahara", treasurer_nip="198703152010122001")
    return receipts.ReceiptSettings(office=office, timezone="Asia/Jakarta", storage=FileStorage(tmp_path / "files"),
                                    verify_url=lambda code: f"https://penjualan.example/verify/kuitansi/{code}")


def issuer(factory: sessionmaker[Session], settings: receipts.ReceiptSettings, treasurer_id: int, order_id: int,
           all_loaded: threading.Barrier) -> Callable[[], Issued]:
    """A treasurer who opens the order page, waits until every treasurer has, then clicks "issue
    the receipt" (with the version the page showed) and commits."""
    def act() -> Issued:
        with factory() as session:
            treasurer = session.get(User, treasurer_id)
            version = workflow.get_order_for(session, order_id, treasurer).version
            all_loaded.wait()
            try:
                receipt = receipts.issue_receipt(session, Actor(treasurer), order_id, settings, today=ISSUE_DAY,
                                                 expected_version=version)
                session.commit()
            except DomainError:
                session.rollback()
                raise
            return Issued(receipt.number, receipt.sequence)
    return act


def counter_of(session: Session, office_code: str) -> int | None:
    return session.scalar(select(ReceiptCounter.last_sequence).where(
        ReceiptCounter.office_code == office_code, ReceiptCounter.year == ISSUE_DAY.year))


def test_receipt_numbers_stay_unique_and_without_gaps_under_concurrent_issuing(committing, tmp_path):
    factory, committed = committing
    world = arrange(factory, committed, officers=1)
    staff = treasurers(factory, committed, TREASURERS)
    order_ids = paid_orders(factory, world, TREASURERS)
    settings = settings_for(world, tmp_path)
    office = world.settings.office_code

    all_loaded = threading.Barrier(TREASURERS, timeout=WAIT_S)
    outcomes = run_together(*(issuer(factory, settings, treasurer_id, order_id, all_loaded)
                              for treasurer_id, order_id in zip(staff, order_ids, strict=True)))

    failures = [o for o in outcomes if not isinstance(o, Issued)]
    assert not failures, f"receipts of different invoices never conflict: {failures!r}"
    assert sorted(o.sequence for o in outcomes) == list(range(1, TREASURERS + 1))
    assert sorted(o.number for o in outcomes) == [f"KW/{office}/2026/{n:05d}" for n in range(1, TREASURERS + 1)]
    with factory() as session:
        stored = list(session.scalars(select(Receipt).where(Receipt.office_code == office)))
        assert sorted((r.order_id, r.number) for r in stored) == sorted(
            (order_id, o.number) for order_id, o in zip(order_ids, outcomes, strict=True))
        assert counter_of(session, office) == TREASURERS
        assert {session.get(Order, order_id).status for order_id in order_ids} == {OrderStatus.RECEIPTED}


def test_one_invoice_receipted_twice_at_once_gets_one_receipt(committing, tmp_path):
    factory, committed = committing
    world = arrange(factory, committed, officers=1)
    staff = treasurers(factory, committed, 2)
    order_id, next_order_id = paid_orders(factory, world, 2)
    settings = settings_for(world, tmp_path)
    office = world.settings.office_code

    # Both treasurers have the paid order open before either clicks. The loser's counter bump waits
    # for the winner's commit; then it finds the order receipted, its page stale, or the winner's
    # receipt in the one-issued-receipt index: a clear conflict, and its number is given back.
    both_loaded = threading.Barrier(2, timeout=WAIT_S)
    outcomes = run_together(*(issuer(factory, settings, treasurer_id, order_id, both_loaded)
                              for treasurer_id in staff))
    winners = [o for o in outcomes if isinstance(o, Issued)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert winners[0].number == f"KW/{office}/2026/00001"

    with factory() as session:
        assert [r.number for r in receipts.receipts_of_order(session, order_id)] == [winners[0].number]
        trail = [e.action for e in workflow.events(session, order_id)]
        assert trail.count("issue_receipt") == 1
        assert counter_of(session, office) == 1, "the loser's number was given back"

    # No gap: the next receipt of the office takes the number right after the winner's.
    with factory() as session:
        treasurer = session.get(User, staff[0])
        following = receipts.issue_receipt(session, Actor(treasurer), next_order_id, settings, today=ISSUE_DAY)
        session.commit()
        assert following.number == f"KW/{office}/2026/00002"
