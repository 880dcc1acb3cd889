"""The receipt (kuitansi) PDF: what DOMAIN.md says it holds, read back with pypdf; and the receipts
that would print wrong refused."""

import dataclasses
from datetime import date

import pytest

from sales_service.documents.layout import DocumentNotPrintable
from sales_service.documents.receipt import PaymentReference, ReceiptDocument, ReceiptItem, receipt_pdf
from tests.buyer_steps import pdf_text
from tests.unit.test_documents import OFFICE

BILLING = PaymentReference(method="Kode billing (SIMPONI)", paid_on="24 November 2026, 10.15 WIB", amount=1_001_000,
                           bank="BANK X", ntpn="0A1B2C3D4E5F6G7H", reference="123456789012")
RECEIPT = ReceiptDocument(
    number="KW/054123/2026/00007", fiscal_year=2026, issued_on=date(2026, 11, 25), office=OFFICE,
    payer_name="Ani Wijaya & Rekan", payer_institution="Universitas Udayana", amount=1_001_000,
    items=(ReceiptItem("Publikasi Tabanan Dalam Angka 2025", "Publikasi elektronik", "PP 13/2024", 1_000_000),
           ReceiptItem("Peta digital Kecamatan Kediri", "Peta digital wilkerstat per desa", "PP 13/2024", 1_000)),
    invoice_number="INV/054123/2026/00012", order_reference="ORD-2026-000123", billing_code="820261123000123",
    payments=(BILLING,), verify_url="https://penjualan.example/verify/kuitansi/Zx8_kLq2-PfR0aB1cD2eF3gH",
)


def receipt(**changes) -> ReceiptDocument:
    return dataclasses.replace(RECEIPT, **changes)


def test_the_receipt_holds_what_domain_md_lists():
    text = pdf_text(receipt_pdf(RECEIPT))
    for expected in (
        "KUITANSI", "Nomor KW/054123/2026/00007", "Tahun Anggaran 2026",
        "Sudah terima dari Ani Wijaya & Rekan Universitas Udayana",
        "Uang sejumlah Rp1.001.000", "Terbilang satu juta seribu rupiah",  # not "satu juta satu ribu"
        "invoice INV/054123/2026/00012", "Publikasi elektronik (PP 13/2024)", "Peta digital wilkerstat per desa",
        "Kode akun: 425131", "Kode billing: 820261123000123", "NTPN 0A1B2C3D4E5F6G7H", "NTB 123456789012",
        "24 November 2026, 10.15 WIB", "BANK X", "Tabanan, 25 November 2026", "Bendahara Penerimaan",
        "Ni Luh Putu Ayu Lestari", "NIP 198507122009022001", "Zx8_kLq2-PfR0aB1cD2eF3gH",
    ):
        assert expected in text, expected
    assert "menggantikan" not in text


def test_a_transfer_prints_its_reference_and_no_billing_code():
    transfer = PaymentReference(method="Transfer dari luar negeri", paid_on="25 November 2026", amount=1_001_000,
                                bank="Bank of Elsewhere", reference="FT2611250001")
    text = pdf_text(receipt_pdf(receipt(billing_code=None, payments=(transfer,))))
    assert "Referensi FT2611250001" in text and "Bank of Elsewhere" in text
    assert "Kode billing:" not in text and "NTPN 0" not in text


def test_a_reissued_receipt_names_the_voided_one_and_why():
    text = pdf_text(receipt_pdf(receipt(replaces="KW/054123/2026/00006", replaces_reason="Nama pembayar salah.")))
    assert "menggantikan kuitansi KW/054123/2026/00006 yang dibatalkan: Nama pembayar salah." in text


def test_the_same_data_gives_the_same_bytes():
    assert receipt_pdf(RECEIPT) == receipt_pdf(RECEIPT)


@pytest.mark.parametrize("changes, reason", [
    ({"amount": 1_001_001}, "jumlah tidak sama dengan rincian pembayaran"),
    ({"payments": (dataclasses.replace(BILLING, amount=1_000_000),)}, "jumlah tidak sama dengan pembayaran"),
    ({"payments": ()}, "tidak ada pembayaran"),
    ({"items": ()}, "tidak ada yang dibayar"),
    ({"fiscal_year": 2025}, "tahun anggaran"),
])
def test_a_receipt_that_would_print_wrong_is_refused(changes, reason):
    with pytest.raises(DocumentNotPrintable, match=reason):
        receipt_pdf(receipt(**changes))
