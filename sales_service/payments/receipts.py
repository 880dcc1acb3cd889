"""Receipts (kuitansi): the receiving treasurer's acknowledgement of a fully paid invoice. Never commits.

One receipt per paid invoice (a partial unique index decides, also when two treasurers click at
once). Numbers come from a per-office, per-fiscal-year counter row updated inside the issuing
transaction, so they are unique and without gaps: a refused or rolled-back issue gives its number
back. The PDF is rendered once, when the receipt is issued, stored by content hash and served as
stored. A receipt is never edited: a wrong one is voided with a reason and a new one is issued
under a new number for the same invoice and payments, naming the voided one; both steps are on the
order's timeline. Issuing moves the order ``paid → receipted`` through ``orders.workflow``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sales_service import dates
from sales_service.accounts.models import User
from sales_service.clock import aware, utcnow
from sales_service.documents.layout import Office
from sales_service.documents.receipt import PaymentReference, ReceiptDocument, ReceiptItem, receipt_pdf
from sales_service.errors import N_, Conflict, DomainError, NotFound
from sales_service.files.models import StoredFile
from sales_service.files.storage import FileStorage
from sales_service.invoices import services as invoices
from sales_service.invoices import verification
from sales_service.invoices.models import Invoice, InvoiceStatus
from sales_service.orders import workflow
from sales_service.orders.lifecycle import Action
from sales_service.orders.models import Order
from sales_service.orders.permissions import Do, who_refusal
from sales_service.orders.workflow import Actor
from sales_service.orm import next_number
from sales_service.paging import Page, paginate
from sales_service.payments import services as payments
from sales_service.payments.models import (
    Payment,
    PaymentSource,
    PaymentStatus,
    Receipt,
    ReceiptCounter,
    ReceiptStatus,
)
from sales_service.pnbp import services as tariffs
from sales_service.pnbp.schedule import TariffItemUnknown
from sales_service.text import MAX_REASON, clean_text

NUMBER_FORMAT = "KW/{satker}/{year}/{seq:05d}"

# How each way of paying is named on the receipt.
METHODS = {
    PaymentSource.BILLING_NOTIFICATION: "Kode billing (SIMPONI)",
    PaymentSource.TRANSFER_PROOF: "Transfer dari luar negeri",
    PaymentSource.STATEMENT_LINE: "Transfer bank",
    PaymentSource.CASH: "Tunai di loket",
}


@dataclass(frozen=True)
class ReceiptSettings:
    """What issuing needs beyond the database: the office as printed (its satker numbers the
    receipts), its time zone, where PDFs are stored, and the QR link of a verification code."""

    office: Office
    timezone: str
    storage: FileStorage
    verify_url: Callable[[str], str]
    number_format: str = NUMBER_FORMAT


class ReceiptNotFound(NotFound):
    def __init__(self):
        super().__init__("Kuitansi tidak ditemukan.")


class AlreadyReceipted(Conflict):
    def __init__(self, number: str):
        super().__init__("Invoice ini sudah berkuitansi ({number}); kuitansi yang salah dibatalkan dan "
                         "diterbitkan ulang.", number=number)


class NotFullyPaid(Conflict):
    def __init__(self, paid: int, total: int):
        super().__init__("Pembayaran yang diterima (Rp{paid}) tidak sama dengan tagihan (Rp{total}); kuitansi "
                         "diterbitkan setelah invoice lunas tepat sejumlah tagihannya.",
                         paid=f"{paid:,}".replace(",", "."), total=f"{total:,}".replace(",", "."))


class ReceiptAlreadyVoid(Conflict):
    def __init__(self, number: str):
        super().__init__("Kuitansi {number} sudah dibatalkan; terbitkan ulang dari kuitansi yang berlaku.",
                         number=number)


# -- numbering ----------------------------------------------------------------------------------------

def next_sequence(session: Session, office_code: str, year: int) -> int:
    """Take the next receipt number of the office's fiscal year, without gaps (``orm.next_number``)."""
    return next_number(session, ReceiptCounter, {"office_code": office_code, "year": year}, "last_sequence")


# -- issuing --------------------------------------------------------------------------------------------

def issue_receipt(session: Session, actor: Actor, order_id: int, settings: ReceiptSettings, *, today: date,
                  expected_version: int | None = None) -> Receipt:
    """The receipt of the order's fully paid invoice; the order moves ``paid → receipted``."""
    # The counter's UPDATE first: on SQLite a read before it in this transaction would make the write
    # lock fail at once instead of waiting its turn behind a concurrent issuer (as for invoices).
    sequence = next_sequence(session, settings.office.satker_code, today.year)
    order = _fresh_order(session, order_id)
    actor.require(Do.ISSUE_RECEIPT, order, expected_version=expected_version)
    invoice = _paid_invoice(session, order)
    current = current_receipt(session, invoice.id)
    if current is not None:
        raise AlreadyReceipted(current.number)
    receipt = _new_receipt(session, actor, invoice, settings, today=today, sequence=sequence, replaces=None)
    workflow.apply(session, order, actor, Action.ISSUE_RECEIPT, expected_version=expected_version,
                   details={"receipt": receipt.number, "invoice": invoice.number, "amount": receipt.amount})
    workflow.save(session)
    return receipt


@dataclass
class BatchOutcome:
    issued: list[Receipt] = field(default_factory=list)
    refused: list[tuple[str, DomainError]] = field(default_factory=list)  # invoice number (or id), why


def issue_receipts(session: Session, actor: Actor, invoice_ids: Iterable[int], settings: ReceiptSettings, *,
                   today: date) -> BatchOutcome:
    """The treasurer's batch: a receipt for each ticked paid invoice, each in a savepoint of its own,
    so one refused invoice (receipted meanwhile by someone else) neither stops the others nor
    leaves a number used."""
    outcome = BatchOutcome()
    for invoice_id in dict.fromkeys(invoice_ids):  # each once, in the order ticked
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            outcome.refused.append((str(invoice_id), invoices.InvoiceNotFound()))
            continue
        try:
            with session.begin_nested():
                outcome.issued.append(issue_receipt(session, actor, invoice.order_id, settings, today=today))
        except DomainError as error:
            outcome.refused.append((invoice.number, error))
    return outcome


def void_and_reissue(session: Session, actor: Actor, receipt_id: int, reason: str, settings: ReceiptSettings, *,
                     today: date, order_id: int | None = None) -> Receipt:
    """Void a wrong receipt with ``reason`` and issue its replacement: a new number, the same
    invoice and payments, naming the voided receipt. The order keeps its status. ``order_id``: the
    order the page showed the receipt on (another order's receipt is not found)."""
    reason = clean_text(reason, N_("Alasan pembatalan kuitansi"), max_length=MAX_REASON)
    sequence = next_sequence(session, settings.office.satker_code, today.year)  # first, as in issue_receipt
    old = session.scalar(select(Receipt).where(Receipt.id == receipt_id).with_for_update()
                         .execution_options(populate_existing=True))
    if old is None or (order_id is not None and old.order_id != order_id):
        raise ReceiptNotFound()
    order = _fresh_order(session, old.order_id)
    refusal = reissue_refusal(actor, order, old)
    if refusal is not None:
        raise refusal
    invoice = invoices.get_invoice(session, old.invoice_id)
    old.status = ReceiptStatus.VOID
    old.void_reason = reason
    old.voided_at = utcnow()
    old.voided_by_id = actor.user.id
    session.flush()  # the old one is void before its replacement meets the one-issued-receipt index
    receipt = _new_receipt(session, actor, invoice, settings, today=today, sequence=sequence, replaces=old)
    workflow.record(session, order, actor, "reissue_receipt", reason=reason,
                    details={"voided": old.number, "receipt": receipt.number, "invoice": invoice.number})
    workflow.save(session)
    return receipt


def reissue_refusal(actor: Actor, order: Order, receipt: Receipt) -> DomainError | None:
    """Why ``actor`` may not void and reissue ``receipt`` now, or None: the people who issue
    receipts, and only a receipt in force."""
    who = who_refusal(Do.ISSUE_RECEIPT, order, actor.user.role, actor.user.id)
    if who is not None:
        return who
    return ReceiptAlreadyVoid(receipt.number) if receipt.status != ReceiptStatus.ISSUED else None


def _fresh_order(session: Session, order_id: int) -> Order:
    """The order as committed now (not as this session first read it): after waiting for the
    counter's lock, a concurrent issuer's receipt must be seen."""
    order = workflow.load_order(session, order_id)
    session.refresh(order)
    return order


def _paid_invoice(session: Session, order: Order) -> Invoice:
    invoice = invoices.current_invoice(session, order.id)
    if invoice is None or invoice.status != InvoiceStatus.PAID:
        raise Conflict("Invoice pesanan ini belum lunas.")
    paid = payments.amount_counted(session, invoice.id)  # an excess set apart for a refund is not the invoice's
    if paid != invoice.total:
        raise NotFullyPaid(paid, invoice.total)
    return invoice


def _new_receipt(session: Session, actor: Actor, invoice: Invoice, settings: ReceiptSettings, *, today: date,
                 sequence: int, replaces: Receipt | None) -> Receipt:
    office = settings.office
    number = settings.number_format.format(satker=office.satker_code, year=today.year, seq=sequence)
    code = verification.new_code()
    document = receipt_document(session, invoice, number=number, issued_on=today, office=office,
                                verify_url=settings.verify_url(code), timezone=settings.timezone,
                                replaces=replaces)
    data = receipt_pdf(document)
    # Stored before the row that names it; a transaction rolled back after this leaves only an unnamed
    # file in the content-addressed store (as a refused upload's check never does), never a wrong one.
    key = settings.storage.put(data)
    stored = StoredFile(sha256=key, size=len(data), mime="application/pdf",
                        filename=number.replace("/", "-") + ".pdf", uploaded_by_id=actor.user.id)
    session.add(stored)
    receipt = Receipt(number=number, office_code=office.satker_code, year=today.year, sequence=sequence,
                      invoice_id=invoice.id, order_id=invoice.order_id, status=ReceiptStatus.ISSUED,
                      amount=invoice.total, payer_name=invoice.buyer_name, issued_on=today,
                      issued_by_id=actor.user.id, verification_code=code, file=stored,
                      replaces_id=replaces.id if replaces else None)
    try:
        with session.begin_nested():
            session.add(receipt)
    except IntegrityError as exc:
        # Another treasurer's receipt of this invoice committed first (the partial unique index).
        current = current_receipt(session, invoice.id)
        if current is None:
            raise
        raise AlreadyReceipted(current.number) from exc
    return receipt


# -- what the receipt prints -------------------------------------------------------------------------------

def receipt_document(session: Session, invoice: Invoice, *, number: str, issued_on: date, office: Office,
                     verify_url: str, timezone: str, replaces: Receipt | None = None) -> ReceiptDocument:
    """The receipt of ``invoice`` as printed: its lines with the tariff items in the regulation's
    words, and the settled payments with their references, dates on the office's clock."""
    settled = [p for p in payments.payments_of_invoice(session, invoice.id) if p.status == PaymentStatus.SETTLED]
    refunded = payments.set_apart(session, [p.id for p in settled])  # an excess going back is not received for it
    counted = [(p, p.amount - refunded.get(p.id, 0)) for p in settled]
    code = invoice.current_code
    return ReceiptDocument(
        number=number,
        fiscal_year=issued_on.year,
        issued_on=issued_on,
        office=office,
        payer_name=invoice.buyer_name,
        payer_institution=invoice.buyer_institution,
        amount=invoice.total,
        items=tuple(ReceiptItem(description=line.description, tariff_item=_tariff_item(session, line),
                                regulation=line.regulation, amount=line.amount) for line in invoice.lines),
        invoice_number=invoice.number,
        order_reference=session.get_one(Order, invoice.order_id).reference,
        billing_code=code.code if code is not None and any(
            p.source == PaymentSource.BILLING_NOTIFICATION for p in settled) else None,
        payments=tuple(_reference(p, timezone, amount) for p, amount in counted if amount > 0),
        verify_url=verify_url,
        replaces=replaces.number if replaces else None,
        replaces_reason=replaces.void_reason if replaces else None,
    )


def _tariff_item(session: Session, line) -> str:
    """The tariff item as the regulation's Lampiran names it; its code if the schedule is gone."""
    schedule = tariffs.schedule_book(session).get(line.schedule_code)
    try:
        return schedule.item(line.item_code).name_id if schedule else line.item_code
    except TariffItemUnknown:
        return line.item_code


def _reference(payment: Payment, timezone: str, amount: int) -> PaymentReference:
    if payment.source == PaymentSource.BILLING_NOTIFICATION:
        paid_on = dates.date_time(payment.paid_at, timezone)  # the bank's moment of payment
    else:
        # Transfers and cash are known by their day (stored as that day's midnight UTC).
        paid_on = dates.long_date(aware(payment.paid_at).date())
    return PaymentReference(method=METHODS[payment.source], paid_on=paid_on, amount=amount,
                            bank=payment.bank, ntpn=payment.ntpn, reference=payment.ntb)


# -- reading ---------------------------------------------------------------------------------------------

def current_receipt(session: Session, invoice_id: int) -> Receipt | None:
    """The invoice's valid receipt (at most one: the partial unique index)."""
    return session.scalar(select(Receipt).where(Receipt.invoice_id == invoice_id,
                                                Receipt.status == ReceiptStatus.ISSUED))


def receipt_numbers(session: Session, invoice_ids: Sequence[int]) -> dict[int, str]:
    """The valid receipt number of each of these invoices that has one."""
    if not invoice_ids:
        return {}
    rows = session.execute(select(Receipt.invoice_id, Receipt.number).where(
        Receipt.invoice_id.in_(invoice_ids), Receipt.status == ReceiptStatus.ISSUED))
    return {invoice_id: number for invoice_id, number in rows}


def receipts_of_order(session: Session, order_id: int) -> list[Receipt]:
    """Every receipt of the order, the newest first (voided ones stay, marked)."""
    return list(session.scalars(select(Receipt).where(Receipt.order_id == order_id)
                                .order_by(Receipt.issued_at.desc(), Receipt.id.desc())))


def get_receipt_for(session: Session, receipt_id: int, user: User) -> Receipt:
    """A receipt for its buyer and for staff; anyone else is told it does not exist."""
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise ReceiptNotFound()
    try:
        workflow.get_order_for(session, receipt.order_id, user)
    except NotFound:
        raise ReceiptNotFound() from None
    return receipt


def stored_pdf(receipt: Receipt, storage: FileStorage) -> bytes:
    """The PDF exactly as issued."""
    return storage.get(receipt.file.sha256)


def verified_receipt(session: Session, code: str) -> Receipt:
    """The receipt a QR link names, or :class:`VerificationLinkInvalid`."""
    receipt = session.scalar(select(Receipt).where(Receipt.verification_code == code)) \
        if verification.plausible_code(code) else None
    if receipt is None:
        raise verification.VerificationLinkInvalid()
    return receipt


def replacement_of(session: Session, receipt: Receipt) -> Receipt | None:
    return session.scalar(select(Receipt).where(Receipt.replaces_id == receipt.id))


def invoice_number_of(session: Session, receipt: Receipt) -> str:
    return session.scalar(select(Invoice.number).where(Invoice.id == receipt.invoice_id))


@dataclass(frozen=True)
class AwaitingReceipt:
    invoice: Invoice
    order_reference: str
    paid_at: datetime | None  # the latest settled payment's moment
    sources: tuple[PaymentSource, ...]  # how it was paid


def awaiting_receipt(session: Session, *, page: int = 1) -> Page[AwaitingReceipt]:
    """Paid invoices without a valid receipt, oldest first, a page at a time (the treasurer's home
    counts the same invoices)."""
    receipted = exists().where(Receipt.invoice_id == Invoice.id, Receipt.status == ReceiptStatus.ISSUED)
    query = select(Invoice).where(Invoice.status == InvoiceStatus.PAID, ~receipted).order_by(Invoice.id)
    return paginate(session, query, page=page).map(lambda rows: _with_payments(session, rows))


def _with_payments(session: Session, rows: list[Invoice]) -> list[AwaitingReceipt]:
    """The page's invoices with their orders and how and when they were paid (two queries a page)."""
    settled: dict[int, list[Payment]] = {invoice.id: [] for invoice in rows}
    references: dict[int, str] = {}
    if rows:
        query = (select(Payment).where(Payment.invoice_id.in_(settled), Payment.status == PaymentStatus.SETTLED)
                 .order_by(Payment.paid_at, Payment.id))
        for payment in session.scalars(query):
            settled[payment.invoice_id].append(payment)
        orders = session.scalars(select(Order).where(Order.id.in_({invoice.order_id for invoice in rows})))
        references = {order.id: order.reference for order in orders}
    return [AwaitingReceipt(invoice, references[invoice.order_id],
                            settled[invoice.id][-1].paid_at if settled[invoice.id] else None,
                            tuple(dict.fromkeys(p.source for p in settled[invoice.id])))
            for invoice in rows]
