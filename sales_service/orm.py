"""The database without the web: declarative base, naming convention, column types
and the engine factory. Models and services build on this; no Flask here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    BigInteger,
    Enum,
    Integer,
    MetaData,
    bindparam,
    create_engine,
    event,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger ids become INTEGER there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            # Write-ahead log: readers never wait for a writer, and a commit writes (and syncs)
            # the log once instead of a rollback journal and the database. Durable as before
            # (synchronous stays FULL). An in-memory database keeps its own mode.
            cursor.execute("PRAGMA journal_mode=WAL")
            # 16 MB of page cache (the default is 2 MB, less than the orders and their search
            # words at 20,000 orders): kept across transactions in WAL mode, so pages a list reads
            # on every request stay in memory instead of being read from the file each time.
            cursor.execute("PRAGMA cache_size=-16000")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(connection, _name):
            # pysqlite opens a transaction only before INSERT/UPDATE/DELETE: a SAVEPOINT
            # issued first would itself start one, and its RELEASE would commit. Begin first.
            if not connection.connection.dbapi_connection.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def insert_unless_present(session: Session, model, values: dict, returning, *, unique):
    """Insert one row of ``model`` (a mapped class) unless a row with the same ``unique``
    column (the unique key that decides) exists already, and return ``returning`` of the new
    row: a column, or the mapped class for the new object itself (in the session); None when
    it existed. One ``INSERT … ON CONFLICT (unique) DO NOTHING`` statement, no savepoint: under
    concurrent inserts of the same key the later waits for the first to commit, then inserts
    nothing. A conflict on any other unique key still raises."""
    return session.scalar(insert_many_unless_present(session, model, unique=unique, returning=returning), values)


_UPSERTS: dict[tuple, object] = {}  # built once per dialect, table, key and returning (they are immutable)


def insert_many_unless_present(session: Session, model, *, unique, returning):
    """``INSERT … ON CONFLICT (unique) DO NOTHING RETURNING returning`` into ``model``, for the
    caller to execute with one row or many at once (``session.scalars(statement, rows)`` gives
    what the rows inserted return, in no particular order), as :func:`insert_unless_present` does
    one. The statement is built once and kept: this is on the path of every notification."""
    dialect = session.get_bind().dialect.name
    key = (dialect, id(model), id(unique), id(returning))
    statement = _UPSERTS.get(key)
    if statement is None:
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
        statement = _UPSERTS[key] = insert(model).on_conflict_do_nothing(index_elements=[unique]).returning(returning)
    return statement


_PROBES: dict[tuple, object] = {}  # one statement per set of columns, built once (immutable)


def holding(session: Session, columns: Sequence, value) -> list[bool]:
    """Which of ``columns`` (mapped columns, e.g. ``Refund.order_id``) hold ``value`` in at least
    one row, in their order: one ``SELECT EXISTS (…), EXISTS (…), …`` statement however many
    columns are asked about (each an index lookup where the column is indexed)."""
    key = tuple(id(column) for column in columns)
    statement = _PROBES.get(key)
    if statement is None:
        statement = _PROBES[key] = select(*(exists().where(column == bindparam("value")).label(f"held_{n}")
                                            for n, column in enumerate(columns)))
    return [bool(held) for held in session.execute(statement, {"value": value}).one()]


def take_turn(session: Session, key: int) -> bool:
    """Try to take, for the rest of the caller's transaction, the one turn named by ``key``
    (work only one transaction at a time should do, such as applying stored notifications);
    False at once when another transaction has it. PostgreSQL: a transaction-level advisory
    lock, given back at commit or rollback. SQLite: the database's write lock (one writer at
    a time anyway), waited for within the busy timeout, so the turn is always taken."""
    if session.get_bind().dialect.name == "postgresql":
        return bool(session.execute(select(func.pg_try_advisory_xact_lock(key))).scalar())
    connection = session.connection()
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    return True


def turn_is_write_lock(session: Session) -> bool:
    """Whether :func:`take_turn` is the database's write lock (SQLite), held already by a
    transaction that wrote, rather than a lock of its own (PostgreSQL)."""
    return session.get_bind().dialect.name == "sqlite"


def next_number(session: Session, counter, key: dict, column: str) -> int:
    """Take the next number of the counter row of ``counter`` (a mapped class) that ``key``
    (column name to value) names, the row starting at 0 on its first use. One atomic
    ``UPDATE … RETURNING`` in the caller's transaction: concurrent takers queue on the row's
    lock and a rollback gives the number back, so numbers have no gaps and are never shared.
    The first taker creates the row; a concurrent first taker's row is used instead."""
    last = getattr(counter, column)
    bump = (update(counter).where(*(getattr(counter, name) == value for name, value in key.items()))
            .values({column: last + 1}).returning(last))
    number = session.execute(bump).scalar()
    if number is None:
        try:
            with session.begin_nested():
                session.execute(insert(counter).values(**key, **{column: 0}))
        except IntegrityError:
            pass  # another transaction created the counter first
        number = session.execute(bump).scalar_one()
    return number


def str_enum(enum_cls, name: str) -> Enum:
    """A StrEnum column stored as its values ("buyer"), with a CHECK constraint, on
    every database alike (no native PostgreSQL enum types to migrate)."""
    return Enum(enum_cls, name=name, values_callable=lambda e: [m.value for m in e],
                native_enum=False, create_constraint=True, length=40)
