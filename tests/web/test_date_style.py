"""One date style per language on pages, the timeline and PDFs (issue 8, point 10): never an
ISO string beside a long date."""

import re
from datetime import date
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.invoices.models import BillingCode
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_publication, make_staff

DAY = date(2026, 11, 24)
MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
LONG_ID = re.compile(r"\b\d{1,2} (?:" + "|".join(MONTHS_ID) + r") \d{4}, \d{2}\.\d{2} WIB")
LONG_EN = re.compile(r"\b\d{1,2} (?:" + "|".join(MONTHS_EN) + r") \d{4}, \d{2}:\d{2} WIB")


@pytest.fixture
def invoiced(app, db_session, client):
    """A publication order of ani@, accepted, then invoiced by the officer through the page."""
    buyer = make_buyer(db_session, email="ani@example.test", full_name="Ani Buyer")
    officer = make_staff(db_session, Role.OFFICER, email="petugas@example.test")
    order = ordering.add_to_order(db_session, buyer, make_publication(db_session, pages=100).id, on=DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Kajian", commercial=True,
                            claim_zero_rate=False)
    ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    db_session.commit()
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url="http://127.0.0.1:9/", webhook_secret=config["WEBHOOK_SECRET"])
    login(client, "petugas@example.test")
    assert client.post(f"/pesanan/{order.id}/invoice",
                       data={"csrf_token": csrf_token(client, "/katalog")}).status_code == 302
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    expires = db_session.scalar(select(BillingCode.expires_at))
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=ZoneInfo("UTC"))
    return order.id, expires.astimezone(ZoneInfo("Asia/Jakarta"))


def visible_text(html: str) -> str:
    """What a reader sees: tags (and so machine-readable attributes such as datetime=) removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_order_page_timeline_and_billing_code_expiry_share_one_indonesian_style(client, invoiced):
    order_id, expires = invoiced
    login(client, "ani@example.test")
    text = visible_text(client.get(f"/pesanan/{order_id}").get_data(as_text=True))
    assert not ISO_DATE.search(text), ISO_DATE.search(text)
    assert len(LONG_ID.findall(text)) >= 5  # the timeline: created, added, submitted, accepted, invoiced
    until = f"{expires.day} {MONTHS_ID[expires.month - 1]} {expires.year}, {expires:%H.%M} WIB"
    assert f"berlaku sampai {until}" in text


def test_the_english_page_writes_the_same_moments_the_english_way(client, invoiced):
    order_id, expires = invoiced
    login(client, "ani@example.test")
    client.get("/bahasa/en")
    text = visible_text(client.get(f"/pesanan/{order_id}").get_data(as_text=True))
    assert not ISO_DATE.search(text), ISO_DATE.search(text)
    assert not LONG_ID.search(text)
    assert len(LONG_EN.findall(text)) >= 5
    assert f"{expires.day} {MONTHS_EN[expires.month - 1]} {expires.year}, {expires:%H:%M} WIB" in text


def test_the_invoice_pdf_prints_the_code_expiry_as_a_long_date(client, invoiced):
    order_id, expires = invoiced
    login(client, "ani@example.test")
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    pdf_url = re.search(r'href="(/invoice/\d+/invoice\.pdf)"', page).group(1)
    reader = PdfReader(BytesIO(client.get(pdf_url).data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert not ISO_DATE.search(text), ISO_DATE.search(text)
    assert f"{expires.day} {MONTHS_ID[expires.month - 1]} {expires.year}, {expires:%H.%M} WIB" in text
