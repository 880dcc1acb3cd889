"""Issue 8, point 5 in Chromium: a refused action shows its reason on the order page and leaves
no address behind that answers 405. With JavaScript the forms go through htmx and the address
bar keeps the order page; without it the action's address stays, and opening it again leads
back to the order page. Each run registers a buyer of its own, so no other journey's draft
is touched."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from sales_service.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def register_and_order(page: Page) -> str:
    """A new individual buyer orders a publication; returns the order page's path."""
    email = f"baru-{uuid.uuid4().hex[:8]}@example.test"
    page.goto("/daftar")
    page.locator("[name=full_name]").fill("Wulan Pembeli Baru")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Buat akun").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.goto("/katalog?q=Kesejahteraan")
    page.locator("#results").get_by_role("link", name=re.compile("Kesejahteraan")).click()
    page.locator("#order-button").click()
    expect(page).to_have_url(re.compile(r"/pesanan/\d+$"))
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_a_refused_submit_keeps_the_order_page_address(page: Page):
    order_path = register_and_order(page)
    page.locator("#submit-order").click()  # no purpose of use stated yet
    expect(page.locator("#form-error")).to_have_text("Isi dulu tujuan penggunaan data.")
    assert page.url.endswith(order_path)
    # What was typed stays: a purpose too long to keep is refused and shown again as typed.
    too_long = "Bahan tesis tentang kesejahteraan. " * 60
    page.locator("#details [name=purpose]").fill(too_long)
    page.locator("#details").get_by_label("Nonkomersial").check()
    page.locator("#details").get_by_role("button", name="Simpan rincian").click()
    expect(page.locator("#form-error")).to_contain_text("terlalu panjang")
    expect(page.locator("#details [name=purpose]")).to_have_value(too_long)
    expect(page.locator("#details").get_by_label("Nonkomersial")).to_be_checked()
    assert page.url.endswith(order_path)
    response = page.reload()
    assert response is not None and response.status == 200
    expect(page.locator("#form-error")).to_have_count(0)  # the page itself, nothing submitted again


def test_without_javascript_the_actions_address_leads_back_to_the_order(page_without_js: Page):
    page = page_without_js
    order_path = register_and_order(page)
    page.locator("#submit-order").click()
    expect(page.locator("#form-error")).to_have_text("Isi dulu tujuan penggunaan data.")
    assert page.url.endswith(order_path + "/ajukan")
    response = page.goto(page.url)  # opened again: a GET of the action's address
    assert response is not None and response.status == 200
    assert page.url.endswith(order_path)
