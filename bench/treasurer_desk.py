"""Do the treasurer's lists stay fast at 100,000 payments? (issue 10, point 10)

Builds a migrated SQLite database, inserts 100,000 payments in bulk (Core executemany: a sixth of
them flagged across the six problems, the rest settled, rejected or waiting; settled cash and
transfers partly deposited), 20,000 paid or open invoices with a receipt for half the paid ones,
and 2,000 refunds, then times each service the treasurer's pages call: the home's counts, the
exceptions queue (first and last page, whole and of one problem), the paid invoices without a
receipt and the open refunds, and prints p50 and p95 per call.

    .venv/bin/python bench/treasurer_desk.py
    .venv/bin/python bench/treasurer_desk.py --payments 300000 --rounds 50

Prints figures; nothing here fails on a threshold.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sales_service import migrate
from sales_service.accounts.models import User
from sales_service.invoices.models import Invoice, InvoiceStatus, PaymentRoute
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Channel, Order
from sales_service.orm import make_engine
from sales_service.payments import desk, refunds, resolutions
from sales_service.payments.models import (
    Deposit,
    DepositedPayment,
    Payment,
    PaymentProblem,
    PaymentSource,
    PaymentStatus,
    Receipt,
    ReceiptStatus,
    Refund,
)
from sales_service.payments.refund_steps import RefundStatus
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role

START = datetime(2025, 1, 1, tzinfo=UTC)


def seed(session: Session, payments: int, invoices: int, refund_count: int, rng: random.Random) -> None:
    user = User(email="bendahara@bench.test", password_hash="x", full_name="Bendahara", role=Role.TREASURER)
    session.add(user)
    session.flush()
    order_rows = [dict(buyer_id=user.id, status=OrderStatus.PAID, channel=Channel.ONLINE, version=1,
                       buyer_name="Pembeli", segment=BuyerSegment.INDIVIDUAL) for _ in range(invoices)]
    session.execute(insert(Order), order_rows)
    order_ids = list(session.scalars(select(Order.id).order_by(Order.id)))
    session.execute(insert(Invoice), [dict(
        order_id=order_id, number=f"INV/BENCH/{i:07d}", office_code="BENCH", year=2026, sequence=i, version=1,
        status=InvoiceStatus.PAID if i % 3 else InvoiceStatus.ISSUED, payment_route=PaymentRoute.BILLING_CODE,
        issued_on=date(2026, 1, 1), total=335_000, buyer_name="Pembeli", created_at=START)
        for i, order_id in enumerate(order_ids, start=1)])
    order_of = dict(session.execute(select(Invoice.id, Invoice.order_id)).all())
    invoice_ids = sorted(order_of)
    problems = list(PaymentProblem)
    rows = []
    for i in range(payments):
        kind = rng.random()
        moment = START + timedelta(minutes=i * 5)
        if kind < 1 / 6:
            status, problem, source = PaymentStatus.FLAGGED, rng.choice(problems), PaymentSource.BILLING_NOTIFICATION
        elif kind < 0.9:
            status, problem = PaymentStatus.SETTLED, None
            source = rng.choice([PaymentSource.BILLING_NOTIFICATION] * 3 + [PaymentSource.CASH,
                                                                             PaymentSource.STATEMENT_LINE])
        else:
            status, problem, source = (rng.choice([PaymentStatus.REJECTED, PaymentStatus.PENDING_VERIFICATION]),
                                       None, PaymentSource.TRANSFER_PROOF)
        invoice_id = rng.choice(invoice_ids)
        rows.append(dict(source=source, amount=rng.randint(1_000, 5_000_000), currency="IDR", paid_at=moment,
                         recorded_at=moment, status=status, problem=problem, invoice_id=invoice_id,
                         order_id=order_of[invoice_id]))
        if len(rows) == 10_000:
            session.execute(insert(Payment), rows)
            rows = []
    if rows:
        session.execute(insert(Payment), rows)
    held = list(session.scalars(select(Payment.id).where(
        Payment.source.in_([PaymentSource.CASH, PaymentSource.STATEMENT_LINE]),
        Payment.status == PaymentStatus.SETTLED).order_by(Payment.id)))
    deposit = Deposit(deposited_on=date(2026, 1, 2), billing_code="8" * 15, ntpn="N" * 16, amount=1,
                      recorded_by_id=user.id)
    session.add(deposit)
    session.flush()
    session.execute(insert(DepositedPayment), [dict(deposit_id=deposit.id, payment_id=pid)
                                               for pid in held[: len(held) // 2]])
    paid = list(session.scalars(select(Invoice).where(Invoice.status == InvoiceStatus.PAID).order_by(Invoice.id)))
    from sales_service.files.models import StoredFile

    stored = StoredFile(sha256="0" * 64, size=1, mime="application/pdf", filename="k.pdf", uploaded_by_id=user.id)
    session.add(stored)
    session.flush()
    session.execute(insert(Receipt), [dict(
        number=f"KW/{i}", office_code="BENCH", year=2026, sequence=i, invoice_id=inv.id, order_id=inv.order_id,
        status=ReceiptStatus.ISSUED, amount=335_000, payer_name="Pembeli", issued_on=date(2026, 1, 2),
        issued_at=START, verification_code=f"v{i}", file_id=stored.id) for i, inv in enumerate(paid[::2], start=1)])
    session.execute(insert(Refund), [dict(
        amount=10_000, status=rng.choice(list(RefundStatus)), reason="bench", opened_by_id=user.id,
        opened_at=START + timedelta(hours=i)) for i in range(refund_count)])
    session.commit()


def timed(call, rounds: int) -> tuple[float, float]:
    call()  # warm
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=20_000)
    parser.add_argument("--refunds", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'desk.db'}"
        engine = make_engine(url)
        with engine.begin() as connection:
            migrate.upgrade(url, connection=connection)
        started = time.perf_counter()
        with Session(engine) as session:
            seed(session, args.payments, args.invoices, args.refunds, random.Random(7))
        print(f"seeded {args.payments:,} payments, {args.invoices:,} invoices, {args.refunds:,} refunds "
              f"in {time.perf_counter() - started:.1f} s (SQLite)")
        with Session(engine) as session:
            last = resolutions.exception_queue(session).pages
            calls = {
                "home counts (/bendahara)": lambda: desk.desk_counts(session),
                "exceptions, page 1": lambda: resolutions.exception_queue(session),
                f"exceptions, page {last} (last)": lambda: resolutions.exception_queue(session, page=last),
                "exceptions of one problem": lambda: resolutions.exception_queue(
                    session, problem=PaymentProblem.WRONG_AMOUNT),
                "paid invoices without receipt": lambda: desk.invoices_to_receipt(session),
                "open refunds": lambda: refunds.refund_list(session),
            }
            for name, call in calls.items():
                p50, p95 = timed(call, args.rounds)
                print(f"{name:<34} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
