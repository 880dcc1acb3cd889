"""The invoice and SPPD PDFs as buyers download them (issue 8, points 15, 17, 18 and 21)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from sales_service.accounts.models import Domicile, User
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.invoices.models import VerificationCode, VerifiedDocument
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_microdata, make_order, make_publication, make_staff, make_walk_in_order

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
    # SALES_TRANSFER_VALID_DAYS after issue, its date also in English ("(29 December 2026)")
    assert "Berlaku sampai" in text and re.search(r"\(\d{1,2} (January|February|March|April|May|June|July|August|"
                                                  r"September|October|November|December) \d{4}\)", text)


def test_the_invoice_names_the_tariff_item_and_shows_the_calculation_not_a_unit_price(client, world, db_session):
    buyer = make_buyer(db_session, email="ani@example.test")
    order_id = accepted_order(db_session, buyer, make_publication(db_session, pages=120))
    issue(client, order_id)

    text = pdf_text(download(client, "ani@example.test", order_id))

    assert "120 halaman 50 halaman pertama Rp50.000 + 2 × 50 halaman berikutnya @ Rp15.000 Rp80.000" in text
    assert "Tarif satuan" not in text


# -- the SPPD (point 17) ----------------------------------------------------------------------------


def accept(db_session, order_id: int) -> None:
    review.accept(db_session, Actor(make_staff(db_session, Role.OFFICER)), order_id)
    db_session.commit()


def test_a_company_buyers_sppd_is_signed_for_the_company_with_contact_and_a_blank_for_the_nik(
        client, world, db_session):
    world.config["HEAD_NAME"], world.config["HEAD_NIP"] = "Ir. Bambang Sutrisno, M.Si.", "197205101994031001"
    buyer = make_buyer(db_session, email="pt@example.test", full_name="Rina Wulandari",
                       segment=BuyerSegment.PRIVATE_COMPANY, institution="PT Riset Data Nusantara")
    order = make_order(db_session, buyer, make_microdata(db_session))
    accept(db_session, order.id)
    issue(client, order.id)

    text = pdf_text(download(client, "pt@example.test", order.id, "sppd"))

    assert "bertindak untuk dan atas nama PT Riset Data Nusantara, selanjutnya disebut PIHAK KEDUA" in text
    assert "PIHAK KEDUA untuk dan atas nama PT Riset Data Nusantara" in text
    assert "E-mail pt@example.test" in text
    assert f"NIK / nomor paspor {'.' * 44}" in text  # an online profile holds no NIK: written in by hand
    assert "Ir. Bambang Sutrisno, M.Si. NIP 197205101994031001" in text  # the head of office's NIP
    assert "Pasal 6 Penutup" in text and "bermeterai Rp10.000" in text
    assert "Kode satker" not in text and "kode billing" not in text.lower()


def test_a_walk_in_visitors_sppd_carries_the_identity_shown_at_the_counter(client, world, db_session):
    officer = db_session.query(User).filter_by(email="petugas@example.test").one()
    order = make_walk_in_order(db_session, officer, make_microdata(db_session), name="Made Wirawan")
    accept(db_session, order.id)
    issue(client, order.id)

    login(client, "petugas@example.test")
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    text = pdf_text(client.get(re.search(r'href="(/invoice/\d+/sppd\.pdf)"', page).group(1)).data)

    assert "Nama Made Wirawan NIK / nomor paspor NIK 3310010101010001" in text
    assert "Telepon 0812" in text
    assert "bertindak untuk dirinya sendiri" in text


def test_a_buyer_abroad_is_not_asked_for_an_indonesian_duty_stamp(client, world, db_session):
    world.config["FOREIGN_SIGNATURE_NOTE"] = "Ditandatangani di luar negeri tanpa meterai."
    buyer = make_buyer(db_session, email="jane@example.test", full_name="Jane Doe", domicile=Domicile.ABROAD)
    buyer.language = "id"  # she chose Indonesian documents (abroad, she would get them bilingual)
    order = make_order(db_session, buyer, make_microdata(db_session))
    accept(db_session, order.id)
    issue(client, order.id)

    text = pdf_text(download(client, "jane@example.test", order.id, "sppd"))

    assert "Ditandatangani di luar negeri tanpa meterai." in text
    assert "Rp10.000" not in text
    assert f"Nomor paspor {'.' * 44}" in text


# -- rendered once, served as stored (point 21) --------------------------------------------------------


def test_a_downloaded_invoice_is_the_one_rendered_when_it_was_issued(client, world, db_session):
    buyer = make_buyer(db_session, email="ani@example.test")
    order_id = accepted_order(db_session, buyer, make_publication(db_session, pages=120))
    world.config["OFFICE_NAME"] = "BPS Kabupaten Tabanan"
    issue(client, order_id)
    issued = download(client, "ani@example.test", order_id)

    world.config["OFFICE_NAME"] = "BPS Kabupaten Badung"  # settings change after issue
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})
    served = download(client, "ani@example.test", order_id)

    assert served == issued
    assert "BPS Kabupaten Tabanan" in pdf_text(served) and "Badung" not in pdf_text(served)


def test_after_cancellation_the_invoice_downloads_as_void(client, world, db_session):
    buyer = make_buyer(db_session, email="ani@example.test")
    order_id = accepted_order(db_session, buyer, make_publication(db_session, pages=120))
    issue(client, order_id)
    login(client, "petugas@example.test")
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = client.post(f"/pesanan/{order_id}/batal-dengan-invoice",
                           data={"csrf_token": csrf_token(client, "/katalog"), "reason": "Pembeli membatalkan.",
                                 "version": version})
    assert response.status_code == 302
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/katalog")})

    text = pdf_text(download(client, "ani@example.test", order_id))
    assert "VOID / BATAL" in text and "Jangan membayar berdasarkan invoice ini" in text


def test_the_sppd_carries_its_own_number_not_the_invoices(client, world, db_session):
    buyer = make_buyer(db_session, email="ani@example.test")
    order = make_order(db_session, buyer, make_microdata(db_session))
    accept(db_session, order.id)
    issue(client, order.id)

    text = pdf_text(download(client, "ani@example.test", order.id, "sppd"))
    assert re.search(r"Nomor SPPD/000000/\d{4}/00001 ", text)
    assert "SPPD/INV" not in text


def test_the_invoices_section_of_the_order_page_reads_each_of_its_tables_once(client, world, db_session):
    buyer = make_buyer(db_session, email="ani@example.test")
    order = make_order(db_session, buyer, make_microdata(db_session))
    accept(db_session, order.id)
    issue(client, order.id)
    login(client, "ani@example.test")
    statements = []
    engine = world.extensions["sales_db"]["engine"]

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/pesanan/{order.id}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)

    reads = Counter(match.group(1) for s in statements if (match := re.search(r"\bFROM (\w+)", s)))
    for table in ("invoice", "invoice_line", "billing_code", "correction_request", "document_rendering"):
        assert reads[table] <= 1, (table, reads)


def test_the_sppds_verification_page_shows_the_sppds_own_number(client, world, db_session):
    buyer = make_buyer(db_session, email="ani@example.test")
    order = make_order(db_session, buyer, make_microdata(db_session))
    accept(db_session, order.id)
    issue(client, order.id)
    text = pdf_text(download(client, "ani@example.test", order.id, "sppd"))
    code = db_session.scalar(select(VerificationCode.code).where(VerificationCode.kind == VerifiedDocument.SPPD))
    assert code in text.replace(" ", "")  # the link in the SPPD's QR code

    page = client.get(f"/verify/{code}").get_data(as_text=True)

    number = re.search(r'id="verify-number">([^<]+)<', page).group(1)
    assert re.fullmatch(r"SPPD/000000/\d{4}/00001", number)
    assert number in text
