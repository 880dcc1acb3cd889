"""How long a receipt (kuitansi) PDF takes: rendered (the pure document), and rendered and stored as
issuing does it (content-addressed, fsynced). Issuing renders once per receipt while holding the
office's receipt counter, so this is also what serialises treasurers issuing at the same moment.

    make bench          (or .venv/bin/python bench/receipts.py)

Prints figures; nothing here fails on a threshold.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date

from sales_service.documents.layout import Office
from sales_service.documents.receipt import PaymentReference, ReceiptDocument, ReceiptItem, receipt_pdf
from sales_service.files.storage import FileStorage

OFFICE = Office(name="Badan Pusat Statistik Kabupaten Contoh", address="Jl. Statistik No. 1", city="Contoh",
                satker_code="927100", ministry_code="054", echelon_code="01", account_code="425131",
                head_name="Kepala Contoh", treasurer_name="Siti Rahmawati, S.E.", treasurer_nip="198703152010122001")
ITEMS = (
    ReceiptItem("Statistik Daerah Kabupaten Contoh 2025", "Publikasi elektronik", "PP 13/2024", 335_000),
    ReceiptItem("Susenas Maret 2024 (data mikro, 12 variabel)", "Data mikro belum diolah (per set data)",
                "PP 13/2024", 150_247),
    ReceiptItem("Peta digital wilkerstat Kecamatan Contoh", "Peta digital wilkerstat per desa/kelurahan",
                "PP 13/2024", 1_019_753),
)
TOTAL = sum(item.amount for item in ITEMS)


def document(n: int) -> ReceiptDocument:
    """The n-th receipt of the year: its own number and verification code, so no two are alike."""
    return ReceiptDocument(
        number=f"KW/927100/2026/{n:05d}", fiscal_year=2026, issued_on=date(2026, 11, 25), office=OFFICE,
        payer_name="Ani Wijaya", payer_institution="Universitas Contoh", amount=TOTAL, items=ITEMS,
        invoice_number=f"INV/927100/2026/{n:05d}", order_reference=f"PST-2026-{n:06d}",
        billing_code="820261123000123",
        payments=(PaymentReference("Kode billing (SIMPONI)", "24 November 2026, 10.15 WIB", TOTAL, bank="BANK X",
                                   ntpn=f"0A1B2C3D4E{n:06d}", reference="123456789012"),),
        verify_url=f"https://penjualan.example.bps.go.id/verify/kuitansi/Zx8kLq2PfR0aB1cD2e{n:06d}",
    )


def timed(action, n: int) -> list[float]:
    times = []
    for i in range(1, n + 1):
        start = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"{label}: {len(times)} receipts, mean {statistics.mean(times):5.1f} ms, median "
          f"{statistics.median(times):5.1f} ms, p95 {p95:5.1f} ms per receipt PDF")


def main(n: int = 200) -> None:
    receipt_pdf(document(0))  # fonts and modules loaded once, as in a running server
    size = len(receipt_pdf(document(1)))
    report("receipt PDF, rendered         ", timed(lambda i: receipt_pdf(document(i)), n))
    reissued = replace(document(1), replaces="KW/927100/2026/00000", replaces_reason="Nama pembayar salah ketik.")
    report("receipt PDF, reissued         ", timed(lambda i: receipt_pdf(replace(reissued, number=f"KW/{i}")), n))
    with tempfile.TemporaryDirectory() as folder:
        storage = FileStorage(folder)
        report("receipt PDF, rendered + stored", timed(lambda i: storage.put(receipt_pdf(document(i))), n))
    print(f"receipt PDF size: {size / 1024:.1f} KiB (3 lines, one payment)")


if __name__ == "__main__":
    main()
