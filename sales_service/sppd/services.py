"""The abstract of data use: versions, never overwritten. Never commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sales_service.accounts.models import User
from sales_service.errors import N_, InvalidInput
from sales_service.files.models import OrderDocument
from sales_service.sppd.models import ABSTRACT_FIELDS, AbstractVersion

MAX_TEXT = 5000


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


