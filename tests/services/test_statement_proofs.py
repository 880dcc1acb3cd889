"""A credit for a buyer's waiting proof of transfer verifies that proof (issue 10, points 4 and 7):
one transfer is one payment, whichever way the treasurer finds it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from sales_service.accounts.models import User
from sales_service.files.storage import FileStorage
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.payments import reconciliation, transfers
from sales_service.payments.models import LineState, Payment, PaymentStatus, ProofStatus
from tests.factories import pdf_bytes
from tests.services.test_bank_statements import (  # noqa: F401  (fixtures)
    four,
    lines_by_reference,
    proposed,
    treasurer,
)


def test_a_credit_for_a_waiting_proof_verifies_that_proof_one_transfer_one_payment(
        tariffs_loaded, treasurer, four, tmp_path):  # noqa: F811  (fixtures)
    session = tariffs_loaded
    _, _, (order_c, c), _ = four
    buyer = Actor(session.get(User, order_c.buyer_id))
    proof = transfers.upload_proof(
        session, buyer, order_c.id, (pdf_bytes("SWIFT MT103"), "bukti.pdf"),
        transfers.DeclaredTransfer(amount="21.50", currency="USD", transferred_on="2026-11-30",
                                   sender_name="Wang Lei", sender_bank="Bank of Example", reference="UETR88442211"),
        FileStorage(tmp_path / "proofs"), max_bytes=10**7, locale="en", today=date(2026, 12, 1))
    data = b"booking_date,amount,debit_credit,remittance,bank_reference\n2026-12-02,335000,C,UETR88442211 WANG,FT77\n"
    reconciliation.import_statement(session, treasurer, data, "mutasi.csv")
    line = lines_by_reference(session)["FT77"]
    assert line.state == LineState.PROPOSED and proposed(line)[0] == c.id
    assert "proof_reference" in line.proposals[0].reasons

    payment = reconciliation.confirm_match(session, treasurer, line.id, invoice_id=c.id)

    assert payment.proof_id == proof.id and payment.status == PaymentStatus.SETTLED
    assert proof.status == ProofStatus.VERIFIED and "FT77" in proof.verified_against
    assert session.scalar(select(func.count()).select_from(Payment).where(Payment.invoice_id == c.id)) == 1
    assert order_c.status == OrderStatus.PAID
