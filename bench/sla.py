"""How fast the SLA clock answers: the officers' order list shows a status for every open order.

    .venv/bin/python bench/sla.py

Prints figures; nothing here fails on a threshold.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from sales_service.orders.sla import Pause, WorkingCalendar, sla_status

TODAY = date(2026, 11, 24)
LEAVE_DAYS = [date(2026, 11, 11), date(2026, 12, 31), date(2027, 1, 4)]


def _orders(n: int, seed: int = 7) -> list[tuple[date, int, list[Pause]]]:
    """Orders completed in the last ~6 months, budgets of 5-20 days, up to three pauses, the last maybe open."""
    rng = random.Random(seed)
    orders = []
    for _ in range(n):
        started = TODAY - timedelta(days=rng.randint(0, 180))
        pauses, cursor = [], started
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            start = cursor + timedelta(days=rng.randint(0, 10))
            if start > TODAY:
                break
            end = start + timedelta(days=rng.randint(0, 7))
            if end > TODAY:
                pauses.append(Pause(start, None))
                break
            pauses.append(Pause(start, end))
            cursor = end
        orders.append((started, rng.choice([5, 10, 10, 20]), pauses))
    return orders


def _run(calendar: WorkingCalendar, orders) -> None:
    for started, budget, pauses in orders:
        sla_status(calendar, started=started, budget_days=budget, pauses=pauses, today=TODAY)


def bench(n: int = 1_000, rounds: int = 20) -> None:
    orders = _orders(n)

    start = time.perf_counter()
    _run(WorkingCalendar(LEAVE_DAYS), orders)
    cold = time.perf_counter() - start
    print(f"first list in the process:  {n:,} statuses in {cold * 1000:6.1f} ms = {n / cold:>9,.0f} statuses/s "
          "(holiday tables built per year)")

    start = time.perf_counter()
    for _ in range(rounds):
        _run(WorkingCalendar(LEAVE_DAYS), orders)
    fresh = (time.perf_counter() - start) / rounds
    print(f"new calendar per request:   {n:,} statuses in {fresh * 1000:6.1f} ms = {n / fresh:>9,.0f} statuses/s "
          "(leave days applied per year)")

    calendar = WorkingCalendar(LEAVE_DAYS)
    _run(calendar, orders)
    start = time.perf_counter()
    for _ in range(rounds):
        _run(calendar, orders)
    warm = (time.perf_counter() - start) / rounds
    print(f"one calendar, warm:         {n:,} statuses in {warm * 1000:6.1f} ms = {n / warm:>9,.0f} statuses/s")


if __name__ == "__main__":
    bench()
