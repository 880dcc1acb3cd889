"""Walk-in visitors: the guest book at the counter, with the day's queue number, the order
the officer makes for the visitor, and the counter's clock (called, served) that measures
the service standard's promise. Never commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sales_service.accounts.npwp import normalise_npwp
from sales_service.accounts.services import normalise_email
from sales_service.clock import aware
from sales_service.errors import N_, Conflict, InvalidInput, NotFound
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.models import Channel, IdentityDocument, Order, QueueCounter, WalkInVisit
from sales_service.orders.ordering import priced_line
from sales_service.orders.search import index_order
from sales_service.orders.workflow import Actor, record, save
from sales_service.orm import next_number
from sales_service.pnbp.segments import BuyerSegment
from sales_service.text import MAX_REASON, clean_text

# Both service standards (SK BPS Kota Sorong B-206A/92710/TS.110/03/2024; BPS Kabupaten Klaten
# 16.2/2024): a walk-in visitor is served within 10 minutes of their queue turn.
SERVICE_PROMISE = timedelta(minutes=10)


class VisitNotFound(NotFound):
    def __init__(self):
        super().__init__("Tamu loket tidak ditemukan.")


class AlreadyCalled(Conflict):
    def __init__(self, number: int):
        super().__init__("Nomor antrean {number} sudah dipanggil.", number=number)


class NotCalledYet(Conflict):
    def __init__(self, number: int):
        super().__init__("Panggil nomor antrean {number} dahulu, baru catat selesai dilayani.", number=number)


class AlreadyServed(Conflict):
    def __init__(self, number: int):
        super().__init__("Tamu nomor antrean {number} sudah tercatat selesai dilayani.", number=number)


def next_queue_number(session: Session, day: date) -> int:
    """The day's next number: two officers at the same moment never share one (``orm.next_number``)."""
    return next_number(session, QueueCounter, {"day": day}, "last_number")


def _visitor(guest: Mapping[str, str], actor: Actor, today: date) -> WalkInVisit:
    """The guest book entry as typed, refused field by field. Both service standards ask every
    visitor for an identity card and an active e-mail address; a company, as online, its NPWP."""
    try:
        identity_type = IdentityDocument(guest.get("identity_type"))
        segment = BuyerSegment(guest.get("segment") or BuyerSegment.INDIVIDUAL)
    except ValueError:
        raise InvalidInput("Jenis identitas atau segmen tamu tidak dikenal.") from None
    institution = clean_text(guest.get("institution"), N_("Instansi"), required=False, max_length=200) or None
    npwp = None
    if segment == BuyerSegment.PRIVATE_COMPANY:
        if not institution:
            raise InvalidInput("Nama perusahaan wajib diisi untuk tamu dari perusahaan swasta.")
        npwp = normalise_npwp(guest.get("npwp", ""))
    elif (guest.get("npwp") or "").strip():
        npwp = normalise_npwp(guest["npwp"])
    return WalkInVisit(
        visit_date=today,
        name=clean_text(guest.get("name"), N_("Nama tamu"), max_length=200),
        identity_type=identity_type,
        identity_number=clean_text(guest.get("identity_number"), N_("Nomor identitas"), max_length=40),
        institution=institution,
        email=normalise_email(clean_text(guest.get("email"), N_("E-mail"), max_length=254)),
        phone=clean_text(guest.get("phone"), N_("Telepon"), required=False, max_length=40) or None,
        npwp=npwp,
        purpose=clean_text(guest.get("purpose"), N_("Tujuan penggunaan data"), max_length=MAX_REASON),
        segment=segment,
        officer_id=actor.user.id,
    )


def _use(guest: Mapping[str, str]) -> bool:
    """Commercial use or not, as the visitor says ("1" or "0"): never preset, as for an online buyer."""
    use = {"1": True, "0": False}.get(guest.get("commercial") or "")
    if use is None:
        raise InvalidInput("Pilih penggunaan data tamu: komersial atau nonkomersial.")
    return use


def create_walk_in(session: Session, actor: Actor, guest: Mapping[str, str], products: Iterable[int], *,
                   today: date, variables: Mapping[int, Sequence[int]] | None = None) -> Order:
    """The officer fills the guest book for a visitor at the counter and orders for them.
    Microdata is the full set, or the variables chosen for it in ``variables`` (product id to
    variable ids), as both service standards offer walk-in visitors."""
    actor.require_officer()
    visit = _visitor(guest, actor, today)
    product_ids = list(dict.fromkeys(products))
    if not product_ids:
        raise InvalidInput("Pilih sedikitnya satu produk.")
    chosen = variables or {}
    lines = [priced_line(session, product_id, chosen.get(product_id, ()), on=today) for product_id in product_ids]
    order = Order(channel=Channel.WALK_IN, walk_in=visit, status=OrderStatus.DRAFT, buyer_name=visit.name,
                  buyer_institution=visit.institution, segment=visit.segment, purpose=visit.purpose,
                  commercial=_use(guest), lines=lines)
    visit.queue_number = next_queue_number(session, today)
    session.add(order)
    record(session, order, actor, "create_walk_in", to_status=OrderStatus.DRAFT,
           details={"queue_number": visit.queue_number, "visit_date": today.isoformat()})
    save(session)
    index_order(session, order)
    return order


# -- the counter's clock ----------------------------------------------------------------------

def _visit(session: Session, visit_id: int) -> WalkInVisit:
    visit = session.get(WalkInVisit, visit_id)
    if visit is None:
        raise VisitNotFound()
    return visit


def call_visitor(session: Session, actor: Actor, visit_id: int, *, now: datetime) -> WalkInVisit:
    """The officer calls the visitor's number: their queue turn, when the promise starts."""
    actor.require_officer()
    visit = _visit(session, visit_id)
    if visit.called_at is not None:
        raise AlreadyCalled(visit.queue_number)
    visit.called_at = now
    session.flush()
    return visit


def mark_served(session: Session, actor: Actor, visit_id: int, *, now: datetime) -> WalkInVisit:
    """The visitor has been served: the end of the promised 10 minutes."""
    actor.require_officer()
    visit = _visit(session, visit_id)
    if visit.called_at is None:
        raise NotCalledYet(visit.queue_number)
    if visit.served_at is not None:
        raise AlreadyServed(visit.queue_number)
    visit.served_at = now
    session.flush()
    return visit


def _minutes(span: timedelta | None) -> int | None:
    """Whole minutes, a started one counted: 10 min 30 s is shown as 11, beyond the promise."""
    return None if span is None else -(-int(span.total_seconds()) // 60)


@dataclass(frozen=True)
class GuestBookEntry:
    """One visitor in the guest book, with the order made for them and the counter's clock."""

    visit: WalkInVisit
    order: Order

    @property
    def waited(self) -> timedelta | None:
        """From arrival (the guest book entry) to the queue turn."""
        if self.visit.called_at is None:
            return None
        return aware(self.visit.called_at) - aware(self.visit.created_at)

    @property
    def service_time(self) -> timedelta | None:
        """From the queue turn to served: what the 10-minute promise measures."""
        if self.visit.called_at is None or self.visit.served_at is None:
            return None
        return aware(self.visit.served_at) - aware(self.visit.called_at)

    @property
    def waited_minutes(self) -> int | None:
        return _minutes(self.waited)

    @property
    def service_minutes(self) -> int | None:
        return _minutes(self.service_time)

    @property
    def within_promise(self) -> bool | None:
        """Served within the promise (True), not (False), or not yet served (None)."""
        span = self.service_time
        return None if span is None else span <= SERVICE_PROMISE

    @property
    def may_call(self) -> bool:
        return self.visit.called_at is None

    @property
    def may_mark_served(self) -> bool:
        return self.visit.called_at is not None and self.visit.served_at is None


def _entries(session: Session, *conditions) -> list[GuestBookEntry]:
    query = (select(Order).join(WalkInVisit, Order.walk_in_id == WalkInVisit.id).where(*conditions)
             .options(selectinload(Order.walk_in))
             .order_by(WalkInVisit.visit_date, WalkInVisit.queue_number))
    return [GuestBookEntry(order.walk_in, order) for order in session.scalars(query)]


def guest_book(session: Session, day: date) -> list[GuestBookEntry]:
    """The day's visitors in queue order, each with their order's status."""
    return _entries(session, WalkInVisit.visit_date == day)


def open_walk_in_drafts(session: Session, *, before: date) -> list[GuestBookEntry]:
    """Walk-in orders of earlier days still drafts: never submitted, so in no other staff list."""
    return _entries(session, WalkInVisit.visit_date < before, Order.status == OrderStatus.DRAFT)


def visit_with_order(session: Session, visit_id: int) -> GuestBookEntry:
    """One visitor and their order (the queue ticket prints both)."""
    entries = _entries(session, WalkInVisit.id == visit_id)
    if not entries:
        raise VisitNotFound()
    return entries[0]
