"""Walk-in visitors: the guest book at the counter, with the day's queue number, and
the order the officer makes for the visitor. Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sales_service.errors import N_, InvalidInput
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Channel, IdentityDocument, Order, QueueCounter, WalkInVisit
from sales_service.orders.ordering import priced_line
from sales_service.orders.workflow import Actor, record, save
from sales_service.pnbp.segments import BuyerSegment
from sales_service.text import MAX_REASON, clean_text


def next_queue_number(session: Session, day: date) -> int:
    """The day's next number: an atomic UPDATE ... RETURNING on the day's counter row,
    so two officers at the same moment queue on its lock and never share a number."""
    bump = (update(QueueCounter).where(QueueCounter.day == day)
            .values(last_number=QueueCounter.last_number + 1).returning(QueueCounter.last_number))
    number = session.execute(bump).scalar()
    if number is None:
        try:
            with session.begin_nested():  # after the UPDATE above: inside the transaction
                session.execute(insert(QueueCounter).values(day=day, last_number=0))
        except IntegrityError:
            pass  # another officer opened the day's counter first
        number = session.execute(bump).scalar_one()
    return number


def create_walk_in(session: Session, actor: Actor, guest: dict, products: Iterable[int], *, today: date) -> Order:
    """The officer fills the guest book for a visitor at the counter and orders for them.
    Walk-in microdata is the full set only (variables are chosen online)."""
    actor.require_officer()
    try:
        identity_type = IdentityDocument(guest.get("identity_type"))
        segment = BuyerSegment(guest.get("segment") or BuyerSegment.INDIVIDUAL)
    except ValueError:
        raise InvalidInput("Jenis identitas atau segmen tamu tidak dikenal.") from None
    product_ids = list(dict.fromkeys(products))
    if not product_ids:
        raise InvalidInput("Pilih sedikitnya satu produk.")
    visit = WalkInVisit(
        visit_date=today,
        name=clean_text(guest.get("name"), N_("Nama tamu"), max_length=200),
        identity_type=identity_type,
        identity_number=clean_text(guest.get("identity_number"), N_("Nomor identitas"), max_length=40),
        institution=clean_text(guest.get("institution"), N_("Instansi"), required=False, max_length=200) or None,
        email=clean_text(guest.get("email"), N_("E-mail"), required=False, max_length=254) or None,
        phone=clean_text(guest.get("phone"), N_("Telepon"), required=False, max_length=40) or None,
        purpose=clean_text(guest.get("purpose"), N_("Tujuan penggunaan data"), max_length=MAX_REASON),
        segment=segment,
        officer_id=actor.user.id,
    )
    lines = [priced_line(session, product_id, (), on=today) for product_id in product_ids]
    order = Order(channel=Channel.WALK_IN, walk_in=visit, status=OrderStatus.DRAFT, buyer_name=visit.name,
                  buyer_institution=visit.institution, segment=segment, purpose=visit.purpose,
                  commercial=True, lines=lines)
    visit.queue_number = next_queue_number(session, today)
    session.add(order)
    record(session, order, actor, "create_walk_in", to_status=OrderStatus.DRAFT,
            details={"queue_number": visit.queue_number, "visit_date": today.isoformat()})
    save(session)
    return order
