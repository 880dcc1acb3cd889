"""Stored uploads and the versions of an order's attached documents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sales_service.clock import utcnow
from sales_service.orm import Base, BigId, str_enum


class DocumentType(StrEnum):
    ABSTRACT_ATTACHMENT = "abstract_attachment"  # optional file behind the abstract form
    REQUEST_LETTER = "request_letter"  # surat permohonan, for the Rp0 tariff
    EXTRACT = "extract"  # the prepared microdata extract, measured for the final size
    SAMPLE = "sample"  # a sample of the microdata, delivered with the invoice


class StoredFile(Base):
    """One uploaded file: bytes live in the content-addressed store under ``sha256``."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(220))  # cleaned name, extension of the real type
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrderDocument(Base):
    """A version of one of an order's documents. A new upload adds a version."""

    __tablename__ = "order_document"
    __table_args__ = (UniqueConstraint("order_id", "doc_type", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    doc_type: Mapped[DocumentType] = mapped_column(str_enum(DocumentType, "document_type"))
    version: Mapped[int]
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    file: Mapped[StoredFile] = relationship()
