"""Storing uploads and keeping versions of an order's documents and abstract. Never commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sales_service.accounts.models import User
from sales_service.errors import N_, InvalidInput
from sales_service.sppd.models import ABSTRACT_FIELDS, AbstractVersion, DocumentType, OrderDocument, StoredFile
from sales_service.sppd.storage import FileStorage
from sales_service.sppd.uploads import check_upload

MAX_TEXT = 5000


def store_file(session: Session, storage: FileStorage, *, data: bytes, filename: str, max_bytes: int,
               uploaded_by: User | None) -> StoredFile:
    """Check the upload by content, then keep it; a refused upload stores nothing."""
    checked = check_upload(data, filename, max_bytes=max_bytes)
    storage.put(data)
    stored = StoredFile(sha256=checked.sha256, size=checked.size, mime=checked.mime, filename=checked.safe_name,
                        uploaded_by_id=uploaded_by.id if uploaded_by else None)
    session.add(stored)
    session.flush()
    return stored


def add_document(session: Session, order_id: int, doc_type: DocumentType, stored: StoredFile) -> OrderDocument:
    current = session.scalar(
        select(func.max(OrderDocument.version)).where(
            OrderDocument.order_id == order_id, OrderDocument.doc_type == doc_type
        )
    )
    document = OrderDocument(order_id=order_id, doc_type=doc_type, version=(current or 0) + 1, file=stored)
    session.add(document)
    session.flush()
    return document


def documents(session: Session, order_id: int) -> list[OrderDocument]:
    query = (
        select(OrderDocument)
        .where(OrderDocument.order_id == order_id)
        .order_by(OrderDocument.doc_type, OrderDocument.version.desc())
    )
    return list(session.scalars(query))


def latest_document(session: Session, order_id: int, doc_type: DocumentType) -> OrderDocument | None:
    query = (
        select(OrderDocument)
        .where(OrderDocument.order_id == order_id, OrderDocument.doc_type == doc_type)
        .order_by(OrderDocument.version.desc())
        .limit(1)
    )
    return session.scalar(query)


def clean_abstract_fields(fields: dict) -> dict:
    labels = {
        "title": N_("Judul / topik"), "background": N_("Latar belakang dan tujuan"), "method": N_("Metode"),
        "data_requested": N_("Data yang diminta"), "outputs": N_("Rencana keluaran"),
    }
    cleaned = {}
    for name in ABSTRACT_FIELDS:
        value = (fields.get(name) or "").strip()
        limit = 300 if name == "title" else MAX_TEXT  # the title column holds 300
        if not value:
            raise InvalidInput("Abstraksi: {field} wajib diisi.", field=labels[name])
        if len(value) > limit:
            raise InvalidInput("Abstraksi: {field} terlalu panjang (maksimal {n} karakter).",
                               field=labels[name], n=limit)
        cleaned[name] = value
    if not fields.get("no_redistribution"):
        raise InvalidInput("Abstraksi: centang pernyataan bahwa data tidak akan disebarluaskan.")
    cleaned["no_redistribution"] = True
    return cleaned


def add_abstract(session: Session, order_id: int, fields: dict, *, author: User | None,
                 attachment: OrderDocument | None) -> AbstractVersion:
    cleaned = clean_abstract_fields(fields)
    current = session.scalar(select(func.max(AbstractVersion.version)).where(AbstractVersion.order_id == order_id))
    abstract = AbstractVersion(order_id=order_id, version=(current or 0) + 1, attachment=attachment,
                               created_by_id=author.id if author else None, **cleaned)
    session.add(abstract)
    session.flush()
    return abstract


def abstracts(session: Session, order_id: int) -> list[AbstractVersion]:
    query = select(AbstractVersion).where(AbstractVersion.order_id == order_id).order_by(
        AbstractVersion.version.desc())
    return list(session.scalars(query))


def get_file(session: Session, file_id: int) -> StoredFile | None:
    return session.get(StoredFile, file_id)


def order_of_file(session: Session, file_id: int) -> int | None:
    """The order a stored file belongs to (through a document version), if any."""
    return session.scalar(select(OrderDocument.order_id).where(OrderDocument.file_id == file_id).limit(1))
