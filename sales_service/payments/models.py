"""Money received: every payment as reported, and every notification as it arrived.

Nothing here is ever deleted or overwritten: a payment that cannot be trusted is
recorded and flagged for the treasurer, never dropped (DESIGN.md "Payments and
reconciliation").
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sales_service.clock import utcnow
from sales_service.orm import Base, BigId, str_enum


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
