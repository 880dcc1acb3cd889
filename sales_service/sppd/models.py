"""The abstract of data use and (with the invoice) the data-use agreement (SPPD)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sales_service.clock import utcnow
from sales_service.files.models import OrderDocument
from sales_service.orm import Base, BigId


class AbstractVersion(Base):
    """The abstract of data use (abstraksi penggunaan data), one row per version.

    Fields follow real abstracts (DOMAIN.md): topic, background and purpose, method,
    data requested, planned outputs, and the promise not to redistribute records.
    """

    __tablename__ = "abstract_version"
    __table_args__ = (UniqueConstraint("order_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    background: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    data_requested: Mapped[str] = mapped_column(Text)  # data sets, years, regions, variables
    outputs: Mapped[str] = mapped_column(Text)
    no_redistribution: Mapped[bool]
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("order_document.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    attachment: Mapped[OrderDocument | None] = relationship()


ABSTRACT_FIELDS = ("title", "background", "method", "data_requested", "outputs")
