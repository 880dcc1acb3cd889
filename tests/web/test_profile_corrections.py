"""Issue 8, point 1: a correction can correct. Buyers edit their profile at /akun, the segment
changes only when an officer approves a request, and an invoice prints the buyer's identity and
address as they were when it was issued, so a reissue after a correction prints the corrected data."""

import re
from datetime import date

import pytest

from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.buyer_steps import element_text, page, pdf_text, send, sign_in_as, text_of
from tests.factories import make_buyer, make_publication, make_staff

DAY = date(2026, 11, 24)
BUYER, OFFICER = "dewi@example.test", "petugas@example.test"


@pytest.fixture
def invoiced(app, db_session):
    """A company's accepted publication order, invoiced by the officer through the page."""
    buyer = make_buyer(db_session, email=BUYER, full_name="Dewi Anggraini", segment=BuyerSegment.PRIVATE_COMPANY,
                       institution="PT Salah Ketik", npwp="01.234.567.8-901.000")
    officer = make_staff(db_session, Role.OFFICER, email=OFFICER, full_name="Petugas Satu")
    order = ordering.add_to_order(db_session, buyer, make_publication(db_session).id, on=DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Kajian pasar", commercial=True,
                            claim_zero_rate=False)
    ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    db_session.commit()
    app.extensions["billing_gateway_factory"] = lambda config: SimulatedSimponi(
        webhook_url="http://127.0.0.1:9/", webhook_secret=config["WEBHOOK_SECRET"])
    sign_in_as(app.test_client(), OFFICER)
    return order.id


def invoice_pdfs(client, order_id) -> list[str]:
    """The text of every invoice version's PDF, oldest first."""
    html = page(client, f"/pesanan/{order_id}")
    urls = sorted(set(re.findall(r'href="(/invoice/(\d+)/invoice\.pdf)"', html)), key=lambda u: int(u[1]))
    return [pdf_text(client.get(url).data) for url, _ in urls]


def test_a_reissue_after_a_profile_correction_prints_the_corrected_company_and_address(client, invoiced):
    sign_in_as(client, OFFICER)
    assert send(client, f"/pesanan/{invoiced}/invoice").status_code == 302

    sign_in_as(client, BUYER)
    account = page(client, "/akun")
    assert 'value="PT Salah Ketik"' in account  # the profile form starts from what is on file
    response = send(client, "/akun/profil", full_name="Dewi Anggraini", institution="PT Benar Sekali",
                    address="Jl. Merdeka No. 1\r\nKlaten 57411", phone="0812", npwp="01.234.567.8-901.000",
                    follow=True)
    assert "Profil disimpan." in text_of(response)
    assert "Jl. Merdeka No. 1" in element_text(text_of(response), "profile-address")
    assert send(client, f"/pesanan/{invoiced}/koreksi", target="invoice",
                reason="Nama perusahaan dan alamat salah.").status_code == 302

    sign_in_as(client, OFFICER)
    assert send(client, f"/pesanan/{invoiced}/koreksi/terbitkan-ulang").status_code == 302

    sign_in_as(client, BUYER)
    first, second = invoice_pdfs(client, invoiced)
    assert "PT Salah Ketik" in first and "Jl. Merdeka" not in first  # issued before: as it was
    assert "PT Benar Sekali" in second and "Jl. Merdeka No. 1" in second and "Klaten 57411" in second
    assert "PT Salah Ketik" not in second


def test_profile_errors_are_shown_together_and_the_typed_values_stay(client, db_session):
    make_buyer(db_session, email=BUYER, segment=BuyerSegment.PRIVATE_COMPANY, institution="PT Riset")
    db_session.commit()
    sign_in_as(client, BUYER)
    response = send(client, "/akun/profil", full_name="", institution="PT Riset", address="Jl. Kenanga 3",
                    phone="0812", npwp="12.345")
    html = text_of(response)
    assert response.status_code == 422
    assert "Nama lengkap wajib diisi." in html and "NPWP harus 15 atau 16 digit; yang diisi 5 digit." in html
    assert "Jl. Kenanga 3" in html and 'value="12.345"' in html


def test_the_segment_changes_only_when_an_officer_approves_the_request(client, db_session):
    make_buyer(db_session, email=BUYER, full_name="Rudi Hartono")
    make_staff(db_session, Role.OFFICER, email=OFFICER)
    db_session.commit()
    sign_in_as(client, BUYER)
    # The profile form has no segment: sending one there changes nothing.
    send(client, "/akun/profil", full_name="Rudi Hartono", segment="central_government")
    response = send(client, "/akun/segmen", segment="regional_government", institution="Bappeda Kabupaten Klaten",
                    reason="Saya kini memesan atas nama Bappeda.", follow=True)
    html = text_of(response)
    assert "Permintaan perubahan segmen dikirim" in html
    assert "Permintaan menjadi Pemerintah daerah menunggu keputusan petugas." in html
    assert "<td>Perorangan</td>" in html  # not yet

    sign_in_as(client, OFFICER)
    queue = page(client, "/petugas/segmen")
    assert "Rudi Hartono" in queue and "Saya kini memesan atas nama Bappeda." in queue
    request_id = re.search(r'id="segment-request-(\d+)"', queue).group(1)
    assert send(client, f"/petugas/segmen/{request_id}", decision="approve").status_code == 303
    assert "Tidak ada permintaan yang menunggu keputusan." in page(client, "/petugas/segmen")

    sign_in_as(client, BUYER)
    account = page(client, "/akun")
    assert "<td>Pemerintah daerah</td>" in account and "Bappeda Kabupaten Klaten" in account
    assert "disetujui" in account


def test_a_refusal_needs_a_reason_and_buyers_cannot_decide(client, db_session):
    make_buyer(db_session, email=BUYER)
    make_staff(db_session, Role.OFFICER, email=OFFICER)
    db_session.commit()
    sign_in_as(client, BUYER)
    send(client, "/akun/segmen", segment="student", reason="Saya mahasiswa S2.")
    assert client.get("/petugas/segmen").status_code == 403

    sign_in_as(client, OFFICER)
    request_id = re.search(r'id="segment-request-(\d+)"', page(client, "/petugas/segmen")).group(1)
    refused = send(client, f"/petugas/segmen/{request_id}", decision="refuse", note="")
    assert refused.status_code == 422 and "Alasan penolakan wajib diisi." in text_of(refused)
    assert send(client, f"/petugas/segmen/{request_id}", decision="refuse",
                note="Kartu mahasiswa tidak terbaca.").status_code == 303

    sign_in_as(client, BUYER)
    account = page(client, "/akun")
    assert "<td>Perorangan</td>" in account and "ditolak — Kartu mahasiswa tidak terbaca." in account
