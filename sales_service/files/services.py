"""Storing uploads and keeping versions of an order's documents. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from sales_service.accounts.models import User
from sales_service.files.models import DocumentType, OrderDocument, StoredFile
from sales_service.files.storage import FileStorage
from sales_service.files.uploads import check_upload


def store_file(session: Session, storage: FileStorage, *, data: bytes, filename: str, max_bytes: int,
               uploaded_by: User | None) -> StoredFile:
    """Check the upload by content, then keep it; a refused upload stores nothing. What is
    kept is what the check hands back (an image re-encoded without metadata or trailing
    bytes), and the row's size and SHA-256 are of exactly those bytes."""
    checked = check_upload(data, filename, max_bytes=max_bytes)
    key = storage.put(checked.data)
    assert key == checked.sha256  # one hash for the row and the file, whatever the check returned
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
    """Every version of every document of the order, newest version first per type, each with its
    stored file (its name is shown beside the link), in one statement however many there are."""
    query = (
        select(OrderDocument)
        .where(OrderDocument.order_id == order_id)
        .options(joinedload(OrderDocument.file, innerjoin=True))
        .order_by(OrderDocument.doc_type, OrderDocument.version.desc())
    )
    return list(session.scalars(query))


def newest(documents: Sequence[OrderDocument], doc_type: DocumentType) -> OrderDocument | None:
    """The newest version of ``doc_type`` among ``documents`` already read (as :func:`documents` lists them)."""
    return max((d for d in documents if d.doc_type == doc_type), key=lambda d: d.version, default=None)


def latest_document(session: Session, order_id: int, doc_type: DocumentType) -> OrderDocument | None:
    query = (
        select(OrderDocument)
        .where(OrderDocument.order_id == order_id, OrderDocument.doc_type == doc_type)
        .order_by(OrderDocument.version.desc())
        .limit(1)
    )
    return session.scalar(query)


def get_file(session: Session, file_id: int) -> StoredFile | None:
    return session.get(StoredFile, file_id)


def order_of_file(session: Session, file_id: int) -> int | None:
    """The order a stored file belongs to (through a document version), if any."""
    return session.scalar(select(OrderDocument.order_id).where(OrderDocument.file_id == file_id).limit(1))
