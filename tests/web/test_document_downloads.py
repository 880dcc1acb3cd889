"""The invoice and SPPD PDFs as buyers download them (issue 8, points 15, 17, 18 and 21)."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from sales_service.accounts.models import Domicile
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_publication, make_staff

DAY = date(2026, 11, 24)
PUBLIC_URL = "https://penjualan.example.bps.go.id"


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split())


@pytest.fixture
def world(app, db_session):
    app.config["PUBLIC_URL"] = PUBLIC_URL
    make_staff(db_session, Role.OFFICER, email="petugas@example.test")
    db_session.commit()
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url="http://127.0.0.1:9/", webhook_secret=config["WEBHOOK_SECRET"])
    return app


def accepted_order(db_session, buyer, product) -> int:
    officer = make_staff(db_session, Role.OFFICER)
    order = ordering.add_to_order(db_session, buyer, product.id, on=DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Kajian pasar", commercial=True,
                            claim_zero_rate=False)
    ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    db_session.commit()
    return order.id


def issue(client, order_id: int) -> None:
    login(client, "petugas@example.test")
    response = client.post(f"/pesanan/{order_id}/invoice", data={"csrf_token": csrf_token(client, "/katalog")})
    assert response.status_code == 302
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})


def download(client, email: str, order_id: int, document: str = "invoice") -> bytes:
    login(client, email)
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    url = re.search(rf'href="(/invoice/\d+/{document}\.pdf)"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    return response.data


def test_a_buyer_abroad_reads_until_when_to_pay_where_to_upload_the_proof_and_the_rule_in_force(
        client, world, db_session):
    buyer = make_buyer(db_session, email="jane@example.test", full_name="Jane Doe", domicile=Domicile.ABROAD)
    order_id = accepted_order(db_session, buyer, make_publication(db_session, pages=120))
    issue(client, order_id)

    text = pdf_text(download(client, "jane@example.test", order_id))

    order_url = f"{PUBLIC_URL}/pesanan/{order_id}"
    assert f"unggah bukti transfer pada halaman pesanan Anda di layanan ini: {order_url}" in text
    assert f"upload the proof of transfer on your order page in this service: {order_url}" in text
    # priced under PP 13/2024 (the schedule in force in 2026): its own rule, never PP 7/2015 Pasal 3
    assert "Biaya bank ditanggung pembayar (PP 13/2024)." in text
    assert "7/2015" not in text


def test_the_invoice_names_the_tariff_item_and_shows_the_calculation_not_a_unit_price(client, world, db_session):
    buyer = make_buyer(db_session, email="ani@example.test")
    order_id = accepted_order(db_session, buyer, make_publication(db_session, pages=120))
    issue(client, order_id)

    text = pdf_text(download(client, "ani@example.test", order_id))

    assert "120 halaman 50 halaman pertama Rp50.000 + 2 × 50 halaman berikutnya @ Rp15.000 Rp80.000" in text
    assert "Tarif satuan" not in text
