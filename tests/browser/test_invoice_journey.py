"""Issue 4's acceptance journey in Chromium: the officer issues the invoice of an
accepted order; the buyer downloads it (number, billing code, total, amount in
words all printed), asks for a correction; the officer voids it and issues a new
version; the buyer then sees both versions, the old one marked void, with a new
number and a new billing code. The QR links printed on the PDFs lead to a public
page telling whether the document is valid or void, and an altered link is refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from test_order_journey import (
    BUYER_EMAIL,
    expect_status,
    login,
    logout,
    open_as_buyer,
    open_as_officer,
)

from sales_service.documents.layout import amount_in_words

pytestmark = pytest.mark.browser

PUBLICATION = "Indikator Kesejahteraan Rakyat 2024"
CORRECTION_REASON = "Nama instansi pada invoice perlu ditulis lengkap"
INVOICE_NUMBER = re.compile(r"INV/\S+")
TOKEN_PART = re.compile(r"[A-Za-z0-9_.-]+")  # URL-safe base64 and the dot of a signed token


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), "not a PDF"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def download(page: Page, link) -> tuple[str, bytes]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def verify_path(text: str) -> str:
    """The path of the verify URL printed under the QR code. The printed host is
    SALES_PUBLIC_URL, which is not this live server, so only the path is kept. The QR
    column is narrow: the URL wraps over several lines, which pypdf returns as separate
    lines; the code goes on while the next line is nothing but code characters
    (the title that follows has spaces)."""
    lines = iter(text.splitlines())
    for line in lines:
        if "/verify/" in line:
            token = line.split("/verify/", 1)[1].strip()
            break
    else:
        raise AssertionError(f"no /verify/ link in the PDF text:\n{text}")
    for line in lines:
        if not TOKEN_PART.fullmatch(line.strip()):
            break
        token += line.strip()
    assert TOKEN_PART.fullmatch(token) and len(token) >= 20, f"unreadable verify code {token!r}"
    return f"/verify/{token}"


def altered(path: str) -> str:
    """The same link with the first character of its random code changed."""
    prefix, token = path.rsplit("/", 1)
    return f"{prefix}/{'X' if token[0] != 'X' else 'Y'}{token[1:]}"


def assert_invoice_prints(text: str, *, number: str, code: str, total: str) -> None:
    """The PDF carries what the page shows: number, billing code, total, and the total
    in words ("Terbilang: sembilan puluh lima ribu rupiah")."""
    for expected in (number, f"Kode billing: {code}", total):
        assert expected in text, f"{expected!r} not in the invoice PDF:\n{text}"
    words = amount_in_words(int(re.sub(r"\D", "", total)))
    assert words.endswith(" rupiah")
    assert f"Terbilang: {words}" in " ".join(text.split()), f"{words!r} not in the invoice PDF:\n{text}"


def billing_code(page: Page) -> str:
    code = page.locator("#billing-code code")
    expect(code).to_have_text(re.compile(r"^\d{15}$"))
    return code.inner_text()


def invoice_number(page: Page) -> str:
    header = page.locator("#current-invoice header")
    expect(header).to_contain_text(INVOICE_NUMBER)
    return INVOICE_NUMBER.search(header.inner_text()).group(0)


def order_accepted_publication(page: Page) -> str:
    """A publication order (no abstract needed), submitted by the buyer and accepted by
    the officer; returns its reference. The officer stays signed in."""
    login(page, BUYER_EMAIL)
    page.goto("/katalog?jenis=publication")
    page.locator("#results").get_by_role("link", name=PUBLICATION, exact=True).click()
    page.locator("#order-button").click()
    expect(page).to_have_url(re.compile(r"/pesanan/\d+$"))
    expect_status(page, "Draf")
    reference = re.search(r"PST-\d{4}-\d{6}", page.get_by_role("heading", level=1).inner_text()).group(0)

    details = page.locator("#details")
    details.locator("[name=purpose]").fill("Bahan ajar mata kuliah statistik sosial")
    details.get_by_label("Nonkomersial").check()
    details.get_by_role("button", name="Simpan rincian").click()
    expect(page.get_by_role("status")).to_contain_text("Rincian pesanan disimpan")
    page.locator("#submit-order").click()
    expect_status(page, "Diajukan, menunggu pemeriksaan")
    logout(page)

    open_as_officer(page, reference)
    page.locator("#accept-order").click()
    expect_status(page, "Dokumen diterima")
    return reference


def test_invoice_is_issued_corrected_on_request_and_verifiable(page: Page):
    reference = order_accepted_publication(page)

    # The officer issues the invoice: number, total and a 15-digit billing code appear.
    page.locator("#issue-invoice").click()
    current = page.locator("#current-invoice")
    expect(current).to_be_visible()
    first_number = invoice_number(page)
    total = page.locator("#invoice-total").inner_text()
    assert re.fullmatch(r"Rp\d{1,3}(\.\d{3})*", total), total
    expect(page.locator("#order-total")).to_have_text(total)
    first_code = billing_code(page)
    logout(page)

    # The buyer downloads the invoice: it prints what the page shows, and the amount in words.
    open_as_buyer(page, reference)
    expect(page.locator("#current-invoice header")).to_contain_text(first_number)
    expect(page.locator("#billing-code")).to_contain_text(first_code)
    filename, first_pdf = download(page, page.locator("#invoice-pdf"))
    assert filename == first_number.replace("/", "-") + ".pdf"
    first_text = pdf_text(first_pdf)
    assert_invoice_prints(first_text, number=first_number, code=first_code, total=total)
    assert "VOID" not in first_text
    first_verify = verify_path(first_text)

    # The buyer asks for a correction of the invoice.
    correction = page.locator("#correction-form")
    correction.locator("summary").click()
    correction.locator("select[name=target]").select_option("invoice")
    correction.locator("textarea[name=reason]").fill(CORRECTION_REASON)
    correction.get_by_role("button", name="Kirim permintaan koreksi").click()
    expect(page.get_by_role("status")).to_contain_text("Permintaan koreksi dikirim")
    expect_status(page, "Koreksi diminta")
    expect(page.locator("#open-correction")).to_contain_text(CORRECTION_REASON)
    expect(page.locator("#reissue-invoice")).to_have_count(0)
    logout(page)

    # The officer reads the reason and reissues.
    open_as_officer(page, reference)
    expect_status(page, "Koreksi diminta")
    expect(page.locator("#open-correction")).to_contain_text(CORRECTION_REASON)
    page.locator("#reissue-invoice").click()
    expect(page.get_by_role("status")).to_contain_text("Invoice lama dibatalkan")
    expect(page.locator("#open-correction")).to_have_count(0)
    logout(page)

    # The buyer sees both versions: the old one void, the new one valid, with a new code.
    open_as_buyer(page, reference)
    versions = page.locator("#invoice-versions tbody tr")
    expect(versions).to_have_count(2)
    second_number = invoice_number(page)
    assert second_number != first_number
    # Newest first; the status cell is the third. The valid one reads "sah" (it read
    # "berlaku" until f35551f, which freed that msgid for the tariff pages' "effective").
    new_row, old_row = versions.nth(0), versions.nth(1)
    expect(new_row.locator("td")).to_have_text([second_number, "2", "sah", total, "PDF"])
    expect(old_row.locator("td")).to_have_text([first_number, "1", "batal (VOID)", total, "PDF"])
    second_code = billing_code(page)
    assert second_code != first_code
    expect(page.locator("#invoice-total")).to_have_text(total)

    _, old_pdf = download(page, old_row.get_by_role("link", name="PDF"))
    old_text = pdf_text(old_pdf)
    assert "VOID" in old_text, old_text
    assert first_number in old_text
    assert verify_path(old_text) == first_verify

    _, second_pdf = download(page, page.locator("#invoice-pdf"))
    second_text = pdf_text(second_pdf)
    assert_invoice_prints(second_text, number=second_number, code=second_code, total=total)
    assert "VOID" not in second_text
    assert f"menggantikan {first_number}" in " ".join(second_text.split())
    second_verify = verify_path(second_text)
    assert second_verify != first_verify
    logout(page)

    # Anyone holding the printed link can check the document, signed in or not.
    page.goto(second_verify)
    expect(page.locator("#verify-number")).to_have_text(second_number)
    expect(page.locator("#verify-state")).to_have_text("Sah dan berlaku")
    expect(page.locator("#verification")).to_have_class(re.compile(r"\bverify-valid\b"))

    page.goto(first_verify)
    expect(page.locator("#verify-number")).to_have_text(first_number)
    expect(page.locator("#verify-state")).to_contain_text("Dibatalkan")
    expect(page.locator("#verification")).to_have_class(re.compile(r"\bverify-void\b"))

    response = page.goto(altered(first_verify))
    assert response is not None and response.status == 404
    expect(page.locator("main")).to_contain_text("Tautan verifikasi tidak sah")
    expect(page.locator("#verification")).to_have_count(0)
