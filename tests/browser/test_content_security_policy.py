"""Every kind of page under the Content-Security-Policy: the ``page`` fixture fails the test
on any violation Chromium reports (inline script, handler or style, a foreign source). The
journeys in the other modules run under the same fixture, so the order, invoice and
verification pages are also covered while they are used."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_order_journey import login, logout

pytestmark = pytest.mark.browser


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 500, path
    assert response.headers.get("content-security-policy", "").startswith("default-src 'self'"), path
    page.wait_for_load_state("networkidle")  # stylesheets and htmx loaded and judged


def test_every_page_kind_loads_without_a_policy_violation(page: Page):
    for path in ("/katalog", "/katalog?q=statistik", "/tarif", "/tarif/nol-rupiah", "/masuk", "/daftar",
                 "/tidak-ada-halaman-ini"):
        visit(page, path)
    page.goto("/katalog?q=susenas")
    page.locator("#results").get_by_role("link", name=re.compile("Susenas")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Susenas")
    # htmx at work under the policy: live search and live repricing swap fragments in.
    page.locator("#variables").get_by_role("checkbox", name=re.compile("Umur")).check()
    expect(page.locator("#size")).to_contain_text("untuk 1 variabel terpilih")

    login(page, "instansi@demo.test")  # a buyer no other journey uses: this draft stays out of their way
    visit(page, "/akun")
    visit(page, "/pesanan")
    page.goto("/katalog?q=susenas")
    page.locator("#results").get_by_role("link", name=re.compile("Susenas")).click()
    page.locator("#order-button").click()
    expect(page).to_have_url(re.compile(r"/pesanan/\d+$"))
    order_path = re.sub(r"^https?://[^/]+", "", page.url)
    logout(page)

    login(page, "petugas@demo.test")
    for path in ("/staf", "/petugas/pesanan", "/petugas/tamu", order_path):
        visit(page, path)
    logout(page)

    login(page, "admin@demo.test")
    for path in ("/admin/produk", "/admin/produk/baru/publication", "/admin/produk/baru/microdata",
                 "/admin/produk/baru/map", "/admin/pengguna", "/admin/token", "/admin/cuti"):
        visit(page, path)
    logout(page)


def test_an_inline_script_would_be_refused(page: Page):
    """The listener really hears violations: an inline script added to a page is refused."""
    page.goto("/katalog")
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                      document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert any("Content Security Policy" in text for text in messages)
    assert any("CSP violation" in problem for problem in page.problems)  # the fixture heard it too
    page.problems.clear()  # caused on purpose
