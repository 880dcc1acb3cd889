"""How many payment notifications per second does the webhook accept, and is every NTPN recorded
exactly once? (issue 10, ``make bench``)

For SQLite and for PostgreSQL this builds a fresh database with N invoiced orders, each with a live
billing code (one order invoiced through the services; the rest copies of it made with Core
``insert``, each with its own invoice number and code), starts the service under gunicorn (4 sync
workers) on loopback, and has 16 concurrent senders post signed notifications (Standard Webhooks,
as the bank network does) to ``POST /webhooks/payments``: every code paid once for its exact amount,
plus duplicates making 20% of all deliveries (half the same delivery again, half the same NTPN
under a new webhook-id), shuffled in, so a duplicate may race its original. It prints the
notifications accepted per second (HTTP 200, duplicates included) and then counts: payments against
unique NTPNs (must be equal), how many settled, and any answer other than 200.

PostgreSQL runs on a throwaway server started by ``scripts/with_postgres.py`` (a child run of this
script); when its binaries or psycopg are missing, a note is printed instead of figures.

    .venv/bin/python bench/webhook.py                          # SQLite, then PostgreSQL
    .venv/bin/python bench/webhook.py --notifications 8000 --only sqlite

Loopback only; every loop is bounded by the notification count. Prints figures; nothing here fails
on a threshold (the target is 500 notifications/s on PostgreSQL, with exact counts).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.factories: the factories the test suite keeps working

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from sales_service import migrate  # noqa: E402
from sales_service.accounts.models import User  # noqa: E402
from sales_service.catalog import services as catalog  # noqa: E402
from sales_service.config import PROJECT_ROOT  # noqa: E402
from sales_service.demo import seed_demo  # noqa: E402
from sales_service.invoices import services as invoices  # noqa: E402
from sales_service.invoices.gateway import WIB, SimulatedSimponi  # noqa: E402
from sales_service.invoices.models import BillingCode, Invoice, InvoiceLine, InvoiceStatus  # noqa: E402
from sales_service.orders import review  # noqa: E402
from sales_service.orders.models import Order, OrderEvent, OrderLine  # noqa: E402
from sales_service.orders.workflow import Actor  # noqa: E402
from sales_service.orm import make_engine  # noqa: E402
from sales_service.payments import signing  # noqa: E402
from sales_service.payments.models import Payment, PaymentNotification, PaymentStatus  # noqa: E402
from sales_service.pnbp.services import load_tariff_dir  # noqa: E402
from tests.factories import make_order  # noqa: E402

SECRET = "whsec_" + base64.b64encode(b"bench webhook secret, 32 bytes!!").decode()
SETTINGS = invoices.InvoiceSettings(office_code="927100", number_format="INV/{satker}/{year}/{seq:05d}",
                                    expiry_days=7, bank={"bank_name": "Bank Contoh", "account_name": "RPL BPS",
                                                         "account_number": "123", "swift": "BANKIDJA"})
PATH = "/webhooks/payments"


# -- the database -------------------------------------------------------------------------------------

def build(url: str, n: int, *, now: datetime) -> list[tuple[str, int]]:
    """A migrated database with ``n`` invoiced orders; returns their (billing code, amount)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(url, connection=connection)
    today = now.astimezone(WIB).date()
    with Session(engine) as session:
        load_tariff_dir(session, PROJECT_ROOT / "tariffs", loaded_by="bench")
        seed_demo(session)
        officer = session.scalar(select(User).where(User.email == "petugas@demo.test"))
        buyer = session.scalar(select(User).where(User.email == "pembeli@demo.test"))
        publication = next(p for p in catalog.active_products(session) if p.kind == "publication")
        order = make_order(session, buyer, publication, on=today, submitted_on=today)
        review.accept(session, Actor(officer), order.id)
        nowhere = SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret=SECRET)
        invoice = invoices.issue_invoice(session, Actor(officer), order.id, SETTINGS, nowhere, today=today)
        session.commit()
        order_id, invoice_id = order.id, invoice.id
    with engine.begin() as connection:
        _copy(connection, order_id, invoice_id, n - 1, now=now)
    with Session(engine) as session:
        codes = [(code, amount) for code, amount in session.execute(
            select(BillingCode.code, BillingCode.amount).order_by(BillingCode.id))]
    engine.dispose()
    return codes


def _row(connection, table, *conditions) -> list[dict]:
    return [dict(row._mapping) for row in connection.execute(select(table).where(*conditions))]


def _copy(connection, order_id: int, invoice_id: int, copies: int, *, now: datetime) -> None:
    """``copies`` more invoiced orders like the one made through the services."""
    orders, lines, events = Order.__table__, OrderLine.__table__, OrderEvent.__table__
    invoice_table, invoice_lines, codes = Invoice.__table__, InvoiceLine.__table__, BillingCode.__table__
    order = _row(connection, orders, orders.c.id == order_id)[0]
    order_lines = _row(connection, lines, lines.c.order_id == order_id)
    order_events = _row(connection, events, events.c.order_id == order_id)
    invoice = _row(connection, invoice_table, invoice_table.c.id == invoice_id)[0]
    invoice_rows = _row(connection, invoice_lines, invoice_lines.c.invoice_id == invoice_id)
    code = _row(connection, codes, codes.c.invoice_id == invoice_id)[0]

    def without_id(row: dict, **changes) -> dict:
        return {**{k: v for k, v in row.items() if k != "id"}, **changes}

    new_orders = connection.execute(insert(orders).returning(orders.c.id, sort_by_parameter_order=True),
                                    [without_id(order) for _ in range(copies)]).scalars().all()
    connection.execute(insert(lines), [without_id(line, order_id=oid) for oid in new_orders for line in order_lines])
    connection.execute(insert(events), [without_id(event, order_id=oid)
                                        for oid in new_orders for event in order_events])
    first_sequence = invoice["sequence"] + 1
    new_invoices = connection.execute(
        insert(invoice_table).returning(invoice_table.c.id, sort_by_parameter_order=True),
        [without_id(invoice, order_id=oid, sequence=first_sequence + i,
                    number=SETTINGS.number_format.format(satker=invoice["office_code"], year=invoice["year"],
                                                         seq=first_sequence + i))
         for i, oid in enumerate(new_orders)]).scalars().all()
    connection.execute(insert(invoice_lines), [without_id(line, invoice_id=iid) for iid in new_invoices
                                               for line in invoice_rows])
    day = now.astimezone(WIB)
    connection.execute(insert(codes), [without_id(code, invoice_id=iid, code=f"9{day:%y%m%d}{i:08d}")
                                       for i, iid in enumerate(new_invoices)])


def count(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with Session(engine) as session:
        figures = {
            "payments": session.scalar(select(func.count(Payment.id))),
            "distinct NTPNs": session.scalar(select(func.count(func.distinct(Payment.ntpn)))),
            "settled": session.scalar(select(func.count(Payment.id)).where(Payment.status == PaymentStatus.SETTLED)),
            "notifications": session.scalar(select(func.count(PaymentNotification.id))),
            "paid invoices": session.scalar(select(func.count(Invoice.id))
                                            .where(Invoice.status == InvoiceStatus.PAID)),
        }
    engine.dispose()
    return figures


# -- the notifications -----------------------------------------------------------------------------------

def deliveries(codes: list[tuple[str, int]], duplicate_share: float, *, seed: int = 10) -> list[tuple[str, bytes]]:
    """(webhook-id, body) of every delivery: each code paid once, then duplicates (``duplicate_share``
    of all deliveries; half the same delivery again, half the same NTPN under a new id), shuffled."""
    rng = random.Random(seed)
    paid_at = datetime.now(WIB).replace(microsecond=0).isoformat()
    unique = []
    for number, (code, amount) in enumerate(codes):
        body = {"type": "billing.paid", "data": {
            "billing_code": code, "amount": amount, "currency": "IDR", "ntpn": f"BENCH{number:011d}",
            "ntb": f"{number:012d}", "bank": "BANK BENCH", "channel": "teller", "paid_at": paid_at}}
        unique.append((f"msg_bench_{number}", json.dumps(body).encode()))
    extra = round(len(unique) * duplicate_share / (1 - duplicate_share))
    repeats = [rng.choice(unique) for _ in range(extra)]
    duplicates = [(webhook_id if i % 2 == 0 else f"{webhook_id}_again_{i}", body)
                  for i, (webhook_id, body) in enumerate(repeats)]
    sends = unique + duplicates
    rng.shuffle(sends)
    return sends


def send(port: int, sends: list[tuple[str, bytes]], senders: int) -> tuple[float, Counter]:
    """Post every delivery from ``senders`` threads; returns (seconds, answers by HTTP status)."""
    now = int(time.time())  # the run lasts well under the 5-minute window
    prepared = [(body, {**signing.headers(SECRET, webhook_id, now, body), "Content-Type": "application/json"})
                for webhook_id, body in sends]
    answers: Counter = Counter()
    lock = threading.Lock()
    pending = iter(prepared)

    def sender() -> None:
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            body, headers = item
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("POST", PATH, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError as error:
                status = type(error).__name__
            finally:
                connection.close()
            with lock:
                answers[status] += 1

    threads = [threading.Thread(target=sender, name=f"sender-{n}") for n in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, answers


# -- the server ----------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url: str, folder: Path, workers: int, log: str | None = None):
    port = _free_port()
    env = dict(os.environ, SALES_DATABASE_URL=url, SALES_SECRET_KEY="bench", SALES_INSTANCE_PATH=str(folder),
               SALES_WEBHOOK_SECRET=SECRET, SALES_LOG_LEVEL="WARNING" if log else "ERROR",
               SALES_WEBHOOK_URL=f"http://127.0.0.1:{port}{PATH}")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                               "--log-level", "warning", "sales_service:create_app()"],
                              env=env, cwd=ROOT, stderr=open(log, "ab") if log else subprocess.DEVNULL)
    for _ in range(300):  # up to 30 s for the workers to start
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    # Every worker imports the app lazily on its first request: warm them all before measuring.
    for _ in range(workers * 4):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        connection.close()
    return server, port


def run(name: str, url: str, folder: Path, args) -> None:
    now = datetime.now(UTC)
    started = time.perf_counter()
    codes = build(url, args.notifications, now=now)
    built = time.perf_counter() - started
    sends = deliveries(codes, args.duplicates)
    server, port = serve(url, folder, args.workers, args.server_log)
    try:
        seconds, answers = send(port, sends, args.senders)
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = count(url)
    accepted = answers.get(200, 0)
    others = {status: n for status, n in answers.items() if status != 200}
    equal = figures["payments"] == len(codes) == figures["distinct NTPNs"]
    other_text = f"   other answers: {others}" if others else ""
    print(f"{name:<11}{accepted / seconds:>12,.0f}{accepted:>10,}{sum(others.values()):>8,}"
          f"{figures['payments']:>10,}{len(codes):>14,}{figures['settled']:>9,}   {'yes' if equal else 'NO'}"
          f"{other_text}   (seeded in {built:.0f} s, sent in {seconds:.1f} s)", flush=True)


def header(args) -> None:
    duplicates = round(args.notifications * args.duplicates / (1 - args.duplicates))
    print(f"webhook under gunicorn ({args.workers} workers), {args.senders} concurrent senders, "
          f"{args.notifications + duplicates:,} deliveries: {args.notifications:,} NTPNs, each on its own code for "
          f"its exact amount, and {duplicates:,} duplicates ({args.duplicates:.0%}: the same delivery again or the "
          "same NTPN under a new id)")
    print(f"{'database':<11}{'accepted/s':>12}{'HTTP 200':>10}{'other':>8}{'payments':>10}{'unique NTPNs':>14}"
          f"{'settled':>9}   equal", flush=True)


def postgres_missing() -> str | None:
    """Why PostgreSQL cannot be measured here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install '.[pg]')"
    sys.path.insert(0, str(ROOT / "scripts"))
    import with_postgres

    try:
        with_postgres.find_bindir()
    except SystemExit:
        return "no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notifications", type=int, default=4000, help="unique NTPNs (invoices paid once each)")
    parser.add_argument("--duplicates", type=float, default=0.2, help="share of all deliveries that are duplicates")
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--server-log", help="append gunicorn's log (errors of the service) to this file")
    parser.add_argument("--no-header", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.no_header:
        header(args)
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="webhook-bench-") as folder:
            run("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", Path(folder), args)
    if args.only == "postgresql":
        url = os.environ.get("SALES_TEST_DATABASE_URL")
        if not url:
            raise SystemExit("--only postgresql runs inside scripts/with_postgres.py (SALES_TEST_DATABASE_URL)")
        with tempfile.TemporaryDirectory(prefix="webhook-bench-") as folder:
            run("postgresql", url, Path(folder), args)
    elif args.only is None:
        missing = postgres_missing()
        if missing:
            print(f"postgresql: not measured: {missing}.", flush=True)
            return
        child = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), sys.executable, __file__,
                 "--only", "postgresql", "--no-header", "--notifications", str(args.notifications),
                 "--duplicates", str(args.duplicates), "--senders", str(args.senders), "--workers", str(args.workers)]
        subprocess.run(child, check=False, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
