"""The simulated SIMPONI's own table.

An external system keeps its bills to itself; the simulator does the same, so the
service's own tables (``BillingCode``) are written only from what the gateway
answers and what the payment notifications say, exactly as in production.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from sales_service.orm import Base, BigId


class SimulatedBill(Base):
    """A bill as the simulated SIMPONI holds it: issued, maybe cancelled, paid zero or more times."""

    __tablename__ = "simulated_bill"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("paid_count >= 0", name="paid_count_not_negative"),
        CheckConstraint("paid_amount >= 0", name="paid_amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(15), unique=True)  # the 15-digit kode billing
    invoice_number: Mapped[str] = mapped_column(String(80))
    amount: Mapped[int] = mapped_column(BigInteger)  # whole rupiah
    payer_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled: Mapped[bool] = mapped_column(default=False)
    paid_count: Mapped[int] = mapped_column(default=0)  # more than 1: one code paid twice, two NTPNs
    paid_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # whole rupiah, all payments together


class SimulatedPayment(Base):
    """One payment the simulated network received for a bill, notified or not: what a
    status inquiry answers from."""

    __tablename__ = "simulated_payment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(15), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    ntpn: Mapped[str] = mapped_column(String(16))
    ntb: Mapped[str] = mapped_column(String(20))
    bank: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(40))
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notified: Mapped[bool] = mapped_column(default=True)
