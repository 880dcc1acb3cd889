"""Receipts (kuitansi) through the pages: the treasurer's click on the order page and the batch over
paid invoices, the buyer's download, void and reissue, the verification page, the staff API."""

import hashlib
import re
from datetime import UTC, date, datetime

import pytest

from sales_service.accounts import api_tokens
from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.paging import PAGE_SIZE
from sales_service.payments import services as payments
from sales_service.payments.models import Receipt
from sales_service.payments.notifications import BillingPaid
from sales_service.roles import Role
from tests.buyer_steps import element_text, page, pdf_text, send, sign_in_as, submit_form, text_of
from tests.factories import make_buyer, make_publication, make_staff
from tests.services.test_invoices import SETTINGS

DAY = date(2026, 11, 24)
NUMBER = re.compile(r"KW/927100/\d{4}/\d{5}")


@pytest.fixture
def people(app, db_session):
    people = {
        "buyer": make_buyer(db_session, email="ani@example.test", full_name="Ani Pembeli"),
        "officer": make_staff(db_session, Role.OFFICER, email="petugas@example.test", full_name="Petugas Loket"),
        "treasurer": make_staff(db_session, Role.TREASURER, email="bendahara@example.test",
                                full_name="Bendahara Satu"),
        "admin": make_staff(db_session, Role.ADMIN, email="admin@example.test", full_name="Admin Kantor"),
    }
    make_buyer(db_session, email="lain@example.test")
    db_session.commit()
    app.config["SATKER_CODE"] = "927100"
    return people


def paid_order(app, db_session, people, *, ntpn: str = "0A1B2C3D4E5F6G7H") -> int:
    """Ani's publication order of Rp335.000, its billing code paid (as the webhook records it)."""
    buyer, officer = people["buyer"], people["officer"]
    order = ordering.add_to_order(db_session, buyer, make_publication(db_session, pages=1000).id, on=DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Kajian", commercial=True,
                            claim_zero_rate=False)
    ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    gateway = SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret=app.config["WEBHOOK_SECRET"])
    invoice = invoices.issue_invoice(db_session, Actor(officer), order.id, SETTINGS, gateway, today=DAY)
    payments.record_billing_payment(db_session, BillingPaid(
        billing_code=invoice.current_code.code, amount=335_000, currency="IDR", ntpn=ntpn, ntb="123456789012",
        bank="BANK X", channel="teller", paid_at=datetime(2026, 11, 24, 3, 15, tzinfo=UTC)))
    db_session.commit()
    return order.id


@pytest.fixture
def paid(app, db_session, people):
    return paid_order(app, db_session, people)


def issue_from_order_page(client, order_id):
    sign_in_as(client, "bendahara@example.test")
    return submit_form(client, page(client, f"/pesanan/{order_id}"), "receipt-form")


def test_the_treasurer_issues_the_receipt_and_the_buyer_downloads_it(client, paid, db_session):
    answered = issue_from_order_page(client, paid)
    html = text_of(answered)
    number = NUMBER.search(element_text(html, "receipt-list")).group(0)
    assert f"Kuitansi {number} diterbitkan." in html and "Kuitansi terbit" in html
    assert "menerbitkan kuitansi" in html  # on the timeline
    assert 'id="issue-receipt"' not in html, "one receipt per invoice: the button is gone"

    sign_in_as(client, "ani@example.test")
    order_page = page(client, f"/pesanan/{paid}")
    assert number in element_text(order_page, "receipts") and 'id="issue-receipt"' not in order_page
    assert 'id="reissue-form"' not in order_page, "the buyer cannot void a receipt"
    link = re.search(r'href="(/kuitansi/\d+/kuitansi\.pdf)"', order_page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(download.data)
    for expected in (number, "Ani Pembeli", "Rp335.000", "tiga ratus tiga puluh lima ribu rupiah",
                     "0A1B2C3D4E5F6G7H", "Publikasi elektronik"):
        assert expected in text, expected
    stored = db_session.query(Receipt).one()
    assert hashlib.sha256(download.data).hexdigest() == stored.file.sha256, "served as stored"


def test_only_the_treasurer_sees_and_uses_the_button(client, paid):
    for email in ("ani@example.test", "petugas@example.test"):
        sign_in_as(client, email)
        assert 'id="issue-receipt"' not in page(client, f"/pesanan/{paid}")
        assert send(client, f"/pesanan/{paid}/kuitansi").status_code == 403
    sign_in_as(client, "admin@example.test")
    assert 'id="issue-receipt"' in page(client, f"/pesanan/{paid}")


def test_a_receipt_is_not_shown_to_another_buyer(client, paid):
    issue_from_order_page(client, paid)
    link = re.search(r'href="(/kuitansi/\d+/kuitansi\.pdf)"', page(client, f"/pesanan/{paid}")).group(1)
    sign_in_as(client, "lain@example.test")
    assert client.get(link).status_code == 404


def test_a_second_click_is_refused_with_the_reason(client, paid):
    sign_in_as(client, "bendahara@example.test")
    stale = page(client, f"/pesanan/{paid}")
    submit_form(client, stale, "receipt-form")
    again = submit_form(client, stale, "receipt-form", follow=False)  # the same page, clicked twice
    assert again.status_code == 409
    assert "baru saja diubah" in text_of(again) or "belum berkuitansi" in text_of(again)
    assert len(set(NUMBER.findall(element_text(page(client, f"/pesanan/{paid}"), "receipt-list")))) == 1


def test_a_wrong_receipt_is_voided_and_reissued_on_the_order_page(client, paid):
    first = NUMBER.search(text_of(issue_from_order_page(client, paid))).group(0)
    html = page(client, f"/pesanan/{paid}")
    refused = submit_form(client, html, "reissue-form", tick={"reason": "  "}, follow=False)
    assert refused.status_code == 422 and "Alasan pembatalan kuitansi wajib diisi." in text_of(refused)

    done = text_of(submit_form(client, html, "reissue-form", tick={"reason": "Nama institusi salah."}))
    listed = element_text(done, "receipt-list")
    second = [n for n in dict.fromkeys(NUMBER.findall(listed)) if n != first][0]
    assert f"penggantinya {second} diterbitkan" in done
    assert f"menggantikan {first}" in listed and "dibatalkan" in listed and "Nama institusi salah." in listed
    assert "membatalkan kuitansi dan menerbitkan penggantinya" in done  # on the timeline
    assert "Kuitansi terbit" in done


def test_the_verification_page_tells_a_valid_receipt_from_a_voided_one(client, app, paid):
    issue_from_order_page(client, paid)
    link = re.search(r'href="(/kuitansi/\d+/kuitansi\.pdf)"', page(client, f"/pesanan/{paid}")).group(1)
    # The QR link as printed under the code (cut over lines only at its separators).
    verify = "/verify/kuitansi/" + re.search(r"/verify/kuitansi/\s*(\S+)", pdf_text(client.get(link).data)).group(1)
    shown = page(app.test_client(), verify)  # public: anyone holding the paper, signed in or not
    assert "Sah dan berlaku" in element_text(shown, "verify-state") and "Ani Pembeli" in shown

    sign_in_as(client, "bendahara@example.test")
    submit_form(client, page(client, f"/pesanan/{paid}"), "reissue-form", tick={"reason": "Salah tanggal."})
    voided = page(app.test_client(), verify)
    assert "Dibatalkan" in element_text(voided, "verify-state") and "Digantikan oleh kuitansi KW/" in voided
    assert client.get("/verify/kuitansi/bukan-kode-yang-sah-123").status_code == 404


def test_the_batch_issues_the_ticked_invoices(client, app, db_session, people):
    orders = [paid_order(app, db_session, people, ntpn=f"0A1B2C3D4E5F6G{n:02d}") for n in range(3)]
    sign_in_as(client, "bendahara@example.test")
    listing = page(client, "/bendahara/kuitansi")
    ids = re.findall(r'name="invoice" value="(\d+)"', listing)
    assert len(ids) == 3 and "3 invoice lunas belum berkuitansi" in listing
    done = text_of(submit_form(client, listing, "receipt-batch-form", tick={"invoice": ids[:2]}))
    assert "2 kuitansi diterbitkan: KW/927100/2026/00001, KW/927100/2026/00002." in done
    assert re.findall(r'name="invoice" value="(\d+)"', done) == ids[2:]
    assert "Kuitansi terbit" in page(client, f"/pesanan/{orders[0]}")

    # The last one was receipted from its order page meanwhile: the stale list's tick is refused, by name.
    issue_from_order_page(client, orders[2])
    stale = text_of(submit_form(client, listing, "receipt-batch-form", tick={"invoice": ids[2:]}))
    assert "tidak dikuitansi" in stale and "Setiap invoice lunas sudah berkuitansi." in stale


def test_paid_invoices_without_a_receipt_come_a_page_at_a_time(client, monkeypatch, app, db_session, people):
    from sales_service.payments import receipts

    for n in range(3):
        paid_order(app, db_session, people, ntpn=f"0A1B2C3D4E5F6G{n:02d}")
    original = receipts.paginate
    monkeypatch.setattr(receipts, "paginate", lambda session, query, *, page: original(session, query, page=page,
                                                                                        per_page=2))
    sign_in_as(client, "bendahara@example.test")
    first = page(client, "/bendahara/kuitansi")
    assert len(re.findall(r'name="invoice" value="', first)) == 2 and 'rel="next"' in first
    assert len(re.findall(r'name="invoice" value="', page(client, "/bendahara/kuitansi?hal=2"))) == 1
    assert PAGE_SIZE >= 2


def test_the_staff_api_names_the_receipt(client, app, db_session, people, paid):
    issue_from_order_page(client, paid)
    _token, plain = api_tokens.issue_api_token(db_session, people["admin"], "SAKTI")
    db_session.commit()
    number = db_session.query(Receipt).one().number
    invoice_number = invoices.current_invoice(db_session, paid).number
    body = client.get(f"/api/v1/invoices/{invoice_number}", headers={"Authorization": f"Bearer {plain}"}).get_json()
    assert body["receipt_number"] == number and body["amount_paid"] == 335_000


def test_a_refused_reissue_shows_why_and_keeps_the_reason_typed(client, paid):
    issue_from_order_page(client, paid)
    stale = page(client, f"/pesanan/{paid}")
    submit_form(client, stale, "reissue-form", tick={"reason": "Nama institusi salah."})
    # The same (stale) page again: its receipt was voided meanwhile.
    refused = submit_form(client, stale, "reissue-form", tick={"reason": "Alamat salah ketik."}, follow=False)
    html = text_of(refused)
    assert refused.status_code == 409 and "sudah dibatalkan" in html
    assert "Alamat salah ketik.</textarea>" in html
    assert len(set(NUMBER.findall(element_text(html, "receipt-list")))) == 2, "nothing more was issued"
