"""Proofs of transfer from abroad: upload, verify by hand (short credit, top-up, surplus), reject."""

from datetime import date

import pytest

from sales_service.accounts.models import Domicile
from sales_service.errors import PermissionDenied
from sales_service.files.storage import FileStorage
from sales_service.invoices import services as invoices
from sales_service.invoices.models import InvoiceStatus, PaymentRoute
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.payments import balances, transfers
from sales_service.payments import services as payments
from sales_service.payments.models import PaymentProblem, PaymentSource, PaymentStatus, ProofStatus
from sales_service.payments.permissions import NotPaidByTransfer, ProofWaiting, TreasurersOnly
from sales_service.roles import Role
from tests.factories import make_buyer, make_staff, pdf_bytes
from tests.services.test_invoices import SETTINGS, TODAY, accepted_order

RECEIVED = date(2026, 11, 26)
UPLOADED = date(2026, 11, 28)  # the office's day of the uploads


@pytest.fixture
def people(tariffs_loaded):
    session = tariffs_loaded
    return {"officer": make_staff(session, Role.OFFICER, full_name="Petugas Satu"),
            "treasurer": make_staff(session, Role.TREASURER, full_name="Bendahara Satu"),
            "buyer": make_buyer(session, domicile=Domicile.ABROAD, full_name="Jane Abroad")}


@pytest.fixture
def storage(tmp_path):
    return FileStorage(tmp_path / "uploads")


@pytest.fixture
def abroad(tariffs_loaded, people, gateway, tmp_path):
    """A buyer abroad's invoiced order of Rp335.000, paid by transfer."""
    session = tariffs_loaded
    order, _buyer = accepted_order(session, people["officer"], tmp_path, buyer=people["buyer"])
    invoice = invoices.issue_invoice(session, Actor(people["officer"]), order.id, SETTINGS, gateway, today=TODAY)
    assert invoice.payment_route == PaymentRoute.BANK_TRANSFER and invoice.total == 335_000
    return order, invoice


def declared(**changes) -> transfers.DeclaredTransfer:
    values = dict(amount="21.50", currency="usd", transferred_on="2026-11-25", sender_name="Jane Abroad",
                  sender_bank="Bank of Elsewhere", reference="FT2611250001")
    values.update(changes)
    return transfers.DeclaredTransfer(**values)


def upload(session, people, order, storage, **changes):
    return transfers.upload_proof(session, Actor(people["buyer"]), order.id, (pdf_bytes("Wire transfer"), "wire.pdf"),
                                  declared(**changes), storage, max_bytes=10**7, locale="en_GB", today=UPLOADED)


def verify(session, people, proof, credited: int):
    return transfers.verify_proof(session, Actor(people["treasurer"]), proof.id, credited=credited,
                                  received_on=RECEIVED)


def standing(session, order):
    invoice = balances.current_invoice(session, order.id)
    return balances.facts(session, order, invoice)


def test_an_uploaded_proof_waits_for_the_treasurer_with_what_was_sent(tariffs_loaded, people, abroad, storage):
    session = tariffs_loaded
    order, invoice = abroad
    proof = upload(session, people, order, storage)
    assert (proof.amount_sent, proof.currency, proof.status) == (2150, "USD", ProofStatus.PENDING)
    assert proof.file.mime == "application/pdf" and proof.transferred_on == date(2026, 11, 25)
    [payment] = payments.payments_of_invoice(session, invoice.id)
    assert payment.source == PaymentSource.TRANSFER_PROOF and payment.status == PaymentStatus.PENDING_VERIFICATION
    assert payment.proof_id == proof.id and payment.ntb == "FT2611250001"
    assert standing(session, order).paid == 0  # nothing counts before the treasurer verifies
    waiting = transfers.proofs_to_verify(session)
    assert [row.proof.id for row in waiting.items] == [proof.id] and waiting.items[0].remaining == 335_000
    assert workflow.events(session, order.id)[-1].action == "upload_transfer_proof"


def test_a_short_credit_leaves_the_invoice_partly_paid_and_the_top_up_settles_it(tariffs_loaded, people, abroad,
                                                                                 storage):
    session = tariffs_loaded
    order, invoice = abroad
    first = upload(session, people, order, storage)
    verify(session, people, first, 320_000)  # Rp15.000 of bank charges taken on the way
    facts = standing(session, order)
    assert (facts.paid, facts.remainder, facts.partly_paid) == (320_000, 15_000, True)
    assert invoice.status == InvoiceStatus.ISSUED and order.status == OrderStatus.INVOICED
    assert first.status == ProofStatus.VERIFIED and first.credited == 320_000
    event = workflow.events(session, order.id)[-1]
    assert (event.action, event.details["outcome"], event.details["remaining"]) == (
        "verify_transfer_proof", "partly_paid", 15_000)

    top_up = upload(session, people, order, storage, amount="1.00", reference="FT2611270002")
    verify(session, people, top_up, 15_000)
    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID
    assert standing(session, order).remainder == 0
    last = workflow.events(session, order.id)[-1]
    assert (last.action, last.to_status, last.actor_name) == ("record_payment", OrderStatus.PAID, "Bendahara Satu")
    assert payments.exceptions(session).total == 0


def test_a_credit_above_the_remainder_settles_the_invoice_and_keeps_the_surplus_apart(tariffs_loaded, people, abroad,
                                                                                      storage):
    session = tariffs_loaded
    order, invoice = abroad
    proof = upload(session, people, order, storage)
    verify(session, people, proof, 340_000)
    assert invoice.status == InvoiceStatus.PAID and order.status == OrderStatus.PAID
    settled, surplus = sorted(payments.payments_of_invoice(session, invoice.id), key=lambda p: p.id)
    assert (settled.amount, settled.status) == (335_000, PaymentStatus.SETTLED)
    assert (surplus.amount, surplus.status, surplus.problem) == (5_000, PaymentStatus.FLAGGED,
                                                                 PaymentProblem.WRONG_AMOUNT)
    assert [p.id for p in payments.exceptions(session).items] == [surplus.id]  # to refund, never netted


def test_a_rejected_proof_keeps_its_reason_and_the_buyer_uploads_again(tariffs_loaded, people, abroad, storage):
    session = tariffs_loaded
    order, invoice = abroad
    proof = upload(session, people, order, storage)
    with pytest.raises(ProofWaiting):  # one proof waits at a time
        upload(session, people, order, storage, reference="FT-OTHER")
    transfers.reject_proof(session, Actor(people["treasurer"]), proof.id, "No such credit on our account.")
    assert proof.status == ProofStatus.REJECTED and proof.rejection_reason == "No such credit on our account."
    assert payments.payments_of_invoice(session, invoice.id)[0].status == PaymentStatus.REJECTED
    event = workflow.events(session, order.id)[-1]
    assert (event.action, event.reason) == ("reject_transfer_proof", "No such credit on our account.")
    again = upload(session, people, order, storage, reference="FT2611280003")
    assert again.status == ProofStatus.PENDING
    assert [p.id for p in transfers.proofs_of_order(session, order.id)] == [again.id, proof.id]


def test_a_decided_proof_cannot_be_decided_again(tariffs_loaded, people, abroad, storage):
    session = tariffs_loaded
    order, _invoice = abroad
    proof = upload(session, people, order, storage)
    verify(session, people, proof, 335_000)
    with pytest.raises(transfers.ProofAlreadyDecided):
        verify(session, people, proof, 335_000)
    with pytest.raises(transfers.ProofAlreadyDecided):
        transfers.reject_proof(session, Actor(people["treasurer"]), proof.id, "Too late.")


def test_only_the_treasurer_decides_and_only_the_buyer_uploads(tariffs_loaded, people, abroad, storage):
    session = tariffs_loaded
    order, _invoice = abroad
    with pytest.raises(PermissionDenied):
        transfers.upload_proof(session, Actor(people["officer"]), order.id, (pdf_bytes(), "wire.pdf"), declared(),
                               storage, max_bytes=10**7, locale="en_GB", today=UPLOADED)
    proof = upload(session, people, order, storage)
    for who in (people["officer"], people["buyer"]):
        with pytest.raises(TreasurersOnly):
            transfers.verify_proof(session, Actor(who), proof.id, credited=335_000, received_on=RECEIVED)
    assert proof.status == ProofStatus.PENDING


def test_a_billing_code_invoice_takes_no_proof(tariffs_loaded, people, gateway, storage, tmp_path):
    session = tariffs_loaded
    domestic = make_buyer(session)
    order, _ = accepted_order(session, people["officer"], tmp_path, buyer=domestic)
    invoices.issue_invoice(session, Actor(people["officer"]), order.id, SETTINGS, gateway, today=TODAY)
    with pytest.raises(NotPaidByTransfer):
        transfers.upload_proof(session, Actor(domestic), order.id, (pdf_bytes(), "wire.pdf"), declared(), storage,
                               max_bytes=10**7, locale="en_GB", today=UPLOADED)


@pytest.mark.parametrize("changes, message", [
    (dict(currency="XYZ"), "bukan kode mata uang"),
    (dict(amount="21.505"), "paling banyak 2 angka desimal"),
    (dict(amount="0"), "lebih dari nol"),
    (dict(transferred_on="2026-11-29"), "tidak boleh sesudah hari ini"),
    (dict(reference=""), "wajib diisi"),
])
def test_what_the_buyer_declares_is_read_strictly(tariffs_loaded, people, abroad, storage, changes, message):
    session = tariffs_loaded
    order, invoice = abroad
    with pytest.raises(Exception, match=message):
        upload(session, people, order, storage, **changes)
    assert payments.payments_of_invoice(session, invoice.id) == []


def test_a_proof_verified_after_its_invoice_was_voided_is_flagged_not_dropped(tariffs_loaded, people, abroad,
                                                                             storage, gateway):
    session = tariffs_loaded
    order, invoice = abroad
    proof = upload(session, people, order, storage)
    invoices.cancel_invoiced_order(session, Actor(people["officer"]), order.id, gateway, reason="Dibatalkan.")
    payment = verify(session, people, proof, 335_000)
    assert (payment.status, payment.problem, payment.amount) == (PaymentStatus.FLAGGED, PaymentProblem.VOID_CODE,
                                                                 335_000)
    assert order.status == OrderStatus.CANCELLED
    assert [p.id for p in payments.exceptions(session).items] == [payment.id]


def test_a_correction_cannot_void_an_invoice_money_was_already_counted_towards(app, tariffs_loaded, people, abroad,
                                                                                storage, gateway):
    """Half paid, then a correction asked: a new version would ask for the whole amount again while
    the half stays on the voided one. The officer is refused with why; nothing changes. (``app``:
    building the app registers the guard, as in the service and its commands.)"""
    session = tariffs_loaded
    order, invoice = abroad
    verify(session, people, upload(session, people, order, storage), credited=200_000)
    invoices.request_correction(session, Actor(people["buyer"]), order.id, "invoice", "Alamat perusahaan salah.")

    with pytest.raises(payments.MoneyOnInvoice) as refused:
        invoices.reissue(session, Actor(people["officer"]), order.id, SETTINGS, gateway, today=TODAY)

    assert "sudah menerima Rp200.000" in refused.value.message and "Tolak koreksi" in refused.value.message
    assert invoices.current_invoice(session, order.id).id == invoice.id
    assert invoice.status == InvoiceStatus.ISSUED
    assert standing(session, order).paid == 200_000
    # Declining the correction with an explanation stays open to the officer.
    invoices.decline_correction(session, Actor(people["officer"]), order.id, "Dibetulkan pada kuitansi.")
    assert workflow.load_order(session, order.id).status == OrderStatus.INVOICED
