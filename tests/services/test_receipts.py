"""Receipts (kuitansi): issued by the treasurer for a fully paid invoice, numbered without gaps,
stored as issued, voided and reissued but never edited."""

import hashlib
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from sales_service.documents.layout import Office
from sales_service.errors import Conflict, InvalidInput, PermissionDenied
from sales_service.files.storage import FileStorage
from sales_service.invoices import services as invoices
from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.invoices.verification import VerificationLinkInvalid
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.payments import receipts
from sales_service.payments import services as payments
from sales_service.payments.models import Receipt, ReceiptStatus
from sales_service.roles import Role
from tests.buyer_steps import pdf_text
from tests.factories import make_buyer, make_staff
from tests.services.test_invoices import SETTINGS, TODAY, accepted_order
from tests.services.test_payments import paid

ISSUE_DAY = date(2026, 11, 25)
OFFICE = Office(name="Badan Pusat Statistik Kabupaten Contoh", address="Jl. Statistik No. 1", city="Contoh",
                satker_code="927100", ministry_code="054", echelon_code="01", account_code="425131",
                head_name="Kepala Contoh", treasurer_name="Siti Rahmawati, S.E.", treasurer_nip="198703152010122001")


@pytest.fixture
def settings(tmp_path):
    return receipts.ReceiptSettings(office=OFFICE, timezone="Asia/Jakarta", storage=FileStorage(tmp_path / "files"),
                                    verify_url=lambda code: f"https://penjualan.example/verify/kuitansi/{code}")


@pytest.fixture
def treasurer(tariffs_loaded):
    return make_staff(tariffs_loaded, Role.TREASURER, full_name="Bendahara Satu")


def gateway() -> SimulatedSimponi:
    return SimulatedSimponi(first_digit=8, webhook_url="http://127.0.0.1:9/unused", webhook_secret="whsec_" + "A" * 44)


def paid_order(session, officer, tmp_path, *, ntpn="0A1B2C3D4E5F6G7H", buyer=None):
    """A publication order of Rp335.000 whose billing code was paid (NTPN ``ntpn``)."""
    order, _ = accepted_order(session, officer, tmp_path, buyer=buyer)
    invoice = invoices.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway(), today=TODAY)
    payments.record_billing_payment(session, paid(invoice.current_code.code, ntpn=ntpn))
    assert order.status == OrderStatus.PAID
    return order, invoice


def issue(session, treasurer, order, settings, *, day=ISSUE_DAY):
    """As the web action does: a refused issue rolls back whatever it started (its number too)."""
    with session.begin_nested():
        return receipts.issue_receipt(session, Actor(treasurer), order.id, settings, today=day)


def test_the_receipt_holds_what_a_kuitansi_must_and_the_order_is_receipted(tariffs_loaded, officer, treasurer,
                                                                            settings, tmp_path):
    session = tariffs_loaded
    order, invoice = paid_order(session, officer, tmp_path)
    receipt = issue(session, treasurer, order, settings)

    assert receipt.number == "KW/927100/2026/00001" and receipt.year == 2026 and receipt.amount == 335_000
    assert order.status == OrderStatus.RECEIPTED
    last = workflow.events(session, order.id)[-1]
    assert (last.action, last.from_status, last.to_status, last.actor_name) == (
        "issue_receipt", OrderStatus.PAID, OrderStatus.RECEIPTED, "Bendahara Satu")
    assert last.details["receipt"] == receipt.number

    text = pdf_text(receipts.stored_pdf(receipt, settings.storage))
    for expected in ("KUITANSI", "KW/927100/2026/00001", "Tahun Anggaran 2026", invoice.buyer_name, "Rp335.000",
                     "tiga ratus tiga puluh lima ribu rupiah", invoice.current_code.code, "0A1B2C3D4E5F6G7H",
                     "NTB 123456789012", "BANK X", "24 November 2026, 12.00 WIB", invoice.number,
                     "Publikasi elektronik (PP 13/2024)", "Kode akun: 425131", "Contoh, 25 November 2026",
                     "Siti Rahmawati, S.E.", "NIP 198703152010122001", receipt.verification_code):
        assert expected in text, expected


def test_the_pdf_is_rendered_once_and_served_as_stored(tariffs_loaded, officer, treasurer, settings, tmp_path):
    session = tariffs_loaded
    order, _invoice = paid_order(session, officer, tmp_path)
    receipt = issue(session, treasurer, order, settings)
    stored = receipts.stored_pdf(receipt, settings.storage)
    assert hashlib.sha256(stored).hexdigest() == receipt.file.sha256 and receipt.file.mime == "application/pdf"
    # The office's settings change later (a new treasurer): the issued receipt does not.
    later = receipts.ReceiptSettings(office=Office(**{**OFFICE.__dict__, "treasurer_name": "Bendahara Baru"}),
                                     timezone=settings.timezone, storage=settings.storage,
                                     verify_url=settings.verify_url)
    assert receipts.stored_pdf(receipt, later.storage) == stored
    assert "Siti Rahmawati" in pdf_text(stored) and "Bendahara Baru" not in pdf_text(stored)


def test_a_second_receipt_for_one_invoice_is_refused_and_uses_no_number(tariffs_loaded, officer, treasurer,
                                                                        settings, tmp_path):
    session = tariffs_loaded
    order, invoice = paid_order(session, officer, tmp_path)
    first = issue(session, treasurer, order, settings)
    with pytest.raises(Conflict, match="sudah lunas dan belum berkuitansi"):
        issue(session, treasurer, order, settings)
    assert [r.number for r in receipts.receipts_of_order(session, order.id)] == [first.number]

    other, _ = paid_order(session, officer, tmp_path, ntpn="1B2C3D4E5F6G7H8J")
    assert issue(session, treasurer, other, settings).number == "KW/927100/2026/00002", "the refusal left no gap"


def test_the_database_holds_one_valid_receipt_per_invoice(tariffs_loaded, officer, treasurer, settings, tmp_path):
    session = tariffs_loaded
    order, _invoice = paid_order(session, officer, tmp_path)
    first = issue(session, treasurer, order, settings)
    twin = Receipt(number="KW/927100/2026/99999", office_code="927100", year=2026, sequence=99999,
                   invoice_id=first.invoice_id, order_id=first.order_id, status=ReceiptStatus.ISSUED,
                   amount=first.amount, payer_name=first.payer_name, issued_on=first.issued_on,
                   verification_code="another-code-0123456789", file_id=first.file_id)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(twin)
        session.flush()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.BUYER])
def test_only_the_treasurer_or_an_admin_issues_receipts(tariffs_loaded, officer, settings, tmp_path, role):
    session = tariffs_loaded
    order, _invoice = paid_order(session, officer, tmp_path)
    someone = make_staff(session, role, full_name="Bukan Bendahara") if role != Role.BUYER else make_buyer(session)
    with pytest.raises(PermissionDenied):
        issue(session, someone, order, settings)
    assert order.status == OrderStatus.PAID and receipts.receipts_of_order(session, order.id) == []
    admin = make_staff(session, Role.ADMIN, full_name="Admin Kantor")
    assert issue(session, admin, order, settings).number == "KW/927100/2026/00001"


def test_an_unpaid_invoice_gets_no_receipt(tariffs_loaded, officer, treasurer, settings, tmp_path):
    session = tariffs_loaded
    order, _ = accepted_order(session, officer, tmp_path)
    invoices.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway(), today=TODAY)
    with pytest.raises(Conflict, match="sudah lunas"):
        issue(session, treasurer, order, settings)
    assert order.status == OrderStatus.INVOICED


def test_a_wrong_receipt_is_voided_and_reissued_linked_with_a_new_number(tariffs_loaded, officer, treasurer,
                                                                          settings, tmp_path):
    session = tariffs_loaded
    order, invoice = paid_order(session, officer, tmp_path)
    old = issue(session, treasurer, order, settings)
    old_pdf = receipts.stored_pdf(old, settings.storage)

    new = receipts.void_and_reissue(session, Actor(treasurer), old.id, "Nama pembayar salah ketik.", settings,
                                    today=date(2026, 11, 27))
    assert (old.status, old.void_reason) == (ReceiptStatus.VOID, "Nama pembayar salah ketik.")
    assert new.status == ReceiptStatus.ISSUED and new.number == "KW/927100/2026/00002"
    assert new.replaces_id == old.id and receipts.replacement_of(session, old) == new
    assert (new.invoice_id, new.amount) == (invoice.id, old.amount), "the same invoice and payment"
    assert receipts.current_receipt(session, invoice.id) == new
    assert receipts.stored_pdf(old, settings.storage) == old_pdf, "the voided receipt's PDF is kept as issued"
    text = pdf_text(receipts.stored_pdf(new, settings.storage))
    assert "menggantikan kuitansi KW/927100/2026/00001 yang dibatalkan: Nama pembayar salah ketik." in text
    assert "0A1B2C3D4E5F6G7H" in text and "Contoh, 27 November 2026" in text

    assert order.status == OrderStatus.RECEIPTED
    last = workflow.events(session, order.id)[-1]
    assert (last.action, last.reason, last.details["voided"], last.details["receipt"]) == (
        "reissue_receipt", "Nama pembayar salah ketik.", old.number, new.number)

    with pytest.raises(Conflict, match="sudah dibatalkan"), session.begin_nested():
        receipts.void_and_reissue(session, Actor(treasurer), old.id, "Lagi.", settings, today=date(2026, 11, 27))


def test_voiding_needs_a_reason_and_the_treasurer(tariffs_loaded, officer, treasurer, settings, tmp_path):
    session = tariffs_loaded
    order, _invoice = paid_order(session, officer, tmp_path)
    receipt = issue(session, treasurer, order, settings)
    with pytest.raises(InvalidInput), session.begin_nested():
        receipts.void_and_reissue(session, Actor(treasurer), receipt.id, "  ", settings, today=ISSUE_DAY)
    with pytest.raises(PermissionDenied), session.begin_nested():
        receipts.void_and_reissue(session, Actor(officer), receipt.id, "Salah.", settings, today=ISSUE_DAY)
    assert receipt.status == ReceiptStatus.ISSUED


def test_the_batch_issues_each_ticked_invoice_and_names_the_refused(tariffs_loaded, officer, treasurer, settings,
                                                                    tmp_path):
    session = tariffs_loaded
    first, first_invoice = paid_order(session, officer, tmp_path)
    second, second_invoice = paid_order(session, officer, tmp_path, ntpn="1B2C3D4E5F6G7H8J")
    third, third_invoice = paid_order(session, officer, tmp_path, ntpn="2C3D4E5F6G7H8J9K")
    issue(session, treasurer, second, settings)  # receipted meanwhile, from the order page
    assert [row.invoice.id for row in receipts.awaiting_receipt(session).items] == [first_invoice.id,
                                                                                     third_invoice.id]

    outcome = receipts.issue_receipts(session, Actor(treasurer), [first_invoice.id, second_invoice.id,
                                                                   third_invoice.id], settings, today=ISSUE_DAY)
    assert [r.number for r in outcome.issued] == ["KW/927100/2026/00002", "KW/927100/2026/00003"]
    assert [number for number, _error in outcome.refused] == [second_invoice.number]
    assert {first.status, second.status, third.status} == {OrderStatus.RECEIPTED}
    assert receipts.awaiting_receipt(session).total == 0
    assert receipts.receipt_numbers(session, [first_invoice.id, third_invoice.id]) == {
        first_invoice.id: "KW/927100/2026/00002", third_invoice.id: "KW/927100/2026/00003"}


def test_numbers_start_again_each_fiscal_year(tariffs_loaded, officer, treasurer, settings, tmp_path):
    session = tariffs_loaded
    december, _ = paid_order(session, officer, tmp_path)
    january, _ = paid_order(session, officer, tmp_path, ntpn="1B2C3D4E5F6G7H8J")
    assert issue(session, treasurer, december, settings, day=date(2026, 12, 31)).number == "KW/927100/2026/00001"
    receipt = issue(session, treasurer, january, settings, day=date(2027, 1, 2))
    assert (receipt.number, receipt.year) == ("KW/927100/2027/00001", 2027)
    assert "Tahun Anggaran 2027" in pdf_text(receipts.stored_pdf(receipt, settings.storage))


def test_a_receipt_is_for_its_buyer_and_staff_only(tariffs_loaded, officer, treasurer, settings, tmp_path):
    session = tariffs_loaded
    buyer = make_buyer(session, email="pemilik@example.test")
    order, _ = paid_order(session, officer, tmp_path, buyer=buyer)
    receipt = issue(session, treasurer, order, settings)
    assert receipts.get_receipt_for(session, receipt.id, buyer) == receipt
    assert receipts.get_receipt_for(session, receipt.id, officer) == receipt
    with pytest.raises(receipts.ReceiptNotFound):
        receipts.get_receipt_for(session, receipt.id, make_buyer(session, email="lain@example.test"))


def test_a_verification_code_names_its_receipt_and_nothing_else(tariffs_loaded, officer, treasurer, settings,
                                                               tmp_path):
    session = tariffs_loaded
    order, _ = paid_order(session, officer, tmp_path)
    receipt = issue(session, treasurer, order, settings)
    assert receipts.verified_receipt(session, receipt.verification_code) == receipt
    for forged in ("x" * 24, receipt.verification_code[:-1] + "#", str(receipt.id)):
        with pytest.raises(VerificationLinkInvalid):
            receipts.verified_receipt(session, forged)
