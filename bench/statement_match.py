"""Matching a large bank statement against many open invoices (issue 10, point 7).

Builds ``--invoices`` open invoices and a statement of ``--lines`` credits in memory, as a
busy year could bring them: most credits name their invoice (number, order reference or
billing code, some with bank charges taken), some only carry an amount (a few of those tie),
some fit nothing. Then times the pure matcher (index the invoices, propose for every credit)
and reports its peak memory, measured two ways: Python allocations during matching
(tracemalloc, in a second run, since tracing slows allocation) and the process's peak
resident size (getrusage). Target: under 10 s and 500 MB for 100,000 x 100,000.

    python bench/statement_match.py
    python bench/statement_match.py --lines 200000 --invoices 200000
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sales_service.payments.statements import Credit, OpenInvoice, match_credits  # noqa: E402

FIRST_DAY = date(2026, 1, 2)
AMOUNTS = [95_000, 155_000, 215_000, 335_000, 500_000, 1_250_000, 2_750_000, 7_500_000]


def open_invoices(n: int, rng: random.Random) -> list[OpenInvoice]:
    invoices = []
    for i in range(1, n + 1):
        # Round tariff amounts repeat a lot (ties by amount); the rest are odd sums of several lines.
        remaining = rng.choice(AMOUNTS) if rng.random() < 0.3 else rng.randrange(50_000, 50_000_000, 500)
        invoices.append(OpenInvoice(
            invoice_id=i, number=f"INV/927100/2026/{i:06d}", order_reference=f"PST-2026-{i:06d}",
            remaining=remaining, issued_on=FIRST_DAY + timedelta(days=rng.randrange(330)),
            billing_codes=(f"8{i:014d}",) if i % 5 == 0 else (),
            proof_references=(f"TT{i:08d}X",) if i % 7 == 0 else ()))
    return invoices


def statement(n: int, invoices: list[OpenInvoice], rng: random.Random) -> list[Credit]:
    credits = []
    for line_id in range(1, n + 1):
        invoice = rng.choice(invoices)
        booked = invoice.issued_on + timedelta(days=rng.randrange(0, 40))
        kind = rng.random()
        if kind < 0.45:
            text, amount = f"PAYMENT {invoice.number} {rng.choice(['JOHN SMITH', 'WANG LEI', 'MARIA GARCIA'])}", \
                invoice.remaining
        elif kind < 0.65:
            text, amount = f"ORDER {invoice.order_reference} LESS CHARGES", invoice.remaining - 25_000
        elif kind < 0.75 and invoice.billing_codes:
            text, amount = f"BILLING {invoice.billing_codes[0]}", invoice.remaining
        elif kind < 0.80 and invoice.proof_references:
            text, amount = f"TRF {invoice.proof_references[0]}", invoice.remaining
        elif kind < 0.92:
            text, amount = "DATA PURCHASE", invoice.remaining  # the amount alone: proposed, or a tie
        else:
            text, amount = "TITIPAN DANA", rng.randrange(1_000, 90_000_000)  # fits nothing
        credits.append(Credit(line_id=line_id, booked_on=booked, rupiah=max(amount, 1), text=text))
    return credits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    invoices = open_invoices(args.invoices, rng)
    credits = statement(args.lines, invoices, rng)

    started = time.perf_counter()
    matches = match_credits(credits, invoices)
    seconds = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

    del matches
    tracemalloc.start()
    traced = match_credits(credits, invoices)
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    verdicts = Counter(found.verdict.value for found in traced)
    print(f"statement matching: {args.lines:,} credits against {args.invoices:,} open invoices")
    print(f"  time:            {seconds:.2f} s (target < 10 s)")
    print(f"  peak allocated:  {peak_traced / 1e6:.0f} MB while matching (tracemalloc; target < 500 MB)")
    print(f"  peak resident:   {peak_rss_mb:.0f} MB for the whole process, test data included (getrusage)")
    print(f"  verdicts:        {dict(sorted(verdicts.items()))}")


if __name__ == "__main__":
    main()
