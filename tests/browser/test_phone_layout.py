"""Phones (issue 8, point 9): at 390 px wide no page scrolls sideways. Header menu, catalogue,
product page, order list and order page, as a buyer and as an officer, in both languages, and the
treasurer's desk;
wide tables scroll inside their own box instead of widening the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_order_journey import login, logout

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}  # an iPhone 12-15 screen in CSS pixels
# The elements sticking out beyond the right edge, for a message that says what to fix.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-scroll"))
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "")
              + " right=" + Math.round(e.getBoundingClientRect().right));
}"""


def scrolls_sideways(page: Page, path: str) -> str | None:
    """None when ``path`` fits the phone's width, else what sticks out."""
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    return None if fits else f"{path}: {page.evaluate(OVERFLOWING)}"


def test_no_page_scrolls_sideways_on_a_phone(page: Page):
    page.set_viewport_size(PHONE)
    problems = [scrolls_sideways(page, path) for path in ("/tarif", "/katalog", "/katalog?q=susenas")]
    page.locator("#results").get_by_role("link", name=re.compile("Susenas")).first.click()
    product = re.sub(r"^https?://[^/]+", "", page.url)
    problems.append(scrolls_sideways(page, product))

    # A buyer no other journey uses orders chosen variables: the order list and the order page.
    login(page, "perusahaan@demo.test")
    page.goto(product)
    page.locator("#variables").get_by_role("checkbox", name=re.compile("Umur")).check()
    expect(page.locator("#size")).to_contain_text("untuk 1 variabel terpilih")
    page.locator("#order-button").click()
    expect(page).to_have_url(re.compile(r"/pesanan/\d+$"))
    order = re.sub(r"^https?://[^/]+", "", page.url)
    for path in ("/pesanan", order, "/akun", product):
        problems.append(scrolls_sideways(page, path))
    logout(page)

    login(page, "petugas@demo.test")
    for path in ("/staf", "/petugas/pesanan", "/petugas/tamu", order):
        problems.append(scrolls_sideways(page, path))
    logout(page)

    # The treasurer's desk and its lists, whose filter rows must wrap.
    login(page, "bendahara@demo.test")
    for path in ("/bendahara", "/bendahara/pengecualian", "/bendahara/mutasi", "/bendahara/bukti-transfer",
                 "/bendahara/setoran", "/bendahara/kuitansi", "/bendahara/pengembalian", "/bendahara/rekap",
                 "/bendahara/notifikasi"):
        problems.append(scrolls_sideways(page, path))
    logout(page)

    page.goto("/bahasa/en?next=/katalog")
    for path in ("/katalog", product):
        problems.append(scrolls_sideways(page, path))
    page.goto("/bahasa/id?next=/katalog")
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_every_header_menu_item_is_on_screen_on_a_phone(page: Page):
    page.set_viewport_size(PHONE)
    login(page, "perusahaan@demo.test")
    page.goto("/katalog")
    items = page.locator("body > header").locator("a, button")
    assert items.count() >= 8  # brand, three menu links, orders, account, sign out, EN
    for index in range(items.count()):
        item = items.nth(index)
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], item.inner_text()
    page.locator("body > header").get_by_role("link", name="Pesanan saya", exact=True).click()
    expect(page).to_have_url(re.compile(r"/pesanan$"))
    logout(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_queue_filters_are_usable_controls_at_any_width(page: Page, width: int):
    """The search box, the three choices and the button each keep a usable size (the help line
    once sat inside the search form, which lays its children out in one row: the box shrank to
    its icon and the button to one letter per line)."""
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "petugas@demo.test")
    page.goto("/petugas/pesanan")
    form = page.locator("form[role=search]")
    for control in ("input[name=q]", "select[name=status]", "select[name=jenis]", "select[name=kanal]", "button"):
        box = form.locator(control).bounding_box()
        assert box is not None and box["width"] >= 150 and box["height"] <= 80, (control, box)
    logout(page)
