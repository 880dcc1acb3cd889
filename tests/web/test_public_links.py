"""Documents link back to the service wherever it runs (issue 8, point 8), and the demo
settings print real-looking names (point 19): the QR link follows ``SALES_PUBLIC_URL`` when
set and otherwise the address the request came to, and ``make run PORT=…`` sets both public
addresses to that port."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from sales_service.config import PROJECT_ROOT, load_settings
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.factories import PASSWORD, make_buyer, make_publication, make_staff

DAY = date(2026, 11, 24)
ELSEWHERE = "http://127.0.0.1:5101"  # as `make run PORT=5101` serves


@pytest.fixture
def accepted(app, db_session):
    buyer = make_buyer(db_session, email="ani@example.test", full_name="Ani Buyer")
    officer = make_staff(db_session, Role.OFFICER, email="petugas@example.test")
    order = ordering.add_to_order(db_session, buyer, make_publication(db_session, pages=1000).id, on=DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Kajian", commercial=True,
                            claim_zero_rate=False)
    ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    db_session.commit()
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url="http://127.0.0.1:9/", webhook_secret=config["WEBHOOK_SECRET"])
    return order.id


def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace (a long link may wrap)."""
    return "".join("".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split())


def invoice_as_officer(client, order_id: int, base_url: str) -> bytes:
    """Sign in, issue the invoice and download it, every request to ``base_url``."""
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get("/masuk", base_url=base_url).get_data(as_text=True)).group(1)
    client.post("/masuk", data={"email": "petugas@example.test", "password": PASSWORD, "csrf_token": token},
                base_url=base_url)
    assert client.post(f"/pesanan/{order_id}/invoice", data={"csrf_token": token},
                       base_url=base_url).status_code == 302
    page = client.get(f"/pesanan/{order_id}", base_url=base_url).get_data(as_text=True)
    pdf = re.search(r'href="(/invoice/\d+/invoice\.pdf)"', page).group(1)
    return client.get(pdf, base_url=base_url).data


def test_without_a_public_url_the_qr_link_points_where_the_service_was_reached(app, client, accepted):
    app.config["PUBLIC_URL"] = ""
    printed = pdf_text(invoice_as_officer(client, accepted, ELSEWHERE))
    assert re.search(r"http://127\.0\.0\.1:5101/verify/[A-Za-z0-9_-]{16,}", printed), printed
    assert "127.0.0.1:5000" not in printed


def test_a_public_url_wins_over_the_address_of_the_request(app, client, accepted):
    app.config["PUBLIC_URL"] = "https://penjualan.bps-contoh.go.id/"
    printed = pdf_text(invoice_as_officer(client, accepted, ELSEWHERE))
    assert "https://penjualan.bps-contoh.go.id/verify/" in printed and "5101" not in printed


def test_the_demo_settings_print_names_on_the_invoice(client, accepted):
    printed = pdf_text(invoice_as_officer(client, accepted, "http://localhost"))
    assert "SitiRahmawati,S.E." in printed and "198703152010122001" in printed
    assert "BendaharaPenerimaanBendaharaPenerimaan" not in printed and "NIP-" not in printed


def test_the_defaults_read_like_a_real_office():
    settings = load_settings({})
    assert (settings["HEAD_NAME"], settings["TREASURER_NAME"], settings["TREASURER_NIP"]) == (
        "Ir. Bambang Sutrisno, M.Si.", "Siti Rahmawati, S.E.", "198703152010122001")
    assert (settings["OFFICE_CITY"], settings["OFFICE_ADDRESS"]) == ("Contoh", "Jl. Contoh Raya No. 1, Contoh 12345")
    assert settings["PUBLIC_URL"] == ""  # unset: links follow the request


def make_run_environment(*args: str, **environment: str) -> list[str]:
    """What ``make run`` hands the flask commands: each recipe line prints the two addresses
    instead of running (FLASK is replaced; the venv is taken as built)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SALES_")}
    env.update(environment)
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "-o", ".venv/.stamp-base", "-o", ".venv/bin/python", "run", *args,
         "FLASK=printenv SALES_PUBLIC_URL SALES_WEBHOOK_URL #"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.split()


def test_make_run_on_another_port_prints_links_to_that_port():
    printed = make_run_environment("PORT=5101")
    assert printed[:2] == ["http://127.0.0.1:5101", "http://127.0.0.1:5101/webhooks/payments"]
    assert set(printed) == set(printed[:2])  # every flask command (migrate … run) sees the same


def test_make_run_keeps_the_public_url_production_sets():
    printed = make_run_environment("PORT=5101", SALES_PUBLIC_URL="https://penjualan.bps-contoh.go.id")
    assert printed[:2] == ["https://penjualan.bps-contoh.go.id", "http://127.0.0.1:5101/webhooks/payments"]
