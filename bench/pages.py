"""Do the staff pages stay fast as orders pile up? (issue 8, points 20-22)

For each size (default 1,000 and 20,000 orders) this builds a fresh database, fills it with
realistic orders in bulk, starts the service under gunicorn (one worker, as one process of a
small host) and, signed in as the officer, asks in turns for

    /healthz                        the floor: one trivial query
    officer queue                   /petugas/pesanan, first page, default filters
    overdue queue                   /petugas/pesanan?terlambat=1
    queue, text search              /petugas/pesanan?q=lestari (the open orders carrying the word)
    staff home (counts)             /staf, the per-queue counts
    order page                      /pesanan/<id> of an invoiced order
    invoice download                /invoice/<id>/invoice.pdf

and prints p50 and p95 of each, and each p95 over the p95 of /healthz in the same run (the
target: within 3x at 20,000 orders).

Seeding: the demo catalogue and accounts and one measured order (submitted, accepted and
invoiced through the services and the officer's own HTTP action) are made the ordinary way;
the bulk — buyers, orders in every status with their lines and status events, spread over two
years, most of them long closed — is Core ``insert`` executemany, not the services (which make
about 30 orders/s). The stored SLA deadlines are then computed by the service's own
``office_calendar.refresh_running_deadlines`` (what adding a leave day runs), which is timed too.
Online orders only: no walk-in visits and no invoices for the bulk orders.

    .venv/bin/python bench/pages.py                         # 1,000 and 20,000 orders
    .venv/bin/python bench/pages.py --sizes 20000 --rounds 200
    .venv/bin/python bench/pages.py --database-url postgresql+psycopg://...   (an empty database)

Prints figures; nothing here fails on a threshold.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.factories and tests.bulk: the factories the test suite keeps working

from sales_service import migrate  # noqa: E402
from sales_service.accounts.models import User  # noqa: E402
from sales_service.catalog import services as catalog  # noqa: E402
from sales_service.config import PROJECT_ROOT  # noqa: E402
from sales_service.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from sales_service.orders import office_calendar, review  # noqa: E402
from sales_service.orders.models import Order  # noqa: E402
from sales_service.orders.workflow import Actor  # noqa: E402
from sales_service.orm import make_engine  # noqa: E402
from sales_service.pnbp.services import load_tariff_dir  # noqa: E402
from tests.bulk import line_templates, local_day, seed_orders  # noqa: E402
from tests.factories import make_order  # noqa: E402


def build(url: str, n: int, *, now: datetime) -> tuple[int, float, float, int]:
    """A migrated database with the demo, one invoiced-to-be order and ``n - 1`` bulk orders.
    Returns (measured order id, seconds of bulk seeding, seconds of the deadline refresh, running orders)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(url, connection=connection)
    today = local_day(now)
    with Session(engine) as session:
        load_tariff_dir(session, PROJECT_ROOT / "tariffs", loaded_by="bench")
        seed_demo(session)
        officer = session.scalar(select(User).where(User.email == "petugas@demo.test"))
        buyer = session.scalar(select(User).where(User.email == "pembeli@demo.test"))
        publication = next(p for p in catalog.active_products(session) if p.kind == "publication")
        order = make_order(session, buyer, publication, on=today, submitted_on=today)
        review.accept(session, Actor(officer), order.id)
        products = line_templates(session, today)
        session.commit()
        measured, officer_id = order.id, officer.id
    started = time.perf_counter()
    with engine.begin() as connection:
        seed_orders(connection, n - 1, now=now, products=products, officer_id=officer_id)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    with Session(engine) as session:
        office_calendar.refresh_running_deadlines(session)
        session.commit()
        refreshed = time.perf_counter() - started
        running = session.scalar(select(func.count()).select_from(Order).where(Order.sla_deadline.is_not(None)))
    # Planner statistics (and on PostgreSQL the visibility map that index-only scans need), as a
    # database that grew to this size has them: autovacuum would get there some time after a bulk
    # load, and the bench should not race it.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()
    return measured, seeded, refreshed, running


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sign_in(base: str, email: str) -> tuple[requests.Session, str]:
    client = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(base + "/masuk").text).group(1)
    answer = client.post(base + "/masuk", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token},
                         allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {answer.status_code}")
    return client, token


def measure(url: str, folder: Path, order_id: int, *, rounds: int, warmup: int = 5) -> dict[str, list[float]]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, SALES_DATABASE_URL=url, SALES_SECRET_KEY="bench", SALES_INSTANCE_PATH=str(folder),
               SALES_COOKIE_SECURE="0", SALES_LOG_LEVEL="WARNING", SALES_LOGIN_RATE_LIMIT="1000 per minute",
               SALES_PUBLIC_URL=base, SALES_WEBHOOK_URL=base + "/webhooks/payments")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                               "sales_service:create_app()"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                requests.get(base + "/healthz", timeout=10)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        client, token = _sign_in(base, "petugas@demo.test")
        issued = client.post(f"{base}/pesanan/{order_id}/invoice", data={"csrf_token": token}, allow_redirects=False)
        page = client.get(f"{base}/pesanan/{order_id}").text
        found = re.search(r'href="(/invoice/\d+/invoice\.pdf)"', page)
        if issued.status_code != 302 or not found:
            raise RuntimeError(f"the measured order was not invoiced ({issued.status_code})")
        paths = {
            "/healthz": "/healthz",
            "officer queue": "/petugas/pesanan",
            "overdue queue": "/petugas/pesanan?terlambat=1",
            "queue, text search": "/petugas/pesanan?q=lestari",
            "staff home (counts)": "/staf",
            "order page": f"/pesanan/{order_id}",
            "invoice download": found.group(1),
        }
        timings: dict[str, list[float]] = {name: [] for name in paths}
        for round_number in range(warmup + rounds):
            for name, path in paths.items():  # in turns, so every page sees the same moments of the machine
                began = time.perf_counter()
                response = client.get(base + path)
                elapsed = time.perf_counter() - began
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                if round_number >= warmup:
                    timings[name].append(elapsed * 1000)
        return timings
    finally:
        server.terminate()
        server.wait(timeout=20)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,20000", help="order counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=100, help="requests per page and size")
    parser.add_argument("--database-url", default="", help="an empty database to use instead of SQLite files")
    args = parser.parse_args()
    now = datetime.now(UTC)
    print(f"{'orders':>7}  {'page':<22}{'p50 ms':>9}{'p95 ms':>9}  p95 / healthz p95")
    for n in (int(size) for size in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="pages-bench-") as folder:
            url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
            order_id, seeded, refreshed, running = build(url, n, now=now)
            print(f"{n:>7,}  bulk seeding: {n - 1:,} orders in {seeded:.1f} s ({(n - 1) / seeded:,.0f} orders/s); "
                  f"deadlines of {running:,} running orders recomputed in {refreshed * 1000:.0f} ms")
            timings = measure(url, Path(folder), order_id, rounds=args.rounds)
            floor = _p95(timings["/healthz"])
            for name, values in timings.items():
                p95 = _p95(values)
                print(f"{n:>7,}  {name:<22}{statistics.median(values):>9.1f}{p95:>9.1f}  {p95 / floor:>6.1f}x")
            if args.database_url:
                _drop_all(url)


def _drop_all(url: str) -> None:
    """Leave the given database empty again for the next size."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
