"""Two officers acting at the same moment, each on a connection of their own, with
real commits: one wins, the other is told the order just changed, and nothing of
the losing action is stored. Runs on SQLite (``make test``) and PostgreSQL
(``make test-pg``).

The shared ``session`` fixture rolls back one connection, so it cannot show two
transactions meeting; these tests commit through their own sessions and delete
every row they committed afterwards (other tests count microdata sets, queue
numbers of the day and "new" tariff loads).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from itertools import count

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sales_service.accounts.models import User
from sales_service.catalog.models import MicrodataSet
from sales_service.errors import DomainError
from sales_service.files.storage import FileStorage
from sales_service.orders import ordering, review, walk_in, workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import (
    Order,
    OrderEvent,
    ReturnReason,
    WalkInVisit,
)
from sales_service.orders.workflow import Actor, OrderChanged
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.services import load_tariff_dir
from sales_service.roles import Role
from tests.committed import WAIT_S, Committed, run_together
from tests.conftest import TARIFF_DIR
from tests.factories import ABSTRACT, make_buyer, make_microdata, make_staff

TODAY = date(2026, 11, 24)
RACE_DAY = date(2026, 12, 1)  # a day no other test registers walk-ins on: its numbers start at 1
SLA_DAYS = {ProductKind.PUBLICATION: 10, ProductKind.MICRODATA: 15, ProductKind.MAP: 10}
MAX_BYTES = 10_000_000
_runs = count(1)


@dataclass(frozen=True)
class World:
    buyer_id: int
    officer_ids: tuple[int, int]
    dataset_id: int


def arrange(factory: sessionmaker[Session], committed: Committed) -> World:
    """A buyer, two officers and a microdata set, committed (tariffs too if not yet stored)."""
    run = next(_runs)
    with factory() as session:
        loaded = load_tariff_dir(session, TARIFF_DIR, loaded_by="test")
        committed.tariff_versions += [(r.code, r.version) for r in loaded if r.status != "unchanged"]
        buyer = make_buyer(session, email=f"ani.race{run}@example.test", full_name="Ani")
        officers = tuple(make_staff(session, Role.OFFICER, email=f"petugas.race{run}.{n}@example.test",
                                    full_name=f"Petugas {n}") for n in (1, 2))
        dataset = make_microdata(session, title=f"Susenas Maret 2024 (uji konkurensi {run})", record_count=500_000)
        session.commit()
        committed.user_ids += [buyer.id, *(officer.id for officer in officers)]
        committed.product_ids.append(dataset.id)
        return World(buyer.id, (officers[0].id, officers[1].id), dataset.id)


def submitted_order(factory: sessionmaker[Session], world: World, storage: FileStorage) -> int:
    with factory() as session:
        buyer = session.get(User, world.buyer_id)
        dataset = session.get(MicrodataSet, world.dataset_id)
        chosen = [v.id for v in dataset.variables if v.name in ("R101", "KAPITA")]
        order = ordering.add_to_order(session, buyer, dataset.id, chosen, on=TODAY)
        ordering.update_details(session, Actor(buyer), order.id, purpose="Penelitian tesis", commercial=False,
                                claim_zero_rate=False)
        ordering.save_abstract(session, Actor(buyer), order.id, ABSTRACT, storage, max_bytes=MAX_BYTES)
        ordering.submit(session, Actor(buyer), order.id, today=TODAY, sla_days=SLA_DAYS)
        session.commit()
        return order.id


@pytest.fixture
def storage(tmp_path) -> FileStorage:
    return FileStorage(tmp_path / "uploads")


def test_two_officers_acting_at_once_one_wins_the_other_is_told_nothing_half_applied(committing, storage):
    factory, committed = committing
    world = arrange(factory, committed)
    order_id = submitted_order(factory, world, storage)
    with factory() as session:
        version_before = session.get(Order, order_id).version

    # Both officers have the order page open (same version) before either clicks: the
    # barrier sits after the load and before the write, so the loser cannot see the
    # winner's new status and is stopped by the version counter (OrderChanged), not by
    # the lifecycle (IllegalTransition). The loser's UPDATE ... WHERE version = N then
    # waits for the winner's commit (PostgreSQL row lock, SQLite busy_timeout) and
    # matches no row.
    both_loaded = threading.Barrier(2, timeout=WAIT_S)

    def officer_acts(officer_id: int, action: str) -> str:
        with factory() as session:
            officer = session.get(User, officer_id)
            version = workflow.get_order_for(session, order_id, officer).version
            both_loaded.wait()
            try:
                if action == "accept":
                    review.accept(session, Actor(officer), order_id, expected_version=version)
                else:
                    review.return_order(session, Actor(officer), order_id,
                                          {"abstract": "Metode belum dijelaskan."}, expected_version=version)
                session.commit()
            except DomainError:
                session.rollback()
                raise
        return action

    outcomes = run_together(lambda: officer_acts(world.officer_ids[0], "accept"),
                            lambda: officer_acts(world.officer_ids[1], "return"))

    unexpected = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, OrderChanged)]
    assert not unexpected, f"only a clear conflict may stop an officer: {unexpected!r}"
    winners = [o for o in outcomes if isinstance(o, str)]
    losers = [o for o in outcomes if isinstance(o, OrderChanged)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "baru saja diubah" in str(losers[0])
    winner = winners[0]
    loser = "return" if winner == "accept" else "accept"

    with factory() as session:
        order = session.get(Order, order_id)
        assert order.status == {"accept": OrderStatus.ACCEPTED, "return": OrderStatus.RETURNED}[winner]
        assert order.version == version_before + 1, "exactly one write reached the order"
        trail = [e.action for e in workflow.events(session, order_id)]
        assert trail.count(winner) == 1
        assert trail.count(loser) == 0
        reasons = session.scalar(select(func.count(ReturnReason.id)).join(OrderEvent)
                                 .where(OrderEvent.order_id == order_id))
        assert reasons == (1 if winner == "return" else 0)


def test_two_officers_registering_walk_ins_at_once_get_numbers_one_and_two(committing):
    factory, committed = committing
    world = arrange(factory, committed)
    committed.walk_in_days.append(RACE_DAY)

    # Both officers press "register" at the same moment, each a guest of their own.
    both_ready = threading.Barrier(2, timeout=WAIT_S)

    def register_guest(officer_id: int, name: str) -> int:
        with factory() as session:
            officer = session.get(User, officer_id)
            guest = dict(name=name, identity_type="ktp", identity_number="3310010101900001",
                         email="tamu@example.test", purpose="Penelitian", segment="individual",
                         commercial="0")
            both_ready.wait()
            order = walk_in.create_walk_in(session, Actor(officer), guest, [world.dataset_id], today=RACE_DAY)
            session.commit()
            return order.walk_in.queue_number

    outcomes = run_together(lambda: register_guest(world.officer_ids[0], "Tamu Satu"),
                            lambda: register_guest(world.officer_ids[1], "Tamu Dua"))

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert sorted(outcomes) == [1, 2]
    with factory() as session:
        guest_book = session.execute(select(WalkInVisit.queue_number, WalkInVisit.name)
                                     .where(WalkInVisit.visit_date == RACE_DAY)).all()
        assert sorted(guest_book) == sorted(zip(outcomes, ["Tamu Satu", "Tamu Dua"], strict=True))
