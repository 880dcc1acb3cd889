"""Officers issuing invoices at the same moment, each on a connection of their own,
with real commits: one order is invoiced once, invoice numbers stay unique and
without gaps, and an issue that loses to a concurrent change leaves no invoice,
number or bill behind. Runs on SQLite (``make test``) and PostgreSQL (``make test-pg``).

As in ``test_concurrency.py``: the shared ``session`` fixture rolls back one
connection, so it cannot show two transactions meeting; these tests commit through
their own sessions and delete every row they committed afterwards. Each test numbers
its invoices under an office code of its own, so the counters of other tests (and of
the other test here) cannot shift the numbers it expects.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import count

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sales_service.accounts.models import User
from sales_service.errors import DomainError
from sales_service.invoices import services
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.invoices.models import Invoice, InvoiceCounter, InvoiceStatus
from sales_service.invoices.simulator_models import SimulatedBill
from sales_service.orders import ordering, review, workflow
from sales_service.orders.lifecycle import Action, IllegalTransition, OrderStatus
from sales_service.orders.models import Order
from sales_service.orders.workflow import Actor, OrderChanged
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.services import load_tariff_dir
from sales_service.roles import Role
from tests.committed import WAIT_S, Committed, run_together
from tests.conftest import TARIFF_DIR
from tests.factories import make_buyer, make_publication, make_staff

TODAY = date(2026, 11, 24)
SLA_DAYS = {kind: 10 for kind in ProductKind}
NUMBER_FORMAT = "INV/{satker}/{year}/{seq:05d}"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"invoice-concurrency-test-secret!").decode()  # 32 bytes
ISSUERS = 6  # officers issuing invoices of different orders at once
BUYER_HEAD_START_S = 1  # ample for a request the database does not hold up
_runs = count(1)


@dataclass(frozen=True)
class World:
    buyer_id: int
    officer_ids: tuple[int, ...]
    publication_id: int
    settings: services.InvoiceSettings


def _unused_office_code(session: Session) -> str:
    """A random 6-digit satker no invoice or counter of this test run has used."""
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        counters = session.scalar(select(func.count()).where(InvoiceCounter.office_code == code))
        invoices = session.scalar(select(func.count()).where(Invoice.office_code == code))
        if counters == invoices == 0:
            return code


def arrange(factory: sessionmaker[Session], committed: Committed, *, officers: int) -> World:
    """A buyer, officers and a publication, committed (tariffs too if not yet stored),
    and invoice settings with an office code of the test's own."""
    run = next(_runs)
    with factory() as session:
        loaded = load_tariff_dir(session, TARIFF_DIR, loaded_by="test")
        committed.tariff_versions += [(r.code, r.version) for r in loaded if r.status != "unchanged"]
        buyer = make_buyer(session, email=f"ani.invoice-race{run}@example.test", full_name="Ani")
        staff = [make_staff(session, Role.OFFICER, email=f"petugas.invoice-race{run}.{n}@example.test",
                            full_name=f"Petugas {n}") for n in range(1, officers + 1)]
        publication = make_publication(session, title=f"Statistik Daerah (uji konkurensi invoice {run})", pages=1000)
        office_code = _unused_office_code(session)
        committed.office_codes.append(office_code)  # before the first invoice can use it
        session.commit()
        committed.user_ids += [buyer.id, *(officer.id for officer in staff)]
        committed.product_ids.append(publication.id)
        settings = services.InvoiceSettings(
            office_code=office_code, number_format=NUMBER_FORMAT, expiry_days=7,
            bank={"bank_name": "Bank Contoh", "account_name": "RPL BPS", "account_number": "123",
                  "swift": "BANKIDJA"})
        return World(buyer.id, tuple(officer.id for officer in staff), publication.id, settings)


def accepted_orders(factory: sessionmaker[Session], world: World, how_many: int) -> list[int]:
    """Orders of the publication, submitted by the buyer and accepted by the first officer, committed."""
    with factory() as session:
        buyer = session.get(User, world.buyer_id)
        officer = session.get(User, world.officer_ids[0])
        order_ids = []
        for _ in range(how_many):
            order = ordering.add_to_order(session, buyer, world.publication_id, on=TODAY)
            ordering.update_details(session, Actor(buyer), order.id, purpose="Penelitian", commercial=True,
                                  claim_zero_rate=False)
            ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
            review.accept(session, Actor(officer), order.id)
            order_ids.append(order.id)
        session.commit()
        return order_ids


def gateway() -> SimulatedSimponi:
    """The simulator keeps its bills through the session it is given, so each officer's
    transaction holds (or rolls back) its own bill."""
    return SimulatedSimponi(first_digit=8, webhook_url="http://127.0.0.1:9/", webhook_secret=WEBHOOK_SECRET)


@dataclass(frozen=True)
class Issued:
    number: str
    sequence: int
    code: str


def issuer(factory: sessionmaker[Session], world: World, officer_id: int, order_id: int,
           all_loaded: threading.Barrier) -> Callable[[], Issued]:
    """An officer who opens the order page, waits until every officer has, then clicks
    "issue invoice" (with the version the page showed, as the view sends) and commits."""
    def act() -> Issued:
        with factory() as session:
            officer = session.get(User, officer_id)
            version = workflow.get_order_for(session, order_id, officer).version
            all_loaded.wait()
            try:
                invoice = services.issue_invoice(session, Actor(officer), order_id, world.settings, gateway(),
                                                 today=TODAY, expected_version=version)
                session.commit()
            except DomainError:
                session.rollback()
                raise
            return Issued(invoice.number, invoice.sequence, invoice.current_code.code)
    return act


def bills_of_office(session: Session, office_code: str) -> list[SimulatedBill]:
    return list(session.scalars(select(SimulatedBill).where(
        SimulatedBill.invoice_number.startswith(f"INV/{office_code}/")).order_by(SimulatedBill.id)))


def counter_of(session: Session, office_code: str) -> int | None:
    return session.scalar(select(InvoiceCounter.last_sequence).where(
        InvoiceCounter.office_code == office_code, InvoiceCounter.year == TODAY.year))


def test_issuing_the_invoice_of_one_order_twice_at_once_yields_one_invoice(committing):
    factory, committed = committing
    world = arrange(factory, committed, officers=2)
    order_id, next_order_id = accepted_orders(factory, world, 2)
    office = world.settings.office_code
    with factory() as session:
        version_before = session.get(Order, order_id).version
        assert counter_of(session, office) is None, "the office's numbering starts in this test"

    # Both officers have the accepted order open (same version) before either clicks.
    # The loser's counter bump waits for the winner's commit (PostgreSQL row lock,
    # SQLite busy_timeout); then its invoice meets the winner's (unique order +
    # version), its order update matches no row (version counter), or it reads the
    # order only after the winner's commit and the version it was shown is stale:
    # each a clear conflict, and its whole transaction, number and bill included,
    # rolls back.
    both_loaded = threading.Barrier(2, timeout=WAIT_S)
    outcomes = run_together(*(issuer(factory, world, officer_id, order_id, both_loaded)
                              for officer_id in world.officer_ids))

    unexpected = [o for o in outcomes if isinstance(o, BaseException)
                  and not isinstance(o, OrderChanged | IllegalTransition)]
    assert not unexpected, f"only a clear conflict may stop an officer: {unexpected!r}"
    winners = [o for o in outcomes if isinstance(o, Issued)]
    losers = [o for o in outcomes if isinstance(o, OrderChanged | IllegalTransition)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    if isinstance(losers[0], OrderChanged):
        assert "baru saja diubah" in str(losers[0])
    winner = winners[0]
    assert winner.sequence == 1 and winner.number == f"INV/{office}/2026/00001"

    with factory() as session:
        invoices = services.invoices_of(session, order_id)
        assert [(i.number, i.status) for i in invoices] == [(winner.number, InvoiceStatus.ISSUED)]
        assert [c.code for c in invoices[0].billing_codes] == [winner.code]
        order = session.get(Order, order_id)
        assert order.status == OrderStatus.INVOICED
        assert order.version == version_before + 1, "exactly one write reached the order"
        trail = [e.action for e in workflow.events(session, order_id)]
        assert trail.count(Action.ISSUE_INVOICE.value) == 1
        assert counter_of(session, office) == winner.sequence, "the loser's number was given back"
        assert [(b.code, b.invoice_number) for b in bills_of_office(session, office)] == [
            (winner.code, winner.number)], "the loser's bill was rolled back with its invoice"

    # No gap: the next invoice of the office takes the number right after the winner's.
    with factory() as session:
        officer = session.get(User, world.officer_ids[0])
        following = services.issue_invoice(session, Actor(officer), next_order_id, world.settings, gateway(),
                                           today=TODAY)
        session.commit()
        assert following.sequence == winner.sequence + 1
        assert following.number == f"INV/{office}/2026/00002"


def test_invoice_numbers_stay_unique_and_without_gaps_under_concurrent_issuing(committing):
    factory, committed = committing
    world = arrange(factory, committed, officers=ISSUERS)
    order_ids = accepted_orders(factory, world, ISSUERS)
    office = world.settings.office_code

    # Every officer has their own accepted order open before any clicks: the issuers
    # queue on the year's counter (created by whichever comes first), and nobody loses.
    all_loaded = threading.Barrier(ISSUERS, timeout=WAIT_S)
    outcomes = run_together(*(issuer(factory, world, officer_id, order_id, all_loaded)
                              for officer_id, order_id in zip(world.officer_ids, order_ids, strict=True)))

    failures = [o for o in outcomes if not isinstance(o, Issued)]
    assert not failures, f"issuing invoices of different orders never conflicts: {failures!r}"
    assert sorted(o.sequence for o in outcomes) == list(range(1, ISSUERS + 1))
    assert len({o.number for o in outcomes}) == ISSUERS
    assert all(o.number == f"INV/{office}/2026/{o.sequence:05d}" for o in outcomes)

    with factory() as session:
        stored = list(session.scalars(select(Invoice).where(Invoice.office_code == office, Invoice.year == 2026)))
        assert sorted((i.order_id, i.sequence, i.number) for i in stored) == sorted(
            (order_id, o.sequence, o.number) for order_id, o in zip(order_ids, outcomes, strict=True))
        assert counter_of(session, office) == ISSUERS
        assert sorted((b.code, b.invoice_number) for b in bills_of_office(session, office)) == sorted(
            (o.code, o.number) for o in outcomes)
        assert {session.get(Order, order_id).status for order_id in order_ids} == {OrderStatus.INVOICED}


def test_an_issue_and_a_cancellation_at_once_one_of_them_happens_whole(committing, monkeypatch):
    factory, committed = committing
    world = arrange(factory, committed, officers=1)
    order_id, = accepted_orders(factory, world, 1)
    office = world.settings.office_code
    outcomes: dict[str, object] = {}

    def buyer_cancels() -> None:
        with factory() as session:
            buyer = session.get(User, world.buyer_id)
            try:
                ordering.cancel(session, Actor(buyer), order_id, reason="Tidak jadi.")
                session.commit()
                outcomes["buyer"] = "cancelled"
            except BaseException as exc:  # noqa: BLE001 - judged below
                session.rollback()
                outcomes["buyer"] = exc

    # The buyer clicks "cancel" after the officer's invoice, billing code and bill are
    # written and before the order's own update. Their request runs as far as the
    # database lets it (PostgreSQL: to its commit; SQLite: until the officer's write
    # lock stops it), then the officer goes on. Whoever is second is stopped by the
    # order's version counter, and what they wrote must go with their rollback.
    buyer = threading.Thread(target=buyer_cancels, name="buyer")
    transition = workflow.apply

    def cancel_meanwhile(session: Session, order: Order, actor: Actor | None, action: Action, **kwargs):
        if action == Action.ISSUE_INVOICE:
            buyer.start()
            buyer.join(timeout=BUYER_HEAD_START_S)
        return transition(session, order, actor, action, **kwargs)

    monkeypatch.setattr(workflow, "apply", cancel_meanwhile)
    with factory() as session:
        officer = session.get(User, world.officer_ids[0])
        try:
            services.issue_invoice(session, Actor(officer), order_id, world.settings, gateway(), today=TODAY)
            session.commit()
            outcomes["officer"] = "issued"
        except DomainError as exc:
            session.rollback()
            outcomes["officer"] = exc
    assert buyer.ident is not None, f"the issue stopped before its order update: {outcomes}"
    buyer.join(timeout=WAIT_S)
    assert not buyer.is_alive(), "the buyer's request never finished (deadlock?)"
    monkeypatch.undo()

    with factory() as session:
        status = session.get(Order, order_id).status
        invoices = services.invoices_of(session, order_id)
        bills = bills_of_office(session, office)
        counter = counter_of(session, office) or 0
    if status == OrderStatus.CANCELLED:
        assert outcomes["buyer"] == "cancelled" and isinstance(outcomes["officer"], OrderChanged), outcomes
        assert invoices == [], "no invoice for a cancelled order"
        assert bills == [], "no billing code anyone could pay"
        assert counter == 0, "the number was given back"
    else:
        assert outcomes["officer"] == "issued" and isinstance(outcomes["buyer"], OrderChanged), outcomes
        assert status == OrderStatus.INVOICED
        assert [(i.sequence, i.current_code.code) for i in invoices] == [(1, bills[0].code)] and len(bills) == 1
        assert counter == 1
