"""Proofs of transfer from abroad: the buyer uploads one, the treasurer verifies or rejects it.
Never commits.

A buyer abroad wires money to the treasurer's account and uploads the proof with what they
sent (amount and currency, day, sender, bank, reference). The proof becomes a payment waiting
for verification. The treasurer enters the rupiah actually credited (by hand, or from a bank
statement line: ``against`` names it) or rejects the proof with a reason the buyer reads on the
order page before uploading again. Bank charges are the payer's (PP 7/2015 Pasal 3), so a short
credit leaves the invoice partly paid and the buyer is asked for the remainder; the credit that
completes it settles the invoice and moves the order to paid (``payments.services.settle``). A
credit above the remainder settles the invoice and the surplus is recorded apart, flagged for a
refund, never netted. Every step is on the order's timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sales_service.clock import utcnow
from sales_service.errors import N_, Conflict, InvalidInput, NotFound
from sales_service.files import services as files
from sales_service.files.models import StoredFile
from sales_service.files.storage import FileStorage
from sales_service.invoices.models import Invoice, InvoiceStatus
from sales_service.money import parse_rupiah
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order
from sales_service.paging import Page, paginate
from sales_service.payments import balances, services
from sales_service.payments.currencies import currency_code, parse_minor_units
from sales_service.payments.entries import past_day
from sales_service.payments.models import (
    Payment,
    PaymentProblem,
    PaymentSource,
    PaymentStatus,
    ProofStatus,
    TransferProof,
)
from sales_service.payments.permissions import Pay, PaymentFacts, TreasurersOnly, may_decide, refusal
from sales_service.text import MAX_REASON, clean_text


class ProofNotFound(NotFound):
    def __init__(self):
        super().__init__("Bukti transfer tidak ditemukan.")


class ProofAlreadyDecided(Conflict):
    def __init__(self):
        super().__init__("Bukti transfer ini sudah diputuskan bendahara; muat ulang halaman.")


class NoProofFile(InvalidInput):
    def __init__(self):
        super().__init__("Pilih berkas bukti transfer (PDF, PNG atau JPEG).")


class CreditNotPositive(InvalidInput):
    def __init__(self):
        super().__init__("Jumlah rupiah yang masuk harus lebih dari nol.")


@dataclass(frozen=True)
class DeclaredTransfer:
    """What the buyer typed about their transfer, as typed."""

    amount: str
    currency: str
    transferred_on: str
    sender_name: str
    sender_bank: str
    reference: str


def upload_proof(session: Session, actor: workflow.Actor, order_id: int, upload: tuple[bytes, str] | None,
                 declared: DeclaredTransfer, storage: FileStorage, *, max_bytes: int, locale: str,
                 today: date) -> TransferProof:
    """The buyer's proof of a transfer for the remainder of their invoice: stored (same upload
    checks as every document) and waiting for the treasurer as a payment pending verification."""
    order = workflow.get_order_for(session, order_id, actor.user)  # another buyer's order: 404
    invoice = balances.current_invoice(session, order.id, lock=True)
    facts = _require(Pay.UPLOAD_PROOF, actor, balances.facts(session, order, invoice))
    currency = currency_code(declared.currency)
    amount_sent = parse_minor_units(declared.amount, currency, locale)
    transferred_on = past_day(declared.transferred_on, N_("Tanggal transfer"), today=today)
    sender_name = clean_text(declared.sender_name, N_("Nama pengirim"), max_length=200)
    sender_bank = clean_text(declared.sender_bank, N_("Bank pengirim"), max_length=200)
    reference = clean_text(declared.reference, N_("Referensi transfer"), max_length=100)
    if upload is None:
        raise NoProofFile()
    stored = files.store_file(session, storage, data=upload[0], filename=upload[1], max_bytes=max_bytes,
                              uploaded_by=actor.user)
    proof = TransferProof(order_id=order.id, invoice_id=invoice.id, file_id=stored.id, amount_sent=amount_sent,
                          currency=currency, transferred_on=transferred_on, sender_name=sender_name,
                          sender_bank=sender_bank, reference=reference, status=ProofStatus.PENDING,
                          uploaded_by_id=actor.user.id)
    session.add(proof)
    session.flush()
    # Until verified, the payment carries the rupiah the proof is meant to cover; only settled payments count.
    session.add(Payment(source=PaymentSource.TRANSFER_PROOF, amount=facts.remainder, currency="IDR",
                        ntb=reference, bank=sender_bank, channel="transfer", paid_at=balances.moment_of(transferred_on),
                        status=PaymentStatus.PENDING_VERIFICATION, invoice_id=invoice.id, order_id=order.id,
                        proof_id=proof.id))
    workflow.record(session, order, actor, "upload_transfer_proof", details={
        "proof_id": proof.id, "amount_sent": amount_sent, "currency": currency, "reference": reference,
        "remaining": facts.remainder, "file": stored.filename})
    workflow.save(session)
    return proof


def verify_proof(session: Session, actor: workflow.Actor, proof_id: int, *, credited: int, received_on: date,
                 against: str | None = None) -> Payment:
    """The treasurer found the credit: ``credited`` whole rupiah reached the account on ``received_on``.

    ``against`` names the bank statement line it was checked against (None: by hand). The statement
    import confirms a proof's credit through this function, so one transfer is one payment."""
    if not may_decide(actor.user.role):
        raise TreasurersOnly()
    if isinstance(credited, bool) or not isinstance(credited, int) or credited <= 0:
        raise CreditNotPositive()
    proof = _locked_pending(session, proof_id)
    invoice = session.scalar(select(Invoice).where(Invoice.id == proof.invoice_id).with_for_update()
                             .execution_options(populate_existing=True))
    order = workflow.load_order(session, proof.order_id)
    payment = session.scalar(select(Payment).where(Payment.proof_id == proof.id,
                                                   Payment.status == PaymentStatus.PENDING_VERIFICATION))
    remaining = invoice.total - services.amount_settled(services.payments_of_invoice(session, invoice.id))
    proof.status, proof.credited, proof.verified_against = ProofStatus.VERIFIED, credited, against
    proof.decided_by_id, proof.decided_at = actor.user.id, utcnow()
    payment.amount, payment.paid_at, payment.recorded_by_id = credited, balances.moment_of(received_on), actor.user.id
    details = {"proof_id": proof.id, "credited": credited, "received_on": received_on.isoformat(),
               "against": against, "invoice": invoice.number}

    problem = _problem(order, invoice, remaining)
    if problem is not None:  # money received is recorded, never dropped: the exceptions queue decides
        payment.status, payment.problem = PaymentStatus.FLAGGED, problem
        workflow.record(session, order, actor, "verify_transfer_proof",
                        details={**details, "outcome": "flagged", "problem": problem.value})
        workflow.save(session)
        return payment

    surplus = max(credited - remaining, 0)
    if surplus:
        # The invoice takes what it asks for; the rest stays apart, flagged for a refund.
        payment.amount = remaining
        session.add(Payment(source=PaymentSource.TRANSFER_PROOF, amount=surplus, currency="IDR", ntb=payment.ntb,
                            bank=payment.bank, channel=payment.channel, paid_at=payment.paid_at,
                            status=PaymentStatus.FLAGGED, problem=PaymentProblem.WRONG_AMOUNT,
                            invoice_id=invoice.id, order_id=order.id, proof_id=proof.id,
                            recorded_by_id=actor.user.id))
    remaining_after = max(remaining - credited, 0)
    workflow.record(session, order, actor, "verify_transfer_proof", details={
        **details, "outcome": "partly_paid" if remaining_after else "settled", "paid": invoice.total - remaining_after,
        "remaining": remaining_after, "surplus": surplus})
    if remaining_after:
        payment.status = PaymentStatus.SETTLED  # counted; the buyer is asked for a top-up of the rest
        workflow.save(session)
    else:
        services.settle(session, payment, invoice, actor)
    return payment


def verify_typed(session: Session, actor: workflow.Actor, proof_id: int, *, credited: str, received_on: str,
                 today: date) -> TransferProof:
    """:func:`verify_proof` with what the treasurer typed: the rupiah credited ("335.000") and its day."""
    if not may_decide(actor.user.role):
        raise TreasurersOnly()
    amount = parse_rupiah(credited)
    day = past_day(received_on, N_("Tanggal dana masuk"), today=today)
    verify_proof(session, actor, proof_id, credited=amount, received_on=day)
    return session.get(TransferProof, proof_id)


def _problem(order: Order, invoice: Invoice, remaining: int) -> PaymentProblem | None:
    if invoice.status == InvoiceStatus.VOID:
        return PaymentProblem.VOID_CODE  # corrected and reissued, or cancelled, since the upload
    if invoice.status == InvoiceStatus.PAID or remaining <= 0:
        return PaymentProblem.DOUBLE_PAYMENT  # paid meanwhile (e.g. a statement line)
    if order.status != OrderStatus.INVOICED:
        return PaymentProblem.ORDER_NOT_PAYABLE
    return None


def reject_proof(session: Session, actor: workflow.Actor, proof_id: int, reason: str) -> TransferProof:
    """No such credit (or an unreadable proof): the buyer reads ``reason`` and uploads again."""
    if not may_decide(actor.user.role):
        raise TreasurersOnly()
    why = clean_text(reason, N_("Alasan penolakan"), max_length=MAX_REASON)
    proof = _locked_pending(session, proof_id)
    proof.status, proof.rejection_reason = ProofStatus.REJECTED, why
    proof.decided_by_id, proof.decided_at = actor.user.id, utcnow()
    for payment in session.scalars(select(Payment).where(Payment.proof_id == proof.id,
                                                         Payment.status == PaymentStatus.PENDING_VERIFICATION)):
        payment.status, payment.recorded_by_id = PaymentStatus.REJECTED, actor.user.id
    order = workflow.load_order(session, proof.order_id)
    workflow.record(session, order, actor, "reject_transfer_proof", reason=why, details={"proof_id": proof.id})
    workflow.save(session)
    return proof


def _require(what: Pay, actor: workflow.Actor, facts: PaymentFacts | None) -> PaymentFacts:
    if facts is None:
        raise Conflict("Invoice pesanan ini belum terbit.")
    error = refusal(what, facts, actor.user.role, actor.user.id)
    if error is not None:
        raise error
    return facts


def _locked_pending(session: Session, proof_id: int) -> TransferProof:
    proof = session.scalar(select(TransferProof).where(TransferProof.id == proof_id).with_for_update()
                           .execution_options(populate_existing=True))
    if proof is None:
        raise ProofNotFound()
    if proof.status != ProofStatus.PENDING:
        raise ProofAlreadyDecided()
    return proof


# -- reading ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProofToVerify:
    proof: TransferProof
    order_id: int
    order_reference: str
    buyer_name: str
    invoice_number: str
    total: int
    paid: int  # settled before this proof

    @property
    def remaining(self) -> int:
        return max(self.total - self.paid, 0)


def proofs_to_verify(session: Session, *, page: int = 1) -> Page[ProofToVerify]:
    """Proofs waiting for the treasurer, oldest first, one page (a fixed number of queries)."""
    query = (select(TransferProof).where(TransferProof.status == ProofStatus.PENDING)
             .order_by(TransferProof.uploaded_at, TransferProof.id))
    return paginate(session, query, page=page).map(lambda proofs: _to_verify(session, proofs))


def _to_verify(session: Session, proofs: Sequence[TransferProof]) -> list[ProofToVerify]:
    invoice_ids = {p.invoice_id for p in proofs}
    found = {i.id: i for i in session.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids)))}
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_({p.order_id for p in proofs}))
                                                .options(selectinload(Order.walk_in)))}
    paid: dict[int, int] = {}
    for payment in session.scalars(select(Payment).where(Payment.invoice_id.in_(invoice_ids),
                                                         Payment.status == PaymentStatus.SETTLED)):
        paid[payment.invoice_id] = paid.get(payment.invoice_id, 0) + payment.amount
    return [ProofToVerify(proof=p, order_id=p.order_id, order_reference=orders[p.order_id].reference,
                          buyer_name=found[p.invoice_id].buyer_name, invoice_number=found[p.invoice_id].number,
                          total=found[p.invoice_id].total, paid=paid.get(p.invoice_id, 0))
            for p in proofs]


def proof_to_verify(session: Session, proof_id: int) -> ProofToVerify:
    """One proof with its invoice's standing, for the treasurer's decision page."""
    proof = session.get(TransferProof, proof_id)
    if proof is None:
        raise ProofNotFound()
    return _to_verify(session, [proof])[0]


def proofs_of_order(session: Session, order_id: int) -> list[TransferProof]:
    """Every proof the buyer uploaded for this order, newest first (their files are linked by the
    proof's id, not read here)."""
    return list(session.scalars(select(TransferProof).where(TransferProof.order_id == order_id)
                                .order_by(TransferProof.uploaded_at.desc(), TransferProof.id.desc())))


def proof_file(session: Session, proof_id: int, user) -> StoredFile:
    """The proof's file, for its buyer and for staff; anyone else is told it does not exist."""
    proof = session.get(TransferProof, proof_id)
    if proof is None:
        raise ProofNotFound()
    workflow.get_order_for(session, proof.order_id, user)
    return proof.file
