"""How fast prices are computed: the pure engine, and the service that reads the
stored schedules first (what every product page and API call does).

    make bench          (or .venv/bin/python bench/pricing.py)

Prints figures; nothing here fails on a threshold.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from sales_service import migrate
from sales_service.config import PROJECT_ROOT
from sales_service.orm import make_engine
from sales_service.pnbp import services
from sales_service.pnbp.pricing import build_quote
from sales_service.pnbp.schedule import ScheduleBook, load_schedule_dir

ON = date(2026, 11, 24)
ITEMS = [("pub-electronic", 1, 2_000), ("microdata-raw", 1, 5_000_000_000),
         ("microdata-processed", 1, 50_000_000), ("map-regency-desa", 1, 10)]


def _requests(n: int, seed: int = 7) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    return [(code, rng.randint(low, high)) for code, low, high in (rng.choice(ITEMS) for _ in range(n))]


def bench_engine(n: int = 100_000) -> None:
    book = ScheduleBook(load_schedule_dir(PROJECT_ROOT / "tariffs"))
    requests = _requests(n)
    start = time.perf_counter()
    for request in requests:
        build_quote(book, [request], on=ON)
    elapsed = time.perf_counter() - start
    print(f"pure engine:   {n:>7,} one-line quotes in {elapsed:6.2f} s = {n / elapsed:>9,.0f} quotes/s")
    start = time.perf_counter()
    quote = build_quote(book, requests[:1_000], on=ON)
    elapsed = time.perf_counter() - start
    print(f"pure engine:   one 1,000-line quote in {elapsed * 1000:6.1f} ms (total {quote.total:,} rupiah)")


def bench_service(n: int = 2_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        with engine.begin() as connection:
            migrate.upgrade(url, connection=connection)
        with Session(engine) as session:
            services.load_tariff_dir(session, PROJECT_ROOT / "tariffs", loaded_by="bench")
            session.commit()
            requests = _requests(n)
            start = time.perf_counter()
            for request in requests:
                services.quote(session, [request], on=ON)
            elapsed = time.perf_counter() - start
        engine.dispose()
    print(f"service (SQLite): {n:>5,} quotes in {elapsed:6.2f} s = {n / elapsed:>9,.0f} quotes/s "
          f"({elapsed / n * 1000:.2f} ms each, schedules read from the database every time)")


if __name__ == "__main__":
    bench_engine()
    bench_service()
