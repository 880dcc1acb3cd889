"""Order use cases: build, document, submit, review, return, accept, cancel.

Services take the session and never commit. Every status change goes through
:func:`_transition`, which asks the lifecycle, writes the audit event and
refuses to act on an order someone else changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from sales_service.accounts.models import User
from sales_service.catalog import services as catalog
from sales_service.clock import utcnow
from sales_service.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from sales_service.files import services as files
from sales_service.files.models import DocumentType
from sales_service.files.storage import FileStorage
from sales_service.orders.lifecycle import WITH_BUYER, Action, OrderStatus, next_status
from sales_service.orders.models import (
    Channel,
    IdentityDocument,
    LeaveDay,
    Order,
    OrderEvent,
    OrderLine,
    OrderLineVariable,
    QueueCounter,
    ReturnReason,
    WalkInVisit,
    ZeroRateClaim,
)
from sales_service.orders.requirements import (
    REQUIREMENT_LABELS,
    Requirement,
    RequirementCheck,
    check_requirements,
)
from sales_service.orders.sla import Pause, SlaStatus, WorkingCalendar, sla_status
from sales_service.pnbp import services as pnbp
from sales_service.pnbp.pricing import QuoteLine, quote_line
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import ZERO_RATE_SEGMENTS, BuyerSegment
from sales_service.roles import STAFF_ROLES, Role
from sales_service.sppd import services as sppd
from sales_service.text import clean_text

# Documents an officer can name when returning an order, beside the requirements.
RETURN_TOPICS = {
    Requirement.ABSTRACT.value: N_("Abstraksi penggunaan data"),
    Requirement.REQUEST_LETTER.value: N_("Surat permohonan tarif Rp0"),
    Requirement.NPWP.value: N_("NPWP perusahaan"),
    "variables": N_("Variabel yang diminta"),
    "purpose": N_("Tujuan penggunaan"),
    "other": N_("Lainnya"),
}
MAX_REASON = 2000


class OrderNotFound(NotFound):
    def __init__(self):
        super().__init__("Pesanan tidak ditemukan.")


class OrderChanged(Conflict):
    def __init__(self):
        super().__init__(
            "Pesanan ini baru saja diubah oleh pengguna lain. Muat ulang halaman untuk melihat keadaan "
            "terbaru; tindakan Anda tidak disimpan."
        )


class RequirementsMissing(Conflict):
    def __init__(self, missing: str):
        super().__init__("Persyaratan belum lengkap: {missing}.", missing=missing)


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (buyer or staff). The audit trail keeps name and role."""

    user: User

    @property
    def is_staff(self) -> bool:
        return self.user.role in STAFF_ROLES


# -- reading ----------------------------------------------------------------------

def _load(session: Session, order_id: int) -> Order:
    order = session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(selectinload(Order.lines).selectinload(OrderLine.variables), selectinload(Order.walk_in))
    )
    if order is None:
        raise OrderNotFound()
    return order


def get_order_for(session: Session, order_id: int, user: User) -> Order:
    """The order if ``user`` may see it: staff see every order, a buyer only their own
    (another buyer's order answers exactly like a missing one)."""
    order = _load(session, order_id)
    if user.role in STAFF_ROLES or order.buyer_id == user.id:
        return order
    raise OrderNotFound()


def buyer_orders(session: Session, buyer: User) -> list[Order]:
    query = (
        select(Order)
        .where(Order.buyer_id == buyer.id)
        .options(selectinload(Order.lines))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    return list(session.scalars(query))


def open_draft(session: Session, buyer: User) -> Order | None:
    query = select(Order).where(Order.buyer_id == buyer.id, Order.status == OrderStatus.DRAFT).order_by(
        Order.id.desc()).limit(1)
    return session.scalar(query)


def events(session: Session, order_id: int) -> list[OrderEvent]:
    query = (
        select(OrderEvent)
        .where(OrderEvent.order_id == order_id)
        .options(selectinload(OrderEvent.return_reasons))
        .order_by(OrderEvent.at, OrderEvent.id)
    )
    return list(session.scalars(query))


def latest_return(session: Session, order: Order) -> OrderEvent | None:
    """The officer's last return, shown to the buyer while the order is with them."""
    if order.status != OrderStatus.RETURNED:
        return None
    query = (
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.to_status == OrderStatus.RETURNED)
        .options(selectinload(OrderEvent.return_reasons))
        .order_by(OrderEvent.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- the audit trail and transitions -------------------------------------------------

def _record(session: Session, order: Order, actor: Actor | None, action: str, *,
            from_status: OrderStatus | None = None, to_status: OrderStatus | None = None,
            reason: str | None = None, details: dict | None = None, system: str = "sistem") -> OrderEvent:
    event = OrderEvent(
        order=order,
        actor_id=actor.user.id if actor else None,
        actor_name=actor.user.full_name if actor else system,
        actor_role=actor.user.role.value if actor else "system",
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    return event


def _check_version(order: Order, expected_version: int | None) -> None:
    if expected_version is not None and order.version != expected_version:
        raise OrderChanged()


def _flush(session: Session) -> None:
    """Write now, so a concurrent change to the same order surfaces here as a clear
    conflict (the version counter), not as a half-applied action."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise OrderChanged() from exc


def _transition(session: Session, order: Order, actor: Actor | None, action: Action, *,
                reason: str | None = None, details: dict | None = None,
                expected_version: int | None = None) -> OrderEvent:
    _check_version(order, expected_version)
    before = order.status
    after = next_status(before, action, zero_rated=order.zero_rate == ZeroRateClaim.APPROVED)
    order.status = after
    return _record(session, order, actor, action.value, from_status=before, to_status=after,
                   reason=reason, details=details)


def _require_owner_or_staff(order: Order, actor: Actor) -> None:
    """The buyer's side of an order: its owner, or an officer for a walk-in visitor
    (who has no account). Other staff see the order but do not act as its buyer."""
    if order.buyer_id is not None and order.buyer_id == actor.user.id:
        return
    if not actor.is_staff:
        raise OrderNotFound()  # another buyer's order answers like a missing one
    if order.channel != Channel.WALK_IN or actor.user.role not in (Role.OFFICER, Role.ADMIN):
        raise PermissionDenied("Tindakan ini dilakukan oleh pembeli sendiri.")


def _require_owner_or_officer(order: Order, actor: Actor) -> None:
    """Cancelling: the buyer, or an officer (with a reason)."""
    if order.buyer_id is not None and order.buyer_id == actor.user.id:
        return
    if not actor.is_staff:
        raise OrderNotFound()
    if actor.user.role not in (Role.OFFICER, Role.ADMIN):
        raise PermissionDenied("Hanya pembeli atau petugas yang dapat membatalkan pesanan.")


def _require_staff(actor: Actor, *roles: Role) -> None:
    if actor.user.role not in (roles or (Role.OFFICER, Role.ADMIN)):
        raise PermissionDenied("Hanya petugas yang dapat melakukan tindakan ini.")


def _require_editable(order: Order) -> None:
    if order.status not in WITH_BUYER:
        raise Conflict("Pesanan yang sedang diperiksa atau sudah diproses tidak dapat diubah.")


def _text(value: str | None, label: str, *, required: bool = True, max_length: int = MAX_REASON) -> str:
    return clean_text(value, label, required=required, max_length=max_length)


# -- building an order -----------------------------------------------------------------

def _line_from_quote(line: QuoteLine, product, *, on: date, estimated: bool, chosen) -> OrderLine:
    order_line = OrderLine(
        product_id=product.id, product_title=product.title, kind=product.kind, full_set=not estimated,
        schedule_code=line.schedule_code, regulation=line.regulation, item_code=line.item_code, rule=line.rule,
        quantity=line.quantity, unit_price=line.unit_price, normal_amount=line.normal_amount, amount=line.amount,
        basis=line.basis, waived=line.waived, waiver_basis=line.waiver_basis, priced_on=on,
        estimated_quantity=line.quantity if estimated else None,
        estimated_amount=line.normal_amount if estimated else None,
    )
    order_line.variables = [
        OrderLineVariable(position=position, name=v.name, label=v.label, byte_width=v.byte_width)
        for position, v in enumerate(chosen, start=1)
    ]
    return order_line


def _priced_line(session: Session, product_id: int, variable_ids: Sequence[int], *, on: date) -> OrderLine:
    product = catalog.get_product(session, product_id)
    priced = catalog.quote_product(session, product, on=on, variable_ids=variable_ids)
    return _line_from_quote(priced.quote.lines[0], product, on=on, estimated=priced.estimated,
                            chosen=priced.chosen_variables)


def add_to_order(session: Session, buyer: User, product_id: int, variable_ids: Sequence[int] = (), *,
                 on: date) -> Order:
    """Put a product (with chosen variables, for microdata) on the buyer's open draft,
    starting one if there is none."""
    if buyer.role != Role.BUYER:
        raise PermissionDenied("Hanya pembeli yang dapat membuat pesanan daring.")
    order = open_draft(session, buyer)
    line = _priced_line(session, product_id, variable_ids, on=on)
    if order is None:
        order = Order(channel=Channel.ONLINE, buyer_id=buyer.id, status=OrderStatus.DRAFT,
                      buyer_name=buyer.full_name, buyer_institution=buyer.institution,
                      segment=buyer.segment or BuyerSegment.INDIVIDUAL)
        session.add(order)
        order.lines = [line]
        _record(session, order, Actor(buyer), "create", to_status=OrderStatus.DRAFT)
    else:
        order.lines.append(line)
    _record(session, order, Actor(buyer), "add_line", details={"product": line.product_title,
                                                                "amount": line.amount})
    _flush(session)
    return order


def remove_line(session: Session, actor: Actor, order_id: int, line_id: int) -> Order:
    order = _load(session, order_id)
    _require_owner_or_staff(order, actor)
    if order.status != OrderStatus.DRAFT:
        raise Conflict("Produk hanya dapat dihapus dari pesanan yang masih draf.")
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise NotFound("Baris pesanan tidak ditemukan.")
    order.lines.remove(line)
    _record(session, order, actor, "remove_line", details={"product": line.product_title})
    _flush(session)
    return order


def update_details(session: Session, actor: Actor, order_id: int, *, purpose: str, commercial: bool,
                   claim_zero_rate: bool, expected_version: int | None = None) -> Order:
    """The stated purpose of use, commercial or not, and an Rp0 claim where the segment allows it."""
    order = _load(session, order_id)
    _require_owner_or_staff(order, actor)
    _require_editable(order)
    _check_version(order, expected_version)
    purpose = _text(purpose, N_("Tujuan penggunaan data"), max_length=MAX_REASON)
    if claim_zero_rate:
        if order.segment not in ZERO_RATE_SEGMENTS:
            raise InvalidInput("Tarif Rp0 hanya untuk instansi pemerintah, lembaga pendidikan dalam negeri, "
                               "perwakilan negara asing dan organisasi internasional.")
        if commercial:
            raise InvalidInput("Tarif Rp0 hanya untuk penggunaan nonkomersial.")
    if order.zero_rate == ZeroRateClaim.REFUSED and claim_zero_rate:
        raise Conflict("Permohonan tarif Rp0 untuk pesanan ini sudah ditolak petugas.")
    before = (order.purpose, order.commercial, order.zero_rate.value)
    if order.zero_rate == ZeroRateClaim.APPROVED and (commercial or not claim_zero_rate):
        # The waiver was granted for non-commercial use: it goes with that use.
        for line in order.lines:
            line.amount, line.waived, line.waiver_basis = line.normal_amount, False, None
        order.zero_rate, order.zero_rate_basis = ZeroRateClaim.NONE, None
        _record(session, order, actor, "zero_rate_withdrawn", details={"total": order.total})
    order.purpose = purpose
    order.commercial = commercial
    if order.zero_rate in (ZeroRateClaim.NONE, ZeroRateClaim.PENDING):
        order.zero_rate = ZeroRateClaim.PENDING if claim_zero_rate else ZeroRateClaim.NONE
    if before != (order.purpose, order.commercial, order.zero_rate.value):
        _record(session, order, actor, "update_details",
                details={"commercial": commercial, "zero_rate": order.zero_rate.value})
    _flush(session)
    return order


# -- documents ---------------------------------------------------------------------------

def save_abstract(session: Session, actor: Actor, order_id: int, fields: dict, storage: FileStorage, *,
                  attachment: tuple[bytes, str] | None = None, max_bytes: int) -> Order:
    """A new version of the abstract (form fields, plus an optional attached file)."""
    order = _load(session, order_id)
    _require_owner_or_staff(order, actor)
    _require_editable(order)
    if not NEEDS_ABSTRACT_KINDS & order.kinds:
        raise Conflict("Pesanan ini tidak memerlukan abstraksi (hanya publikasi).")
    sppd.clean_abstract_fields(fields)  # refuse bad fields before storing any file
    attached = None
    if attachment is not None:
        stored = files.store_file(session, storage, data=attachment[0], filename=attachment[1],
                                      max_bytes=max_bytes, uploaded_by=actor.user)
        attached = files.add_document(session, order.id, DocumentType.ABSTRACT_ATTACHMENT, stored)
    abstract = sppd.add_abstract(session, order.id, fields, author=actor.user, attachment=attached)
    _record(session, order, actor, "abstract", details={"version": abstract.version,
                                                        "file": attached.file.filename if attached else None})
    _flush(session)
    return order


NEEDS_ABSTRACT_KINDS = frozenset({ProductKind.MICRODATA, ProductKind.MAP})


def upload_document(session: Session, actor: Actor, order_id: int, doc_type: DocumentType, data: bytes,
                    filename: str, storage: FileStorage, *, max_bytes: int) -> Order:
    order = _load(session, order_id)
    _require_owner_or_staff(order, actor)
    if doc_type != DocumentType.REQUEST_LETTER:
        raise InvalidInput("Jenis dokumen ini tidak diunggah di sini.")
    _require_editable(order)
    stored = files.store_file(session, storage, data=data, filename=filename, max_bytes=max_bytes,
                                  uploaded_by=actor.user)
    document = files.add_document(session, order.id, doc_type, stored)
    _record(session, order, actor, "upload", details={"document": doc_type.value, "version": document.version,
                                                      "file": stored.filename})
    _flush(session)
    return order


def requirement_checks(session: Session, order: Order, buyer: User | None = None) -> list[RequirementCheck]:
    buyer = buyer if buyer is not None else (session.get(User, order.buyer_id) if order.buyer_id else None)
    return check_requirements(
        kinds=order.kinds,
        zero_rate_claimed=order.zero_rate in (ZeroRateClaim.PENDING, ZeroRateClaim.APPROVED),
        needs_npwp=order.segment == BuyerSegment.PRIVATE_COMPANY and order.channel == Channel.ONLINE,
        has_npwp=bool(buyer and buyer.npwp),
        has_abstract=bool(sppd.abstracts(session, order.id)),
        has_request_letter=files.latest_document(session, order.id, DocumentType.REQUEST_LETTER) is not None,
    )


# -- submit, review, return, accept -------------------------------------------------------

def _budget_days(order: Order, sla_days: dict[ProductKind, int]) -> int:
    return max(sla_days.get(kind, 10) for kind in order.kinds)


def submit(session: Session, actor: Actor, order_id: int, *, today: date, sla_days: dict[ProductKind, int],
           expected_version: int | None = None) -> Order:
    """Send the order (again) to the officers. The SLA clock starts the first time the
    requirements are complete and resumes on every resubmission."""
    order = _load(session, order_id)
    _require_owner_or_staff(order, actor)
    _check_version(order, expected_version)
    if not order.lines:
        raise Conflict("Pesanan belum berisi produk.")
    if not order.purpose.strip():
        raise Conflict("Isi dulu tujuan penggunaan data.")
    if order.zero_rate == ZeroRateClaim.REFUSED:
        raise Conflict("Permohonan tarif Rp0 ditolak: pilih lanjut dengan tarif penuh atau batalkan pesanan.")
    missing = [check.requirement for check in requirement_checks(session, order) if not check.met]
    if missing:
        raise RequirementsMissing(", ".join(REQUIREMENT_LABELS[r] for r in missing))
    _transition(session, order, actor, Action.SUBMIT)
    order.submitted_at = utcnow()
    if order.requirements_complete_on is None:
        order.requirements_complete_on = today
        order.sla_budget_days = _budget_days(order, sla_days)
    _flush(session)
    return order


def return_order(session: Session, actor: Actor, order_id: int, reasons: dict[str, str], *,
                 expected_version: int | None = None) -> Order:
    """Send the order back to the buyer, saying per document what is wrong."""
    _require_staff(actor)
    order = _load(session, order_id)
    cleaned = {}
    for topic, reason in reasons.items():
        if topic not in RETURN_TOPICS:
            raise InvalidInput("Dokumen yang dikembalikan tidak dikenal: {topic}.", topic=topic)
        text = (reason or "").strip()
        if text:
            cleaned[topic] = _text(text, RETURN_TOPICS[topic])
    if not cleaned:
        raise InvalidInput("Tulis sedikitnya satu alasan: dokumen mana dan apa yang perlu diperbaiki.")
    event = _transition(session, order, actor, Action.RETURN, expected_version=expected_version,
                        reason="; ".join(cleaned.values()))
    event.return_reasons = [ReturnReason(document=topic, reason=text) for topic, text in cleaned.items()]
    _flush(session)
    return order


def accept(session: Session, actor: Actor, order_id: int, *, expected_version: int | None = None) -> Order:
    _require_staff(actor)
    order = _load(session, order_id)
    _check_version(order, expected_version)
    if order.zero_rate == ZeroRateClaim.PENDING:
        raise Conflict("Putuskan dulu permohonan tarif Rp0 (setujui atau tolak).")
    _transition(session, order, actor, Action.ACCEPT)
    _flush(session)
    return order


def decide_zero_rate(session: Session, actor: Actor, order_id: int, *, approve: bool, note: str = "",
                     expected_version: int | None = None) -> Order:
    """Approve the Rp0 claim (the lines are waived and keep their normal price and the
    legal basis) or refuse it (the order goes back to the buyer to choose)."""
    _require_staff(actor)
    order = _load(session, order_id)
    _check_version(order, expected_version)
    if order.status != OrderStatus.SUBMITTED or order.zero_rate != ZeroRateClaim.PENDING:
        raise Conflict("Tidak ada permohonan tarif Rp0 yang menunggu keputusan pada pesanan ini.")
    if approve:
        basis = None
        for line in order.lines:
            schedule = pnbp.schedule_in_force(session, line.priced_on)
            basis = schedule.zero_rate.legal_basis
            line.amount, line.waived, line.waiver_basis = 0, True, basis
        order.zero_rate = ZeroRateClaim.APPROVED
        order.zero_rate_basis = basis
        _record(session, order, actor, "approve_zero_rate", reason=note.strip() or None,
                details={"legal_basis": basis, "normal_total": order.normal_total})
    else:
        reason = _text(note, N_("Alasan penolakan"))
        order.zero_rate = ZeroRateClaim.REFUSED
        event = _transition(session, order, actor, Action.RETURN, reason=reason,
                            details={"zero_rate": "refused"})
        event.return_reasons = [ReturnReason(document=Requirement.REQUEST_LETTER.value, reason=reason)]
    _flush(session)
    return order


def continue_at_full_price(session: Session, actor: Actor, order_id: int, *,
                           expected_version: int | None = None) -> Order:
    """After a refused Rp0 claim the buyer chooses to pay the full price (then resubmits)."""
    order = _load(session, order_id)
    _require_owner_or_staff(order, actor)
    _check_version(order, expected_version)
    if order.zero_rate != ZeroRateClaim.REFUSED or order.status != OrderStatus.RETURNED:
        raise Conflict("Pilihan ini hanya ada setelah permohonan tarif Rp0 ditolak.")
    order.zero_rate = ZeroRateClaim.NONE
    _record(session, order, actor, "continue_full_price", details={"total": order.total})
    _flush(session)
    return order


INVOICED_STATES = frozenset({OrderStatus.INVOICED, OrderStatus.CORRECTION_REQUESTED})


def cancel(session: Session, actor: Actor, order_id: int, *, reason: str = "",
           expected_version: int | None = None, _invoice_voided: bool = False) -> Order:
    """The buyer may cancel before paying; an officer cancels with a reason."""
    order = _load(session, order_id)
    _require_owner_or_officer(order, actor)
    if order.status in INVOICED_STATES and not _invoice_voided:
        # The invoice and its billing code must be voided with it (invoices.cancel_invoiced_order),
        # or a payment could still arrive for a cancelled order.
        raise Conflict("Pesanan yang sudah ber-invoice dibatalkan oleh petugas bersama invoicenya.")
    if actor.is_staff:
        reason = _text(reason, N_("Alasan pembatalan"))
    else:
        reason = _text(reason, N_("Alasan pembatalan"), required=False) or None
    _transition(session, order, actor, Action.CANCEL, reason=reason, expected_version=expected_version)
    order.cancel_reason = reason
    _flush(session)
    return order


def set_final_size(session: Session, actor: Actor, order_id: int, line_id: int, size_bytes: int, *,
                   source: str = "typed", expected_version: int | None = None) -> OrderLine:
    """Record the size of the prepared extract for a variable subset; the line is
    re-priced under the schedule it was first priced with, the estimate kept beside it."""
    _require_staff(actor)
    order = _load(session, order_id)
    _check_version(order, expected_version)
    if order.status not in (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED):
        raise Conflict("Ukuran akhir dicatat setelah pesanan diajukan dan sebelum invoice terbit.")
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise NotFound("Baris pesanan tidak ditemukan.")
    if line.full_set:
        raise Conflict("Set lengkap sudah dihargai dengan ukuran sebenarnya.")
    if isinstance(size_bytes, bool) or not isinstance(size_bytes, int) or size_bytes <= 0:
        raise InvalidInput("Ukuran ekstrak harus bilangan bulat byte yang lebih dari nol.")
    schedule = pnbp.schedule_in_force(session, line.priced_on)
    priced = quote_line(schedule, line.item_code, size_bytes, zero_rate=line.waived)
    before = {"quantity": line.quantity, "amount": line.amount}
    line.quantity, line.normal_amount, line.amount, line.basis = (
        priced.quantity, priced.normal_amount, priced.amount, priced.basis)
    line.final_size_set_at = utcnow()
    _record(session, order, actor, "final_size", details={
        "line": line.id, "product": line.product_title, "source": source, "before": before,
        "after": {"quantity": line.quantity, "amount": line.amount},
        "estimate": {"quantity": line.estimated_quantity, "amount": line.estimated_amount},
    })
    _flush(session)
    return line


# -- walk-in buyers -----------------------------------------------------------------------------

def _next_queue_number(session: Session, day: date) -> int:
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
    _require_staff(actor)
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
        name=_text(guest.get("name"), N_("Nama tamu"), max_length=200),
        identity_type=identity_type,
        identity_number=_text(guest.get("identity_number"), N_("Nomor identitas"), max_length=40),
        institution=_text(guest.get("institution"), N_("Instansi"), required=False, max_length=200) or None,
        email=_text(guest.get("email"), N_("E-mail"), required=False, max_length=254) or None,
        phone=_text(guest.get("phone"), N_("Telepon"), required=False, max_length=40) or None,
        purpose=_text(guest.get("purpose"), N_("Tujuan penggunaan data")),
        segment=segment,
        officer_id=actor.user.id,
    )
    lines = [_priced_line(session, product_id, (), on=today) for product_id in product_ids]
    order = Order(channel=Channel.WALK_IN, walk_in=visit, status=OrderStatus.DRAFT, buyer_name=visit.name,
                  buyer_institution=visit.institution, segment=segment, purpose=visit.purpose,
                  commercial=True, lines=lines)
    visit.queue_number = _next_queue_number(session, today)
    session.add(order)
    _record(session, order, actor, "create_walk_in", to_status=OrderStatus.DRAFT,
            details={"queue_number": visit.queue_number, "visit_date": today.isoformat()})
    _flush(session)
    return order


# -- SLA clock, queue ---------------------------------------------------------------------------

def calendar(session: Session) -> WorkingCalendar:
    return WorkingCalendar(session.scalars(select(LeaveDay.day)))


# After submission the ball is in the buyer's court while the order is returned for
# correction or waits for the buyer to pay (or to check the invoice and SPPD).
BUYERS_TURN = frozenset({OrderStatus.RETURNED, OrderStatus.INVOICED})


def _pauses(order_events: Sequence[OrderEvent], started: date, to_local) -> list[Pause]:
    pauses: list[Pause] = []
    open_start: date | None = None
    for event in order_events:
        if event.to_status is None:
            continue
        day = to_local(event.at)
        if event.to_status in BUYERS_TURN and open_start is None:
            open_start = max(day, started)
        elif event.to_status not in BUYERS_TURN and open_start is not None:
            pauses.append(Pause(open_start, max(day, open_start)))
            open_start = None
    if open_start is not None:
        pauses.append(Pause(open_start, None))
    return pauses


def sla_for(order: Order, order_events: Sequence[OrderEvent], cal: WorkingCalendar, *, today: date,
            to_local) -> SlaStatus | None:
    """The order's SLA status, or None before the requirements were complete or once it
    no longer runs (cancelled, delivered, completed)."""
    if order.requirements_complete_on is None or order.status in (
            OrderStatus.CANCELLED, OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.DRAFT):
        return None
    pauses = _pauses(order_events, order.requirements_complete_on, to_local)
    return sla_status(cal, started=order.requirements_complete_on, budget_days=order.sla_budget_days or 10,
                      pauses=pauses, today=today)


@dataclass(frozen=True)
class QueueRow:
    order: Order
    sla: SlaStatus | None


def officer_queue(session: Session, *, today: date, to_local, statuses: Sequence[OrderStatus] = (),
                  kind: ProductKind | None = None, channel: Channel | None = None, text: str = "",
                  overdue_only: bool = False) -> list[QueueRow]:
    """Orders needing staff, oldest first, each with its SLA deadline and days left."""
    query = select(Order).options(selectinload(Order.lines))
    if statuses:
        query = query.where(Order.status.in_(statuses))
    else:
        query = query.where(Order.status.not_in([OrderStatus.DRAFT, OrderStatus.CANCELLED,
                                                 OrderStatus.COMPLETED]))
    if kind is not None:
        query = query.where(Order.id.in_(select(OrderLine.order_id).where(OrderLine.kind == kind)))
    if channel is not None:
        query = query.where(Order.channel == channel)
    for word in text.split()[:5]:
        pattern = f"%{word.lower()}%"
        conditions = [func.lower(Order.buyer_name).like(pattern),
                      func.lower(func.coalesce(Order.buyer_institution, "")).like(pattern),
                      Order.id.in_(select(OrderLine.order_id).where(func.lower(OrderLine.product_title).like(pattern)))]
        digits = word.rsplit("-", 1)[-1]
        if digits.isascii() and digits.isdigit() and len(digits) <= 12:
            conditions.append(Order.id == int(digits))
        query = query.where(or_(*conditions))
    orders = list(session.scalars(query.order_by(Order.submitted_at.asc().nulls_last(), Order.id)))
    if not orders:
        return []
    all_events = session.scalars(select(OrderEvent).where(OrderEvent.order_id.in_([o.id for o in orders]))
                                 .order_by(OrderEvent.at, OrderEvent.id))
    by_order: dict[int, list[OrderEvent]] = {}
    for event in all_events:
        by_order.setdefault(event.order_id, []).append(event)
    cal = calendar(session)
    rows = [QueueRow(o, sla_for(o, by_order.get(o.id, []), cal, today=today, to_local=to_local)) for o in orders]
    if overdue_only:
        rows = [row for row in rows if row.sla is not None and row.sla.overdue]
    # Most urgent first: earliest deadline, paused ones (with the buyer) after running ones.
    return sorted(rows, key=lambda r: (r.sla is None or r.sla.deadline is None,
                                       r.sla.deadline if r.sla and r.sla.deadline else date.max,
                                       r.order.id))


# -- office leave days ---------------------------------------------------------------------------

def leave_days(session: Session) -> list[LeaveDay]:
    return list(session.scalars(select(LeaveDay).order_by(LeaveDay.day.desc())))


def add_leave_day(session: Session, actor: Actor, day: date, note: str) -> LeaveDay:
    _require_staff(actor, Role.ADMIN)
    note = _text(note, N_("Keterangan"), max_length=200)
    if session.scalar(select(LeaveDay.id).where(LeaveDay.day == day)) is not None:
        raise Conflict("Tanggal {day} sudah tercatat sebagai hari cuti kantor.", day=day.isoformat())
    leave = LeaveDay(day=day, note=note, created_by=actor.user.full_name)
    session.add(leave)
    session.flush()
    return leave


def remove_leave_day(session: Session, actor: Actor, leave_id: int) -> None:
    _require_staff(actor, Role.ADMIN)
    leave = session.get(LeaveDay, leave_id)
    if leave is None:
        raise NotFound("Hari cuti tidak ditemukan.")
    session.delete(leave)
    session.flush()


def microdata_requested_variables(order: Order) -> list[tuple[str, list[OrderLineVariable] | None]]:
    """Per microdata line: its title and chosen variables (None = the full set), shown
    beside the abstract so the officer can judge whether they fit."""
    return [(line.product_title, list(line.variables) if not line.full_set else None)
            for line in order.lines if line.kind == ProductKind.MICRODATA]

