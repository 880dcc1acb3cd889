"""The migrations build the schema the models expect, and its constraints hold, on
whichever database the suite runs against (SQLite by default, PostgreSQL under
``make test-pg``)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from sales_service.catalog.models import Publication


def test_migrations_create_the_catalogue_and_tariff_tables(engine):
    tables = set(inspect(engine).get_table_names())

    assert {
        "user_account", "product", "publication", "microdata_set", "microdata_variable",
        "digital_map", "tariff_schedule_version", "alembic_version",
    } <= tables


def test_database_refuses_a_publication_without_pages(session):
    # Bypasses the service's own check on purpose: the CHECK constraint is the last line.
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(Publication(title="Publikasi Kosong", pages=0, language="Indonesia"))

    # Only the savepoint was lost (PostgreSQL aborts the whole transaction otherwise).
    session.add(Publication(title="Publikasi Berisi", pages=12, language="Indonesia"))
    session.flush()
    titles = session.scalars(select(Publication.title)).all()
    assert titles == ["Publikasi Berisi"]
    assert session.scalar(select(func.count()).select_from(Publication)) == 1


def test_an_open_read_on_the_embedded_database_does_not_hold_up_a_payment_being_written(tmp_path):
    """SQLite runs in write-ahead-log mode: while one request is still reading (a long
    export, a page), another commits its write at once instead of waiting for it."""
    from sales_service.orm import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.begin() as setup:
            setup.exec_driver_sql("CREATE TABLE held (id INTEGER PRIMARY KEY, amount INTEGER)")
            setup.exec_driver_sql("INSERT INTO held (amount) VALUES (50000)")
        with engine.connect() as reader, engine.connect() as writer:
            reader.exec_driver_sql("BEGIN")
            assert reader.exec_driver_sql("SELECT sum(amount) FROM held").scalar() == 50000
            writer.exec_driver_sql("PRAGMA busy_timeout=200")  # fail fast rather than wait 5 s
            writer.exec_driver_sql("INSERT INTO held (amount) VALUES (80000)")
            writer.commit()  # a rollback journal refuses this while the reader's transaction is open
            assert reader.exec_driver_sql("SELECT sum(amount) FROM held").scalar() == 50000  # its own snapshot
            reader.rollback()
            assert reader.exec_driver_sql("SELECT sum(amount) FROM held").scalar() == 130000
    finally:
        engine.dispose()
