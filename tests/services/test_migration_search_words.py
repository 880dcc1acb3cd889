"""Orders made before the search words revision are found by the officers' text search after it:
the migration gives every existing order the words its buyer, institution and lines give it,
with the order's status."""

from __future__ import annotations

from datetime import date

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from sales_service import migrate
from sales_service.orders import queue
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import OrderSearchWord
from sales_service.orm import make_engine
from sales_service.pnbp import services as pnbp_services
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.conftest import TARIFF_DIR
from tests.factories import make_buyer, make_map, make_order, make_publication, make_staff, make_walk_in_order
from tests.services.test_migrations import empty_database_url  # noqa: F401  (fixture)

REVISION = "0016"  # the words each order is found by
TODAY = date(2026, 11, 24)


def test_upgrading_gives_existing_orders_their_search_words(empty_database_url):  # noqa: F811
    url = empty_database_url
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            migrate.upgrade(url, connection=connection)
        with Session(engine) as session:
            pnbp_services.load_tariff_dir(session, TARIFF_DIR, loaded_by="test")
            officer = make_staff(session, Role.OFFICER)
            ani = make_buyer(session, full_name="Ani Lestari", segment=BuyerSegment.STUDENT,
                             institution="Universitas Gadjah Mada")
            online = make_order(session, ani, make_publication(session, title="Statistik Daerah Klaten 2025"),
                                make_map(session, title="Peta Kabupaten Boyolali"), submitted_on=TODAY)
            counter = make_walk_in_order(session, officer, make_publication(session, title="Sawit Dalam Angka"),
                                         name="Citra Déwi", institution="Bappeda Jawa Tengah",
                                         segment=BuyerSegment.REGIONAL_GOVERNMENT, submitted_on=TODAY)
            ids = online.id, counter.id
            session.commit()

        # Back to before the revision (its table dropped), then forward again, as a database of
        # that time would be upgraded.
        previous = ScriptDirectory.from_config(migrate.alembic_config(url)).get_revision(REVISION).down_revision
        plain = create_engine(url)  # as `flask migrate` connects
        try:
            with plain.begin() as connection:
                command.downgrade(migrate.alembic_config(url, connection), previous)
        finally:
            plain.dispose()
        with engine.begin() as connection:
            migrate.upgrade(url, connection=connection)

        with Session(engine) as session:
            words = {order_id: set(session.scalars(select(OrderSearchWord.word).where(
                OrderSearchWord.order_id == order_id))) for order_id in ids}
            statuses = set(session.scalars(select(OrderSearchWord.status).distinct()))

            def found(typed: str) -> list[int]:
                return [row.order.id for row in queue.officer_queue(
                    session, today=TODAY, to_local=lambda moment: moment.date(), text=typed).items]

            assert found("lest klaten") == [ids[0]] and found("dewi sawit") == [ids[1]]
            assert found("2025") == [ids[0]] and found("tengah") == [ids[1]]
    finally:
        engine.dispose()

    assert statuses == {OrderStatus.SUBMITTED}  # each row carries its order's status
    assert words == {
        ids[0]: {"ani", "lestari", "universitas", "gadjah", "mada", "statistik", "daerah", "klaten", "2025", "peta",
                 "kabupaten", "boyolali"},
        ids[1]: {"citra", "dewi", "bappeda", "jawa", "tengah", "sawit", "dalam", "angka"},
    }
