"""Money received: every payment as reported, and every notification as it arrived.

Nothing here is ever deleted or overwritten: a payment that cannot be trusted is
recorded and flagged for the treasurer, never dropped (DESIGN.md "Payments and
reconciliation").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
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
from sales_service.files.models import StoredFile
from sales_service.invoices.models import Invoice
from sales_service.orm import Base, BigId, str_enum
from sales_service.payments.refund_steps import RefundStatus, RefundStep
from sales_service.payments.resolution_rules import Resolution
from sales_service.payments.statements import StatementFormat, major


class PaymentSource(StrEnum):
    BILLING_NOTIFICATION = "billing_notification"  # the payment network, by webhook or status inquiry
    TRANSFER_PROOF = "transfer_proof"  # a buyer abroad's proof of transfer
    CASH = "cash"  # at the counter
    STATEMENT_LINE = "statement_line"  # a line of the treasurer's bank statement


class PaymentStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"
    SETTLED = "settled"  # counted towards its invoice
    FLAGGED = "flagged"  # recorded, not trusted: in the treasurer's exceptions queue
    REJECTED = "rejected"


class PaymentProblem(StrEnum):
    """Why a payment is flagged rather than settled."""

    UNKNOWN_CODE = "unknown_code"  # unmatched money
    WRONG_AMOUNT = "wrong_amount"  # a billing code is paid for its exact amount
    DOUBLE_PAYMENT = "double_payment"  # a second NTPN on one code
    VOID_CODE = "void_code"  # cancelled or replaced code, or void invoice
    EXPIRED_CODE = "expired_code"
    ORDER_NOT_PAYABLE = "order_not_payable"  # e.g. cancelled or under correction


class NotificationState(StrEnum):
    RECEIVED = "received"  # stored, not applied yet
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # its NTPN was already recorded: changes nothing
    FAILED = "failed"  # could not be applied; ``error`` says why, ``apply-notifications`` retries


class NotificationChannel(StrEnum):
    WEBHOOK = "webhook"
    STATUS_INQUIRY = "status_inquiry"  # learnt by the sweep of unpaid codes


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_payment_status_problem", "status", "problem"),
        # The treasurer's held money: settled cash and transfers, oldest first.
        Index("ix_payment_source_status_paid_at", "source", "status", "paid_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[PaymentSource] = mapped_column(str_enum(PaymentSource, "payment_source"))
    amount: Mapped[int] = mapped_column(BigInteger)  # whole rupiah credited
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    # One NTPN is one state receipt: a second record of it is the same payment (unique, not checked in memory).
    ntpn: Mapped[str | None] = mapped_column(String(16), unique=True)
    ntb: Mapped[str | None] = mapped_column(String(100))
    bank: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str | None] = mapped_column(String(100))
    billing_code: Mapped[str | None] = mapped_column(String(15), index=True)
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus, "payment_status"))
    problem: Mapped[PaymentProblem | None] = mapped_column(str_enum(PaymentProblem, "payment_problem"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)  # None: unmatched
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    # Money taken by hand (cash, a verified proof of transfer): the treasurer who recorded it, and for cash
    # the person who took it at the counter.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    received_by: Mapped[str | None] = mapped_column(String(200))
    # A buyer abroad's proof behind this payment. Until the treasurer verifies the proof, ``amount`` is the
    # rupiah it is meant to cover (the remainder when uploaded) and counts nowhere (only settled payments
    # count); verifying sets the rupiah actually credited.
    proof_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_proof.id"), index=True)


class PaymentNotification(Base):
    """A notification exactly as received (raw body), stored before it is applied."""

    __tablename__ = "payment_notification"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Standard Webhooks' webhook-id: the same delivery twice is one notification.
    webhook_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[NotificationChannel] = mapped_column(str_enum(NotificationChannel, "notification_channel"))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[NotificationState] = mapped_column(str_enum(NotificationState, "notification_state"), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))

    payment: Mapped[Payment | None] = relationship()


class ProofStatus(StrEnum):
    PENDING = "pending"  # waiting for the treasurer
    VERIFIED = "verified"  # the credit was found; its payment says what it counted for
    REJECTED = "rejected"  # ``rejection_reason`` tells the buyer why; they upload again


class TransferProof(Base):
    """A buyer abroad's proof of transfer, as they declared it, and the treasurer's decision.

    What was sent stays as declared (foreign amounts as integer minor units of ``currency``,
    ISO 4217); what reached the account is ``credited``, in whole rupiah, entered when verified.
    """

    __tablename__ = "transfer_proof"
    __table_args__ = (
        CheckConstraint("amount_sent > 0", name="amount_sent_positive"),
        CheckConstraint("credited IS NULL OR credited > 0", name="credited_positive"),
        Index("ix_transfer_proof_status_uploaded_at", "status", "uploaded_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    amount_sent: Mapped[int] = mapped_column(BigInteger)  # minor units of ``currency`` (cents for USD)
    currency: Mapped[str] = mapped_column(String(3))
    transferred_on: Mapped[date] = mapped_column(Date)
    sender_name: Mapped[str] = mapped_column(String(200))
    sender_bank: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(100))
    status: Mapped[ProofStatus] = mapped_column(str_enum(ProofStatus, "proof_status"))
    credited: Mapped[int | None] = mapped_column(BigInteger)  # whole rupiah, bank charges already taken
    verified_against: Mapped[str | None] = mapped_column(String(200))  # None: by hand; else the statement line
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    file: Mapped[StoredFile] = relationship()


class Deposit(Base):
    """Money the treasurer held, paid into the state treasury (setor) with the treasurer's own
    billing code, which yielded its own NTPN (PP 7/2015 Pasal 9: PNBP reaches Kas Negara promptly)."""

    __tablename__ = "deposit"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deposited_on: Mapped[date] = mapped_column(Date)
    billing_code: Mapped[str] = mapped_column(String(15), unique=True)  # a SIMPONI code is paid once
    ntpn: Mapped[str] = mapped_column(String(16), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # whole rupiah: the sum of the payments it covers
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    items: Mapped[list[DepositedPayment]] = relationship(back_populates="deposit", order_by="DepositedPayment.id")


class DepositedPayment(Base):
    """One payment covered by a deposit. A payment is deposited at most once: the unique
    constraint decides, also when two deposits are recorded at the same moment."""

    __tablename__ = "deposited_payment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("deposit.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)

    deposit: Mapped[Deposit] = relationship(back_populates="items")
    payment: Mapped[Payment] = relationship()


# -- the treasurer's bank statement (issue 10, point 7) -------------------------------------------------


class LineState(StrEnum):
    UNMATCHED = "unmatched"  # an incoming credit no open invoice fits
    PROPOSED = "proposed"  # one best candidate, waiting for the treasurer
    TIE = "tie"  # two or more equally good candidates: never proposed as one
    MATCHED = "matched"  # the treasurer confirmed: ``payment_id`` records the money
    IGNORED = "ignored"  # a debit, a reversal or not rupiah: kept, never matched


class StatementImport(Base):
    """One statement file as the treasurer uploaded it (who, when, how many lines were new)."""

    __tablename__ = "statement_import"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[StatementFormat] = mapped_column(str_enum(StatementFormat, "statement_format"))
    sha256: Mapped[str] = mapped_column(String(64))
    lines_read: Mapped[int]
    lines_new: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StatementLine(Base):
    """One bank transaction, stored once whatever file brings it again: ``line_key`` is the
    account and the bank's reference, or a hash of date, amount and texts without one
    (``payments.statements.line_keys``), and unique."""

    __tablename__ = "statement_line"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("rupiah IS NULL OR rupiah >= 0", name="rupiah_not_negative"),
        Index("ix_statement_line_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("statement_import.id"), index=True)
    line_key: Mapped[str] = mapped_column(String(64), unique=True)
    account: Mapped[str] = mapped_column(String(100))
    bank_reference: Mapped[str] = mapped_column(String(100))
    booked_on: Mapped[date] = mapped_column(Date)
    value_on: Mapped[date | None] = mapped_column(Date)
    credit: Mapped[bool]
    reversal: Mapped[bool] = mapped_column(default=False)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # minor units of ``currency`` (ISO 4217 digits)
    currency: Mapped[str] = mapped_column(String(3))
    rupiah: Mapped[int | None] = mapped_column(BigInteger)  # whole rupiah of a rupiah line
    sent_minor: Mapped[int | None] = mapped_column(BigInteger)  # what the sender instructed (camt.053 InstdAmt)
    sent_currency: Mapped[str | None] = mapped_column(String(3))
    counterparty: Mapped[str] = mapped_column(String(200))
    remittance: Mapped[str] = mapped_column(Text)
    state: Mapped[LineState] = mapped_column(str_enum(LineState, "statement_line_state"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    matched_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    payment: Mapped[Payment | None] = relationship()

    @property
    def amount(self) -> Decimal:
        """The amount in the currency's own unit (``rupiah`` is what rupiah lines show)."""
        return major(self.amount_minor, self.currency)

    @property
    def sent_amount(self) -> Decimal | None:
        return major(self.sent_minor, self.sent_currency) if self.sent_minor is not None and self.sent_currency \
            else None

    proposals: Mapped[list[StatementProposal]] = relationship(
        back_populates="line", order_by="(StatementProposal.score.desc(), StatementProposal.invoice_id)",
        cascade="all, delete-orphan")


class StatementProposal(Base):
    """A candidate invoice for a credit, with its score and why (``statements.Reason`` values)."""

    __tablename__ = "statement_proposal"
    __table_args__ = (UniqueConstraint("line_id", "invoice_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("statement_line.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    score: Mapped[int]
    reasons: Mapped[str] = mapped_column(String(200))  # comma-separated

    line: Mapped[StatementLine] = relationship(back_populates="proposals")


# -- receipts (kuitansi, issue 10, point 9) ----------------------------------------------------------------


class ReceiptStatus(StrEnum):
    ISSUED = "issued"
    VOID = "void"  # wrong: voided with a reason; its replacement names it in ``replaces_id``


class Receipt(Base):
    """The receiving treasurer's receipt (kuitansi) for a fully paid invoice (DOMAIN.md "Documents").

    Never edited: a wrong receipt is voided with a reason and a new one is issued under a new number
    for the same invoice and payments, naming the voided one (``replaces_id``). The PDF is rendered
    once, when issued, and served as stored (``file_id``); its QR link carries ``verification_code``."""

    __tablename__ = "receipt"
    __table_args__ = (
        UniqueConstraint("office_code", "year", "sequence"),
        CheckConstraint("amount > 0", name="amount_positive"),
        # One valid receipt per paid invoice, whatever two treasurers do at the same moment.
        Index("uq_receipt_one_issued_per_invoice", "invoice_id", unique=True,
              postgresql_where=text("status = 'issued'"), sqlite_where=text("status = 'issued'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    office_code: Mapped[str] = mapped_column(String(20))  # satker
    year: Mapped[int]  # fiscal year (tahun anggaran: the calendar year of issue)
    sequence: Mapped[int]  # gap-free per office and fiscal year (``ReceiptCounter``)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    status: Mapped[ReceiptStatus] = mapped_column(str_enum(ReceiptStatus, "receipt_status"))
    amount: Mapped[int] = mapped_column(BigInteger)  # whole rupiah received: the invoice's total
    payer_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)  # the office's day of issue, printed beside the place
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)  # opaque, in the QR link
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))  # the PDF as issued
    # The voided receipt this one replaces; a voided receipt is replaced once.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"), unique=True)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    file: Mapped[StoredFile] = relationship()
    replaces: Mapped[Receipt | None] = relationship(remote_side="Receipt.id")


class ReceiptCounter(Base):
    """Last receipt number used per office and fiscal year; incremented inside the issuing
    transaction, so a rolled-back issue gives its number back and two treasurers never share one."""

    __tablename__ = "receipt_counter"

    office_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_sequence: Mapped[int] = mapped_column(default=0)


# -- the exceptions queue's resolutions and PNBP refunds (issue 10, point 8) -------------------------------


class PaymentResolution(Base):
    """How the treasurer resolved one flagged payment: exactly one explicit action per payment (the
    unique constraint decides, also when two treasurers resolve it at the same moment), with the note,
    who and when. What it resolved stays on the payment (``problem``); nothing is deleted."""

    __tablename__ = "payment_resolution"
    __table_args__ = (
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
        CheckConstraint("remaining IS NULL OR remaining >= 0", name="remaining_not_negative"),
        Index("ix_payment_resolution_resolved_at_id", "resolved_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    action: Mapped[Resolution] = mapped_column(str_enum(Resolution, "payment_resolution_action"))
    problem: Mapped[PaymentProblem | None] = mapped_column(str_enum(PaymentProblem, "payment_problem"))
    note: Mapped[str] = mapped_column(Text)
    from_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))  # the invoice it came for
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)  # counted towards
    counted: Mapped[int | None] = mapped_column(BigInteger)  # whole rupiah counted towards ``invoice_id``
    remaining: Mapped[int | None] = mapped_column(BigInteger)  # what that invoice still asked for after it
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"), index=True)
    resolved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    payment: Mapped[Payment] = relationship()


class Refund(Base):
    """Money the state treasury returns (pengembalian PNBP): an over-payment's excess or a whole
    double payment, with each step of the procedure (``refund_steps``) as a ``RefundStepRecord``.
    The payments it returns stay settled: received money, of which this refund goes back."""

    __tablename__ = "refund"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_refund_status_opened_at_id", "status", "opened_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # whole rupiah: the sum of its ``items``
    status: Mapped[RefundStatus] = mapped_column(str_enum(RefundStatus, "refund_status"))
    payer: Mapped[str | None] = mapped_column(String(200))  # who gets it back, when known
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    reason: Mapped[str] = mapped_column(Text)  # the treasurer's note when opening it
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    items: Mapped[list[RefundedPayment]] = relationship(back_populates="refund", order_by="RefundedPayment.id")
    steps: Mapped[list[RefundStepRecord]] = relationship(back_populates="refund", order_by="RefundStepRecord.id")


class RefundedPayment(Base):
    """The part of one payment a refund returns. A payment is refunded at most once (unique)."""

    __tablename__ = "refunded_payment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refund.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # whole rupiah of that payment going back

    refund: Mapped[Refund] = relationship(back_populates="items")
    payment: Mapped[Payment] = relationship()


class RefundStepRecord(Base):
    """One step of a refund as it happened: its day, its document's reference, who recorded it and
    when. Each step once per refund (unique), in the order ``refund_steps`` states."""

    __tablename__ = "refund_step"
    __table_args__ = (UniqueConstraint("refund_id", "step"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refund.id"))
    step: Mapped[RefundStep] = mapped_column(str_enum(RefundStep, "refund_step_kind"))
    happened_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100))  # letter number, decision number or SP2D number
    approved: Mapped[bool | None]  # the decision's outcome; None for the other steps
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    refund: Mapped[Refund] = relationship(back_populates="steps")


# The exceptions queue, oldest first, whole or of one problem; and the paid invoices still without a
# receipt (the treasurer's home). Declared here, beside the lists that read them.
Index("ix_payment_status_recorded_at_id", Payment.status, Payment.recorded_at, Payment.id)
Index("ix_payment_status_problem_recorded_at", Payment.status, Payment.problem, Payment.recorded_at, Payment.id)
Index("ix_invoice_status_id", Invoice.status, Invoice.id)
