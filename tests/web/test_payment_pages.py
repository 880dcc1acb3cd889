"""Proofs of transfer, cash and deposits through the pages, as buyer and treasurer use them."""

import re
from datetime import date

import pytest

from sales_service.accounts.models import Domicile
from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.orders import ordering, review
from sales_service.orders.workflow import Actor
from sales_service.paging import PAGE_SIZE
from sales_service.payments import cash
from sales_service.roles import Role
from tests.buyer_steps import element_text, page, send, sign_in_as, submit_form, text_of
from tests.factories import make_buyer, make_publication, make_staff, make_walk_in_order, pdf_bytes
from tests.services.test_invoices import SETTINGS
from tests.upload_corpus import png

DAY = date(2026, 11, 24)  # the invoices' day; every transfer and cash below is on or after it
TRANSFER = dict(amount="21.50", currency="USD", transferred_on="2026-11-25", sender_name="Jane Abroad",
                sender_bank="Bank of Elsewhere", reference="FT2611250001")


@pytest.fixture
def people(app, db_session):
    buyer = make_buyer(db_session, email="jane@example.test", full_name="Jane Abroad", domicile=Domicile.ABROAD)
    officer = make_staff(db_session, Role.OFFICER, email="petugas@example.test", full_name="Petugas Loket")
    make_staff(db_session, Role.TREASURER, email="bendahara@example.test", full_name="Bendahara Satu")
    make_buyer(db_session, email="lain@example.test")
    db_session.commit()
    return {"buyer": buyer, "officer": officer}


def gateway(app):
    return SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret=app.config["WEBHOOK_SECRET"])


@pytest.fixture
def abroad(app, db_session, people):
    """Jane's invoiced order of Rp335.000, to be paid by transfer from abroad."""
    buyer, officer = people["buyer"], people["officer"]
    order = ordering.add_to_order(db_session, buyer, make_publication(db_session, pages=1000).id, on=DAY)
    ordering.update_details(db_session, Actor(buyer), order.id, purpose="Research", commercial=True,
                            claim_zero_rate=False)
    ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
    review.accept(db_session, Actor(officer), order.id)
    invoices.issue_invoice(db_session, Actor(officer), order.id, SETTINGS, gateway(app), today=DAY)
    db_session.commit()
    return order.id


def upload_proof(client, order_id, **changes):
    return send(client, f"/pesanan/{order_id}/bukti-transfer", file=(pdf_bytes("Wire"), "wire.pdf"),
                **dict(TRANSFER, **changes))


def treasurer_decides(client, order_id, *, credited=None, reject=None):
    """The treasurer opens the list of proofs, the newest proof of the order, and decides."""
    sign_in_as(client, "bendahara@example.test")
    listing = page(client, "/bendahara/bukti-transfer")
    proof_path = re.search(r'href="(/bendahara/bukti-transfer/\d+)"', listing).group(1)
    decision = page(client, proof_path)
    if reject is not None:
        return submit_form(client, decision, "reject-form", tick={"reason": reject})
    return submit_form(client, decision, "verify-form", tick={"credited": credited, "received_on": "2026-11-26"})


def test_a_short_credit_asks_the_buyer_for_the_rest_and_the_top_up_pays_the_order(client, abroad):
    sign_in_as(client, "jane@example.test")
    order_page = page(client, f"/pesanan/{abroad}")
    assert 'id="proof-form"' in order_page and "Rp335.000" in element_text(order_page, "amount-remaining")
    assert upload_proof(client, abroad).status_code == 302
    waiting = page(client, f"/pesanan/{abroad}")
    assert 'id="proof-waiting"' in waiting and 'id="proof-form"' not in waiting  # one proof waits at a time
    assert "US$21.50" in element_text(waiting, "proofs") or "US$21,50" in element_text(waiting, "proofs")

    verified = treasurer_decides(client, abroad, credited="320.000")
    assert "Bukti transfer diverifikasi: Rp320.000 masuk." in text_of(verified)
    assert "Tidak ada bukti transfer yang menunggu." in text_of(verified)

    sign_in_as(client, "jane@example.test")
    partly = page(client, f"/pesanan/{abroad}")
    assert element_text(partly, "amount-paid") == "Rp320.000"
    assert "Rp15.000" in element_text(partly, "top-up-request")  # bank charges are the payer's
    assert "Invoice terbit" in partly and 'id="proof-form"' in partly
    assert upload_proof(client, abroad, amount="1.00", reference="FT2611270002").status_code == 302

    treasurer_decides(client, abroad, credited="15.000")
    sign_in_as(client, "jane@example.test")
    paid = page(client, f"/pesanan/{abroad}")
    assert "Dibayar" in paid and element_text(paid, "amount-remaining") == "Rp0"
    assert 'id="top-up-request"' not in paid and 'id="proof-form"' not in paid
    assert "memverifikasi bukti transfer" in element_text(paid, "timeline")


def test_a_rejected_proof_shows_its_reason_and_the_buyer_uploads_again(client, abroad):
    sign_in_as(client, "jane@example.test")
    upload_proof(client, abroad)
    treasurer_decides(client, abroad, reject="No credit with this reference on our account.")
    sign_in_as(client, "jane@example.test")
    rejected = page(client, f"/pesanan/{abroad}")
    assert "No credit with this reference on our account." in element_text(rejected, "proof-rejected")
    assert 'id="proof-form"' in rejected
    assert upload_proof(client, abroad, reference="FT2611280003").status_code == 302
    again = page(client, f"/pesanan/{abroad}")
    assert 'id="proof-rejected"' not in again and 'id="proof-waiting"' in again


def test_a_refused_proof_shows_why_and_keeps_what_was_typed(client, abroad):
    sign_in_as(client, "jane@example.test")
    refused = upload_proof(client, abroad, currency="XYZ")
    assert refused.status_code == 422
    html = text_of(refused)
    assert "bukan kode mata uang ISO 4217" in html
    assert 'value="Bank of Elsewhere"' in html and 'value="FT2611250001"' in html
    not_a_document = send(client, f"/pesanan/{abroad}/bukti-transfer", file=(b"MZ\x90\x00 not a pdf", "wire.pdf"),
                          **TRANSFER)
    assert not_a_document.status_code in (400, 415, 422) and 'id="proof-waiting"' not in text_of(not_a_document)


def test_the_proof_file_is_for_its_buyer_and_staff_only(client, abroad):
    sign_in_as(client, "jane@example.test")
    upload_proof(client, abroad, **{})
    order_page = page(client, f"/pesanan/{abroad}")
    file_path = re.search(r'href="(/bukti-transfer/\d+/berkas)"', order_page).group(1)
    own = client.get(file_path)
    assert own.status_code == 200 and own.data.startswith(b"%PDF-")
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    own.close()
    sign_in_as(client, "lain@example.test")
    assert client.get(file_path).status_code == 404
    assert upload_proof(client, abroad).status_code == 404  # another buyer's order does not exist for them
    sign_in_as(client, "bendahara@example.test")
    staff = client.get(file_path)
    assert staff.status_code == 200
    staff.close()


def test_the_order_page_speaks_english_to_a_buyer_abroad(client, abroad):
    sign_in_as(client, "jane@example.test")
    client.get("/bahasa/en")
    english = page(client, f"/pesanan/{abroad}")
    assert "Upload the proof of transfer" in english and "Amount sent" in english


# -- cash at the counter ----------------------------------------------------------------------------------

@pytest.fixture
def walk_in(app, db_session, people):
    """A walk-in visitor's invoiced order of Rp335.000."""
    officer = people["officer"]
    order = make_walk_in_order(db_session, officer, make_publication(db_session, pages=1000))
    review.accept(db_session, Actor(officer), order.id)
    invoices.issue_invoice(db_session, Actor(officer), order.id, SETTINGS, gateway(app), today=DAY)
    db_session.commit()
    return order.id


def test_the_treasurer_records_cash_and_the_walk_in_order_is_paid(client, walk_in):
    sign_in_as(client, "petugas@example.test")
    assert 'id="cash-form"' not in page(client, f"/pesanan/{walk_in}")  # the treasurer's job
    sign_in_as(client, "bendahara@example.test")
    order_page = page(client, f"/pesanan/{walk_in}")
    too_much = submit_form(client, order_page, "cash-form", tick={"cash_amount": "400.000"})
    assert too_much.status_code == 422
    assert "melebihi sisa tagihan Rp335.000" in text_of(too_much)
    assert 'value="400.000"' in text_of(too_much)  # what was typed stays
    paid = submit_form(client, order_page, "cash-form", tick={"cash_amount": "335.000"})
    html = text_of(paid)
    assert "Pembayaran tunai Rp335.000 dicatat." in html and "Dibayar" in html
    assert element_text(html, "amount-paid") == "Rp335.000" and 'id="cash-form"' not in html
    assert "mencatat pembayaran tunai" in element_text(html, "timeline")


# -- deposits -------------------------------------------------------------------------------------------

@pytest.fixture
def two_cash_payments(app, db_session, people):
    """Two walk-in orders paid in cash, on 25 and 26 November."""
    treasurer = make_staff(db_session, Role.TREASURER, email="bendahara2@example.test")
    officer = people["officer"]
    paid = []
    for day in ("2026-11-26", "2026-11-25"):
        order = make_walk_in_order(db_session, officer, make_publication(db_session, pages=1000))
        review.accept(db_session, Actor(officer), order.id)
        invoices.issue_invoice(db_session, Actor(officer), order.id, SETTINGS, gateway(app), today=DAY)
        paid.append(cash.record_cash(db_session, Actor(treasurer), order.id, amount="335.000", received_on=day,
                                     received_by="Rina", today=date(2026, 11, 26)))
    db_session.commit()
    return [p.id for p in paid]


def test_a_deposit_of_two_payments_clears_them_and_a_second_deposit_of_one_is_refused(client, two_cash_payments):
    newer, older = two_cash_payments
    sign_in_as(client, "bendahara@example.test")
    desk = page(client, "/bendahara/setoran")
    assert "Rp670.000" in element_text(desk, "holding")
    held = element_text(desk, "held")
    assert held.index("25 November 2026") < held.index("26 November 2026")  # oldest first
    assert re.findall(r'name="payment" value="(\d+)"', desk) == [str(older), str(newer)]

    wrong = submit_form(client, desk, "deposit-form", tick={
        "payment": [str(older), str(newer)], "billing_code": "820261127000001", "ntpn": "SETOR0000000001A",
        "amount": "600.000", "deposited_on": "2026-11-27"})
    assert wrong.status_code == 422 and "tidak sama dengan jumlah pembayaran yang dipilih Rp670.000" in text_of(wrong)
    assert re.findall(r'name="payment" value="(\d+)" [^>]*checked', text_of(wrong)) == [str(older), str(newer)]

    made = submit_form(client, desk, "deposit-form", tick={
        "payment": [str(older), str(newer)], "billing_code": "820261127000001", "ntpn": "SETOR0000000001A",
        "amount": "670.000", "deposited_on": "2026-11-27"})
    assert "Setoran Rp670.000 dengan NTPN SETOR0000000001A dicatat." in text_of(made)
    assert "820261127000001" in element_text(text_of(made), "deposits")
    after = page(client, "/bendahara/setoran")
    assert "Tidak ada uang yang belum disetor." in after and "Rp0" in element_text(after, "holding")

    again = submit_form(client, desk, "deposit-form", tick={
        "payment": [str(older)], "billing_code": "820261127000002", "ntpn": "SETOR0000000002B",
        "amount": "335.000", "deposited_on": "2026-11-27"})
    assert again.status_code == 409 and f"Pembayaran #{older} sudah disetor" in text_of(again)


def test_held_money_comes_a_page_at_a_time(client, db_session, people):
    from datetime import UTC, datetime, timedelta

    from sales_service.payments.models import Payment, PaymentSource, PaymentStatus

    start = datetime(2026, 10, 1, tzinfo=UTC)
    db_session.add_all([Payment(source=PaymentSource.CASH, amount=10_000 + n, currency="IDR", channel="cash",
                                paid_at=start + timedelta(hours=n), status=PaymentStatus.SETTLED)
                        for n in range(PAGE_SIZE + 1)])
    db_session.commit()
    sign_in_as(client, "bendahara@example.test")
    first = page(client, "/bendahara/setoran")
    assert len(re.findall(r'name="payment" value="', first)) == PAGE_SIZE and 'rel="next"' in first
    assert "Rp10.000" in element_text(first, "held") and "Rp10.050" not in first  # oldest first
    second = page(client, "/bendahara/setoran?hal=2")
    assert len(re.findall(r'name="payment" value="', second)) == 1 and "Rp10.050" in second


def test_png_proofs_are_accepted_like_other_documents(client, abroad):
    sign_in_as(client, "jane@example.test")
    response = send(client, f"/pesanan/{abroad}/bukti-transfer", file=(png(), "screenshot.png"), **TRANSFER)
    assert response.status_code == 302


def test_a_correction_of_a_partly_paid_invoice_shows_the_officer_why_no_new_version(client, abroad, db_session):
    sign_in_as(client, "jane@example.test")
    upload_proof(client, abroad)
    treasurer_decides(client, abroad, credited="320.000")
    sign_in_as(client, "jane@example.test")
    send(client, f"/pesanan/{abroad}/koreksi", target="invoice", reason="Nama perusahaan salah.")

    sign_in_as(client, "petugas@example.test")
    client.get("/bahasa/id")  # the browser read English for Jane
    officer_page = page(client, f"/pesanan/{abroad}")
    assert 'id="reissue-invoice"' not in officer_page  # no button that could only answer 409
    assert "sudah menerima Rp320.000" in element_text(officer_page, "reissue-refused")
    assert "Tolak koreksi dengan penjelasan" in element_text(officer_page, "reissue-refused")
    refused = send(client, f"/pesanan/{abroad}/koreksi/terbitkan-ulang")
    assert refused.status_code == 409  # the service says the same to a stale page


def test_money_on_an_order_cancelled_part_paid_goes_to_the_treasurer_to_give_back(client, abroad):
    sign_in_as(client, "jane@example.test")
    upload_proof(client, abroad)
    treasurer_decides(client, abroad, credited="320.000")

    sign_in_as(client, "petugas@example.test")
    client.get("/bahasa/id")
    cancelled = send(client, f"/pesanan/{abroad}/batal-dengan-invoice", reason="Pembeli mengundurkan diri.")
    assert cancelled.status_code == 302

    sign_in_as(client, "bendahara@example.test")
    exceptions = page(client, "/bendahara/pengecualian")
    assert "Rp320.000" in element_text(exceptions, "exceptions")
    assert "pesanan tidak menunggu pembayaran" in element_text(exceptions, "exceptions")
    order_page = page(client, f"/pesanan/{abroad}")
    assert "Dibatalkan" in order_page
    assert "mencatat pembayaran yang perlu diperiksa bendahara" in element_text(order_page, "timeline")

    # The whole of it can be given back: the refund opens for Rp320.000.
    case_path = re.search(r'href="(/bendahara/pengecualian/\d+)"', exceptions).group(1)
    refunded = send(client, case_path, action="refund", note="Pesanan dibatalkan; uang dikembalikan.")
    assert refunded.status_code in (302, 303)
    assert "Rp320.000" in page(client, "/bendahara/pengembalian")
