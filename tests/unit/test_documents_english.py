"""The invoice and the SPPD for a buyer who reads English (issue 8, point 12): bilingual, Indonesian
first with English beside or beneath it; for everyone else Indonesian only, as before.

PDFs are read back with pypdf, as in test_documents; the builders are that module's.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from sales_service.documents import invoice as invoice_module
from sales_service.documents import sppd as sppd_module
from sales_service.documents.invoice import invoice_pdf
from sales_service.documents.layout import (
    Both,
    DocumentNotPrintable,
    Wording,
    amount_in_english_words,
)
from sales_service.documents.sppd import PREVAILING_LANGUAGE, PROVIDER_OBLIGATIONS, SPPD_OBLIGATIONS, sppd_pdf
from sales_service.errors import InvalidInput
from tests.unit.test_documents import (
    LINES,
    abroad_invoice,
    document_line,
    invoice,
    pages_text,
    pdf_text,
    recipient,
    sppd,
    squeezed,
    zero_rate_invoice,
)

# The lines as printing.py hands them over for an English buyer: the schedule's English item names,
# the catalogue's English titles, the lines' English price explanations and counts.
ENGLISH_LINES = (
    dataclasses.replace(
        LINES[0], item_name_en="Microdata, unprocessed (per data set)", description_en="Susenas March 2025 microdata",
        basis_en="first 1 MB Rp20,000 + 6,512,345 bytes × Rp20/1,000 bytes", quantity_en="7,512,345 bytes"),
    dataclasses.replace(
        LINES[1], item_name_en="Electronic publication",
        basis_en="first 50 pages Rp50,000 + 2 × 50 further pages @ Rp15,000", quantity_en="120 pages"),
    dataclasses.replace(LINES[2], basis_en="1 map × Rp1,019,753", quantity_en="1 map"),
)


def english_invoice(**changes):
    values = dict(language="en", lines=ENGLISH_LINES, billing_expires_at_en="1 December 2026, 23:59 WIB")
    return invoice(**(values | changes))


def english_sppd(**changes):
    return sppd(**({"language": "en"} | changes))


def english_words(table: dict[str, str]) -> list[str]:
    """What each English text of a document's table begins with (before its first value, markup
    removed), where that differs from the Indonesian: none of it may show on an Indonesian document."""
    found = []
    for indonesian, english in table.items():
        start = re.sub(r"<[^>]+>|&nbsp;", "", english.split("{")[0]).strip(" ,.;:(")
        if english != indonesian and len(start) >= 5:
            found.append(start)
    return found


# --- the invoice ---------------------------------------------------------------------------


def test_an_english_buyers_invoice_labels_every_field_in_both_languages():
    text = pdf_text(invoice_pdf(english_invoice()))

    for label in ("Nomor / Number", "Tanggal terbit / Date of issue", "Referensi pesanan / Order reference",
                  "Kepada (wajib bayar) / To (payer)", "Pembayaran / Payment", "Kode akun / Account code: 425131",
                  "Halaman 1 / Page 1", "Status Diterbitkan / Issued"):
        assert label in text
    assert "Uraian / item tarif Description / tariff item Perhitungan Calculation Jumlah Amount" in text
    assert "Penerimaan Negara Bukan Pajak — penjualan produk statistik " \
           "Non-tax state revenue (PNBP) — sale of statistical products" in text
    assert "Bendahara Penerimaan Receiving Treasurer Ni Luh Putu Ayu Lestari" in text  # the signature block
    assert "Electronic document: scan the QR code" in text  # the footer
    assert "Work unit (satker) 054123" in text


def test_the_english_invoice_writes_the_amount_in_indonesian_then_english_words():
    text = pdf_text(invoice_pdf(english_invoice()))
    assert ("Terbilang: satu juta dua ratus lima puluh ribu rupiah "
            "In words: one million, two hundred and fifty thousand rupiah") in text


def test_the_english_invoice_names_items_and_explains_prices_in_english_too():
    text = pdf_text(invoice_pdf(english_invoice()))

    assert "Data mikro Susenas Maret 2025 Susenas March 2025 microdata" in text
    assert "Tarif: Data mikro belum diolah (per set data) (PP 13/2024) " \
           "Tariff: Microdata, unprocessed (per data set) (PP 13/2024)" in text
    # the Indonesian calculation, then the line's basis_en beneath it
    assert ("1 MB pertama Rp20.000 + 6.512.345 byte × Rp20/1.000 byte "
            "7,512,345 bytes first 1 MB Rp20,000 + 6,512,345 bytes × Rp20/1,000 bytes Rp150.247") in text
    assert "first 50 pages Rp50,000 + 2 × 50 further pages @ Rp15,000 Rp80.000" in text
    assert "Tariff: Electronic publication (PP 13/2024)" in text


def test_a_line_priced_before_english_explanations_were_kept_prints_its_indonesian_alone():
    old = document_line()  # no basis_en, no English names
    text = pdf_text(invoice_pdf(english_invoice(lines=(old,), total=old.amount)))
    assert "1 MB pertama Rp20.000 + 6.512.345 byte × Rp20/1.000 byte Rp150.247" in text
    assert "first 1 MB" not in text
    assert "Tariff: Data mikro belum diolah (per set data) (PP 13/2024)" in text


def test_the_english_part_writes_dates_in_english():
    text = pdf_text(invoice_pdf(english_invoice(issued_on=date(2026, 12, 2), due_on=date(2027, 1, 9))))
    assert "Tanggal terbit / Date of issue 2 Desember 2026 / 2 December 2026" in text
    assert "Jatuh tempo / Due date 9 Januari 2027 / 9 January 2027" in text
    assert "Tabanan, 2 Desember 2026 / 2 December 2026" in text
    assert ("Kode billing: 820261123000123, berlaku sampai 2026-12-01 23:59 WIB;" in text
            and "Billing code: 820261123000123, valid until 1 December 2026, 23:59 WIB; pay at a collecting bank"
            in text)


@pytest.mark.parametrize(
    ("build", "indonesian", "english"),
    [
        pytest.param(lambda: english_invoice(status="paid"), "Tagihan ini telah dibayar lunas (kode billing",
                     "This invoice has been paid in full (billing code 820261123000123).", id="paid"),
        pytest.param(lambda: english_invoice(status="void"), "Jangan membayar berdasarkan invoice ini",
                     "Do not pay on this invoice; use its latest version.", id="void"),
        pytest.param(lambda: dataclasses.replace(zero_rate_invoice(), language="en"), "tidak ada pembayaran.",
                     "Rp0 tariff — PP 13/2024 Pasal 4; Perban BPS 2/2019; nothing to pay.", id="zero-rate"),
        pytest.param(lambda: english_invoice(version=2, replaces="INV/5102/2026/000122"),
                     "Versi 2, menggantikan INV/5102/2026/000122", "Version 2, replacing INV/5102/2026/000122",
                     id="reissued"),
    ],
)
def test_every_state_of_the_invoice_says_what_to_do_in_both_languages(build, indonesian, english):
    text = pdf_text(invoice_pdf(build()))
    assert indonesian in text and english in text
    assert text.index(indonesian) < text.index(english)  # Indonesian first


def test_a_bilingual_invoice_for_a_buyer_abroad_keeps_its_transfer_instructions():
    text = pdf_text(invoice_pdf(abroad_invoice(language="en")))
    assert "Berlaku sampai / Valid until 24 Desember 2026 (24 December 2026)" in text  # said once
    assert "Please transfer Rp1,250,000 (Indonesian rupiah)" in text  # grouped as English reads it
    assert "All bank charges are borne by the payer (PP 13/2024)." in text
    assert "In words: one million, two hundred and fifty thousand rupiah" in text


@pytest.mark.parametrize(
    "build",
    [pytest.param(invoice, id="issued"), pytest.param(zero_rate_invoice, id="zero-rate"),
     pytest.param(lambda: invoice(status="void", version=2, replaces="INV/1"), id="void")],
)
def test_an_indonesian_buyers_invoice_has_no_english(build):
    # lines carrying English (as printing.py may hand them) change nothing on an Indonesian invoice
    doc = dataclasses.replace(build(), lines=tuple(
        dataclasses.replace(line, **{k: v for k, v in dataclasses.asdict(english).items() if k.endswith("_en")})
        for line, english in zip(build().lines, ENGLISH_LINES, strict=True)))
    pdf = invoice_pdf(doc)
    text = pdf_text(pdf)

    for words in english_words(invoice_module.ENGLISH) + ["Page 1", "Electronic document", "Work unit",
                                                          "Susenas March", "first 1 MB", "bytes"]:
        assert words not in text, words
    assert pdf == invoice_pdf(build())  # the same bytes as without the English data


def test_the_largest_amounts_still_fit_their_columns_on_a_bilingual_invoice():
    largest = 999_999_999_999
    line = dataclasses.replace(ENGLISH_LINES[2], basis="1 peta × Rp999.999.999.999",
                               basis_en="1 map × Rp999.999.999.999", amount=largest, normal_amount=largest)
    text = pdf_text(invoice_pdf(english_invoice(lines=(line,), total=largest)))
    # both calculations, the line amount and the total, none wrapped ("Rp999.999.999. 999")
    assert text.count("Rp999.999.999.999") == squeezed(text).count("Rp999.999.999.999") == 4

    waived = dataclasses.replace(line, amount=0, waived=True)
    text = pdf_text(invoice_pdf(dataclasses.replace(zero_rate_invoice(), language="en", lines=(waived,))))
    assert "(tarif normal / normal tariff Rp999.999.999.999)" in text
    assert text.count("Rp999.999.999.999") == squeezed(text).count("Rp999.999.999.999") == 3


# --- the SPPD ------------------------------------------------------------------------------


def articles(text: str) -> list[str]:
    """The bilingual agreement cut at its article headings: [before Pasal 1, Pasal 1, ..., Pasal 6]."""
    parts = re.split(r"Pasal \d / Article \d ", text)
    assert len(parts) == 7, "six articles, each headed in both languages"
    return parts


def test_each_article_of_the_sppd_is_followed_by_its_english_translation():
    text = pdf_text(sppd_pdf(english_sppd()))
    _, data, purpose, provider, recipient_part, breach, closing = articles(text)

    assert data.startswith("Data yang Diserahkan / Data Provided")
    assert "The FIRST PARTY hands over to the SECOND PARTY the data listed in the table above, " \
           "paid with invoice INV/5102/2026/000123." in data
    assert "The SECOND PARTY shall use the data only for: Penelitian tesis" in purpose
    for part, indonesian in ((provider, PROVIDER_OBLIGATIONS), (recipient_part, SPPD_OBLIGATIONS)):
        english = [sppd_module.ENGLISH[obligation] for obligation in indonesian]
        last_indonesian = part.index(" ".join(indonesian[-1].split()))
        for number, obligation in enumerate(english, start=1):
            assert part.index(f"({number}) {obligation}") > last_indonesian  # after the whole Indonesian article
    assert "Protect the confidentiality of respondents in accordance with Law Number 16 of 1997" in recipient_part
    assert "If the SECOND PARTY breaches Article 2 or Article 4" in breach
    assert "This agreement takes effect when it has been signed by both parties." in closing
    assert "each bearing a Rp10.000 duty stamp (meterai)" in closing


def test_the_bilingual_sppd_says_that_the_indonesian_text_prevails():
    text = pdf_text(sppd_pdf(english_sppd()))
    closing = articles(text)[-1]
    assert PREVAILING_LANGUAGE.id in closing and PREVAILING_LANGUAGE.en in closing
    assert "the Indonesian text prevails" in PREVAILING_LANGUAGE.en

    indonesian = pdf_text(sppd_pdf(sppd()))
    assert PREVAILING_LANGUAGE.id not in indonesian  # one language: nothing to prevail over


def test_the_bilingual_sppd_heads_and_labels_in_both_languages_with_english_dates():
    text = pdf_text(sppd_pdf(english_sppd(issued_on=date(2026, 12, 1))))

    assert "SURAT PERJANJIAN PENGGUNAAN DATA (SPPD) — DRAF DATA USE AGREEMENT (SPPD) — DRAFT" in text
    assert "diterbitkan 1 Desember 2026" in text and "Status: Draft · issued 1 December 2026" in text
    assert "Nama / Name I Made Suardana NIP 197203151994031002 Jabatan / Position" in text
    assert "NIK / nomor paspor / NIK / passport number NIK 5102011203900001" in text
    assert "acting on their own behalf, hereinafter the SECOND PARTY." in text
    assert "Set data Data set Variabel Variables" in text
    assert "set lengkap (semua variabel) / full set (all variables)" in text
    assert "PIHAK PERTAMA / FIRST PARTY Kepala Badan Pusat Statistik Kabupaten Tabanan " \
           "Head of Badan Pusat Statistik Kabupaten Tabanan I Made Suardana" in text
    assert "PIHAK KEDUA / SECOND PARTY Penerima data Data recipient" in text


def test_a_bilingual_sppd_for_a_signer_abroad_acting_for_an_institution():
    signer = recipient(name="Jane Doe", identity="Paspor C1234567", institution="University of Leeds",
                       for_institution=True, abroad=True)
    text = pdf_text(sppd_pdf(english_sppd(recipient=signer, foreign_signature_note=None)))

    assert "Nomor paspor / Passport number Paspor C1234567" in text
    assert "acting for and on behalf of University of Leeds, hereinafter the SECOND PARTY." in text
    assert "PIHAK KEDUA / SECOND PARTY untuk dan atas nama / for and on behalf of University of Leeds" in text
    closing = articles(text)[-1]
    # the default note is already written in both languages; the translation gives its English half
    english = closing[closing.index("(1) This agreement takes effect"):]
    assert "(3) The SECOND PARTY, resident abroad, signs without an Indonesian duty stamp" in english
    assert "Meterai Rp10.000" not in text


def test_a_bilingual_sppd_with_two_thousand_variables_still_flows_over_pages():
    variables = tuple(f"r{n:04d}_pengeluaran_makanan_kapita_x"[:32] for n in range(1, 2_001))
    pdf = sppd_pdf(english_sppd(datasets=(("Susenas Maret 2025 Kor Individu", variables),)))

    assert len(PdfReader(BytesIO(pdf)).pages) > 1
    text = pdf_text(pdf)
    assert variables[0] in text and variables[-1] in text
    assert PREVAILING_LANGUAGE.en in text
    assert "PIHAK KEDUA / SECOND PARTY Penerima data Data recipient" in pages_text(pdf)[-1]


@pytest.mark.parametrize(
    "build",
    [pytest.param(sppd, id="person"),
     pytest.param(lambda: sppd(recipient=recipient(institution="PT X", for_institution=True)), id="institution"),
     pytest.param(lambda: sppd(status="void"), id="void")],
)
def test_an_indonesian_buyers_sppd_has_no_english(build):
    text = pdf_text(sppd_pdf(build()))
    for words in english_words(sppd_module.ENGLISH) + ["Article 1", "Page 1", "Electronic document"]:
        assert words not in text, words


# --- refusals and the kit ------------------------------------------------------------------


@pytest.mark.parametrize("render", [lambda: invoice_pdf(invoice(language="fr")),
                                    lambda: sppd_pdf(sppd(language="fr"))])
def test_a_document_in_a_language_it_cannot_print_is_refused(render):
    with pytest.raises(DocumentNotPrintable) as refused:
        render()
    assert "fr" in refused.value.message


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "zero rupiah"),
        (1_001_000, "one million, one thousand rupiah"),
        (1_250_000, "one million, two hundred and fifty thousand rupiah"),
        (21_001_500, "twenty-one million, one thousand, five hundred rupiah"),
        (999_999_999_999, "nine hundred and ninety-nine billion, nine hundred and ninety-nine million, "
                          "nine hundred and ninety-nine thousand, nine hundred and ninety-nine rupiah"),
    ],
)
def test_amount_in_english_words(amount, words):
    assert amount_in_english_words(amount) == words


def test_amount_in_english_words_takes_whole_non_negative_rupiah_only():
    with pytest.raises(InvalidInput):
        amount_in_english_words(-5)
    with pytest.raises(TypeError):
        amount_in_english_words(1.5)


def test_a_text_without_its_english_is_never_printed_half_translated():
    bilingual = Wording({"Jumlah": "Amount"})
    assert bilingual.label("Jumlah") == "Jumlah / Amount"
    assert bilingual.stacked("Jumlah") == "Jumlah<br/><i>Amount</i>"
    assert bilingual.inline(Both("1 Desember 2026", "1 December 2026")) == "1 Desember 2026 / 1 December 2026"
    with pytest.raises(KeyError, match="Perhitungan"):
        bilingual.label("Perhitungan")

    indonesian = Wording()
    assert indonesian.label("Perhitungan") == "Perhitungan"
    assert indonesian.inline(Both("1 Desember 2026", "1 December 2026")) == "1 Desember 2026"
