"""Invoices, billing codes, corrections, SPPD drafts, verification, API tokens. Never commits.

An issued invoice is never edited. A correction voids it and issues a new version
linked to it, with a new number and a new billing code; the voided one stays
visible. Invoice numbers come from a per-office, per-year counter incremented in
the issuing transaction, so they are unique and without gaps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from sales_service.accounts.models import Domicile, User
from sales_service.clock import aware, utcnow
from sales_service.errors import N_, Conflict, DomainError, InvalidInput, NotFound
from sales_service.files import services as files
from sales_service.files.models import DocumentType
from sales_service.files.storage import FileStorage
from sales_service.invoices import printing, verification
from sales_service.invoices.gateway import BillingGateway, BillingRequest
from sales_service.invoices.models import (
    BillingCode,
    CodeStatus,
    CorrectionRequest,
    CorrectionStatus,
    CorrectionTarget,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceStatus,
    PaymentRoute,
    SppdCounter,
    VerificationCode,
    VerifiedDocument,
)
from sales_service.orders import workflow
from sales_service.orders.lifecycle import Action
from sales_service.orders.models import Order, ZeroRateClaim
from sales_service.orders.workflow import Actor, Do
from sales_service.orm import next_number
from sales_service.text import MAX_REASON, clean_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvoiceSettings:
    office_code: str  # satker
    number_format: str  # e.g. "INV/{satker}/{year}/{seq:05d}"
    expiry_days: int
    bank: dict  # bank_name, account_name, account_number, swift
    sppd_number_format: str = "SPPD/{satker}/{year}/{seq:05d}"  # the agreement's own series
    transfer_valid_days: int = 30  # a transfer from abroad has no billing code to expire: the invoice says until when


class InvoiceNotFound(NotFound):
    def __init__(self):
        super().__init__("Invoice tidak ditemukan.")


class CodeStillValid(Conflict):
    def __init__(self, expires: str):
        super().__init__("Kode billing masih berlaku sampai {expires}; kode baru belum diperlukan.", expires=expires)


# -- reading ----------------------------------------------------------------------------

_READ_ONCE = "invoices.invoices_of"


def _read_once(session: Session) -> dict:
    """This session's invoices by order, read once until the session writes or ends: the order page's
    sections (invoices, payments, receipts) each ask for an order's invoices, and one read serves them.
    Cleared by every flush, commit and rollback (:func:`_forget_read`), so a use case never sees a list
    older than its writes."""
    memo = session.info.setdefault(_READ_ONCE, {})
    if session.new or session.dirty or session.deleted:
        session.flush()  # what the query would autoflush; it clears the memo
    return memo


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_read(session: Session, *_args) -> None:
    # Listening on the class, once, rather than on each session that reads: adding four listeners
    # to every order page's session cost more than the reading they guard.
    memo = session.info.get(_READ_ONCE)
    if memo:
        memo.clear()


@cache
def _versions_of_order() -> Select:
    # The codes joined (one per renewal, a few per version). Built once: it is on every order page.
    return (select(Invoice).where(Invoice.order_id == bindparam("order_id"))
            .options(joinedload(Invoice.billing_codes)).order_by(Invoice.version.desc()))


def invoices_of(session: Session, order_id: int) -> list[Invoice]:
    """Every version, newest first, with its billing codes (the lines are read when asked for:
    the order page, which asks for these on every visit, shows none of them)."""
    memo = _read_once(session)
    if order_id not in memo:
        memo[order_id] = list(session.scalars(_versions_of_order(), {"order_id": order_id}).unique())
    return list(memo[order_id])


def current_invoice(session: Session, order_id: int) -> Invoice | None:
    versions = invoices_of(session, order_id)
    return versions[0] if versions else None


def _one_invoice(session: Session, condition) -> Invoice:
    invoice = session.scalar(
        select(Invoice).where(condition).options(selectinload(Invoice.lines), selectinload(Invoice.billing_codes))
    )
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


def get_invoice(session: Session, invoice_id: int) -> Invoice:
    return _one_invoice(session, Invoice.id == invoice_id)


def get_invoice_for(session: Session, invoice_id: int, user: User) -> Invoice:
    invoice = get_invoice(session, invoice_id)
    try:
        workflow.get_order_for(session, invoice.order_id, user)
    except NotFound:
        raise InvoiceNotFound() from None
    return invoice


def verification_code(session: Session, invoice_id: int, kind: VerifiedDocument) -> str:
    """The code printed in the QR link of the invoice (or its SPPD draft)."""
    code = session.scalar(select(VerificationCode.code).where(
        VerificationCode.invoice_id == invoice_id, VerificationCode.kind == kind))
    if code is None:
        raise verification.VerificationLinkInvalid()
    return code


def verified_document(session: Session, code: str) -> tuple[VerifiedDocument, Invoice]:
    """What a verification link names: the kind of document and its invoice."""
    row = session.scalar(select(VerificationCode).where(VerificationCode.code == code)) \
        if verification.plausible_code(code) else None
    if row is None:
        raise verification.VerificationLinkInvalid()
    return row.kind, get_invoice(session, row.invoice_id)


def invoice_by_number(session: Session, number: str) -> Invoice:
    return _one_invoice(session, Invoice.number == number)


def corrections_of(session: Session, order_id: int) -> list[CorrectionRequest]:
    query = select(CorrectionRequest).where(CorrectionRequest.order_id == order_id).order_by(
        CorrectionRequest.requested_at.desc(), CorrectionRequest.id.desc())
    return list(session.scalars(query))


def open_correction(session: Session, order_id: int) -> CorrectionRequest | None:
    return session.scalar(select(CorrectionRequest).where(
        CorrectionRequest.order_id == order_id, CorrectionRequest.status == CorrectionStatus.OPEN))


# -- numbering ----------------------------------------------------------------------------

def next_sequence(session: Session, office_code: str, year: int, counter=InvoiceCounter) -> int:
    """Take the next number of the office's year (invoices, or with ``counter=SppdCounter`` the
    agreements), without gaps (``orm.next_number``)."""
    return next_number(session, counter, {"office_code": office_code, "year": year}, "last_sequence")


# -- issuing ----------------------------------------------------------------------------------

def _payment_route(order: Order, buyer: User | None) -> PaymentRoute:
    if order.zero_rate == ZeroRateClaim.APPROVED:
        return PaymentRoute.NONE
    if buyer is not None and buyer.domicile == Domicile.ABROAD:
        return PaymentRoute.BANK_TRANSFER
    return PaymentRoute.BILLING_CODE


def _new_invoice(session: Session, actor: Actor, order: Order, settings: InvoiceSettings, gateway: BillingGateway,
                 *, today: date, version: int, replaces: Invoice | None) -> Invoice:
    # The counter's UPDATE first: on SQLite a read before it in this transaction would make the write lock
    # fail at once ("database is locked") instead of waiting its turn (busy_timeout) behind a concurrent issuer.
    sequence = next_sequence(session, settings.office_code, today.year)
    # Microdata and maps go with an agreement, numbered in its own series when the invoice is issued.
    sppd_sequence = next_sequence(session, settings.office_code, today.year, SppdCounter) \
        if order.needs_agreement else None
    buyer = session.get(User, order.buyer_id) if order.buyer_id else None
    route = _payment_route(order, buyer)
    invoice = Invoice(
        order_id=order.id,
        number=settings.number_format.format(satker=settings.office_code, year=today.year, seq=sequence),
        office_code=settings.office_code, year=today.year, sequence=sequence, version=version,
        replaces_id=replaces.id if replaces else None, status=InvoiceStatus.ISSUED, payment_route=route,
        issued_on=today, total=order.total,
        zero_rate_basis=order.zero_rate_basis if route == PaymentRoute.NONE else None,
        buyer_name=buyer.full_name if buyer else order.buyer_name,
        buyer_institution=(buyer.institution if buyer else order.buyer_institution),
        buyer_npwp=buyer.npwp if buyer else (order.walk_in.npwp if order.walk_in else None),
        buyer_address=buyer.address if buyer else None,  # the profile now: a reissue prints the corrected one
        bank_details=dict(settings.bank, reference=None) if route == PaymentRoute.BANK_TRANSFER else None,
        valid_until=today + timedelta(days=settings.transfer_valid_days) if route == PaymentRoute.BANK_TRANSFER
        else None,
        sppd_sequence=sppd_sequence,
        # The buyer's language now: a reissue follows a change of it, a voided version keeps its own.
        language=buyer.document_language if buyer is not None else "id",
        sppd_number=settings.sppd_number_format.format(satker=settings.office_code, year=today.year,
                                                       seq=sppd_sequence) if sppd_sequence else None,
        created_by_id=actor.user.id,
        lines=[
            InvoiceLine(position=position, description=line.product_title, kind=line.kind,
                        regulation=line.regulation, schedule_code=line.schedule_code, item_code=line.item_code,
                        item_name=line.item_name, rule=line.rule, basis=line.basis, basis_en=line.basis_en,
                        quantity=line.quantity,
                        unit_price=line.unit_price, normal_amount=line.normal_amount, amount=line.amount,
                        waived=line.waived, waiver_basis=line.waiver_basis)
            for position, line in enumerate(order.lines, start=1)
        ],
    )
    if invoice.bank_details is not None:
        invoice.bank_details["reference"] = invoice.number
    session.add(invoice)
    session.flush()
    kinds = [VerifiedDocument.INVOICE] + ([VerifiedDocument.SPPD] if order.needs_agreement else [])
    session.add_all(VerificationCode(code=verification.new_code(), kind=kind, invoice_id=invoice.id) for kind in kinds)
    if route == PaymentRoute.BILLING_CODE:
        _issue_code(session, invoice, gateway, settings)
    return invoice


class _Compensating:
    """Wraps the gateway for one use case: codes it issues are cancelled again if the
    use case then fails, since the billing system is outside our transaction."""

    def __init__(self, gateway: BillingGateway, session: Session):
        self.gateway, self.session, self.issued = gateway, session, []

    def issue(self, session, request):
        issued = self.gateway.issue(session, request)
        self.issued.append(issued.code)
        return issued

    def cancel(self, session, code):
        self.gateway.cancel(session, code)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, _exc, _tb):
        if exc_type is not None:
            for code in self.issued:
                try:
                    self.gateway.cancel(self.session, code)
                except Exception:  # the original failure matters more; the code expires anyway
                    log.warning("could not cancel billing code %s after a failed action", code, exc_info=True)
        return False


def _issue_code(session: Session, invoice: Invoice, gateway: BillingGateway, settings: InvoiceSettings) -> BillingCode:
    issued = gateway.issue(session, BillingRequest(
        invoice_number=invoice.number, amount=invoice.total, payer_name=invoice.buyer_name,
        description=f"PNBP BPS {invoice.number}", expires_days=settings.expiry_days))
    code = BillingCode(invoice=invoice, code=issued.code, amount=invoice.total, issued_at=issued.issued_at,
                       expires_at=issued.expires_at, status=CodeStatus.ACTIVE)
    session.add(code)
    session.flush()
    return code


def issue_invoice(session: Session, actor: Actor, order_id: int, settings: InvoiceSettings,
                  gateway: BillingGateway, *, today: date, expected_version: int | None = None,
                  publisher: printing.Publisher | None = None) -> Invoice:
    """Invoice an accepted order: copy its priced lines, number it (and its SPPD), and get a billing
    code (domestic), bank instructions (abroad) or nothing to pay (Rp0). With a ``publisher`` the
    invoice and SPPD PDFs are rendered now and kept: an issued document never changes."""
    order = workflow.load_order(session, order_id)
    actor.require(Do.ISSUE_INVOICE, order, expected_version=expected_version)  # also: every final size recorded
    if order.total == 0 and order.zero_rate != ZeroRateClaim.APPROVED:
        raise Conflict("Total pesanan Rp0 tanpa persetujuan tarif Rp0; periksa baris pesanan.")
    with _Compensating(gateway, session) as billing:
        invoice = _create_once(session, actor, order, settings, billing, today=today, version=1, replaces=None)
        workflow.apply(session, order, actor, Action.ISSUE_INVOICE, details=_issue_details(invoice))
        workflow.save(session)  # the order's version counter: a concurrent issuer stops here, rolled back whole
        _publish(session, publisher, invoice)  # a document that cannot print is not issued: all rolls back
    return invoice


def _publish(session: Session, publisher: printing.Publisher | None, *invoices: Invoice) -> None:
    if publisher is not None:
        for invoice in invoices:
            printing.publish(session, invoice, publisher)


def _issue_details(invoice: Invoice, voided: Invoice | None = None) -> dict:
    details = {"invoice": invoice.number, "total": invoice.total,
               "billing_code": invoice.current_code.code if invoice.current_code else None}
    if voided is not None:
        details["void"] = voided.number
    return details


def _create_once(session: Session, actor: Actor, order: Order, settings: InvoiceSettings, gateway: BillingGateway,
                 **kwargs) -> Invoice:
    """The invoice version, unless another officer created it at the same moment
    (unique order + version): then a clear conflict, not a crash. No savepoint: the
    caller rolls the whole transaction back, as it does for every domain error."""
    try:
        return _new_invoice(session, actor, order, settings, gateway, **kwargs)
    except IntegrityError as exc:
        raise workflow.OrderChanged() from exc


def request_new_code(session: Session, actor: Actor, invoice_id: int, settings: InvoiceSettings,
                     gateway: BillingGateway, *, now: datetime, expires_text,
                     publisher: printing.Publisher | None = None) -> BillingCode:
    """A new billing code for an invoice whose code expired; the old one stays in the
    history as replaced."""
    invoice = get_invoice_for(session, invoice_id, actor.user)
    order = workflow.load_order(session, invoice.order_id)
    actor.require(Do.NEW_BILLING_CODE, order)
    if invoice.status != InvoiceStatus.ISSUED or invoice.payment_route != PaymentRoute.BILLING_CODE:
        raise Conflict("Invoice ini tidak dibayar dengan kode billing yang berlaku.")
    current = invoice.current_code
    if not code_renewable(invoice, now):
        raise CodeStillValid(expires_text(current.expires_at))
    if current is not None:
        current.status = CodeStatus.REPLACED
        session.flush()
    with _Compensating(gateway, session) as billing:
        try:
            code = _issue_code(session, invoice, billing, settings)
        except IntegrityError as exc:  # one active code per invoice: a second click at the same moment
            raise Conflict("Kode billing baru baru saja dibuat; muat ulang halaman.") from exc
        workflow.record(session, order, actor, "new_billing_code",
                        details={"invoice": invoice.number, "old": current.code if current else None,
                                 "new": code.code})
        workflow.save(session)
        _publish(session, publisher, invoice)  # the invoice as it now reads: with the new code
    return code


def mark_paid(session: Session, invoice: Invoice) -> None:
    """The invoice's amount has been received in full (by the payments capability):
    it stays as issued, now marked paid, and its code is no longer offered."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise Conflict("Invoice {number} tidak dapat ditandai lunas.", number=invoice.number)
    invoice.status = InvoiceStatus.PAID


def code_expired(code: BillingCode, now: datetime) -> bool:
    return aware(code.expires_at) <= now


def code_renewable(invoice: Invoice, now: datetime) -> bool:
    """A payable invoice whose billing code has run out (or that has none) gets a new one."""
    if invoice.status != InvoiceStatus.ISSUED or invoice.payment_route != PaymentRoute.BILLING_CODE:
        return False
    current = invoice.current_code
    return current is None or current.status != CodeStatus.ACTIVE or code_expired(current, now)


# -- corrections ------------------------------------------------------------------------------

TARGET_LABELS = {
    CorrectionTarget.INVOICE: N_("Invoice"),
    CorrectionTarget.SPPD: N_("Draf SPPD"),
    CorrectionTarget.SAMPLE: N_("Sampel data"),
}


def request_correction(session: Session, actor: Actor, order_id: int, target: str, reason: str, *,
                       expected_version: int | None = None) -> CorrectionRequest:
    order = workflow.load_order(session, order_id)
    actor.require(Do.REQUEST_CORRECTION, order, expected_version=expected_version)
    try:
        target_enum = CorrectionTarget(target)
    except ValueError:
        raise InvalidInput("Pilih dokumen yang perlu dikoreksi: invoice, draf SPPD atau sampel.") from None
    if target_enum == CorrectionTarget.SAMPLE and not order.has_sample:
        raise InvalidInput("Pesanan ini tidak memiliki sampel data (hanya untuk data mikro).")
    if target_enum == CorrectionTarget.SPPD and not order.needs_agreement:
        raise InvalidInput("Pesanan ini tidak memerlukan SPPD (hanya untuk data mikro dan peta).")
    reason = clean_text(reason, N_("Alasan koreksi"), max_length=MAX_REASON)
    invoice = current_invoice(session, order.id)
    workflow.apply(session, order, actor, Action.REQUEST_CORRECTION, reason=reason,
                   details={"target": target_enum.value})
    correction = CorrectionRequest(order_id=order.id, invoice_id=invoice.id, target=target_enum, reason=reason,
                                   status=CorrectionStatus.OPEN, requested_by_id=actor.user.id)
    session.add(correction)
    workflow.save(session)
    return correction


# What must hold before a correction voids an invoice and issues the next version, asked of the
# capabilities that keep things against an invoice (payments: no money counted on it, or it would be
# left on the voided version while the new one asks for the whole amount again). Each raises a
# domain error saying why not.
_REISSUE_GUARDS: list[Callable[[Session, Invoice], None]] = []


def guard_reissue(check: Callable[[Session, Invoice], None]) -> None:
    """Register ``check(session, invoice)``, asked before ``invoice`` is voided by a reissue (once,
    however often the app is built)."""
    if check not in _REISSUE_GUARDS:
        _REISSUE_GUARDS.append(check)


# What the capabilities that keep things against an invoice do when its order is cancelled and the
# invoice voided with it (payments: money counted on it is owed back, so it goes to the treasurer).
_CANCEL_HOOKS: list[Callable[[Session, Invoice, Order], None]] = []


def on_cancel(hook: Callable[[Session, Invoice, Order], None]) -> None:
    """Register ``hook(session, invoice, order)``, called when an invoiced order is cancelled (once,
    however often the app is built)."""
    if hook not in _CANCEL_HOOKS:
        _CANCEL_HOOKS.append(hook)


def reissue_refusal(session: Session, invoice: Invoice) -> DomainError | None:
    """Why a correction may not void ``invoice`` for a new version (a registered guard's error), or None."""
    for check in _REISSUE_GUARDS:
        try:
            check(session, invoice)
        except DomainError as error:
            return error
    return None


def reissue(session: Session, actor: Actor, order_id: int, settings: InvoiceSettings, gateway: BillingGateway, *,
            today: date, note: str = "", expected_version: int | None = None,
            publisher: printing.Publisher | None = None) -> Invoice:
    """Answer the open correction by voiding the current invoice (and its SPPD draft) and
    issuing a new version linked to it, with a new billing code. With a ``publisher`` the voided
    documents are rendered once more, watermarked, and the new ones rendered."""
    order = workflow.load_order(session, order_id)
    # Before the gateway is asked to cancel anything.
    actor.require(Do.ANSWER_CORRECTION, order, expected_version=expected_version)
    correction = open_correction(session, order.id)
    if correction is None:
        raise Conflict("Tidak ada permintaan koreksi yang terbuka pada pesanan ini.")
    old = current_invoice(session, order.id)
    if correction.target == CorrectionTarget.SAMPLE:
        return _resolve_with_new_sample(session, actor, order, correction, old, note)
    refused = reissue_refusal(session, old)
    if refused is not None:
        raise refused
    old.status = InvoiceStatus.VOID
    old.voided_at = utcnow()
    live = [code for code in old.billing_codes if code.status == CodeStatus.ACTIVE]
    for code in live:
        code.status = CodeStatus.CANCELLED
    with _Compensating(gateway, session) as billing:
        new = _create_once(session, actor, order, settings, billing, today=today, version=old.version + 1,
                           replaces=old)
        correction.status = CorrectionStatus.REISSUED
        correction.response = note.strip() or None
        correction.decided_by_id, correction.decided_at = actor.user.id, utcnow()
        workflow.apply(session, order, actor, Action.REISSUE, reason=note.strip() or None,
                       details=_issue_details(new, voided=old))
        workflow.save(session)
        _publish(session, publisher, old, new)
        # Last, once everything else is written: the old codes stop being payable.
        for code in live:
            gateway.cancel(session, code.code)
    return new


def _resolve_with_new_sample(session: Session, actor: Actor, order: Order, correction: CorrectionRequest,
                             invoice: Invoice, note: str) -> Invoice:
    """A disputed sample is answered with a new sample version; the invoice stands."""
    sample = files.latest_document(session, order.id, DocumentType.SAMPLE)
    if sample is None or aware(sample.created_at) <= aware(correction.requested_at):
        raise Conflict("Unggah dulu sampel data yang sudah diperbaiki, lalu jawab permintaan koreksi.")
    correction.status = CorrectionStatus.REISSUED
    correction.response = note.strip() or None
    correction.decided_by_id, correction.decided_at = actor.user.id, utcnow()
    workflow.apply(session, order, actor, Action.REISSUE, reason=note.strip() or None,
                   details={"sample_version": sample.version})
    workflow.save(session)
    return invoice


def decline_correction(session: Session, actor: Actor, order_id: int, explanation: str, *,
                       expected_version: int | None = None) -> CorrectionRequest:
    order = workflow.load_order(session, order_id)
    actor.require(Do.ANSWER_CORRECTION, order, expected_version=expected_version)
    correction = open_correction(session, order.id)
    if correction is None:
        raise Conflict("Tidak ada permintaan koreksi yang terbuka pada pesanan ini.")
    explanation = clean_text(explanation, N_("Penjelasan"), max_length=MAX_REASON)
    workflow.apply(session, order, actor, Action.DECLINE_CORRECTION, reason=explanation)
    correction.status = CorrectionStatus.DECLINED
    correction.response = explanation
    correction.decided_by_id, correction.decided_at = actor.user.id, utcnow()
    workflow.save(session)
    return correction


def cancel_invoiced_order(session: Session, actor: Actor, order_id: int, gateway: BillingGateway, *, reason: str,
                          expected_version: int | None = None, publisher: printing.Publisher | None = None) -> Order:
    """Cancel an order that already has an invoice: the invoice is voided and its active
    billing code cancelled in the same transaction, so no payment can follow."""
    order = workflow.load_order(session, order_id)
    actor.require(Do.CANCEL_INVOICED, order, expected_version=expected_version)
    reason = clean_text(reason, N_("Alasan pembatalan"), max_length=MAX_REASON)
    invoice = current_invoice(session, order.id)
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = utcnow()
    live = [code for code in invoice.billing_codes if code.status == CodeStatus.ACTIVE]
    for code in live:
        code.status = CodeStatus.CANCELLED
    correction = open_correction(session, order.id)
    if correction is not None:
        correction.status = CorrectionStatus.DECLINED
        correction.response = reason
        correction.decided_by_id, correction.decided_at = actor.user.id, utcnow()
    workflow.mark_cancelled(session, order, actor, reason)
    for hook in _CANCEL_HOOKS:
        hook(session, invoice, order)
    workflow.save(session)
    _publish(session, publisher, invoice)  # its PDF from now on says VOID
    for code in live:  # last, once the cancellation is written
        gateway.cancel(session, code.code)
    return order


def upload_sample(session: Session, actor: Actor, order_id: int, data: bytes, filename: str, storage: FileStorage,
                  *, max_bytes: int) -> None:
    """A sample of the microdata, delivered with the invoice (a new upload is a new version)."""
    order = workflow.load_order(session, order_id)
    actor.require(Do.UPLOAD_SAMPLE, order)
    stored = files.store_file(session, storage, data=data, filename=filename, max_bytes=max_bytes,
                                  uploaded_by=actor.user)
    document = files.add_document(session, order.id, DocumentType.SAMPLE, stored)
    workflow.record(session, order, actor, "sample", details={"version": document.version, "file": stored.filename})
    workflow.save(session)
