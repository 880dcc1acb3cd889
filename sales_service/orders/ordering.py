"""Ordering: build an order, state its use, add the abstract and letters, submit, cancel.

Services take the session and never commit. Every status change goes through the
public workflow (``orders.workflow``), and every permission through ``Actor.require``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sales_service.accounts.models import Domicile, User
from sales_service.catalog import services as catalog
from sales_service.clock import aware, utcnow
from sales_service.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from sales_service.files import services as files
from sales_service.files.models import DocumentType, OrderDocument
from sales_service.files.storage import FileStorage
from sales_service.orders import workflow
from sales_service.orders.lifecycle import Action, OrderStatus
from sales_service.orders.models import Channel, Order, OrderEvent, OrderLine, OrderLineVariable, ZeroRateClaim
from sales_service.orders.requirements import (
    REQUIREMENT_LABELS,
    Requirement,
    RequirementCheck,
    check_requirements,
)
from sales_service.orders.search import index_order
from sales_service.orders.workflow import (
    Actor,
    Do,
    apply,
    load_order,
    mark_cancelled,
    record,
    save,
)
from sales_service.pnbp import services as pnbp
from sales_service.pnbp.pricing import QuoteLine
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import (
    ZERO_RATE_SEGMENTS,
    BuyerSegment,
    ClaimRoute,
    ZeroRatePurpose,
    claim_route,
)
from sales_service.roles import Role
from sales_service.sppd import services as sppd
from sales_service.sppd.models import AbstractVersion
from sales_service.text import MAX_REASON, clean_text


class RequirementsMissing(Conflict):
    def __init__(self, missing: str):
        super().__init__("Persyaratan belum lengkap: {missing}.", missing=missing)


def open_draft(session: Session, buyer: User) -> Order | None:
    query = select(Order).where(Order.buyer_id == buyer.id, Order.status == OrderStatus.DRAFT).order_by(
        Order.id.desc()).limit(1)
    return session.scalar(query)


def latest_return(session: Session, order: Order, events: Sequence[OrderEvent] | None = None) -> OrderEvent | None:
    """The officer's last return, shown to the buyer while the order is with them. ``events``: the
    order's timeline when the caller has read it already (the order page), so it is not read again."""
    if order.status != OrderStatus.RETURNED:
        return None
    if events is None:
        events = workflow.events(session, order.id)
    return max((e for e in events if e.to_status == OrderStatus.RETURNED), key=lambda e: e.id, default=None)


def line_from_quote(line: QuoteLine, product, *, on: date, estimated: bool, chosen) -> OrderLine:
    order_line = OrderLine(
        product_id=product.id, product_title=product.title, kind=product.kind, full_set=not estimated,
        schedule_code=line.schedule_code, regulation=line.regulation, item_code=line.item_code,
        item_name=line.item_name_id, rule=line.rule,
        quantity=line.quantity, unit_price=line.unit_price, normal_amount=line.normal_amount, amount=line.amount,
        basis=line.basis, basis_en=line.basis_en, waived=line.waived, waiver_basis=line.waiver_basis,
        priced_on=on,
        estimated_quantity=line.quantity if estimated else None,
        estimated_amount=line.normal_amount if estimated else None,
    )
    order_line.variables = [
        OrderLineVariable(position=position, name=v.name, label=v.label, byte_width=v.byte_width)
        for position, v in enumerate(chosen, start=1)
    ]
    return order_line


def priced_line(session: Session, product_id: int, variable_ids: Sequence[int], *, on: date) -> OrderLine:
    product = catalog.get_product(session, product_id)
    priced = catalog.quote_product(session, product, on=on, variable_ids=variable_ids)
    return line_from_quote(priced.quote.lines[0], product, on=on, estimated=priced.estimated,
                            chosen=priced.chosen_variables)


class AlreadyOnOrder(Conflict):
    def __init__(self, title: str, reference: str, *, has_variables: bool):
        if has_variables:  # the buyer may have meant other variables of the same data set
            super().__init__("{title} sudah ada di pesanan {reference}. Untuk memilih variabel lain, hapus dulu "
                             "barisnya dari pesanan itu.", title=title, reference=reference)
        else:
            super().__init__("{title} sudah ada di pesanan {reference}.", title=title, reference=reference)


def add_to_order(session: Session, buyer: User, product_id: int, variable_ids: Sequence[int] = (), *,
                 on: date, claim_zero_rate: bool = False) -> Order:
    """Put a product (with chosen variables, for microdata) on the buyer's open draft,
    starting one if there is none. ``claim_zero_rate``: the buyer ticked non-commercial use
    under the Rp0 tariff on the product page, so the order claims it (for every line: an
    order has one use). Unticked says nothing: a new order's use stays open until the buyer
    chooses it. A product already on the draft is refused, never a second line for it."""
    if buyer.role != Role.BUYER:
        raise PermissionDenied("Hanya pembeli yang dapat membuat pesanan daring.")
    order = open_draft(session, buyer)
    line = priced_line(session, product_id, variable_ids, on=on)
    actor = Actor(buyer)
    if order is None:
        order = Order(channel=Channel.ONLINE, buyer_id=buyer.id, status=OrderStatus.DRAFT,
                      buyer_name=buyer.full_name, buyer_institution=buyer.institution,
                      segment=buyer.segment or BuyerSegment.INDIVIDUAL, commercial=None,
                      zero_rate=ZeroRateClaim.NONE)
        session.add(order)
        order.lines = [line]
        record(session, order, actor, "create", to_status=OrderStatus.DRAFT)
    else:
        if any(existing.product_id == product_id for existing in order.lines):
            raise AlreadyOnOrder(line.product_title, order.reference,
                                 has_variables=line.kind == ProductKind.MICRODATA)
        order.lines.append(line)
    if claim_zero_rate and order.zero_rate in (ZeroRateClaim.NONE, ZeroRateClaim.PENDING):
        _claim(session, order, buyer)
        order.commercial = False
        record(session, order, actor, "update_details", details={"commercial": False, "zero_rate": "pending"})
    _price_for_claim(session, order)
    record(session, order, actor, "add_line", details={"product": line.product_title, "amount": line.amount})
    save(session)
    index_order(session, order)
    return order


def zero_rate_route(session: Session, order: Order) -> ClaimRoute:
    """How this order's buyer may claim Rp0 (their own right, an institution's letter, or not at all)."""
    return claim_route(order.segment, abroad=_abroad(session, order))


def _abroad(session: Session, order: Order) -> bool:
    buyer = session.get(User, order.buyer_id) if order.buyer_id else None
    return bool(buyer and buyer.domicile == Domicile.ABROAD)


def _claim(session: Session, order: Order, buyer: User | None) -> None:
    """The order claims Rp0: refused where the buyer cannot (companies; an education
    institution abroad). An eligible institution claims in its own name; a person names the
    institution whose letter they bring (on the order page)."""
    route = claim_route(order.segment, abroad=_abroad(session, order))
    if route == ClaimRoute.NONE:
        raise NotEligibleForZeroRate()
    order.zero_rate = ZeroRateClaim.PENDING
    if route == ClaimRoute.OWN_RIGHT:
        order.zero_rate_institution = order.buyer_institution or (buyer.institution if buyer else None)
        order.zero_rate_institution_segment = order.segment


def _price_for_claim(session: Session, order: Order) -> None:
    """Lines at Rp0 while Rp0 is claimed or granted (the normal price kept beside it, and the
    schedule's legal basis), at their normal price otherwise: the order shows what the product
    page quoted, and a refused claim brings the normal price back."""
    waived = order.zero_rate in (ZeroRateClaim.PENDING, ZeroRateClaim.APPROVED)
    for line in order.lines:
        if waived and not line.waived:
            basis = pnbp.schedule_in_force(session, line.priced_on).zero_rate.legal_basis
            line.amount, line.waived, line.waiver_basis = 0, True, basis
        elif not waived and line.waived:
            line.amount, line.waived, line.waiver_basis = line.normal_amount, False, None


class NotEligibleForZeroRate(InvalidInput):
    def __init__(self):
        super().__init__("Tarif Rp0 hanya untuk instansi pemerintah, lembaga pendidikan dalam negeri, perwakilan "
                         "negara asing dan organisasi internasional, serta perorangan dan mahasiswa melalui surat "
                         "permohonan lembaga tersebut; perusahaan swasta membayar tarif penuh.")


def remove_line(session: Session, actor: Actor, order_id: int, line_id: int) -> Order:
    order = load_order(session, order_id)
    actor.require(Do.REMOVE_LINE, order)
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise NotFound("Baris pesanan tidak ditemukan.")
    order.lines.remove(line)
    record(session, order, actor, "remove_line", details={"product": line.product_title})
    save(session)
    index_order(session, order)
    return order


def _claim_details(order: Order, route: ClaimRoute, institution: str | None, institution_segment: str | None,
                   zero_rate_purpose: str | None) -> None:
    """Which of the four purposes the Rp0 claim serves, and for a person the institution
    whose letter they bring and its kind (an eligible one). Missing ones are left empty:
    the checklist shows them and submitting is refused until they are given."""
    try:
        purpose = ZeroRatePurpose(zero_rate_purpose) if zero_rate_purpose else None
        kind = BuyerSegment(institution_segment) if institution_segment else None
    except ValueError:
        raise InvalidInput("Pilih tujuan dan jenis lembaga dari daftar.") from None
    if purpose is not None:
        order.zero_rate_purpose = purpose
    if route == ClaimRoute.INSTITUTION_LETTER:
        if kind is not None and kind not in ZERO_RATE_SEGMENTS:
            raise InvalidInput("Lembaga itu tidak berhak atas tarif Rp0: pilih instansi pemerintah, lembaga "
                               "pendidikan dalam negeri, perwakilan negara asing atau organisasi internasional.")
        order.zero_rate_institution = clean_text(institution, N_("Nama lembaga pemohon"), required=False,
                                                 max_length=200) or order.zero_rate_institution
        order.zero_rate_institution_segment = kind or order.zero_rate_institution_segment


def update_details(session: Session, actor: Actor, order_id: int, *, purpose: str, commercial: bool | None,
                   claim_zero_rate: bool, institution: str | None = None, institution_segment: str | None = None,
                   zero_rate_purpose: str | None = None, expected_version: int | None = None) -> Order:
    """The stated purpose of use, commercial or not (``None``: not chosen yet), and an Rp0
    claim where the buyer may make one, with the institution and purpose behind it."""
    order = load_order(session, order_id)
    actor.require(Do.EDIT, order, expected_version=expected_version)
    purpose = clean_text(purpose, N_("Tujuan penggunaan data"), max_length=MAX_REASON)
    if claim_zero_rate:
        if commercial:
            raise InvalidInput("Tarif Rp0 hanya untuk penggunaan nonkomersial.")
        commercial = False  # claiming Rp0 is stating non-commercial use
        if order.zero_rate == ZeroRateClaim.REFUSED:
            raise Conflict("Permohonan tarif Rp0 untuk pesanan ini sudah ditolak petugas.")
    before = (order.purpose, order.commercial, order.zero_rate.value, order.zero_rate_institution,
              order.zero_rate_institution_segment, order.zero_rate_purpose)
    if order.zero_rate == ZeroRateClaim.APPROVED and not claim_zero_rate:
        # The waiver was granted for non-commercial use: it goes with that use.
        order.zero_rate, order.zero_rate_basis = ZeroRateClaim.NONE, None
        _price_for_claim(session, order)
        record(session, order, actor, "zero_rate_withdrawn", details={"total": order.total})
    order.purpose = purpose
    order.commercial = commercial
    if claim_zero_rate:
        if order.zero_rate == ZeroRateClaim.NONE:
            _claim(session, order, session.get(User, order.buyer_id) if order.buyer_id else None)
        _claim_details(order, claim_route(order.segment, abroad=_abroad(session, order)), institution,
                       institution_segment, zero_rate_purpose)
    elif order.zero_rate == ZeroRateClaim.PENDING:
        order.zero_rate = ZeroRateClaim.NONE
    if order.zero_rate == ZeroRateClaim.NONE:
        order.zero_rate_institution = order.zero_rate_institution_segment = order.zero_rate_purpose = None
    _price_for_claim(session, order)
    if before != (order.purpose, order.commercial, order.zero_rate.value, order.zero_rate_institution,
                  order.zero_rate_institution_segment, order.zero_rate_purpose):
        record(session, order, actor, "update_details",
               details={"commercial": commercial, "zero_rate": order.zero_rate.value,
                        "zero_rate_purpose": order.zero_rate_purpose.value if order.zero_rate_purpose else None,
                        "institution": order.zero_rate_institution})
    save(session)
    return order


def zero_rate_claim_complete(order: Order) -> bool:
    """An Rp0 claim names its purpose and the eligible institution behind it."""
    return bool(order.zero_rate_purpose and order.zero_rate_institution and order.zero_rate_institution_segment)


def save_abstract(session: Session, actor: Actor, order_id: int, fields: dict, storage: FileStorage, *,
                  attachment: tuple[bytes, str] | None = None, max_bytes: int) -> Order:
    """A new version of the abstract (form fields, plus an optional attached file). Without a
    new file the version keeps the previous version's attachment: a corrected text does not
    drop the document that goes with it."""
    order = load_order(session, order_id)
    actor.require(Do.EDIT, order)
    if not order.needs_agreement:
        raise Conflict("Pesanan ini tidak memerlukan abstraksi (hanya publikasi).")
    sppd.clean_abstract_fields(fields)  # refuse bad fields before storing any file
    if attachment is not None:
        stored = files.store_file(session, storage, data=attachment[0], filename=attachment[1],
                                      max_bytes=max_bytes, uploaded_by=actor.user)
        attached = files.add_document(session, order.id, DocumentType.ABSTRACT_ATTACHMENT, stored)
    else:
        previous = sppd.abstracts(session, order.id)
        attached = previous[0].attachment if previous else None
    abstract = sppd.add_abstract(session, order.id, fields, author=actor.user, attachment=attached)
    record(session, order, actor, "abstract", details={"version": abstract.version,
                                                        "file": attached.file.filename if attached else None})
    save(session)
    return order


def upload_document(session: Session, actor: Actor, order_id: int, doc_type: DocumentType, data: bytes,
                    filename: str, storage: FileStorage, *, max_bytes: int) -> Order:
    order = load_order(session, order_id)
    if doc_type != DocumentType.REQUEST_LETTER:
        raise InvalidInput("Jenis dokumen ini tidak diunggah di sini.")
    actor.require(Do.EDIT, order)
    stored = files.store_file(session, storage, data=data, filename=filename, max_bytes=max_bytes,
                                  uploaded_by=actor.user)
    document = files.add_document(session, order.id, doc_type, stored)
    record(session, order, actor, "upload", details={"document": doc_type.value, "version": document.version,
                                                      "file": stored.filename})
    save(session)
    return order


def requirement_checks(session: Session, order: Order, buyer: User | None = None, *,
                       abstracts: Sequence[AbstractVersion] | None = None,
                       documents: Sequence[OrderDocument] | None = None,
                       events: Sequence[OrderEvent] | None = None) -> list[RequirementCheck]:
    """The order's requirements as its checklist shows them: met, missing, or returned by the
    officer and not given anew since.

    What the caller has read of the order already is asked, not read again (the order page reads
    each table once): its buyer, its abstract versions (``sppd.abstracts``), its documents
    (``files.documents``) and its timeline (``workflow.events``); what is not given is read here."""
    buyer = buyer if buyer is not None else buyer_of(session, order)
    abstracts = sppd.abstracts(session, order.id) if abstracts is None else abstracts
    documents = files.documents(session, order.id) if documents is None else documents
    letter = files.newest(documents, DocumentType.REQUEST_LETTER)
    return check_requirements(
        kinds=order.kinds,
        zero_rate_claimed=order.zero_rate in (ZeroRateClaim.PENDING, ZeroRateClaim.APPROVED),
        needs_npwp=order.segment == BuyerSegment.PRIVATE_COMPANY and order.channel == Channel.ONLINE,
        has_npwp=bool(buyer and buyer.npwp),
        has_abstract=bool(abstracts),
        has_request_letter=letter is not None,
        has_purpose=bool(order.purpose.strip()) and order.commercial is not None,
        zero_rate_claim_complete=zero_rate_claim_complete(order),
        returned=_still_returned(session, order, abstract=abstracts[0] if abstracts else None, letter=letter,
                                 events=events),
    )


def buyer_of(session: Session, order: Order) -> User | None:
    """The order's buyer account (None for a walk-in visitor's order)."""
    return session.get(User, order.buyer_id) if order.buyer_id else None


def _still_returned(session: Session, order: Order, *, abstract, letter, events) -> set[Requirement]:
    """What the officer's last return names and the buyer has not given anew since: a new
    abstract version (also the answer to "variables": the abstract states them), a new letter,
    saved details; the NPWP lives on the profile, so it stays named until the order is resubmitted."""
    if order.status != OrderStatus.RETURNED:
        return set()  # a return is answered by resubmitting: only a returned order still has one open
    if events is None:
        events = workflow.events(session, order.id)
    last = latest_return(session, order, events)
    if last is None:
        return set()
    named = {reason.document for reason in last.return_reasons}
    returned_at = aware(last.at)
    still = set()
    if named & {Requirement.ABSTRACT.value, "variables"} and (
            abstract is None or aware(abstract.created_at) <= returned_at):
        still.add(Requirement.ABSTRACT)
    if Requirement.REQUEST_LETTER.value in named and (letter is None or aware(letter.created_at) <= returned_at):
        still.add(Requirement.REQUEST_LETTER)
    if Requirement.PURPOSE.value in named and not any(
            e.action == "update_details" and e.id > last.id for e in events):
        still.add(Requirement.PURPOSE)
    if Requirement.NPWP.value in named:
        still.add(Requirement.NPWP)
    return still


def _budget_days(order: Order, sla_days: dict[ProductKind, int]) -> int:
    return max(sla_days.get(kind, 10) for kind in order.kinds)


def submit(session: Session, actor: Actor, order_id: int, *, today: date, sla_days: dict[ProductKind, int],
           expected_version: int | None = None) -> Order:
    """Send the order (again) to the officers. The SLA clock starts the first time the
    requirements are complete and resumes on every resubmission."""
    order = load_order(session, order_id)
    actor.require(Do.SUBMIT, order, expected_version=expected_version)
    if not order.lines:
        raise Conflict("Pesanan belum berisi produk.")
    if not order.purpose.strip():
        raise Conflict("Isi dulu tujuan penggunaan data.")
    if order.commercial is None:
        raise Conflict("Pilih dulu penggunaan data: komersial atau nonkomersial.")
    if order.zero_rate == ZeroRateClaim.PENDING and not zero_rate_claim_complete(order):
        raise Conflict("Lengkapi permohonan tarif Rp0: lembaga pemohon, jenis lembaga dan tujuannya.")
    if order.zero_rate == ZeroRateClaim.REFUSED:
        raise Conflict("Permohonan tarif Rp0 ditolak: pilih lanjut dengan tarif penuh atau batalkan pesanan.")
    missing = [check.requirement for check in requirement_checks(session, order) if not check.met]
    if missing:
        raise RequirementsMissing(", ".join(REQUIREMENT_LABELS[r] for r in missing))
    apply(session, order, actor, Action.SUBMIT)
    order.submitted_at = utcnow()
    if order.requirements_complete_on is None:
        order.requirements_complete_on = today
        order.sla_budget_days = _budget_days(order, sla_days)
    save(session)
    return order


def cancel(session: Session, actor: Actor, order_id: int, *, reason: str = "",
           expected_version: int | None = None) -> Order:
    """The buyer may cancel before an invoice exists; an officer cancels with a reason.
    An invoiced order is cancelled with its invoice (``invoices.cancel_invoiced_order``)."""
    order = load_order(session, order_id)
    actor.require(Do.CANCEL, order, expected_version=expected_version)
    reason = clean_text(reason, N_("Alasan pembatalan"), required=actor.is_staff, max_length=MAX_REASON) or None
    mark_cancelled(session, order, actor, reason, expected_version=expected_version)
    save(session)
    return order


def microdata_requested_variables(order: Order) -> list[tuple[str, list[OrderLineVariable] | None]]:
    """Per microdata line: its title and chosen variables (None = the full set), shown
    beside the abstract so the officer can judge whether they fit."""
    return [(line.product_title, list(line.variables) if not line.full_set else None)
            for line in order.lines if line.kind == ProductKind.MICRODATA]
