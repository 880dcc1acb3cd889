"""Database in the web app: one engine and session factory per app, a session per request.

Services receive a ``Session`` and never commit; web actions commit through
``web.attempt`` and CLI commands through ``cli.run_in_transaction``. Nothing here
runs at import.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sales_service.orm import make_engine


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["sales_db"] = {
        "engine": engine,
        # The office's zone travels with each session: services turn stored moments into office days.
        "sessionmaker": sessionmaker(bind=engine, expire_on_commit=False, info={"timezone": app.config["TIMEZONE"]}),
    }
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["sales_db"]["engine"]


def session() -> Session:
    """The request's session (created on first use, closed at teardown)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sales_db"]["sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
