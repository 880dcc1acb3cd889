"""Review: the officer returns or accepts an order, decides an Rp0 claim and records the
final size of a variable extract. Never commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sales_service.clock import utcnow
from sales_service.errors import N_, Conflict, InvalidInput, NotFound
from sales_service.orders import ordering
from sales_service.orders.lifecycle import Action
from sales_service.orders.models import Order, OrderLine, ReturnReason, ZeroRateClaim
from sales_service.orders.requirements import Requirement, RequirementCheck
from sales_service.orders.workflow import Actor, Do, apply, load_order, record, save
from sales_service.pnbp import services as pnbp
from sales_service.pnbp.pricing import quote_line
from sales_service.pnbp.schedule import ProductKind
from sales_service.text import MAX_REASON, clean_text

# Documents an officer can name when returning an order, beside the requirements.
RETURN_TOPICS = {
    Requirement.ABSTRACT.value: N_("Abstraksi penggunaan data"),
    Requirement.REQUEST_LETTER.value: N_("Surat permohonan tarif Rp0"),
    Requirement.NPWP.value: N_("NPWP perusahaan"),
    "variables": N_("Variabel yang diminta"),
    "purpose": N_("Tujuan penggunaan"),
    "other": N_("Lainnya"),
}


def return_topics(session: Session, order: Order, checks: list[RequirementCheck] | None = None) -> dict[str, str]:
    """What the officer can name when returning this order: the documents it has (an abstract
    for microdata and maps, a request letter for an Rp0 claim, a company's NPWP), the chosen
    variables when it has microdata, and always its purpose and "other". ``checks``: the order's
    requirement checks when the caller has them (the order page), so they are not read again."""
    checks = ordering.requirement_checks(session, order) if checks is None else checks
    has = {check.requirement.value for check in checks}
    if any(line.kind == ProductKind.MICRODATA for line in order.lines):
        has.add("variables")
    has |= {"purpose", "other"}
    return {topic: label for topic, label in RETURN_TOPICS.items() if topic in has}


def return_order(session: Session, actor: Actor, order_id: int, reasons: dict[str, str], *,
                 expected_version: int | None = None) -> Order:
    """Send the order back to the buyer, saying per document what is wrong."""
    order = load_order(session, order_id)
    actor.require(Do.RETURN, order, expected_version=expected_version)
    offered = return_topics(session, order)
    cleaned = {}
    for topic, reason in reasons.items():
        if topic not in RETURN_TOPICS:
            raise InvalidInput("Dokumen yang dikembalikan tidak dikenal: {topic}.", topic=topic)
        text = (reason or "").strip()
        if text and topic not in offered:
            raise InvalidInput("Pesanan ini tidak memuat {document}; tulis alasannya pada bagian lain.",
                               document=RETURN_TOPICS[topic])
        if text:
            cleaned[topic] = clean_text(text, RETURN_TOPICS[topic], max_length=MAX_REASON)
    if not cleaned:
        raise InvalidInput("Tulis sedikitnya satu alasan: dokumen mana dan apa yang perlu diperbaiki.")
    event = apply(session, order, actor, Action.RETURN, reason="; ".join(cleaned.values()))
    event.return_reasons = [ReturnReason(document=topic, reason=text) for topic, text in cleaned.items()]
    save(session)
    return order


def accept(session: Session, actor: Actor, order_id: int, *, expected_version: int | None = None) -> Order:
    order = load_order(session, order_id)
    actor.require(Do.ACCEPT, order, expected_version=expected_version)
    apply(session, order, actor, Action.ACCEPT)
    save(session)
    return order


def decide_zero_rate(session: Session, actor: Actor, order_id: int, *, approve: bool, note: str = "",
                     expected_version: int | None = None) -> Order:
    """Approve the Rp0 claim (the lines are waived and keep their normal price and the
    legal basis) or refuse it (the order goes back to the buyer to choose)."""
    order = load_order(session, order_id)
    actor.require(Do.DECIDE_ZERO_RATE, order, expected_version=expected_version)
    if approve:
        basis = None
        for line in order.lines:
            schedule = pnbp.schedule_in_force(session, line.priced_on)
            basis = schedule.zero_rate.legal_basis
            line.amount, line.waived, line.waiver_basis = 0, True, basis
        order.zero_rate = ZeroRateClaim.APPROVED
        order.zero_rate_basis = basis
        record(session, order, actor, "approve_zero_rate", reason=note.strip() or None,
               details={"legal_basis": basis, "normal_total": order.normal_total,
                        "institution": order.zero_rate_institution,
                        "purpose": order.zero_rate_purpose.value if order.zero_rate_purpose else None})
    else:
        reason = clean_text(note, N_("Alasan penolakan"), max_length=MAX_REASON)
        order.zero_rate = ZeroRateClaim.REFUSED
        # The lines were at Rp0 while claimed: the normal price is back, for the buyer to accept or not.
        for line in order.lines:
            line.amount, line.waived, line.waiver_basis = line.normal_amount, False, None
        event = apply(session, order, actor, Action.RETURN, reason=reason, details={"zero_rate": "refused"})
        event.return_reasons = [ReturnReason(document=Requirement.REQUEST_LETTER.value, reason=reason)]
    save(session)
    return order


def continue_at_full_price(session: Session, actor: Actor, order_id: int, *,
                           expected_version: int | None = None) -> Order:
    """After a refused Rp0 claim the buyer chooses to pay the full price (then resubmits)."""
    order = load_order(session, order_id)
    actor.require(Do.CONTINUE_FULL_PRICE, order, expected_version=expected_version)
    order.zero_rate = ZeroRateClaim.NONE
    record(session, order, actor, "continue_full_price", details={"total": order.total})
    save(session)
    return order


def set_final_size(session: Session, actor: Actor, order_id: int, line_id: int, size_bytes: int, *,
                   source: str = "typed", expected_version: int | None = None) -> OrderLine:
    """Record the size of the prepared extract for a variable subset; the line is
    re-priced under the schedule it was first priced with, the estimate kept beside it."""
    order = load_order(session, order_id)
    actor.require(Do.SET_FINAL_SIZE, order, expected_version=expected_version)
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
    line.quantity, line.normal_amount, line.amount, line.basis, line.basis_en = (
        priced.quantity, priced.normal_amount, priced.amount, priced.basis, priced.basis_en)
    line.final_size_set_at = utcnow()
    record(session, order, actor, "final_size", details={
        "line": line.id, "product": line.product_title, "source": source, "before": before,
        "after": {"quantity": line.quantity, "amount": line.amount},
        "estimate": {"quantity": line.estimated_quantity, "amount": line.estimated_amount},
    })
    save(session)
    return line
