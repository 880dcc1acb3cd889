"""Issue 3's acceptance journey in Chromium: a buyer orders chosen Susenas variables,
documents the order and submits it; the officer returns it because the method is
missing; the buyer reads why, saves a better abstract with a new attachment and
resubmits; the officer accepts. The order page then tells the whole story, and
every version of the abstract can still be downloaded as it was uploaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sales_service.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

BUYER_EMAIL, BUYER_NAME = "pembeli@demo.test", "Pembeli Demo"
OFFICER_EMAIL, OFFICER_NAME = "petugas@demo.test", "Petugas PST Demo"
REASON = "Metode belum dijelaskan"
BETTER_METHOD = "Regresi kuantil pengeluaran per kapita menurut umur dan jenis kelamin, per kabupaten."


def make_pdf(path: Path, text: str) -> bytes:
    """Write a real one-page PDF, as a buyer's word processor would, and return its bytes."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    page.drawString(72, 720, text)
    page.save()
    return path.read_bytes()


def login(page: Page, email: str) -> None:
    page.goto("/masuk")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("link", name="Masuk", exact=True)).to_be_visible()


def expect_status(page: Page, label: str) -> None:
    expect(page.locator("#order-status")).to_have_text(label)


def open_as_officer(page: Page, reference: str) -> None:
    login(page, OFFICER_EMAIL)
    page.goto("/petugas/pesanan")
    page.locator("#queue").get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def open_as_buyer(page: Page, reference: str) -> None:
    login(page, BUYER_EMAIL)
    page.get_by_role("link", name="Pesanan saya").click()
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def save_abstract(page: Page, attachment: Path, *, method: str) -> None:
    form = page.locator("#abstract-form")
    # By name: a filled-in textarea's text is part of its label's accessible name.
    form.locator("[name=title]").fill("Ketimpangan pengeluaran rumah tangga menurut umur")
    form.locator("[name=background]").fill("Mengukur ketimpangan untuk perencanaan daerah.")
    form.locator("[name=method]").fill(method)
    form.locator("[name=data_requested]").fill("Susenas Maret 2024 Kor Individu; R405, R407, KAPITA; nasional.")
    form.locator("[name=outputs]").fill("Artikel jurnal dan ringkasan kebijakan.")
    form.locator("input[name=file]").set_input_files(attachment)
    form.get_by_label("tidak akan menyebarluaskan").check()
    form.get_by_role("button", name="Simpan abstraksi").click()
    expect(page.get_by_role("status")).to_contain_text("Abstraksi disimpan sebagai versi baru")


def download_attachment(page: Page, version: int) -> tuple[str, bytes]:
    link = page.locator("#abstract-versions li").filter(has_text=f"Versi {version} ").get_by_role("link")
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_order_is_returned_for_a_better_method_then_resubmitted_and_accepted(page: Page, tmp_path: Path):
    first_pdf = make_pdf(tmp_path / "abstrak-v1.pdf", "Abstraksi versi 1: metode belum ada")
    second_pdf = make_pdf(tmp_path / "abstrak-v2.pdf", f"Abstraksi versi 2: {BETTER_METHOD}")
    assert first_pdf != second_pdf

    # The buyer chooses three Susenas variables and orders them.
    login(page, BUYER_EMAIL)
    page.goto("/katalog?q=susenas")
    page.locator("#results").get_by_role("link", name=re.compile("Susenas")).click()
    variables = page.locator("#variables")
    for name in ("Jenis kelamin", "Umur", "Pengeluaran per kapita"):
        variables.get_by_role("checkbox", name=re.compile(name)).check()
    # The button orders what the re-priced quote shows: wait for it to count all three.
    expect(page.locator("#size")).to_contain_text("untuk 3 variabel terpilih")
    page.locator("#order-button").click()

    expect(page).to_have_url(re.compile(r"/pesanan/\d+$"))
    expect_status(page, "Draf")
    expect(page.locator("#lines")).to_contain_text("R407")
    reference = re.search(r"PST-\d{4}-\d{6}", page.get_by_role("heading", level=1).inner_text()).group(0)

    details = page.locator("#details")
    details.locator("[name=purpose]").fill("Penelitian tesis magister tentang ketimpangan")
    details.get_by_label("Nonkomersial").check()
    details.get_by_role("button", name="Simpan rincian").click()
    expect(page.get_by_role("status")).to_contain_text("Rincian pesanan disimpan")

    save_abstract(page, tmp_path / "abstrak-v1.pdf", method="Akan ditentukan kemudian.")
    page.locator("#submit-order").click()
    expect_status(page, "Diajukan, menunggu pemeriksaan")
    logout(page)

    # The officer sends it back, saying what is wrong with the abstract.
    open_as_officer(page, reference)
    page.locator("#return-form summary").click()
    page.locator("#return-form input[name=reason_abstract]").fill(REASON)
    page.locator("#return-form").get_by_role("button", name="Kembalikan kepada pembeli").click()
    expect_status(page, "Dikembalikan untuk perbaikan")
    logout(page)

    # The buyer reads the reason, saves a second version with a new file, resubmits.
    open_as_buyer(page, reference)
    expect(page.locator("#return-reasons")).to_contain_text(OFFICER_NAME)
    expect(page.locator("#return-reasons")).to_contain_text(f"Abstraksi penggunaan data: {REASON}")
    save_abstract(page, tmp_path / "abstrak-v2.pdf", method=BETTER_METHOD)
    page.locator("#submit-order").click()
    expect_status(page, "Diajukan, menunggu pemeriksaan")
    expect(page.locator("#return-reasons")).to_have_count(0)
    logout(page)

    # The officer sees the improved method and accepts.
    open_as_officer(page, reference)
    expect(page.locator("#abstract dl.abstract")).to_contain_text(BETTER_METHOD)
    page.locator("#accept-order").click()

    expect_status(page, "Dokumen diterima")
    steps = page.locator("#timeline").locator("li.event-submit, li.event-return, li.event-accept")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text(f"{BUYER_NAME} (Pembeli): mengajukan pesanan")
    expect(steps.nth(1)).to_contain_text(f"{OFFICER_NAME} (Petugas PST): mengembalikan untuk perbaikan")
    expect(steps.nth(1)).to_contain_text(REASON)
    expect(steps.nth(2)).to_contain_text(f"{BUYER_NAME} (Pembeli): mengajukan pesanan")
    expect(steps.nth(2)).to_contain_text("Dikembalikan untuk perbaikan → Diajukan")
    expect(steps.nth(3)).to_contain_text(f"{OFFICER_NAME} (Petugas PST): menerima dokumen")

    # Both versions are kept, each with the file uploaded with it, byte for byte.
    expect(page.locator("#abstract-versions li")).to_have_count(2)
    for version, uploaded in ((1, first_pdf), (2, second_pdf)):
        filename, downloaded = download_attachment(page, version)
        assert filename == f"abstrak-v{version}.pdf"
        assert downloaded.startswith(b"%PDF-")
        assert downloaded == uploaded, f"version {version} came back changed"
