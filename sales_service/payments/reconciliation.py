"""The treasurer's bank statement: import it, propose matches, confirm and undo them. Never commits.

Each bank transaction is stored once (``StatementLine.line_key`` is unique), so importing a
file again adds nothing. Incoming rupiah credits get proposals from the pure matcher
(``payments.statements``) against the invoices that may still receive a transfer: unpaid
invoices paid by bank transfer (buyers abroad) and those with a proof of transfer waiting.
Nothing is matched without the treasurer: confirming records a payment (source
``statement_line``) and settles the invoice when it completes it; undoing rejects that
payment (never deletes it) and is refused once the order has moved to paid. Every confirm
and undo is on the order's timeline.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sales_service.clock import utcnow
from sales_service.errors import N_, Conflict, NotFound, PermissionDenied
from sales_service.invoices.models import BillingCode, CodeStatus, Invoice, InvoiceStatus, PaymentRoute
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Order
from sales_service.paging import Page, paginate
from sales_service.payments import statements, transfers
from sales_service.payments.models import (
    LineState,
    Payment,
    PaymentProblem,
    PaymentSource,
    PaymentStatus,
    ProofStatus,
    StatementImport,
    StatementLine,
    StatementProposal,
    TransferProof,
)
from sales_service.payments.services import settle
from sales_service.roles import Role
from sales_service.text import MAX_REASON, clean_text

OPEN_STATES = (LineState.UNMATCHED, LineState.PROPOSED, LineState.TIE)
TREASURERS = frozenset({Role.TREASURER, Role.ADMIN})
_CHUNK = 500  # ids per IN (...) list

REASON_LABELS = {
    statements.Reason.BILLING_CODE: N_("kode billing di berita"),
    statements.Reason.INVOICE_NUMBER: N_("nomor invoice di berita"),
    statements.Reason.ORDER_REFERENCE: N_("nomor pesanan di berita"),
    statements.Reason.PROOF_REFERENCE: N_("referensi bukti transfer"),
    statements.Reason.AMOUNT: N_("jumlah sama dengan sisa tagihan"),
    statements.Reason.SHORT_AMOUNT: N_("jumlah sedikit kurang (biaya bank)"),
    statements.Reason.DATE: N_("dalam 30 hari setelah invoice"),
}
STATE_LABELS = {
    LineState.UNMATCHED: N_("Belum cocok"),
    LineState.PROPOSED: N_("Diusulkan"),
    LineState.TIE: N_("Seri"),
    LineState.MATCHED: N_("Dicocokkan"),
    LineState.IGNORED: N_("Bukan kredit rupiah"),
}

PAYMENT_LABELS = {
    PaymentStatus.PENDING_VERIFICATION: N_("menunggu verifikasi"),
    PaymentStatus.SETTLED: N_("diterima"),
    PaymentStatus.FLAGGED: N_("ditandai, di antrean pengecualian"),
    PaymentStatus.REJECTED: N_("ditolak"),
}


class TreasurersOnly(PermissionDenied):
    def __init__(self):
        super().__init__("Hanya bendahara atau admin yang dapat mengelola mutasi rekening.")


class LineNotFound(NotFound):
    def __init__(self):
        super().__init__("Baris mutasi tidak ditemukan.")


class LineAlreadyMatched(Conflict):
    def __init__(self, reference: str):
        super().__init__("Baris mutasi {reference} sudah dicocokkan.", reference=reference)


class LineNotMatchable(Conflict):
    def __init__(self):
        super().__init__("Baris ini bukan kredit rupiah yang masuk; tidak dapat dicocokkan dengan invoice.")


class LineNotMatched(Conflict):
    def __init__(self):
        super().__init__("Baris mutasi ini belum dicocokkan; tidak ada yang dibatalkan.")


class InvoiceNotOpen(Conflict):
    def __init__(self, number: str):
        super().__init__("Invoice {number} sudah lunas atau dibatalkan; tidak dapat dicocokkan.", number=number)


class InvoiceNotKnown(NotFound):
    def __init__(self, number: str):
        super().__init__("Invoice {number} tidak ditemukan.", number=number)


class UndoWouldUnpay(Conflict):
    def __init__(self, number: str, reference: str):
        super().__init__(
            "Invoice {number} sudah lunas dan pesanan {reference} sudah dibayar: pencocokan tidak dapat dibatalkan "
            "diam-diam. Bila uang ini salah alamat, catat koreksinya di antrean pengecualian (pengembalian PNBP).",
            number=number, reference=reference)


class ImportRace(Conflict):
    def __init__(self):
        super().__init__("Mutasi yang sama sedang diimpor oleh pengguna lain. Muat ulang halaman lalu coba lagi.")


def _require_treasurer(actor: workflow.Actor) -> None:
    if actor.user.role not in TREASURERS:
        raise TreasurersOnly()


# -- import -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    format: statements.StatementFormat
    read: int  # booked lines in the file
    new: int  # stored now
    proposed: int  # new credits with one proposal
    ties: int  # new credits with equally good candidates

    @property
    def already(self) -> int:
        return self.read - self.new


def import_statement(session: Session, actor: workflow.Actor, data: bytes, filename: str) -> ImportResult:
    """Store the statement's lines that are not stored yet and propose matches for the new
    credits. An unreadable file raises ``statements.StatementUnreadable`` before anything is stored."""
    _require_treasurer(actor)
    kind, lines = statements.read_statement(data)
    keys = statements.line_keys(lines)
    known = _known_keys(session, keys)
    fresh = [(key, line) for key, line in zip(keys, lines, strict=True) if key not in known]
    record = StatementImport(filename=(filename or "")[:255], format=kind, sha256=hashlib.sha256(data).hexdigest(),
                             lines_read=len(lines), lines_new=len(fresh), imported_by_id=actor.user.id)
    rows = [_row(key, line) for key, line in fresh]
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
            for row in rows:
                row.import_id = record.id
            session.add_all(rows)
            session.flush()
    except IntegrityError as exc:  # the same transaction stored at this moment by a concurrent import
        raise ImportRace() from exc
    verdicts = rematch(session, [row.id for row in rows if row.state != LineState.IGNORED])
    return ImportResult(kind, len(lines), len(rows), verdicts[LineState.PROPOSED], verdicts[LineState.TIE])


def _known_keys(session: Session, keys: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        known.update(session.scalars(select(StatementLine.line_key).where(StatementLine.line_key.in_(chunk))))
    return known


def _row(key: str, line: statements.BankLine) -> StatementLine:
    return StatementLine(
        line_key=key, account=line.account, bank_reference=line.bank_reference, booked_on=line.booked_on,
        value_on=line.value_on, credit=line.credit, reversal=line.reversal, amount_minor=line.amount_minor,
        currency=line.currency, rupiah=line.rupiah, sent_minor=line.sent_minor, sent_currency=line.sent_currency,
        counterparty=line.counterparty, remittance=line.remittance,
        state=LineState.UNMATCHED if line.matchable else LineState.IGNORED)


# -- proposing ------------------------------------------------------------------------------------------

def open_invoices(session: Session) -> list[statements.OpenInvoice]:
    """Invoices that may still receive a transfer: issued, not fully settled, and paid by bank
    transfer (buyers abroad) or with a proof of transfer waiting for the treasurer."""
    settled = (select(Payment.invoice_id, func.sum(Payment.amount).label("paid"))
               .where(Payment.status == PaymentStatus.SETTLED, Payment.invoice_id.is_not(None))
               .group_by(Payment.invoice_id).subquery())
    waiting = select(TransferProof.invoice_id).where(TransferProof.status == ProofStatus.PENDING)
    rows = session.execute(
        select(Invoice.id, Invoice.number, Invoice.total, Invoice.issued_on, Order, func.coalesce(settled.c.paid, 0))
        .join(Order, Order.id == Invoice.order_id)
        .outerjoin(settled, settled.c.invoice_id == Invoice.id)
        .where(Invoice.status == InvoiceStatus.ISSUED,
               or_(Invoice.payment_route == PaymentRoute.BANK_TRANSFER, Invoice.id.in_(waiting)))
    ).all()
    ids = [row[0] for row in rows]
    codes = _grouped(session, select(BillingCode.invoice_id, BillingCode.code).where(
        BillingCode.status == CodeStatus.ACTIVE), BillingCode.invoice_id, ids)
    proofs = _grouped(session, select(TransferProof.invoice_id, TransferProof.reference).where(
        TransferProof.status == ProofStatus.PENDING), TransferProof.invoice_id, ids)
    return [statements.OpenInvoice(invoice_id=invoice_id, number=number, order_reference=order.reference,
                                   remaining=int(total - paid), issued_on=issued_on,
                                   billing_codes=tuple(codes.get(invoice_id, ())),
                                   proof_references=tuple(proofs.get(invoice_id, ())))
            for invoice_id, number, total, issued_on, order, paid in rows if total - paid > 0]


def _grouped(session: Session, query, column, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        for owner, value in session.execute(query.where(column.in_(ids[start:start + _CHUNK]))):
            found.setdefault(owner, []).append(value)
    return found


def _credit(line: StatementLine) -> statements.Credit:
    text = " ".join(part for part in (line.remittance, line.counterparty, line.bank_reference) if part)
    return statements.Credit(line.id, line.booked_on, line.rupiah or 0, text)


def rematch(session: Session, line_ids: Iterable[int] | None = None) -> Counter:
    """Propose matches afresh for open lines (all of them when ``line_ids`` is None) against the
    invoices open now. Returns how many lines came to each state."""
    query = select(StatementLine).where(StatementLine.state.in_(OPEN_STATES)).order_by(StatementLine.id)
    lines: list[StatementLine] = []
    if line_ids is None:
        lines = list(session.scalars(query))
    else:
        wanted = sorted(set(line_ids))
        for start in range(0, len(wanted), _CHUNK):
            lines.extend(session.scalars(query.where(StatementLine.id.in_(wanted[start:start + _CHUNK]))))
    verdicts: Counter = Counter()
    if not lines:
        return verdicts
    index = statements.InvoiceIndex(open_invoices(session))
    ids = [line.id for line in lines]
    for start in range(0, len(ids), _CHUNK):
        session.execute(delete(StatementProposal).where(StatementProposal.line_id.in_(ids[start:start + _CHUNK])))
    for line in lines:
        session.expire(line, ["proposals"])
        found = index.propose(_credit(line))
        line.state = LineState(found.verdict.value)
        verdicts[line.state] += 1
        session.add_all(StatementProposal(line_id=line.id, invoice_id=p.invoice_id, score=p.score,
                                          reasons=",".join(p.reasons)) for p in found.proposals)
    session.flush()
    return verdicts


def _lines_proposing(session: Session, invoice_id: int, *, besides: int) -> list[int]:
    return list(session.scalars(
        select(StatementProposal.line_id).join(StatementLine, StatementLine.id == StatementProposal.line_id)
        .where(StatementProposal.invoice_id == invoice_id, StatementLine.state.in_(OPEN_STATES),
               StatementLine.id != besides)))


# -- confirm and undo ------------------------------------------------------------------------------------

def _locked_line(session: Session, line_id: int) -> StatementLine:
    line = session.scalar(select(StatementLine).where(StatementLine.id == line_id).with_for_update())
    if line is None:
        raise LineNotFound()
    return line


def _line_name(line: StatementLine) -> str:
    return line.bank_reference or f"#{line.id}"


def settled_amount(session: Session, invoice_id: int) -> int:
    # int(): PostgreSQL sums BIGINT as NUMERIC (a Decimal here); rupiah stay integers.
    return int(session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.invoice_id == invoice_id, Payment.status == PaymentStatus.SETTLED)) or 0)


def confirm_match(session: Session, actor: workflow.Actor, line_id: int, *, invoice_id: int | None = None,
                  invoice_number: str | None = None) -> Payment:
    """The treasurer says this credit pays this invoice (a proposal, or an invoice named by number).

    The credit becomes a payment of the rupiah credited. The exact remainder settles the
    invoice and moves the order to paid; less leaves it partly paid (bank charges are the
    payer's, the buyer tops up); more settles it and the surplus is recorded apart, flagged
    for a refund; an order that cannot take a payment now is recorded and flagged. Money
    received is never dropped. When the buyer's proof of transfer waits for this credit, the
    confirmation verifies that proof (``transfers.verify_proof``): one transfer, one payment."""
    _require_treasurer(actor)
    line = _locked_line(session, line_id)
    if line.state == LineState.MATCHED:
        raise LineAlreadyMatched(_line_name(line))
    if line.state == LineState.IGNORED or not line.rupiah:
        raise LineNotMatchable()
    invoice = _locked_invoice(session, invoice_id=invoice_id, invoice_number=invoice_number)
    remaining = invoice.total - settled_amount(session, invoice.id)
    if invoice.status != InvoiceStatus.ISSUED or remaining <= 0:
        raise InvoiceNotOpen(invoice.number)
    order = workflow.load_order(session, invoice.order_id)
    received_on = line.value_on or line.booked_on
    proof_id = session.scalar(select(TransferProof.id).where(
        TransferProof.invoice_id == invoice.id, TransferProof.status == ProofStatus.PENDING)
        .order_by(TransferProof.id).limit(1))
    if proof_id is not None:
        payment = transfers.verify_proof(session, actor, proof_id, credited=line.rupiah, received_on=received_on,
                                         against=f"{line.booked_on.isoformat()} {_line_name(line)}"[:200])
        if payment.ntb is None:
            payment.ntb = line.bank_reference or None
    else:
        payment = _statement_payment(session, actor, line, invoice, order, remaining)
    line.state, line.payment_id = LineState.MATCHED, payment.id
    line.matched_by_id, line.matched_at = actor.user.id, utcnow()
    workflow.record(session, order, actor, "statement_line_matched", details={
        "line_id": line.id, "bank_reference": line.bank_reference, "booked_on": line.booked_on.isoformat(),
        "amount": line.rupiah, "invoice": invoice.number, "payment_id": payment.id, "proof_id": proof_id,
        "outcome": payment.status.value, "remaining_after": max(remaining - line.rupiah, 0),
        "problem": payment.problem.value if payment.problem else None})
    workflow.save(session)
    rematch(session, _lines_proposing(session, invoice.id, besides=line.id))
    return payment


def _statement_payment(session: Session, actor: workflow.Actor, line: StatementLine, invoice: Invoice, order: Order,
                       remaining: int) -> Payment:
    """The payment a credit without a proof of transfer makes (the same rules as a verified proof)."""
    def payment(amount: int, status: PaymentStatus, problem: PaymentProblem | None = None) -> Payment:
        made = Payment(source=PaymentSource.STATEMENT_LINE, amount=amount, currency="IDR",
                       ntb=line.bank_reference or None, channel="bank_transfer",
                       paid_at=datetime.combine(line.value_on or line.booked_on, time(), tzinfo=UTC),
                       invoice_id=invoice.id, order_id=order.id, status=status, problem=problem,
                       recorded_by_id=actor.user.id)
        session.add(made)
        session.flush()
        return made

    if order.status != OrderStatus.INVOICED:  # e.g. a correction is open: the exceptions queue decides
        return payment(line.rupiah, PaymentStatus.FLAGGED, PaymentProblem.ORDER_NOT_PAYABLE)
    counted = payment(min(line.rupiah, remaining), PaymentStatus.SETTLED)
    if line.rupiah > remaining:  # the invoice takes what it asks for; the rest waits for a refund, never netted
        payment(line.rupiah - remaining, PaymentStatus.FLAGGED, PaymentProblem.WRONG_AMOUNT)
    if line.rupiah >= remaining:
        settle(session, counted, invoice, actor)
    return counted


def _locked_invoice(session: Session, *, invoice_id: int | None, invoice_number: str | None) -> Invoice:
    if invoice_id is not None:
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id).with_for_update())
        if invoice is None:
            raise InvoiceNotKnown(str(invoice_id))
        return invoice
    number = (invoice_number or "").strip()
    invoice = session.scalar(select(Invoice).where(Invoice.number == number).with_for_update()) if number else None
    if invoice is None:
        raise InvoiceNotKnown(number[:80])
    return invoice


def undo_match(session: Session, actor: workflow.Actor, line_id: int, reason: str) -> StatementLine:
    """Take back a confirmation: its payment is rejected (kept, never deleted; a buyer's proof it
    had verified waits for verification again), the line is open again with fresh proposals, and
    the order's timeline says who and why. Refused once the
    payment has settled the invoice and the order moved to paid: the lifecycle has no way back
    from paid (a receipt may already be out), so that correction goes through the exceptions
    queue and the PNBP refund procedure instead of a silent reversal."""
    _require_treasurer(actor)
    why = clean_text(reason, N_("Alasan pembatalan"), max_length=MAX_REASON)
    line = _locked_line(session, line_id)
    if line.state != LineState.MATCHED or line.payment_id is None:
        raise LineNotMatched()
    payment = session.scalar(select(Payment).where(Payment.id == line.payment_id).with_for_update())
    invoice = session.get(Invoice, payment.invoice_id) if payment.invoice_id else None
    order = workflow.load_order(session, payment.order_id) if payment.order_id else None
    if invoice is not None and invoice.status == InvoiceStatus.PAID and payment.status == PaymentStatus.SETTLED:
        raise UndoWouldUnpay(invoice.number, order.reference if order else "")
    before = payment.status
    proof = session.get(TransferProof, payment.proof_id) if payment.proof_id else None
    if proof is not None and proof.status == ProofStatus.VERIFIED:
        # The confirmation had verified the buyer's proof: it waits for the treasurer again, as before.
        payment.status, payment.problem = PaymentStatus.PENDING_VERIFICATION, None
        proof.status, proof.credited, proof.verified_against = ProofStatus.PENDING, None, None
        proof.decided_by_id, proof.decided_at = None, None
    else:
        payment.status = PaymentStatus.REJECTED
    line.state, line.payment_id, line.matched_by_id, line.matched_at = LineState.UNMATCHED, None, None, None
    if order is not None:
        workflow.record(session, order, actor, "statement_line_unmatched", reason=why, details={
            "line_id": line.id, "bank_reference": line.bank_reference, "amount": payment.amount,
            "invoice": invoice.number if invoice else None, "payment_id": payment.id, "payment_was": before.value,
            "payment_now": payment.status.value, "proof_id": proof.id if proof else None})
    workflow.save(session)
    rematch(session, [line.id, *(_lines_proposing(session, invoice.id, besides=line.id) if invoice else [])])
    return line


# -- reading ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProposalView:
    invoice_id: int
    invoice_number: str
    order_id: int
    order_reference: str
    remaining: int
    score: int
    reasons: tuple[str, ...]  # catalogue entries (REASON_LABELS)
    best: bool  # the one proposal of a proposed line, or one of the equal best of a tie


@dataclass(frozen=True)
class LineView:
    line: StatementLine
    state_label: str
    proposals: tuple[ProposalView, ...]
    is_tie: bool
    can_confirm: bool  # an open credit: the treasurer may confirm a proposal or name an invoice
    can_undo: bool
    payment: Payment | None
    payment_label: str | None  # catalogue entry (PAYMENT_LABELS)
    invoice_number: str | None  # of a matched line's payment
    order_id: int | None


def statement_lines(session: Session, *, state: LineState | None = None, page: int = 1) -> Page[LineView]:
    """The stored lines, newest first, one page, with their proposals (a fixed number of queries)."""
    query = select(StatementLine).order_by(StatementLine.id.desc())
    if state is not None:
        query = query.where(StatementLine.state == state)
    return paginate(session, query, page=page).map(lambda lines: _views(session, lines))


def _views(session: Session, lines: list[StatementLine]) -> list[LineView]:
    ids = [line.id for line in lines]
    proposals: dict[int, list[tuple[StatementProposal, Invoice, Order]]] = {}
    if ids:
        for proposal, invoice, order in session.execute(
                select(StatementProposal, Invoice, Order).join(Invoice, Invoice.id == StatementProposal.invoice_id)
                .join(Order, Order.id == Invoice.order_id).where(StatementProposal.line_id.in_(ids))
                .order_by(StatementProposal.score.desc(), StatementProposal.invoice_id)):
            proposals.setdefault(proposal.line_id, []).append((proposal, invoice, order))
    invoice_ids = {invoice.id for found in proposals.values() for _, invoice, _ in found}
    paid = dict(session.execute(
        select(Payment.invoice_id, func.sum(Payment.amount)).where(
            Payment.invoice_id.in_(invoice_ids), Payment.status == PaymentStatus.SETTLED)
        .group_by(Payment.invoice_id)).all()) if invoice_ids else {}
    payment_ids = [line.payment_id for line in lines if line.payment_id]
    payments = {payment.id: (payment, number) for payment, number in session.execute(
        select(Payment, Invoice.number).outerjoin(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.id.in_(payment_ids)))} if payment_ids else {}
    views = []
    for line in lines:
        found = proposals.get(line.id, [])
        top = found[0][0].score if found else None
        is_open = line.state in OPEN_STATES
        shown = tuple(ProposalView(
            invoice_id=invoice.id, invoice_number=invoice.number, order_id=order.id, order_reference=order.reference,
            remaining=int(invoice.total - (paid.get(invoice.id) or 0)), score=proposal.score,
            reasons=tuple(REASON_LABELS[statements.Reason(r)] for r in proposal.reasons.split(",") if r),
            best=proposal.score == top) for proposal, invoice, order in found) if is_open else ()
        payment, number = payments.get(line.payment_id, (None, None))
        views.append(LineView(line=line, state_label=STATE_LABELS[line.state], proposals=shown,
                              is_tie=line.state == LineState.TIE, can_confirm=is_open,
                              can_undo=line.state == LineState.MATCHED, payment=payment,
                              payment_label=PAYMENT_LABELS[payment.status] if payment else None, invoice_number=number,
                              order_id=payment.order_id if payment else None))
    return views


def state_counts(session: Session) -> dict[LineState, int]:
    counts = dict(session.execute(select(StatementLine.state, func.count()).group_by(StatementLine.state)).all())
    return {state: counts.get(state, 0) for state in LineState}


def line_view(session: Session, line_id: int) -> LineView:
    line = session.get(StatementLine, line_id)
    if line is None:
        raise LineNotFound()
    return _views(session, [line])[0]
