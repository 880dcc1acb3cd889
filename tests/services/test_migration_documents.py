"""Rows written before the documents revision get what it adds: the tariff item's name on order and
invoice lines, and an agreement number in the SPPD's own series for invoices of microdata or maps."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from sales_service import migrate
from sales_service.invoices import services
from sales_service.orm import make_engine
from sales_service.pnbp import services as pnbp_services
from sales_service.roles import Role
from tests.conftest import TARIFF_DIR
from tests.factories import make_map, make_microdata, make_publication, make_staff
from tests.services.test_invoices import SETTINGS, TODAY, Clock, accepted_order
from tests.services.test_migrations import empty_database_url  # noqa: F401  (fixture)

REVISION = "0014"  # tariff item names, the SPPD's own number series, transfer validity, PDFs rendered once


def test_upgrading_names_old_lines_and_numbers_old_agreements(empty_database_url, tmp_path):  # noqa: F811
    from sales_service.invoices.gateway import SimulatedSimponi

    url = empty_database_url
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            migrate.upgrade(url, connection=connection)
        with Session(engine) as session:
            pnbp_services.load_tariff_dir(session, TARIFF_DIR, loaded_by="test")
            officer = make_staff(session, Role.OFFICER)
            gateway = SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret="whsec_" + "A" * 44,
                                       clock=Clock())
            issued = {}
            for name, product in (("microdata", make_microdata(session)), ("publication", make_publication(session)),
                                  ("map", make_map(session))):
                order, _ = accepted_order(session, officer, tmp_path, product=product)
                issued[name] = services.issue_invoice(session, _actor(officer), order.id, SETTINGS, gateway,
                                                      today=TODAY).id
            session.commit()

        # Back to before the revision (its columns and tables dropped), then forward again, as a
        # database of that time would be upgraded.
        previous = ScriptDirectory.from_config(migrate.alembic_config(url)).get_revision(REVISION).down_revision
        plain = create_engine(url)  # as `flask migrate` connects: SQLite rebuilds tables on the way down
        try:
            with plain.begin() as connection:
                command.downgrade(migrate.alembic_config(url, connection), previous)
        finally:
            plain.dispose()
        with engine.begin() as connection:
            migrate.upgrade(url, connection=connection)

        with engine.connect() as connection:
            names = set(connection.execute(text("SELECT item_code, item_name FROM order_line")))
            invoice_names = set(connection.execute(text("SELECT item_code, item_name FROM invoice_line")))
            numbers = {row[0]: row[1] for row in connection.execute(text("SELECT id, sppd_number FROM invoice"))}
            counter = connection.execute(text("SELECT office_code, year, last_sequence FROM sppd_counter")).all()
    finally:
        engine.dispose()

    expected = {("microdata-raw", "Data mikro belum diolah (per set data)"), ("pub-electronic", "Publikasi elektronik"),
                ("map-regency-desa", "Peta digital wilkerstat satu kabupaten/kota per desa/kelurahan")}
    assert names == invoice_names == expected
    assert numbers == {issued["microdata"]: "SPPD/927100/2026/00001", issued["publication"]: None,
                       issued["map"]: "SPPD/927100/2026/00002"}
    assert counter == [("927100", 2026, 2)]  # the next agreement continues the series


def _actor(user):
    from sales_service.orders.workflow import Actor

    return Actor(user)
