"""The walk-in counter in Chromium (issue 8, point 4): the officer enters a visitor with chosen
Susenas variables, the visitor is in today's guest book with a printable queue ticket, and the
call and served buttons (htmx) record the counter's clock."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_order_journey import login, logout

pytestmark = pytest.mark.browser


def test_a_visitor_is_entered_ticketed_called_and_served(page: Page):
    login(page, "petugas@demo.test")
    page.goto("/petugas/tamu")
    form = page.locator("#new-visitor form")
    form.locator("[name=name]").fill("Tamu Peramban")
    form.locator("[name=identity_number]").fill("3310010101019999")
    form.locator("[name=email]").fill("tamu.peramban@example.test")
    form.locator("[name=purpose]").fill("Analisis pengeluaran rumah tangga")
    form.get_by_label("Nonkomersial", exact=False).check()
    product = form.locator(".walk-in-product").filter(has_text="Susenas Maret 2024")
    product.locator("input[name=product_id]").check()
    product.locator("summary").click()
    product.get_by_role("checkbox", name=re.compile("Umur")).check()
    form.get_by_role("button", name="Catat tamu dan buat pesanan").click()

    expect(page.get_by_role("status")).to_contain_text("Tamu dicatat dengan nomor antrean")
    row = page.locator("#guest-book-today tr").filter(has_text="Tamu Peramban")
    expect(row).to_contain_text("Draf")
    number = row.locator(".queue-number").inner_text()

    row.get_by_role("link", name="Tiket").click()
    expect(page.locator("#ticket-number")).to_have_text(number)
    page.emulate_media(media="print")
    expect(page.locator("body > header")).to_be_hidden()  # only the ticket is printed
    expect(page.locator("#ticket")).to_be_visible()
    page.emulate_media(media="screen")

    page.goto("/petugas/tamu")
    row = page.locator("#guest-book-today tr").filter(has_text="Tamu Peramban")
    row.get_by_role("button", name="Panggil").click()  # htmx swaps the guest book in place
    row = page.locator("#guest-book-today tr").filter(has_text="Tamu Peramban")
    expect(row).to_contain_text("menunggu")
    row.get_by_role("button", name="Selesai dilayani").click()
    row = page.locator("#guest-book-today tr").filter(has_text="Tamu Peramban")
    expect(row).to_contain_text("dilayani dalam")

    row.get_by_role("link", name=re.compile(r"PST-\d{4}-\d{6}")).click()
    expect(page.locator("#lines")).to_contain_text("R407")
    expect(page.locator("#lines")).to_contain_text("Perkiraan ukuran")
    logout(page)
