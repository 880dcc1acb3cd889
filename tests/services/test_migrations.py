"""The migrations and the models describe the same schema: an empty database migrated to
head is what ``sales_service.models`` declares, on SQLite and on PostgreSQL
(``make test-pg``). A model changed without a migration, or a migration edited by hand
away from its model, fails here rather than in production.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pprint import pformat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from sales_service import migrate
from sales_service.models import Base
from sales_service.orm import make_engine


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A database with no tables, of the kind the suite runs against (see tests/conftest.py)."""
    shared = os.environ.get("SALES_TEST_DATABASE_URL")
    if not shared:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    # PostgreSQL: a database of its own, so the shared, already migrated one stays untouched.
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    server = create_engine(shared, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(shared).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


def test_an_empty_database_migrated_to_head_matches_the_models(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as connection:
            migrate.upgrade(empty_database_url, connection=connection)

        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()

    assert set(Base.metadata.tables) <= tables  # the comparison did look at a migrated schema
    assert differences == [], "models and migrations disagree; add a migration:\n" + pformat(differences)
