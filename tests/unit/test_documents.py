"""Invoice and SPPD PDFs, QR codes and the amount in words (the sales_service.documents package).

The PDFs are read back with pypdf, as a buyer's or auditor's tool would; whitespace is
normalised before asserting because reportlab wraps long text over lines.
"""

import dataclasses
import re
from datetime import date
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm

from sales_service.documents.invoice import BankDetails, DocumentLine, InvoiceDocument, invoice_pdf
from sales_service.documents.layout import DocumentNotPrintable, Office, amount_in_words, format_npwp, qr_png
from sales_service.documents.sppd import PROVIDER_OBLIGATIONS, SPPD_OBLIGATIONS, Recipient, SppdDocument, sppd_pdf
from sales_service.errors import DomainError, InvalidInput

VERIFY_URL = "https://penjualan.example.bps.go.id/verifikasi/INV-2026-000123?sig=eyJhbGciOiJIUzI1NiJ9.abc"
ZERO_RATE_BASIS = "PP 13/2024 Pasal 4; Perban BPS 2/2019"

OFFICE = Office(
    name="Badan Pusat Statistik Kabupaten Tabanan",
    address="Jl. Pahlawan No. 5",
    city="Tabanan",
    satker_code="054123",
    ministry_code="054",
    echelon_code="01",
    account_code="425131",
    head_name="I Made Suardana",
    treasurer_name="Ni Luh Putu Ayu Lestari",
    treasurer_nip="198507122009022001",
    head_nip="197203151994031002",
)


def document_line(**overrides) -> DocumentLine:
    values = dict(
        description="Data mikro Susenas Maret 2025",
        regulation="PP 13/2024",
        item_code="microdata-raw",
        item_name="Data mikro belum diolah (per set data)",
        basis="1 MB pertama Rp20.000 + 6.512.345 byte × Rp20/1.000 byte",
        quantity="7.512.345 byte",
        amount=150_247,
        normal_amount=150_247,
        waived=False,
    )
    return DocumentLine(**(values | overrides))


LINES = (
    document_line(),
    document_line(
        description="Publikasi Tabanan Dalam Angka 2025",
        item_code="pub-electronic",
        item_name="Publikasi elektronik",
        basis="50 halaman pertama Rp50.000 + 2 × 50 halaman berikutnya @ Rp15.000",
        quantity="120 halaman",
        amount=80_000,
        normal_amount=80_000,
    ),
    document_line(
        description="Peta digital wilayah kerja statistik Kecamatan Kediri",
        item_code="map-regency-desa",
        item_name="Peta digital wilkerstat satu kabupaten/kota per desa/kelurahan",
        basis="1 peta × Rp1.019.753",
        quantity="1 peta",
        amount=1_019_753,
        normal_amount=1_019_753,
    ),
)


def invoice(**overrides) -> InvoiceDocument:
    """An issued, domestic invoice of Rp1.250.000 with a billing code."""
    values = dict(
        number="INV/5102/2026/000123",
        version=1,
        status="issued",
        issued_on=date(2026, 11, 24),
        due_on=date(2026, 12, 1),
        office=OFFICE,
        buyer_name="Putu Gede Wirawan",
        buyer_institution="PT Riset Data Nusantara",
        buyer_npwp="123456789012345",
        order_reference="ORD-2026-000456",
        lines=LINES,
        total=1_250_000,
        zero_rate_basis=None,
        billing_code="820261123000123",
        billing_expires_at="2026-12-01 23:59 WIB",
        bank=None,
        verify_url=VERIFY_URL,
    )
    return InvoiceDocument(**(values | overrides))


ORDER_URL = "https://penjualan.example.bps.go.id/pesanan/456"


def abroad_invoice(**overrides) -> InvoiceDocument:
    return invoice(
        billing_code=None,
        billing_expires_at=None,
        due_on=None,
        valid_until=date(2026, 12, 24),
        order_url=ORDER_URL,
        bank_charges_basis="PP 13/2024",
        buyer_npwp=None,
        bank=BankDetails(
            bank_name="Bank Rakyat Indonesia",
            account_name="RPL 054 BPS Kab Tabanan",
            account_number="0123-01-000456-30-9",
            swift="BRINIDJA",
            reference="INV/5102/2026/000123",
        ),
    ) if not overrides else dataclasses.replace(abroad_invoice(), **overrides)


def zero_rate_invoice() -> InvoiceDocument:
    waived = tuple(dataclasses.replace(line, amount=0, waived=True) for line in LINES)
    return invoice(
        lines=waived, total=0, billing_code=None, billing_expires_at=None, due_on=None, zero_rate_basis=ZERO_RATE_BASIS
    )


def recipient(**overrides) -> Recipient:
    """A person signing for themselves, with what an online buyer's profile holds (no NIK)."""
    values = dict(
        name="Putu Gede Wirawan",
        identity=None,
        address="Jl. Raya Kuta No. 8, Badung",
        phone="081234567890",
        email="putu@example.test",
        institution="Universitas Udayana",
        for_institution=False,
        abroad=False,
    )
    return Recipient(**(values | overrides))


def sppd(**overrides) -> SppdDocument:
    values = dict(
        number="SPPD/5102/2026/00045",
        version=1,
        status="draft",
        issued_on=date(2026, 11, 24),
        office=OFFICE,
        recipient=recipient(identity="NIK 5102011203900001"),
        purpose="Penelitian tesis tentang kemiskinan rumah tangga di Bali",
        datasets=(
            ("Susenas Maret 2025 Kor Individu", ("r101", "r105", "kapita", "wert")),
            ("Sakernas Agustus 2025", None),
        ),
        verify_url=VERIFY_URL,
        invoice_number="INV/5102/2026/000123",
        foreign_signature_note="Tanpa meterai; bea meterai dilunasi di Indonesia bila dokumen digunakan.",
    )
    return SppdDocument(**(values | overrides))


def pdf_text(pdf: bytes) -> str:
    """All pages' text with runs of whitespace collapsed to one space."""
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pages_text(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


def squeezed(text: str) -> str:
    """Without any whitespace."""
    return re.sub(r"\s+", "", text)


def text_heights(pdf: bytes, page: int = 0) -> list[tuple[str, float]]:
    """Each run of text on the page with the height of its baseline above the page's bottom edge."""
    runs: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), tm[5] * cm[3] + cm[5]))

    PdfReader(BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return runs


def baseline(pdf: bytes, text: str) -> float:
    """The baseline of the lowest run that reads exactly ``text`` on the last page (where signatures are)."""
    return min(height for run, height in text_heights(pdf, page=-1) if run == text)


# --- amount in words -----------------------------------------------------------------------


# Written by hand, group by group. Every thousands group of exactly one is "seribu", also inside a
# larger number (num2words 0.5.14 writes "satu ribu" there); hundreds, tens and teens of one are
# "seratus", "sepuluh", "sebelas" in every group; millions and up keep "satu" ("satu juta").
@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (10, "sepuluh rupiah"),
        (11, "sebelas rupiah"),
        (12, "dua belas rupiah"),
        (19, "sembilan belas rupiah"),
        (21, "dua puluh satu rupiah"),
        (100, "seratus rupiah"),
        (101, "seratus satu rupiah"),
        (111, "seratus sebelas rupiah"),
        (1_000, "seribu rupiah"),
        (1_001, "seribu satu rupiah"),
        (1_100, "seribu seratus rupiah"),
        (2_000, "dua ribu rupiah"),
        (10_000, "sepuluh ribu rupiah"),
        (11_000, "sebelas ribu rupiah"),
        (21_000, "dua puluh satu ribu rupiah"),
        (100_000, "seratus ribu rupiah"),
        (101_000, "seratus satu ribu rupiah"),
        (110_000, "seratus sepuluh ribu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (1_001_000, "satu juta seribu rupiah"),
        (1_001_001, "satu juta seribu satu rupiah"),
        (1_011_000, "satu juta sebelas ribu rupiah"),
        (1_100_000, "satu juta seratus ribu rupiah"),
        (1_250_000, "satu juta dua ratus lima puluh ribu rupiah"),
        (10_001_000, "sepuluh juta seribu rupiah"),
        (11_000_000, "sebelas juta rupiah"),
        (20_000_000, "dua puluh juta rupiah"),
        (21_001_500, "dua puluh satu juta seribu lima ratus rupiah"),
        (24_000_000, "dua puluh empat juta rupiah"),
        (100_000_000, "seratus juta rupiah"),
        (101_001_000, "seratus satu juta seribu rupiah"),
        (1_000_000_000, "satu miliar rupiah"),
        (1_000_001_000, "satu miliar seribu rupiah"),
        (1_001_001_000, "satu miliar satu juta seribu rupiah"),
        (11_111_111_111, "sebelas miliar seratus sebelas juta seratus sebelas ribu seratus sebelas rupiah"),
        (100_000_000_000, "seratus miliar rupiah"),
        (
            999_999_999_999,
            "sembilan ratus sembilan puluh sembilan miliar sembilan ratus sembilan puluh sembilan juta "
            "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan rupiah",
        ),
        (1_001_000_001_000, "satu triliun satu miliar seribu rupiah"),
    ],
)
def test_amount_in_words_is_indonesian_terbilang(amount, words):
    assert amount_in_words(amount) == words


def test_amount_in_words_refuses_a_negative_amount():
    with pytest.raises(InvalidInput):
        amount_in_words(-1)


@pytest.mark.parametrize("amount", [1.5, "1000", True])
def test_amount_in_words_takes_whole_rupiah_only(amount):
    with pytest.raises(TypeError):
        amount_in_words(amount)


@pytest.mark.parametrize(
    ("npwp", "printed"),
    [
        ("123456789012345", "12.345.678.9-012.345"),
        ("12.345.678.9-012.345", "12.345.678.9-012.345"),
        ("3171012345678901", "3171012345678901"),  # 16-digit (NIK) NPWP has no dotted form
    ],
)
def test_npwp_is_printed_in_its_card_form(npwp, printed):
    assert format_npwp(npwp) == printed


# --- QR code -------------------------------------------------------------------------------


def test_qr_png_is_a_square_png_image():
    png = qr_png(VERIFY_URL)
    image = Image.open(BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert image.width == image.height >= 250  # box size 10 and a 4-module quiet zone
    assert image.mode in {"1", "L"}


def test_qr_png_is_deterministic_and_depends_on_the_text():
    assert qr_png(VERIFY_URL) == qr_png(VERIFY_URL)
    assert qr_png(VERIFY_URL) != qr_png(VERIFY_URL + "x")


def test_qr_png_refuses_empty_text():
    with pytest.raises(InvalidInput):
        qr_png("")


# --- invoice -------------------------------------------------------------------------------


def test_invoice_shows_number_lines_total_words_and_billing_code():
    text = pdf_text(invoice_pdf(invoice()))

    assert "INVOICE / TAGIHAN PNBP" in text
    assert "INV/5102/2026/000123" in text
    for line in LINES:
        assert line.description in text
        assert f"Tarif: {line.item_name} ({line.regulation})" in text
        assert line.quantity in text
    for amount in ("Rp150.247", "Rp80.000", "Rp1.019.753"):
        assert amount in text
    assert "Rp1.250.000" in text
    assert "Terbilang: satu juta dua ratus lima puluh ribu rupiah" in text
    assert "Kode billing: 820261123000123, berlaku sampai 2026-12-01 23:59 WIB" in text
    assert "NTPN" in text
    assert "Kode akun: 425131" in text


def test_each_line_names_its_tariff_item_in_the_regulations_words():
    text = pdf_text(invoice_pdf(invoice()))
    assert "Tarif: Data mikro belum diolah (per set data) (PP 13/2024)" in text
    assert "Tarif: Peta digital wilkerstat satu kabupaten/kota per desa/kelurahan (PP 13/2024)" in text
    # internal codes are not what a buyer or auditor reads
    assert "microdata-raw" not in text and "map-regency-desa" not in text


def test_a_line_copied_before_names_were_kept_falls_back_to_the_item_code():
    text = pdf_text(invoice_pdf(invoice(lines=(document_line(item_name=None),), total=150_247)))
    assert "Tarif: microdata-raw (PP 13/2024)" in text


def test_the_calculation_is_printed_as_the_rule_works_with_no_unit_price_beside_a_byte_count():
    text = pdf_text(invoice_pdf(invoice()))

    assert "Tarif satuan" not in text
    # first MB, then per byte beyond it; pages in started blocks of 50; per map
    assert "7.512.345 byte 1 MB pertama Rp20.000 + 6.512.345 byte × Rp20/1.000 byte Rp150.247" in text
    assert "120 halaman 50 halaman pertama Rp50.000 + 2 × 50 halaman berikutnya @ Rp15.000 Rp80.000" in text
    assert "1 peta × Rp1.019.753 Rp1.019.753" in text
    # the old column printed the first-MB price right after the byte count: "7.512.345 byte Rp20.000"
    assert "byte Rp20.000" not in text


def test_invoice_shows_office_buyer_and_indonesian_dates():
    text = pdf_text(invoice_pdf(invoice()))

    assert OFFICE.name in text
    assert "054123" in text and "Kementerian/lembaga 054" in text
    assert "Putu Gede Wirawan" in text and "PT Riset Data Nusantara" in text
    assert "NPWP 12.345.678.9-012.345" in text
    assert "ORD-2026-000456" in text
    assert "24 November 2026" in text and "1 Desember 2026" in text


def test_invoice_prints_the_verification_url_under_its_qr_code():
    pdf = invoice_pdf(invoice())
    assert squeezed(VERIFY_URL) in squeezed(pdf_text(pdf))
    assert len(PdfReader(BytesIO(pdf)).pages[0].images) == 1


def test_a_new_version_names_the_invoice_it_replaces():
    text = pdf_text(invoice_pdf(invoice(version=2, replaces="INV/5102/2026/000122")))
    assert "Versi 2, menggantikan INV/5102/2026/000122" in text


def test_void_invoice_says_so_and_does_not_ask_for_payment():
    text = pdf_text(invoice_pdf(invoice(status="void")))
    assert "VOID / BATAL" in text
    assert "Invoice ini dibatalkan dan digantikan versi baru." in text
    assert "Kode billing" not in text


def test_void_watermark_is_on_every_page():
    many_lines = LINES * 12
    pdf = invoice_pdf(invoice(status="void", lines=many_lines, total=12 * 1_250_000))
    pages = PdfReader(BytesIO(pdf)).pages
    assert len(pages) > 1
    assert all(b"(VOID / BATAL) Tj" in page.get_contents().get_data() for page in pages)


def test_paid_invoice_carries_the_lunas_stamp():
    pdf = invoice_pdf(invoice(status="paid"))
    assert "LUNAS" in pdf_text(pdf)
    assert b"(LUNAS) Tj" in PdfReader(BytesIO(pdf)).pages[0].get_contents().get_data()
    assert "LUNAS" not in pdf_text(invoice_pdf(invoice()))


def test_invoice_for_a_buyer_abroad_gives_bilingual_transfer_instructions():
    text = pdf_text(invoice_pdf(abroad_invoice()))
    assert "BRINIDJA" in text
    assert "0123-01-000456-30-9" in text
    assert "reference: INV/5102/2026/000123" in text
    assert "Kode billing" not in text


def test_invoice_for_a_buyer_abroad_states_until_when_it_may_be_paid():
    text = pdf_text(invoice_pdf(abroad_invoice()))
    assert "Berlaku sampai 24 Desember 2026 (valid until 24 December 2026)" in text
    assert "paling lambat 24 Desember 2026" in text and "by 24 December 2026" in text
    assert "Jatuh tempo" not in text  # no billing code, so no code expiry either


def test_invoice_for_a_buyer_abroad_says_where_to_upload_the_proof_of_transfer():
    pdf = invoice_pdf(abroad_invoice())
    text = pdf_text(pdf)
    assert f"unggah bukti transfer pada halaman pesanan Anda di layanan ini: {ORDER_URL}" in text
    assert f"upload the proof of transfer on your order page in this service: {ORDER_URL}" in text
    links = [a["/A"]["/URI"] for a in PdfReader(BytesIO(pdf)).pages[0]["/Annots"] if "/A" in a.get_object()]
    assert ORDER_URL in links  # clickable in a PDF viewer


@pytest.mark.parametrize("basis", ["PP 13/2024", "PP 7/2015 Pasal 3"])
def test_invoice_for_a_buyer_abroad_cites_the_bank_charges_rule_of_its_own_schedule(basis):
    text = pdf_text(invoice_pdf(abroad_invoice(bank_charges_basis=basis)))
    assert f"Biaya bank ditanggung pembayar ({basis})." in text
    assert f"All bank charges are borne by the payer ({basis})." in text
    if basis == "PP 13/2024":
        assert "7/2015" not in text


def test_a_schedule_without_a_bank_charges_rule_cites_no_article():
    text = pdf_text(invoice_pdf(abroad_invoice(bank_charges_basis=None)))
    assert "Biaya bank ditanggung pembayar." in text and "borne by the payer." in text
    assert "Pasal" not in text


def test_zero_rate_invoice_states_its_legal_basis_and_no_payment():
    text = pdf_text(invoice_pdf(zero_rate_invoice()))
    assert f"Tarif Rp0 — {ZERO_RATE_BASIS}; tidak ada pembayaran" in text
    assert "Rp0 (tarif normal Rp1.019.753)" in text
    assert "Terbilang: nol rupiah" in text
    assert "Kode billing" not in text
    assert "820261123000123" not in text


def test_buyer_data_with_markup_characters_and_foreign_letters_prints():
    text = pdf_text(invoice_pdf(invoice(buyer_name="Nguyễn & <Partners> Zoë")))
    assert "Nguyen & <Partners> Zoë" in text


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(dict(total=1_000_000), id="total-is-not-the-sum-of-lines"),
        pytest.param(dict(billing_code=None, billing_expires_at=None), id="issued-with-no-way-to-pay"),
        pytest.param(dict(status="draft"), id="unknown-status"),
        pytest.param(dict(lines=(), total=0, zero_rate_basis="x"), id="no-lines"),
        pytest.param(dict(lines=(document_line(amount=0, waived=True),), total=0), id="rp0-without-basis"),
    ],
)
def test_an_invoice_that_would_print_wrong_is_refused(broken):
    with pytest.raises(DocumentNotPrintable) as refused:
        invoice_pdf(invoice(**broken))
    assert isinstance(refused.value, DomainError)
    assert "INV/5102/2026/000123" in refused.value.message


# --- SPPD ----------------------------------------------------------------------------------


def test_sppd_names_the_parties_data_sets_variables_and_obligations():
    text = pdf_text(sppd_pdf(sppd()))

    assert "SURAT PERJANJIAN PENGGUNAAN DATA (SPPD) — DRAF" in text
    assert "Nomor SPPD/5102/2026/00045" in text
    assert OFFICE.name in text and OFFICE.head_name in text
    assert "Putu Gede Wirawan" in text
    assert "Universitas Udayana" in text
    assert "NIK / nomor paspor NIK 5102011203900001" in text
    assert "Susenas Maret 2025 Kor Individu" in text
    assert "r101, r105, kapita, wert" in text
    assert "Sakernas Agustus 2025" in text and "set lengkap" in text
    assert "Penelitian tesis tentang kemiskinan rumah tangga di Bali" in text
    assert "dibayar dengan invoice INV/5102/2026/000123" in text
    assert "Meterai Rp10.000" in text
    assert squeezed(VERIFY_URL) in squeezed(text)


def test_sppd_is_set_out_in_numbered_articles_with_both_parties_obligations():
    text = pdf_text(sppd_pdf(sppd()))

    headings = ["Data yang Diserahkan", "Tujuan Penggunaan", "Kewajiban PIHAK PERTAMA", "Kewajiban PIHAK KEDUA",
                "Pelanggaran", "Penutup"]
    positions = [text.index(f"Pasal {n} {heading}") for n, heading in enumerate(headings, start=1)]
    assert positions == sorted(positions)
    provider = text[positions[2]:positions[3]]
    recipient_part = text[positions[3]:positions[4]]
    for number, obligation in enumerate(PROVIDER_OBLIGATIONS, start=1):
        assert f"({number}) {' '.join(obligation.split())}" in provider
    for number, obligation in enumerate(SPPD_OBLIGATIONS, start=1):
        assert f"({number}) {' '.join(obligation.split())}" in recipient_part


def test_sppd_states_the_head_of_office_with_nip_and_capacity():
    text = pdf_text(sppd_pdf(sppd()))

    assert (f"Nama {OFFICE.head_name} NIP {OFFICE.head_nip} Jabatan Kepala {OFFICE.name} "
            f"Alamat Jl. Pahlawan No. 5, Tabanan dalam hal ini bertindak untuk dan atas nama {OFFICE.name}, "
            "selanjutnya disebut PIHAK PERTAMA") in text
    assert f"{OFFICE.head_name} NIP {OFFICE.head_nip}" in text.split("PIHAK PERTAMA Kepala")[-1]  # signature


def test_the_recipients_identity_address_and_contact_are_printed():
    text = pdf_text(sppd_pdf(sppd()))
    assert ("Nama Putu Gede Wirawan NIK / nomor paspor NIK 5102011203900001 Alamat Jl. Raya Kuta No. 8, Badung "
            "Telepon 081234567890 E-mail putu@example.test") in text
    assert "bertindak untuk dirinya sendiri, selanjutnya disebut PIHAK KEDUA" in text


def test_what_the_service_does_not_know_is_left_blank_to_fill_by_hand_never_invented():
    text = pdf_text(sppd_pdf(sppd(recipient=recipient(identity=None, address=None, phone=None))))
    dots = "." * 44
    assert f"NIK / nomor paspor {dots} Alamat {dots} Telepon {dots} E-mail putu@example.test" in text


def test_a_signer_for_an_institution_signs_for_and_on_behalf_of_it():
    company = recipient(institution="PT Riset Data Nusantara", for_institution=True)
    text = pdf_text(sppd_pdf(sppd(recipient=company)))

    assert "bertindak untuk dan atas nama PT Riset Data Nusantara, selanjutnya disebut PIHAK KEDUA" in text
    assert f"Jabatan {'.' * 44}" in text.split("PIHAK KEDUA")[0].split("PIHAK PERTAMA")[-1]
    assert "PIHAK KEDUA untuk dan atas nama PT Riset Data Nusantara" in text  # the signature block
    assert "untuk dirinya sendiri" not in text


def test_an_sppd_for_an_institution_without_its_name_is_refused():
    with pytest.raises(DocumentNotPrintable):
        sppd_pdf(sppd(recipient=recipient(institution=None, for_institution=True)))


def test_a_domestic_signer_signs_on_a_duty_stamp():
    text = pdf_text(sppd_pdf(sppd()))
    assert "masing-masing bermeterai Rp10.000" in text and "Meterai Rp10.000" in text
    assert "dua asli" in text


def test_no_indonesian_duty_stamp_is_demanded_of_a_signer_abroad():
    abroad = recipient(name="Jane Doe", identity="Paspor C1234567", institution=None, abroad=True)
    text = pdf_text(sppd_pdf(sppd(recipient=abroad)))

    assert "meterai Rp10.000" not in text.lower() and "Meterai Rp10.000" not in text
    assert "Tanpa meterai; bea meterai dilunasi di Indonesia bila dokumen digunakan." in text  # configured
    assert "Nomor paspor Paspor C1234567" in text
    assert "dua asli" in text


def test_the_sppd_header_carries_no_billing_codes():
    text = pdf_text(sppd_pdf(sppd()))
    header = text.split("SURAT PERJANJIAN")[0]
    assert "Kode satker" not in header and "Kementerian/lembaga" not in header
    assert "Kode satker 054123" in pdf_text(invoice_pdf(invoice()))  # a bill keeps them


@pytest.mark.parametrize(
    "phrase",
    [
        "kepada pihak lain",
        "hanya untuk tujuan penelitian/analisis sebagaimana dimaksud dalam Pasal 2",
        "persetujuan tertulis Kepala BPS",
        "mengirimkan hasil penelitian/analisis",
        "data tetap menjadi milik BPS",
        "UU 16/1997) tentang Statistik",
        "menghentikan penyerahan data",
        "berlaku sejak ditandatangani oleh kedua pihak",
    ],
)
def test_sppd_covers_the_agreement_terms(phrase):
    assert phrase in pdf_text(sppd_pdf(sppd()))


def test_void_sppd_carries_the_watermark():
    pdf = sppd_pdf(sppd(status="void"))
    assert "VOID / BATAL" in pdf_text(pdf)
    assert "VOID" not in pdf_text(sppd_pdf(sppd()))


@pytest.mark.parametrize(
    "broken",
    [pytest.param(dict(status="signed"), id="unknown-status"), pytest.param(dict(datasets=()), id="no-data-sets")],
)
def test_an_sppd_that_would_print_wrong_is_refused(broken):
    with pytest.raises(DocumentNotPrintable):
        sppd_pdf(sppd(**broken))


# --- determinism ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("render", "build", "changed"),
    [
        pytest.param(invoice_pdf, invoice, dict(order_reference="ORD-2026-000457"), id="invoice"),
        pytest.param(invoice_pdf, invoice, dict(status="paid"), id="invoice-status"),
        pytest.param(sppd_pdf, sppd, dict(purpose="Analisis lain"), id="sppd"),
    ],
)
def test_same_data_gives_identical_bytes_and_different_data_different_bytes(render, build, changed):
    first, second = render(build()), render(build())
    assert first.startswith(b"%PDF-")
    assert first == second
    assert render(build(**changed)) != first


# --- largest amounts (Rp999.999.999.999) print unbroken ------------------------------------

LARGEST = 999_999_999_999


def test_largest_amounts_fit_their_columns_on_the_invoice():
    line = document_line(quantity="1 peta", basis=f"1 peta × Rp{LARGEST:,}".replace(",", "."), amount=LARGEST,
                         normal_amount=LARGEST)
    text = pdf_text(invoice_pdf(invoice(lines=(line,), total=LARGEST)))

    # the calculation, the line amount and the total; a figure wrapped in its cell reads "Rp999.999.999. 999"
    assert text.count("Rp999.999.999.999") == 3
    assert squeezed(text).count("Rp999.999.999.999") == 3


def test_largest_normal_amount_of_a_waived_line_fits_its_column():
    line = document_line(amount=0, normal_amount=LARGEST, waived=True)
    text = pdf_text(invoice_pdf(dataclasses.replace(zero_rate_invoice(), lines=(line,))))

    assert "Rp999.999.999.999" in text.split("tarif normal")[1]
    assert text.count("Rp999.999.999.999") == squeezed(text).count("Rp999.999.999.999") == 1


# --- the SPPD flows over pages -------------------------------------------------------------


def test_sppd_with_two_thousand_variables_flows_over_pages():
    variables = tuple(f"r{n:04d}_pengeluaran_makanan_kapita_x"[:32] for n in range(1, 2_001))
    pdf = sppd_pdf(sppd(datasets=(("Susenas Maret 2025 Kor Individu", variables), ("Sakernas Agustus 2025", None))))

    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) > 1
    text = pdf_text(pdf)
    assert variables[0] in text and variables[999] in text and variables[-1] in text
    assert "Sakernas Agustus 2025" in text
    assert "PIHAK KEDUA Penerima data" in pages_text(pdf)[-1]  # the agreement still ends with its signatures


# --- layout: QR link, address, signature blocks --------------------------------------------

# Cut only after a separator; "-" and "_" belong to the token.
URL_SEPARATORS = "/?&=.:#"


@pytest.mark.parametrize(
    "url",
    [
        VERIFY_URL,
        # as the service prints it: itsdangerous token (payload.signature) under /verify/
        "http://127.0.0.1:5101/verify/WyJpbnZvaWNlIiwxMjNd.q8sA2lJx0Qm4u6Xk2C3m1fFz-9jQ",
        "https://penjualan.tabanankab.bps.go.id/verify/WyJzcHBkIiwxMjM0NTY3XQ.Zm9vYmFyYmF6cXV4cXV1eF9xdXV1",
    ],
)
def test_the_qr_link_is_printed_whole_and_cut_only_after_a_separator(url):
    pdf = invoice_pdf(invoice(verify_url=url))
    raw = PdfReader(BytesIO(pdf)).pages[0].extract_text()

    # whitespace (a line end) may follow a separator, nowhere else inside the link
    pattern = "".join(re.escape(char) + (r"\s*" if char in URL_SEPARATORS else "") for char in url)
    assert re.search(pattern, raw), raw


@pytest.mark.parametrize(
    ("address", "printed"),
    [
        ("Jl. Pahlawan No. 5", "Jl. Pahlawan No. 5, Tabanan"),
        ("Jl. Pahlawan No. 5, Tabanan", "Jl. Pahlawan No. 5, Tabanan"),
        ("Jl. Pahlawan No. 5, Tabanan 82121", "Jl. Pahlawan No. 5, Tabanan 82121"),
        ("Jl. Pahlawan No. 5 TABANAN,", "Jl. Pahlawan No. 5 TABANAN"),
    ],
)
def test_the_city_is_printed_once_after_the_address(address, printed):
    office = dataclasses.replace(OFFICE, address=address)
    invoice_text = pdf_text(invoice_pdf(invoice(office=office)))
    sppd_text = pdf_text(sppd_pdf(sppd(office=office)))

    assert f"{OFFICE.name} {printed} Kode satker" in invoice_text  # the header
    assert f"{OFFICE.name} {printed} https://" in sppd_text  # the header, then its QR link
    assert f"Alamat {printed} dalam hal ini bertindak" in sppd_text


@pytest.mark.parametrize(
    ("pdf", "role", "name"),
    [
        pytest.param(lambda: invoice_pdf(invoice()), "Bendahara Penerimaan", OFFICE.treasurer_name, id="treasurer"),
        pytest.param(lambda: sppd_pdf(sppd()), f"Kepala {OFFICE.name}", OFFICE.head_name, id="head"),
    ],
)
def test_signature_blocks_leave_room_to_sign(pdf, role, name):
    rendered = pdf()
    sign_style_size = 9  # pt, the name's cap height is below it
    blank = baseline(rendered, role) - baseline(rendered, name) - sign_style_size
    assert blank >= 20 * mm


PLACEHOLDER_OFFICE = dataclasses.replace(
    OFFICE,
    name="BPS Kabupaten Contoh",
    head_name="Kepala BPS Kabupaten Contoh",
    treasurer_name="Bendahara Penerimaan",
    treasurer_nip="-",
    head_nip="-",
)


def test_a_treasurer_setting_that_repeats_the_title_leaves_the_name_to_be_written():
    text = pdf_text(invoice_pdf(invoice(office=PLACEHOLDER_OFFICE)))

    assert text.count("Bendahara Penerimaan") == 1
    assert "NIP -" not in text
    assert "(........" in text and "NIP ........" in text


def test_a_head_setting_that_repeats_the_title_is_not_printed_twice():
    text = pdf_text(sppd_pdf(sppd(office=PLACEHOLDER_OFFICE)))

    assert f"Nama {'.' * 44} NIP {'.' * 44} Jabatan Kepala BPS Kabupaten Contoh" in text
    assert text.count("Kepala BPS Kabupaten Contoh") == 2  # the party's position, and the signature's title
    assert "(........" in text and "NIP -" not in text


def test_real_names_are_printed_under_their_titles():
    invoice_text = pdf_text(invoice_pdf(invoice()))
    sppd_text = pdf_text(sppd_pdf(sppd()))

    assert f"Bendahara Penerimaan {OFFICE.treasurer_name} NIP {OFFICE.treasurer_nip}" in invoice_text
    assert f"Nama {OFFICE.head_name} NIP {OFFICE.head_nip} Jabatan Kepala {OFFICE.name}" in sppd_text
    assert "(........" not in invoice_text + sppd_text
