"""A buyer's first visit, as they would click through it in Chromium: sign up,
find a data set in the catalogue, and see what their chosen variables cost."""

from __future__ import annotations

import re
from itertools import count

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "rambutan merah di Bogor"  # passes the password rule (accounts.passwords)
_emails = (f"pembeli{n}@browser.test" for n in count(1))


def rupiah(text: str) -> int:
    """The amount of a price as the page shows it: "Rp1.229.582" -> 1229582."""
    digits = re.sub(r"\D", "", text)
    assert digits, f"no amount in {text!r}"
    return int(digits)


def fill_registration(page: Page, *, name: str, email: str, segment: str, institution: str = "",
                      npwp: str = "") -> None:
    page.get_by_label("Nama lengkap").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.locator("#segment").select_option(segment)
    page.locator("#domicile").select_option("indonesia")
    page.get_by_label("Instansi / perusahaan / universitas").fill(institution)
    page.get_by_label("Telepon").fill("081200001111")
    page.get_by_label("NPWP").fill(npwp)


def sign_in(page: Page, email: str) -> None:
    """After registering: the page answers alike for new and known addresses (it does not
    tell who has an account), so the new buyer signs in like anyone else."""
    expect(page).to_have_url(re.compile(r"/masuk$"))
    expect(page.get_by_role("status")).to_contain_text("Pendaftaran diterima")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_an_individual_registers_and_is_signed_in(page: Page):
    page.goto("/")
    page.get_by_role("button", name="Daftar").click()  # a link styled (and announced) as a button
    expect(page).to_have_url(re.compile(r"/daftar$"))

    email = next(_emails)
    fill_registration(page, name="Rina Wulandari", email=email, segment="individual")
    page.get_by_role("button", name="Buat akun").click()
    sign_in(page, email)

    expect(page).to_have_url(re.compile(r"/katalog$"))
    expect(page.get_by_role("status")).to_contain_text("Selamat datang, Rina Wulandari")
    expect(page.get_by_role("link", name="Rina Wulandari")).to_be_visible()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    expect(page.get_by_role("link", name="Masuk")).to_have_count(0)


def test_a_company_with_a_short_npwp_is_told_so_and_can_correct_it(page: Page):
    page.goto("/daftar")
    email = next(_emails)
    fill_registration(page, name="Dimas Prasetyo", email=email, segment="private_company",
                      institution="PT Riset Nusantara", npwp="01.234.567.8-901.00")  # 14 digits
    page.get_by_role("button", name="Buat akun").click()

    expect(page.locator("#form-error")).to_contain_text("NPWP harus 15 atau 16 digit")
    expect(page.locator("#form-error")).to_contain_text("14 digit")
    expect(page).to_have_url(re.compile(r"/daftar$"))
    expect(page.get_by_role("link", name="Masuk")).to_be_visible()  # not signed in
    # What the buyer typed is kept, so only the number needs fixing.
    expect(page.get_by_label("E-mail")).to_have_value(email)
    institution = page.get_by_label("Instansi / perusahaan / universitas")
    expect(institution).to_have_value("PT Riset Nusantara")
    expect(page.locator("#segment")).to_have_value("private_company")

    page.get_by_label("NPWP").fill("01.234.567.8-901.000")
    page.get_by_label("Kata sandi").fill(PASSWORD)  # browsers never get a password back
    page.get_by_role("button", name="Buat akun").click()
    sign_in(page, email)

    expect(page).to_have_url(re.compile(r"/katalog$"))
    expect(page.get_by_role("link", name="Dimas Prasetyo")).to_be_visible()


def test_catalogue_search_narrows_live_and_the_chosen_variables_reprice_live(page: Page):
    page.goto("/katalog")
    count_text = page.locator("#result-count")
    expect(count_text).to_have_text(re.compile(r"^\d+ produk ditemukan$"))
    assert int(count_text.inner_text().split()[0]) > 1, "the demo catalogue lists many products"
    page.evaluate("window.sameDocument = true")  # lost if the browser loads a new page

    page.locator("#q").fill("susenas")

    expect(count_text).to_have_text("1 produk ditemukan")
    results = page.locator("#results .product-card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Susenas Maret 2024")
    # hx-push-url: the address bar follows, so the search can be shared and Back works.
    expect(page).to_have_url(re.compile(r"/katalog\?.*q=susenas"))
    assert page.evaluate("window.sameDocument") is True, "the search reloaded the page"

    results.get_by_role("link", name=re.compile("Susenas")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Susenas Maret 2024")
    price, size = page.locator("#price"), page.locator("#size")
    expect(size).to_contain_text("Set lengkap")
    full_set_price = price.inner_text()
    page.evaluate("window.sameDocument = true")

    variables = page.locator("#variables")
    umur = variables.get_by_role("checkbox", name=re.compile("Umur"))
    jenis_kelamin = variables.get_by_role("checkbox", name=re.compile("Jenis kelamin"))
    umur.check()
    jenis_kelamin.check()

    expect(size).to_contain_text("untuk 2 variabel terpilih")
    expect(size).to_contain_text("perkiraan")
    expect(price).not_to_have_text(full_set_price)
    assert 0 < rupiah(price.inner_text()) < rupiah(full_set_price), "2 variables cost less than all"

    umur.uncheck()
    jenis_kelamin.uncheck()

    expect(size).to_contain_text("Set lengkap")
    expect(price).to_have_text(full_set_price)
    assert page.evaluate("window.sameDocument") is True, "repricing reloaded the page"


def test_catalogue_search_and_pricing_work_without_javascript(page_without_js: Page):
    page = page_without_js
    page.goto("/katalog")
    everything = page.locator("#result-count").inner_text()

    page.locator("#q").fill("susenas")
    page.get_by_role("button", name="Cari").click()

    expect(page).to_have_url(re.compile(r"/katalog\?.*q=susenas"))
    expect(page.locator("#result-count")).to_have_text("1 produk ditemukan")
    assert everything != "1 produk ditemukan"

    page.locator("#results").get_by_role("link", name=re.compile("Susenas")).click()
    full_set_price = page.locator("#price").inner_text()
    page.locator("#variables").get_by_role("checkbox", name=re.compile("Umur")).check()
    page.get_by_role("button", name="Hitung harga").click()

    expect(page.locator("#size")).to_contain_text("untuk 1 variabel terpilih")
    assert rupiah(page.locator("#price").inner_text()) < rupiah(full_set_price)
