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
