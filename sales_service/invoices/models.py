from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sales_service.clock import utcnow
from sales_service.orm import Base, BigId, str_enum
from sales_service.pnbp.schedule import PricingRule, ProductKind


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    VOID = "void"  # replaced by a newer version after a correction, or the order was cancelled
    PAID = "paid"


class PaymentRoute(StrEnum):
    BILLING_CODE = "billing_code"  # domestic: pay at a bank with the SIMPONI code
    BANK_TRANSFER = "bank_transfer"  # abroad: wire to the treasurer's account, upload proof
    NONE = "none"  # Rp0: nothing to pay


class Invoice(Base):
    """An issued invoice. Never edited: a correction voids it and issues a new
    version (``replaces_id``) with a new number and a new billing code."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("order_id", "version"),
        UniqueConstraint("office_code", "year", "sequence"),
        CheckConstraint("total >= 0", name="total_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    office_code: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    sequence: Mapped[int]
    version: Mapped[int]
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    status: Mapped[InvoiceStatus] = mapped_column(str_enum(InvoiceStatus, "invoice_status"))
    payment_route: Mapped[PaymentRoute] = mapped_column(str_enum(PaymentRoute, "payment_route"))
    issued_on: Mapped[date] = mapped_column(Date)
    total: Mapped[int] = mapped_column(BigInteger)
    zero_rate_basis: Mapped[str | None] = mapped_column(Text)
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_institution: Mapped[str | None] = mapped_column(String(200))
    buyer_npwp: Mapped[str | None] = mapped_column(String(16))
    buyer_address: Mapped[str | None] = mapped_column(String(500))  # as on the buyer's profile at issue
    bank_details: Mapped[dict | None] = mapped_column(JSON)  # snapshot for buyers abroad
    # A bank transfer has no billing code to expire: the invoice states how long it may be paid.
    valid_until: Mapped[date | None] = mapped_column(Date)
    # The SPPD draft issued with this version (microdata and maps): its own gap-free number series.
    sppd_number: Mapped[str | None] = mapped_column(String(80), unique=True, index=True)
    sppd_sequence: Mapped[int | None]
    # The language its documents were issued in, the buyer's at issue: "id", or "en" for a bilingual
    # invoice and SPPD. Every later rendering (voided, a new code) reads it, never the buyer's language now.
    language: Mapped[str] = mapped_column(String(5), default="id", server_default="id")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[InvoiceLine]] = relationship(back_populates="invoice", order_by="InvoiceLine.position",
                                                    cascade="all, delete-orphan")
    billing_codes: Mapped[list[BillingCode]] = relationship(back_populates="invoice", order_by="BillingCode.id")
    replaces: Mapped[Invoice | None] = relationship(remote_side="Invoice.id")

    @property
    def current_code(self) -> BillingCode | None:
        return self.billing_codes[-1] if self.billing_codes else None


class InvoiceLine(Base):
    """A copy of the order line's tariff snapshot at issue time."""

    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(400))
    # The tariff item as the regulation names it (the schedule file's name_id); None on lines
    # copied before names were snapshotted and not recoverable.
    item_name: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[ProductKind] = mapped_column(str_enum(ProductKind, "invoice_line_kind"))
    regulation: Mapped[str] = mapped_column(String(60))
    schedule_code: Mapped[str] = mapped_column(String(60))
    item_code: Mapped[str] = mapped_column(String(60))
    rule: Mapped[PricingRule] = mapped_column(str_enum(PricingRule, "invoice_line_rule"))
    basis: Mapped[str] = mapped_column(Text)
    basis_en: Mapped[str | None] = mapped_column(Text)  # the same in English; None on lines before 0015
    quantity: Mapped[int] = mapped_column(BigInteger)  # pages, bytes or maps by the rule
    unit_price: Mapped[int] = mapped_column(BigInteger)
    normal_amount: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    waived: Mapped[bool] = mapped_column(default=False)
    waiver_basis: Mapped[str | None] = mapped_column(Text)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class InvoiceCounter(Base):
    """Last invoice number used per office and year; incremented inside the issuing
    transaction, so a rolled-back issue leaves no gap and two issuers never share one."""

    __tablename__ = "invoice_counter"

    office_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_sequence: Mapped[int] = mapped_column(default=0)


class SppdCounter(Base):
    """Last SPPD number used per office and year, taken like invoice numbers (same transaction,
    row lock, no gaps); an agreement's number says nothing about its invoice's."""

    __tablename__ = "sppd_counter"

    office_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_sequence: Mapped[int] = mapped_column(default=0)


class CodeStatus(StrEnum):
    ACTIVE = "active"
    REPLACED = "replaced"  # expired or failed; a new code was requested
    CANCELLED = "cancelled"  # its invoice was voided


class BillingCode(Base):
    __tablename__ = "billing_code"
    __table_args__ = (
        # At most one payable code per invoice, whatever two requests do at once.
        Index("uq_billing_code_one_active_per_invoice", "invoice_id", unique=True,
              postgresql_where=text("status = 'active'"), sqlite_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    code: Mapped[str] = mapped_column(String(15), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[CodeStatus] = mapped_column(str_enum(CodeStatus, "billing_code_status"))

    invoice: Mapped[Invoice] = relationship(back_populates="billing_codes")


class CorrectionTarget(StrEnum):
    INVOICE = "invoice"
    SPPD = "sppd"
    SAMPLE = "sample"


class CorrectionStatus(StrEnum):
    OPEN = "open"
    REISSUED = "reissued"
    DECLINED = "declined"


class CorrectionRequest(Base):
    __tablename__ = "correction_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    target: Mapped[CorrectionTarget] = mapped_column(str_enum(CorrectionTarget, "correction_target"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[CorrectionStatus] = mapped_column(str_enum(CorrectionStatus, "correction_status"))
    response: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VerifiedDocument(StrEnum):
    INVOICE = "invoice"
    SPPD = "sppd"  # the SPPD draft issued with the invoice


class VerificationCode(Base):
    """The opaque random code in a document's QR link (``/verify/<code>``): it names
    the document without revealing its id, and cannot be guessed or derived."""

    __tablename__ = "verification_code"
    __table_args__ = (UniqueConstraint("invoice_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[VerifiedDocument] = mapped_column(str_enum(VerifiedDocument, "verified_document"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)


class DocumentRendering(Base):
    """The PDF of an issued document, rendered once and kept in the content-addressed file store.

    ``state`` names what the PDF shows that can change over the invoice's life (its status and,
    while payable, its billing code), so each state is rendered once and a download serves the
    stored bytes of the current one; earlier renderings stay, as issued."""

    __tablename__ = "document_rendering"
    __table_args__ = (UniqueConstraint("invoice_id", "kind", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    kind: Mapped[VerifiedDocument] = mapped_column(str_enum(VerifiedDocument, "rendered_document_kind"))
    state: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    rendered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
