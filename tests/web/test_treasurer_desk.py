"""The treasurer's desk through its pages (issue 10, points 8 and 10): the home's counts, the
exceptions queue and its four resolutions, PNBP refunds step by step, and what the buyer reads."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.invoices.models import Invoice, InvoiceStatus
from sales_service.orders import ordering, review
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order
from sales_service.orders.workflow import Actor
from sales_service.payments import services as payments
from sales_service.payments.models import (
    Payment,
    PaymentProblem,
    PaymentSource,
    PaymentStatus,
    ProofStatus,
    Refund,
    TransferProof,
)
from sales_service.payments.notifications import BillingPaid
from sales_service.payments.refund_steps import RefundStatus
from sales_service.roles import Role
from tests.buyer_steps import element_text, page, sign_in_as, submit_form, text_of
from tests.factories import make_buyer, make_publication, make_staff
from tests.services.test_invoices import SETTINGS
from tests.web.test_staff_lists import counted

DAY = date(2026, 11, 24)
PAID_AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TREASURER, OFFICER, BUYER = "bendahara@example.test", "petugas@example.test", "ani@example.test"
_ntpns = iter(f"WEB{n:013d}" for n in range(1, 100_000))


@pytest.fixture
def people(app, db_session):
    buyer = make_buyer(db_session, email=BUYER, full_name="Ani Pembeli")
    officer = make_staff(db_session, Role.OFFICER, email=OFFICER, full_name="Petugas Satu")
    treasurer = make_staff(db_session, Role.TREASURER, email=TREASURER, full_name="Bendahara Satu")
    db_session.commit()
    return {"buyer": buyer, "officer": officer, "treasurer": treasurer}


@pytest.fixture
def invoiced(app, db_session, people):
    """Ani's invoiced orders of Rp335.000, paid with a billing code, made on demand."""
    gateway = SimulatedSimponi(webhook_url="http://127.0.0.1:9/", webhook_secret=app.config["WEBHOOK_SECRET"])

    def make() -> tuple[int, Invoice]:
        buyer, officer = people["buyer"], people["officer"]
        order = ordering.add_to_order(db_session, buyer, make_publication(db_session, pages=1000).id, on=DAY)
        ordering.update_details(db_session, Actor(buyer), order.id, purpose="Penelitian", commercial=True,
                                claim_zero_rate=False)
        ordering.submit(db_session, Actor(buyer), order.id, today=DAY, sla_days={})
        review.accept(db_session, Actor(officer), order.id)
        invoice = invoices.issue_invoice(db_session, Actor(officer), order.id, SETTINGS, gateway, today=DAY)
        db_session.commit()
        return order.id, invoice
    return make


def notify(db_session, code: str, amount: int = 335_000) -> int:
    payment = payments.record_billing_payment(db_session, BillingPaid(
        billing_code=code, amount=amount, currency="IDR", ntpn=next(_ntpns), ntb="123456789012", bank="BANK X",
        channel="teller", paid_at=PAID_AT))
    db_session.commit()
    return payment.id


def resolve(client, payment_id: int, form: str, **fields):
    sign_in_as(client, TREASURER)
    case = page(client, f"/bendahara/pengecualian/{payment_id}")
    return submit_form(client, case, form, tick=fields)


# -- the four resolutions ---------------------------------------------------------------------------------

def test_unmatched_money_is_applied_to_the_invoice_the_treasurer_names(client, db_session, invoiced):
    order_id, invoice = invoiced()
    lost = notify(db_session, "820261124999999")
    sign_in_as(client, TREASURER)
    queue = page(client, "/bendahara/pengecualian")
    assert "kode billing tidak dikenal" in element_text(queue, f"exception-{lost}")

    done = resolve(client, lost, "apply-form", invoice_number=invoice.number, note="Pembayar salah ketik kode.")

    assert "diterapkan ke invoice" in text_of(done)
    assert "Pembayar salah ketik kode." in element_text(text_of(done), "resolution-note")
    assert "Bendahara Satu" in element_text(text_of(done), "resolution")
    assert f"exception-{lost}" not in page(client, "/bendahara/pengecualian")
    order_page = page(client, f"/pesanan/{order_id}")
    assert "menerapkan pembayaran ke invoice" in element_text(order_page, "timeline")
    assert "Pembayar salah ketik kode." in element_text(order_page, "timeline")
    db_session.expire_all()
    assert db_session.get(Order, order_id).status == OrderStatus.PAID


def test_a_void_or_paid_invoice_is_refused_with_the_reason_and_the_note_kept(client, db_session, invoiced):
    _order_id, invoice = invoiced()
    notify(db_session, invoice.current_code.code)  # paid in full
    lost = notify(db_session, "820261124999998")

    refused = resolve(client, lost, "apply-form", invoice_number=invoice.number, note="Catatan saya.")

    assert refused.status_code == 409
    assert "sudah lunas" in element_text(text_of(refused), "form-error")
    assert "Catatan saya." in text_of(refused)  # what was typed stays in its form
    db_session.expire_all()
    assert db_session.get(Payment, lost).status == PaymentStatus.FLAGGED


def test_the_buyer_reads_the_top_up_asked_on_the_order_page(client, db_session, invoiced):
    order_id, invoice = invoiced()
    short = notify(db_session, invoice.current_code.code, 300_000)

    resolve(client, short, "top-up-form", note="Mohon bayar kekurangannya ke rekening bendahara.")

    sign_in_as(client, BUYER)
    asked = element_text(page(client, f"/pesanan/{order_id}"), "top-up-asked")
    assert "Rp35.000" in asked and invoice.number in asked
    assert "Mohon bayar kekurangannya ke rekening bendahara." in asked


def test_an_over_payment_opens_a_refund_that_runs_to_the_kppn_and_closes(client, db_session, invoiced):
    order_id, invoice = invoiced()
    over = notify(db_session, invoice.current_code.code, 400_000)

    done = resolve(client, over, "refund-form", note="Lebih bayar.")
    refund_path = re.search(r'href="(/bendahara/pengembalian/\d+)" id="resolution-refund"', text_of(done)).group(1)

    refund_page = page(client, refund_path)
    assert "Rp65.000" in refund_page and "menunggu permohonan pembayar" in element_text(refund_page, "refund-status")
    sign_in_as(client, BUYER)
    mine = page(client, f"/pesanan/{order_id}")
    assert "Pengembalian Rp65.000" in element_text(mine, "payment-follow-up")
    assert "surat permohonan" in element_text(mine, "payment-follow-up")

    sign_in_as(client, TREASURER)
    for fields in (dict(happened_on="2026-11-25", reference="001/ANI/XI/2026"),
                   dict(happened_on="2026-11-26", reference="KEP-7/2026", decision="approve"),
                   dict(happened_on="2026-11-27", reference="SP2D-261127-01")):
        step_page = submit_form(client, page(client, refund_path), "refund-step-form", tick=fields)
        assert step_page.status_code == 200
    closed = page(client, refund_path)
    assert "dibayar KPPN (selesai)" in element_text(closed, "refund-status")
    steps = element_text(closed, "refund-steps")
    for expected in ("001/ANI/XI/2026", "KEP-7/2026", "SP2D-261127-01", "disetujui", "27 November 2026"):
        assert expected in steps
    assert 'id="refund-step-form"' not in closed
    assert "mencatat pembayaran pengembalian oleh KPPN" in element_text(page(client, f"/pesanan/{order_id}"),
                                                                       "timeline")


def test_a_step_out_of_order_or_misdated_is_refused_on_the_refund_page(client, db_session, invoiced, people):
    _order_id, invoice = invoiced()
    notify(db_session, invoice.current_code.code)
    twice = notify(db_session, invoice.current_code.code)
    done = resolve(client, twice, "refund-form", note="Dibayar dua kali.")
    refund_path = re.search(r'href="(/bendahara/pengembalian/\d+)"', text_of(done)).group(1)

    refused = submit_form(client, page(client, refund_path), "refund-step-form",
                          tick={"step": "payment", "happened_on": "2026-11-25", "reference": "SP2D-1"})
    assert refused.status_code == 409 and "langkah berikutnya adalah" in element_text(text_of(refused), "form-error")

    submit_form(client, page(client, refund_path), "refund-step-form",
                tick={"happened_on": "2026-11-25", "reference": "001/ANI"})
    misdated = submit_form(client, page(client, refund_path), "refund-step-form",
                           tick={"happened_on": "2026-11-20", "reference": "KEP-1", "decision": "refuse"})
    assert misdated.status_code == 422 and "tidak boleh sebelum" in element_text(text_of(misdated), "form-error")
    assert "KEP-1" in text_of(misdated)  # what was typed is kept
    db_session.expire_all()
    assert db_session.scalar(select(Refund.status)) == RefundStatus.REQUESTED


def test_a_rejected_record_stays_listed_as_rejected_with_its_reason(client, db_session, invoiced):
    order_id, invoice = invoiced()
    wrong = notify(db_session, invoice.current_code.code, 1)

    done = resolve(client, wrong, "reject-form", note="Notifikasi uji coba bank.")

    assert "ditolak" in element_text(text_of(done), "resolution")
    db_session.expire_all()
    assert db_session.get(Payment, wrong).status == PaymentStatus.REJECTED  # never deleted
    assert "menolak catatan pembayaran" in element_text(page(client, f"/pesanan/{order_id}"), "timeline")


def test_a_resolved_payment_offers_no_second_resolution(client, db_session, invoiced):
    _order_id, invoice = invoiced()
    wrong = notify(db_session, invoice.current_code.code, 1)
    resolve(client, wrong, "reject-form", note="Salah.")
    case = page(client, f"/bendahara/pengecualian/{wrong}")
    assert 'id="apply-form"' not in case and 'id="reject-form"' not in case
    again = client.post(f"/bendahara/pengecualian/{wrong}", data={
        "action": "refund", "note": "Lagi", "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                   page(client, "/bendahara")).group(1)})
    assert again.status_code == 409 and "sudah diselesaikan" in text_of(again)


def test_the_queue_filters_by_problem_and_keeps_the_filter_on_the_next_page(client, db_session, invoiced):
    _order_id, invoice = invoiced()
    for _ in range(55):
        notify(db_session, "820261124999997", 1_000)
    wrong = notify(db_session, invoice.current_code.code, 2)
    sign_in_as(client, TREASURER)
    only_wrong = page(client, "/bendahara/pengecualian?masalah=wrong_amount")
    assert f"exception-{wrong}" in only_wrong and only_wrong.count('<tr id="exception-') == 1
    unknown = page(client, "/bendahara/pengecualian?masalah=unknown_code")
    assert unknown.count('<tr id="exception-') == 50  # one page
    second = page(client, "/bendahara/pengecualian?masalah=unknown_code&hal=2")
    assert second.count('<tr id="exception-') == 5 and f"exception-{wrong}" not in second
    assert "masalah=unknown_code" in re.search(r'href="([^"]*hal=1[^"]*)"', second).group(1)


@pytest.mark.parametrize("path", ["/bendahara", "/bendahara/pengecualian", "/bendahara/pengembalian"])
def test_only_the_treasurer_and_the_admin_open_the_desk(client, people, path):
    sign_in_as(client, OFFICER)
    assert client.get(path).status_code == 403
    sign_in_as(client, BUYER)
    assert client.get(path).status_code in (403, 404)


def test_the_desk_links_the_revenue_recap(client, people):
    sign_in_as(client, TREASURER)
    assert 'href="/bendahara/rekap" id="recap-link"' in page(client, "/bendahara")
    assert client.get("/bendahara/rekap").status_code == 200


def test_the_staff_home_links_the_desk_for_the_treasurer_only(client, people):
    sign_in_as(client, TREASURER)
    assert 'href="/bendahara" id="treasurer-desk-link"' in page(client, "/staf")
    sign_in_as(client, OFFICER)
    assert 'id="treasurer-desk-link"' not in page(client, "/staf")


# -- the treasurer's home ----------------------------------------------------------------------------------

def seed_payments(db_session, n: int, *, treasurer_id: int, order_id: int, invoice_id: int) -> None:
    """``n`` payments in bulk: flagged of every problem, settled cash and transfers held, settled billing
    payments, rejected ones; a pending proof and an open refund for every tenth."""
    problems = list(PaymentProblem)
    rows = []
    for i in range(n):
        kind = i % 5
        source = (PaymentSource.BILLING_NOTIFICATION, PaymentSource.CASH, PaymentSource.STATEMENT_LINE,
                  PaymentSource.BILLING_NOTIFICATION, PaymentSource.TRANSFER_PROOF)[kind]
        status = (PaymentStatus.FLAGGED, PaymentStatus.SETTLED, PaymentStatus.SETTLED, PaymentStatus.REJECTED,
                  PaymentStatus.PENDING_VERIFICATION)[kind]
        rows.append(dict(source=source, amount=1_000 + i, currency="IDR", paid_at=PAID_AT, recorded_at=PAID_AT,
                         status=status, problem=problems[i % len(problems)] if kind == 0 else None,
                         invoice_id=invoice_id if kind else None, order_id=order_id if kind else None))
    db_session.execute(insert(Payment), rows)
    refunds = [dict(amount=500, status=RefundStatus.AWAITING_REQUEST, reason="x", opened_by_id=treasurer_id,
                    opened_at=PAID_AT) for _ in range(n // 10)]
    if refunds:
        db_session.execute(insert(Refund), refunds)
    db_session.commit()


def statements_for(app, client, path: str) -> int:
    client.get(path)
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.parametrize("path", ["/bendahara", "/bendahara/pengecualian", "/bendahara/pengecualian?masalah=void_code",
                                  "/bendahara/pengembalian"])
def test_a_desk_page_asks_as_many_questions_with_300_payments_as_with_30(app, client, db_session, invoiced,
                                                                         people, path):
    order_id, invoice = invoiced()
    seed = dict(treasurer_id=people["treasurer"].id, order_id=order_id, invoice_id=invoice.id)
    seed_payments(db_session, 30, **seed)
    sign_in_as(client, TREASURER)
    few = statements_for(app, client, path)
    seed_payments(db_session, 270, **seed)
    assert statements_for(app, client, path) == few


def test_the_home_counts_each_queue_and_links_its_list(client, db_session, invoiced, people):
    paid_order, paid_invoice = invoiced()
    notify(db_session, paid_invoice.current_code.code)  # a paid invoice without a receipt
    order_id, invoice = invoiced()
    seed_payments(db_session, 300, treasurer_id=people["treasurer"].id, order_id=order_id, invoice_id=invoice.id)
    db_session.execute(insert(TransferProof), [dict(
        order_id=order_id, invoice_id=invoice.id, file_id=_a_file(db_session, people["buyer"].id), amount_sent=100,
        currency="USD", transferred_on=DAY, sender_name="X", sender_bank="Y", reference=f"R{i}",
        status=ProofStatus.PENDING) for i in range(3)])
    db_session.commit()
    sign_in_as(client, TREASURER)
    home = page(client, "/bendahara")

    def count(anchor: str) -> tuple[str, int]:
        link = re.search(rf'<a href="([^"]+)" id="{anchor}">[^<]*<strong>([\d.]+)</strong>', home)
        assert link, anchor
        return link.group(1), int(link.group(2).replace(".", ""))

    assert count("count-exceptions") == ("/bendahara/pengecualian", 60)
    assert "60 pembayaran menunggu" in page(client, "/bendahara/pengecualian")
    assert count("count-to-deposit") == ("/bendahara/setoran", 120)  # settled cash and statement lines
    assert count("count-refunds") == ("/bendahara/pengembalian", 30)
    assert count("count-proofs") == ("/bendahara/bukti-transfer", 3)
    assert count("count-to-receipt") == ("/bendahara/kuitansi", 1)  # the receipts batch lists them
    unreceipted = page(client, "/bendahara/kuitansi")
    assert paid_invoice.number in unreceipted and invoice.number not in unreceipted
    db_session.expire_all()
    assert db_session.get(Invoice, paid_invoice.id).status == InvoiceStatus.PAID


def _a_file(db_session, user_id: int) -> int:
    from sales_service.files.models import StoredFile

    stored = StoredFile(sha256="0" * 64, size=1, mime="application/pdf", filename="x.pdf", uploaded_by_id=user_id)
    db_session.add(stored)
    db_session.flush()
    return stored.id
