"""Invoices through HTTP: issue, PDF content, verification links, the staff API."""

import base64
import json
import re
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.invoices.models import VerifiedDocument
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_publication, make_staff

DAY = date(2026, 11, 24)


@pytest.fixture
def accepted(app, db_session):
    """An accepted publication order (1.000 pages: Rp335.000) of buyer ani@."""
    buyer = make_buyer(db_session, email="ani@example.test", full_name="Ani Buyer")
    officer = make_staff(db_session, Role.OFFICER, email="petugas@example.test")
    make_staff(db_session, Role.ADMIN, email="admin@example.test")
    order = ordering.add_to_order(db_session, buyer, make_publication(db_session, pages=1000).id, on=DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Kajian", commercial=True,
                          claim_zero_rate=False)
    ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    db_session.commit()
    # The simulator posts nowhere in these tests (no payment is made).
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url="http://127.0.0.1:9/", webhook_secret=config["WEBHOOK_SECRET"])
    return order.id


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split())


def issue(client, order_id):
    login(client, "petugas@example.test")
    response = client.post(f"/pesanan/{order_id}/invoice", data={"csrf_token": csrf_token(client, "/katalog")})
    assert response.status_code == 302
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    return page


def test_officer_issues_and_buyer_downloads_the_invoice(client, accepted):
    page = issue(client, accepted)
    number = re.search(r"INV/000000/\d{4}/\d{5}", page).group(0)
    code = re.search(r"<code>(\d{15})</code>", page).group(1)
    login(client, "ani@example.test")
    order_page = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    assert number in order_page and code in order_page and "Invoice terbit" in order_page
    pdf_url = re.search(r'href="(/invoice/\d+/invoice\.pdf)"', order_page).group(1)
    response = client.get(pdf_url)
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.data)
    assert number in text and code in text and "Rp335.000" in text
    assert "tiga ratus tiga puluh lima ribu rupiah" in text


def test_verify_page_tells_valid_from_void_and_refuses_forgeries(client, app, accepted):
    issue(client, accepted)
    login(client, "ani@example.test")
    order_page = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    pdf_url = re.search(r'href="(/invoice/\d+/invoice\.pdf)"', order_page).group(1)
    invoice_id = int(pdf_url.split("/")[2])
    verify_path = "/verify/" + printed_code(app, invoice_id, VerifiedDocument.INVOICE)
    printed = "".join(pdf_text(client.get(pdf_url).data).split())  # the URL may wrap in the PDF
    assert "http://localhost" + verify_path in printed  # no SALES_PUBLIC_URL: the address the request came to
    client.post(f"/pesanan/{accepted}/koreksi", data={"target": "invoice", "reason": "NPWP belum tercantum.",
                                                     "csrf_token": csrf_token(client, "/katalog")})
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})

    anonymous = client.get(verify_path).get_data(as_text=True)
    assert "Sah dan berlaku" in anonymous and "Ani Buyer" in anonymous and "Rp335.000" in anonymous
    assert "ani@example.test" not in anonymous  # no personal data beyond the name

    login(client, "petugas@example.test")
    client.post(f"/pesanan/{accepted}/koreksi/terbitkan-ulang", data={"csrf_token": csrf_token(client, "/katalog")})
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    assert "Dibatalkan (digantikan versi baru)" in client.get(verify_path).get_data(as_text=True)

    forged = verify_path[:-3] + ("aaa" if not verify_path.endswith("aaa") else "bbb")
    refused = client.get(forged)
    assert refused.status_code == 404
    assert "Tautan verifikasi tidak sah" in refused.get_data(as_text=True)


def printed_code(app, invoice_id: int, kind: VerifiedDocument) -> str:
    from sales_service import db
    from sales_service.invoices import services as invoice_services

    with app.app_context():
        return invoice_services.verification_code(db.session(), invoice_id, kind)


def test_verify_links_are_opaque_random_codes_that_reveal_no_id(client, app, accepted):
    issue(client, accepted)
    login(client, "ani@example.test")
    order_page = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    invoice_id = int(re.search(r'href="/invoice/(\d+)/invoice\.pdf"', order_page).group(1))
    code = printed_code(app, invoice_id, VerifiedDocument.INVOICE)
    printed = "".join(pdf_text(client.get(f"/invoice/{invoice_id}/invoice.pdf").data).split())
    assert f"/verify/{code}" in printed
    assert len(code) >= 20
    padded = code + "=" * (-len(code) % 4)
    assert b"invoice" not in base64.urlsafe_b64decode(padded)  # random bytes, not an encoded [kind, id]
    # The same link in the old signed form (base64 JSON of kind and id) opens nothing.
    old_style = base64.urlsafe_b64encode(json.dumps(["invoice", invoice_id]).encode()).decode().rstrip("=")
    assert client.get(f"/verify/{old_style}.signature").status_code == 404
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})

    page = client.get(f"/verify/{code}").get_data(as_text=True)
    # What a verifier needs, and nothing else of the buyer: no e-mail, institution or NPWP.
    for shown in ("INV/000000/", "Ani Buyer", "Rp335.000", "Sah dan berlaku"):
        assert shown in page
    for hidden in ("ani@example.test", "PST-", f"/pesanan/{accepted}"):
        assert hidden not in page


def test_staff_api_needs_a_live_token(client, accepted):
    page = issue(client, accepted)
    number = re.search(r"INV/000000/\d{4}/\d{5}", page).group(0)
    assert client.get(f"/api/v1/invoices/{number}").status_code == 401

    login(client, "admin@example.test")
    made = client.post("/admin/token", data={"name": "SAKTI", "csrf_token": csrf_token(client, "/admin/token")})
    plain = re.search(r'id="token-value">([^<]+)<', made.get_data(as_text=True)).group(1)
    tokens_page = client.get("/admin/token").get_data(as_text=True)
    assert plain not in tokens_page  # shown once only

    headers = {"Authorization": f"Bearer {plain}"}
    body = client.get(f"/api/v1/invoices/{number}", headers=headers).get_json()
    assert body["number"] == number and body["status"] == "issued" and body["total"] == 335_000
    assert body["amount_paid"] == 0 and body["payments"] == [] and len(body["billing_code"]) == 15
    assert [v["version"] for v in body["versions"]] == [1]
    assert client.get("/api/v1/invoices/INV/none", headers=headers).status_code == 404

    token_id = re.search(r'/admin/token/(\d+)/cabut', tokens_page).group(1)
    client.post(f"/admin/token/{token_id}/cabut", data={"csrf_token": csrf_token(client, "/admin/token")})
    revoked = client.get(f"/api/v1/invoices/{number}", headers=headers)
    assert revoked.status_code == 401 and revoked.get_json()["error"]


def test_buyer_cannot_issue_invoices(client, accepted):
    login(client, "ani@example.test")
    response = client.post(f"/pesanan/{accepted}/invoice", data={"csrf_token": csrf_token(client, "/katalog")})
    assert response.status_code == 403
