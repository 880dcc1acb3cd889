"""Shared fixtures.

* ``database_url``: a migrated database for the whole run. SQLite in a temp
  folder by default; ``SALES_TEST_DATABASE_URL`` points it at PostgreSQL
  (``make test-pg`` starts a throwaway server and sets it).
* ``session``: a real session inside a transaction rolled back after each test.
* ``app`` / ``client``: a Flask app on its own copy of a migrated, tariff-loaded
  SQLite database (web tests), CSRF protection on as in production.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from sales_service import create_app, migrate
from sales_service.config import PROJECT_ROOT
from sales_service.orm import make_engine
from sales_service.pnbp import services as pnbp_services

TARIFF_DIR = PROJECT_ROOT / "tariffs"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """scrypt (the production default) costs ~0.1 s a hash; tests create many accounts.
    A cheap pbkdf2 hash still goes through werkzeug's real check_password_hash."""
    from werkzeug.security import generate_password_hash

    from sales_service.accounts import services as accounts

    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("SALES_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'services.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(url, connection=connection)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session whose work is rolled back after the test, even if it flushed or
    used savepoints (``begin_nested``)."""
    connection = engine.connect()
    transaction = connection.begin()
    db_session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db_session
    finally:
        db_session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def tariffs_loaded(session):
    pnbp_services.load_tariff_dir(session, TARIFF_DIR, loaded_by="test")
    return session


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A migrated SQLite file with the tariffs loaded, copied for every web test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(url, connection=connection)
    with Session(engine) as db_session:
        pnbp_services.load_tariff_dir(db_session, TARIFF_DIR, loaded_by="test")
        db_session.commit()
    engine.dispose()
    return path


def web_config(tmp_path: Path, database_file: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": f"sqlite:///{database_file}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SESSION_COOKIE_SECURE": False,
        "LOGIN_RATE_LIMIT": "5 per minute",
        "DEFAULT_LANGUAGE": "id",
    }


@pytest.fixture
def app(tmp_path, template_db):
    database_file = tmp_path / "web.db"
    shutil.copyfile(template_db, database_file)
    application = create_app(web_config(tmp_path, database_file))
    yield application
    application.extensions["sales_db"]["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    """A session of its own on the web test's database, for arranging data and
    checking results (no app context held open, so requests stay independent)."""
    db_session = app.extensions["sales_db"]["sessionmaker"]()
    yield db_session
    db_session.close()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/masuk") -> str:
    """The CSRF token of the client's session, read from a form as a browser would."""
    response = client.get(path)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def login(client, email: str, password: str = "kelapa muda tujuh pohon"):  # tests.factories.PASSWORD
    token = csrf_token(client)
    return client.post("/masuk", data={"email": email, "password": password, "csrf_token": token})
