"""The data the invoice and the SPPD draft print, read from the database: an issued invoice (and
its order) in, the plain data objects of :mod:`sales_service.documents` out; and the PDFs themselves,
rendered once per state of the invoice and kept in the file store. Never commits, never imports
Flask: the caller passes the office, the links printed on documents and the time zone.

An invoice issued to a buyer who reads English (``Invoice.language == "en"``) prints bilingual; for
it the English of what the data holds is handed over too: the tariff items' English names from the
schedule, the products' English titles, the lines' English price explanations, English-style dates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sales_service.accounts.models import Domicile, User
from sales_service.catalog.models import Product
from sales_service.dates import date_time
from sales_service.documents.invoice import BankDetails, DocumentLine, InvoiceDocument, invoice_pdf
from sales_service.documents.layout import Office
from sales_service.documents.sppd import Recipient, SppdDocument, sppd_pdf
from sales_service.errors import NotFound
from sales_service.files.storage import FileStorage, StoredFileMissing
from sales_service.invoices.models import (
    DocumentRendering,
    Invoice,
    InvoiceStatus,
    PaymentRoute,
    VerifiedDocument,
)
from sales_service.orders.models import IdentityDocument, Order
from sales_service.orders.requirements import needs_agreement
from sales_service.pnbp import services as tariffs
from sales_service.pnbp.schedule import PricingRule
from sales_service.pnbp.segments import PERSONS

__all__ = [
    "UNITS",
    "UNITS_EN",
    "NoSppdForOrder",
    "Publisher",
    "document_pdf",
    "document_state",
    "invoice_document",
    "office_from_config",
    "publish",
    "quantity_text",
    "sppd_document",
    "sppd_number",
]

# The unit each pricing rule counts in, as printed after the quantity.
UNITS = {PricingRule.PAGE_BLOCKS: "halaman", PricingRule.SIZE_BYTES: "byte", PricingRule.PER_UNIT: "peta"}
# The same in English, singular and plural.
UNITS_EN = {PricingRule.PAGE_BLOCKS: ("page", "pages"), PricingRule.SIZE_BYTES: ("byte", "bytes"),
            PricingRule.PER_UNIT: ("map", "maps")}

# Only data the office hands over under a use agreement needs an SPPD (DOMAIN.md "SPPD content").


class NoSppdForOrder(NotFound):
    """The invoice's order holds no microdata or map, so it has no SPPD to print."""

    def __init__(self):
        # The same words as any other missing page: the link is simply not offered for such orders.
        super().__init__("Halaman atau data yang dicari tidak ditemukan.")


def office_from_config(config: Mapping[str, Any]) -> Office:
    """The office as printed, from the application settings (``SALES_OFFICE_*`` and friends)."""
    return Office(
        name=config["OFFICE_NAME"],
        address=config["OFFICE_ADDRESS"],
        city=config["OFFICE_CITY"],
        satker_code=config["SATKER_CODE"],
        ministry_code=config["MINISTRY_CODE"],
        echelon_code=config["ECHELON_CODE"],
        account_code=config["ACCOUNT_CODE"],
        head_name=config["HEAD_NAME"],
        head_nip=config["HEAD_NIP"],
        treasurer_name=config["TREASURER_NAME"],
        treasurer_nip=config["TREASURER_NIP"],
    )


def quantity_text(quantity: int, rule: PricingRule, language: str = "id") -> str:
    """``7512345, SIZE_BYTES`` -> ``"7.512.345 byte"`` (Indonesian thousands separator);
    in ``"en"`` ``"7,512,345 bytes"``, as the English price explanation counts."""
    if language == "en":
        singular, plural = UNITS_EN[rule]
        return f"{quantity:,} {singular if quantity == 1 else plural}"
    return f"{quantity:,}".replace(",", ".") + " " + UNITS[rule]


def _local(moment: datetime, timezone: str) -> datetime:
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone))


def invoice_document(
    session: Session, invoice: Invoice, *, office: Office, verify_url: str, timezone: str, order_url: str | None = None
) -> InvoiceDocument:
    """What ``invoice`` prints; billing-code expiry in ``timezone`` (the office's wall clock).
    ``order_url``: the buyer's order page, where a buyer abroad uploads the proof of transfer."""
    code = invoice.current_code
    expires = _local(code.expires_at, timezone) if code else None
    order = _order_of(session, invoice)
    transfer = invoice.payment_route == PaymentRoute.BANK_TRANSFER
    english = invoice.language == "en"
    item_names_en = _item_names_en(session, invoice) if english else {}
    titles_en = _titles_en(session, invoice, order) if english else {}
    return InvoiceDocument(
        number=invoice.number,
        version=invoice.version,
        status=invoice.status.value,
        issued_on=invoice.issued_on,
        due_on=expires.date() if expires else None,
        office=office,
        buyer_name=invoice.buyer_name,
        buyer_institution=invoice.buyer_institution,
        buyer_npwp=invoice.buyer_npwp,
        buyer_address=invoice.buyer_address,
        order_reference=order.reference,
        lines=tuple(
            DocumentLine(
                description=line.description,
                regulation=line.regulation,
                item_code=line.item_code,
                item_name=line.item_name,
                basis=line.basis,
                quantity=quantity_text(line.quantity, line.rule),
                amount=line.amount,
                normal_amount=line.normal_amount,
                waived=line.waived,
                item_name_en=item_names_en.get((line.schedule_code, line.item_code)),
                description_en=titles_en.get(line.position),
                basis_en=line.basis_en if english else None,
                quantity_en=quantity_text(line.quantity, line.rule, "en") if english else None,
            )
            for line in invoice.lines
        ),
        total=invoice.total,
        zero_rate_basis=invoice.zero_rate_basis,
        billing_code=code.code if code else None,
        billing_expires_at=date_time(code.expires_at, timezone) if code else None,
        bank=_bank_details(invoice.bank_details) if invoice.bank_details else None,
        verify_url=verify_url,
        replaces=invoice.replaces.number if invoice.replaces_id else None,
        order_url=order_url if transfer else None,
        valid_until=invoice.valid_until if transfer else None,
        bank_charges_basis=_bank_charges_basis(session, invoice) if transfer else None,
        language=invoice.language,
        billing_expires_at_en=date_time(code.expires_at, timezone, "en") if code and english else None,
    )


def _item_names_en(session: Session, invoice: Invoice) -> dict[tuple[str, str], str]:
    """(schedule, item) -> the tariff item's English name in the schedule file, for the invoice's lines."""
    book = tariffs.schedule_book(session)
    names = {}
    for line in invoice.lines:
        schedule = book.get(line.schedule_code)
        item = schedule.items.get(line.item_code) if schedule else None
        if item is not None and item.name_en:
            names[line.schedule_code, line.item_code] = item.name_en
    return names


def _titles_en(session: Session, invoice: Invoice, order: Order) -> dict[int, str]:
    """Invoice line position -> the English title of its product, where the catalogue has one. An
    invoice line is the order line at the same place (copied in order when issued); a line whose
    title no longer matches names no product, and prints its Indonesian title alone."""
    products = {}
    for line in invoice.lines:
        if line.position <= len(order.lines) and order.lines[line.position - 1].product_title == line.description:
            products[line.position] = order.lines[line.position - 1].product_id
    if not products:
        return {}
    query = select(Product.id, Product.title_en).where(Product.id.in_(set(products.values())))
    titles = {product: title for product, title in session.execute(query)}
    return {position: titles[product] for position, product in products.items() if titles.get(product)}


def _bank_details(snapshot: Mapping[str, Any]) -> BankDetails:
    names = ("bank_name", "account_name", "account_number", "swift", "reference")
    return BankDetails(**{name: snapshot.get(name) or "" for name in names})


def _bank_charges_basis(session: Session, invoice: Invoice) -> str | None:
    """The bank-charges rule as cited by the schedule that priced the invoice (its lines name it):
    never another regulation's article."""
    codes = {line.schedule_code for line in invoice.lines}
    if len(codes) != 1:
        return None  # lines priced under two schedules: no single rule to cite
    schedule = tariffs.schedule_book(session).get(codes.pop())
    return schedule.bank_charges_basis if schedule else None


def sppd_number(invoice: Invoice) -> str:
    """The number of the SPPD issued with ``invoice``: its own series (SppdCounter); agreements issued
    before the series existed were numbered by the migration, so the fallback is for an invoice
    without an agreement only."""
    return invoice.sppd_number or f"SPPD/{invoice.number}"


# How a visitor's identity document is named before its number on the agreement.
IDENTITY_LABELS = {
    IdentityDocument.KTP: "NIK",
    IdentityDocument.PASSPORT: "Paspor",
    IdentityDocument.SIM: "SIM",
    IdentityDocument.KITAS: "KITAS",
    IdentityDocument.STUDENT_CARD: "Kartu pelajar/mahasiswa",
}


def sppd_document(session: Session, invoice: Invoice, *, office: Office, verify_url: str,
                  foreign_signature_note: str | None = None) -> SppdDocument:
    """The SPPD draft that goes with ``invoice``: the order's microdata and maps, with the chosen
    variables, and the recipient as the service knows them. Raises :class:`NoSppdForOrder` when the
    order has neither. ``foreign_signature_note``: what a signer abroad is told instead of the duty
    stamp (SALES_FOREIGN_SIGNATURE_NOTE; None: the document's own text)."""
    order = _order_of(session, invoice)
    if not order.needs_agreement:
        raise NoSppdForOrder()
    datasets = tuple(
        (line.product_title, tuple(v.name for v in line.variables) if not line.full_set else None)
        for line in order.lines
        if needs_agreement([line.kind])
    )
    return SppdDocument(
        number=sppd_number(invoice),
        version=invoice.version,
        status="void" if invoice.status == InvoiceStatus.VOID else "draft",
        issued_on=invoice.issued_on,
        office=office,
        recipient=_recipient(session, invoice, order),
        purpose=order.purpose,
        datasets=datasets,
        verify_url=verify_url,
        invoice_number=invoice.number,
        foreign_signature_note=foreign_signature_note or None,
        language=invoice.language,
    )


def _recipient(session: Session, invoice: Invoice, order: Order) -> Recipient:
    """Who signs as the second party, from the invoice's snapshot of the buyer and what the account
    or the counter's guest book holds. Nothing is made up: an online buyer has given no NIK or
    passport number, so it is left for them to write in."""
    visit = order.walk_in
    buyer = session.get(User, order.buyer_id) if order.buyer_id else None
    if visit is not None:
        identity = f"{IDENTITY_LABELS[visit.identity_type]} {visit.identity_number}"
    else:
        identity = None
    return Recipient(
        name=invoice.buyer_name,
        identity=identity,
        address=invoice.buyer_address,
        phone=(buyer.phone if buyer else None) or (visit.phone if visit else None),
        email=(buyer.email if buyer else None) or (visit.email if visit else None),
        institution=invoice.buyer_institution,
        # A company or public body signs through a person acting for it; a person (a student too) signs as themself.
        for_institution=order.segment not in PERSONS and bool((invoice.buyer_institution or "").strip()),
        abroad=bool(buyer and buyer.domicile == Domicile.ABROAD),
    )


def _order_of(session: Session, invoice: Invoice) -> Order:
    # An invoice's order_id is a foreign key: the order is there.
    return session.get_one(Order, invoice.order_id)


# -- rendered once, served as stored ----------------------------------------------------------------


@dataclass(frozen=True)
class Publisher:
    """What rendering an invoice's documents needs from outside the services: where PDFs are kept, the
    office as printed and its time zone, and the absolute links printed on them (built by the caller,
    which knows the routes and the public address)."""

    storage: FileStorage
    office: Office
    timezone: str
    verify_url: Callable[[VerifiedDocument, int], str]  # (document kind, invoice id) -> its QR link
    order_url: Callable[[int], str]  # order id -> the buyer's order page
    foreign_signature_note: str | None = None


def document_state(invoice: Invoice, kind: VerifiedDocument) -> str:
    """What a document shows that can change after it is issued: the invoice's status and, on the
    invoice, the billing code it prints (a new code after expiry is a new state). Everything else on
    an issued document is fixed, so one rendering per state is all there ever is to render."""
    if kind == VerifiedDocument.SPPD:
        return "void" if invoice.status == InvoiceStatus.VOID else "draft"
    code = invoice.current_code
    return f"{invoice.status.value}:{code.code if code else '-'}"


def _render(session: Session, invoice: Invoice, kind: VerifiedDocument, publisher: Publisher) -> bytes:
    link = publisher.verify_url(kind, invoice.id)
    if kind == VerifiedDocument.SPPD:
        return sppd_pdf(sppd_document(session, invoice, office=publisher.office, verify_url=link,
                                      foreign_signature_note=publisher.foreign_signature_note))
    return invoice_pdf(invoice_document(session, invoice, office=publisher.office, verify_url=link,
                                        timezone=publisher.timezone, order_url=publisher.order_url(invoice.order_id)))


def document_pdf(session: Session, invoice: Invoice, kind: VerifiedDocument, publisher: Publisher) -> bytes:
    """The PDF of ``invoice``'s document in its current state: the stored bytes when this state was
    rendered before (at issue, voiding or a new code), else rendered now and stored, once. Raises
    :class:`NoSppdForOrder` for the SPPD of an order that has none."""
    state = document_state(invoice, kind)
    stored = session.scalar(select(DocumentRendering).where(
        DocumentRendering.invoice_id == invoice.id, DocumentRendering.kind == kind, DocumentRendering.state == state))
    if stored is not None:
        try:
            return publisher.storage.get(stored.sha256)
        except StoredFileMissing:
            pass  # the store lost it: the same data renders the same bytes (reportlab's invariant mode)
    data = _render(session, invoice, kind, publisher)
    key = publisher.storage.put(data)
    if stored is None:
        try:
            with session.begin_nested():  # a concurrent first download may have stored this state already
                session.add(DocumentRendering(invoice_id=invoice.id, kind=kind, state=state, sha256=key,
                                              size=len(data)))
        except IntegrityError:
            pass
    return data


def publish(session: Session, invoice: Invoice, publisher: Publisher) -> None:
    """Render and keep ``invoice``'s documents in their current state (called when it is issued,
    voided or given a new billing code), so downloads serve stored bytes."""
    kinds = [VerifiedDocument.INVOICE]
    if _order_of(session, invoice).needs_agreement:
        kinds.append(VerifiedDocument.SPPD)
    for kind in kinds:
        document_pdf(session, invoice, kind, publisher)
