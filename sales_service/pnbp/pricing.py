"""Price a request against a tariff schedule, and apply the Rp0 tariff.

Rules (also in ``tariffs/README.md``):

* ``per_unit``: quantity x unit price (maps, per map).
* ``page_blocks``: up to ``block_pages`` (50) pages cost the first-block price; every
  further block of 50 pages, a started block counting in full, costs the next-block price.
* ``size_bytes``: up to ``first_unit_bytes`` (1 MB = 1.000.000 bytes) cost the first-unit
  price; beyond it every byte costs ``step_price / step_bytes`` (Rp20 per 1.000 bytes is
  Rp0,02 a byte), computed exactly and rounded half-up to whole rupiah once, at the line total.
* Rp0: an eligible segment buying for non-commercial use pays 0; the line keeps its normal
  amount and records the schedule's legal basis.

Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from sales_service.dates import locale_of
from sales_service.errors import N_, DomainError, InvalidInput
from sales_service.money import format_rupiah, round_rupiah
from sales_service.pnbp.schedule import (
    PricingRule,
    ProductKind,
    ScheduleBook,
    TariffItem,
    TariffSchedule,
)
from sales_service.pnbp.segments import BuyerSegment


class TariffNotPriceable(DomainError):
    """The schedule names the item but does not record its amount (PP 7/2015 Lampiran)."""

    http_status = 422


class InvalidQuantity(InvalidInput):
    """Pages, bytes or maps must be a positive whole number."""


_NOT_PRICEABLE = N_(
    "Item {item} tidak dapat dihargai (not priceable under {regulation}: amount not recorded)."
)
_NOT_PRICEABLE_NO_SCHEDULE = N_(
    "Item {item} tidak dapat dihargai (not priceable: amount not recorded)."
)


@dataclass(frozen=True)
class QuoteLine:
    schedule_code: str
    regulation: str
    item_code: str
    item_name_id: str
    item_name_en: str
    rule: PricingRule
    quantity: int  # pages, bytes or maps, depending on rule
    unit_price: int  # per_unit: unit price; page_blocks: first block; size_bytes: first unit
    normal_amount: int  # what the line costs without Rp0
    amount: int  # what is charged: 0 when waived
    basis: str  # how normal_amount was reached, in Indonesian
    basis_en: str  # the same in English, for buyers abroad
    waived: bool
    waiver_basis: str | None  # legal basis of the Rp0 tariff when waived


@dataclass(frozen=True)
class Quote:
    on: date
    schedule_code: str
    regulation: str
    lines: tuple[QuoteLine, ...]
    total: int
    normal_total: int
    waived: bool


def _count(n: int) -> str:
    """``1500000`` -> ``"1.500.000"`` (Indonesian grouping for pages and bytes)."""
    return f"{n:,}".replace(",", ".")


def _unit_noun(item: TariffItem) -> str:
    if item.rule is PricingRule.PAGE_BLOCKS:
        return N_("halaman")
    if item.rule is PricingRule.SIZE_BYTES:
        return N_("byte")
    return {ProductKind.MAP: N_("peta"), ProductKind.PUBLICATION: N_("publikasi")}.get(item.kind, N_("berkas"))


def _bytes_label(n: int) -> str:
    return f"{n // 1_000_000} MB" if n % 1_000_000 == 0 else f"{_count(n)} byte"


MAX_QUANTITY = 10**15  # a petabyte, or more pages or maps than anyone sells


def _check_quantity(item: TariffItem, quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
        raise InvalidQuantity(
            "Jumlah untuk {item} harus bilangan bulat positif ({unit}), bukan {quantity}.",
            item=item.code,
            unit=_unit_noun(item),
            quantity=repr(quantity),
        )
    return quantity


def price_item(item: TariffItem, quantity: int) -> tuple[int, str]:
    """The normal amount of ``quantity`` pages/bytes/units of ``item`` and how it was reached."""
    quantity = _check_quantity(item, quantity)
    if not item.priceable:
        raise TariffNotPriceable(_NOT_PRICEABLE_NO_SCHEDULE, item=item.code)

    if item.rule is PricingRule.PER_UNIT:
        amount = Decimal(quantity) * item.unit_price
        basis = f"{_count(quantity)} {_unit_noun(item)} × {format_rupiah(item.unit_price)}"

    elif item.rule is PricingRule.PAGE_BLOCKS:
        block = item.block_pages
        basis = f"{_count(block)} halaman pertama {format_rupiah(item.first_block_price)}"
        further = -(-(quantity - block) // block) if quantity > block else 0  # started blocks
        amount = Decimal(item.first_block_price) + further * item.next_block_price
        if further:
            basis += (
                f" + {_count(further)} × {_count(block)} halaman berikutnya"
                f" @ {format_rupiah(item.next_block_price)}"
            )

    else:  # SIZE_BYTES
        basis = (
            f"{_bytes_label(item.first_unit_bytes)} pertama {format_rupiah(item.first_unit_price)}"
        )
        extra = max(quantity - item.first_unit_bytes, 0)
        # Precision wide enough that the division is exact for any realistic size, so the
        # only rounding is round_rupiah's half-up at the line total.
        with localcontext() as ctx:
            ctx.prec = 60
            amount = Decimal(item.first_unit_price) + (
                Decimal(extra) * item.step_price / Decimal(item.step_bytes)
            )
        if extra:
            basis += (
                f" + {_count(extra)} byte × {format_rupiah(item.step_price)}"
                f"/{_count(item.step_bytes)} byte"
            )

    return round_rupiah(amount), basis


def basis_in_english(item: TariffItem, quantity: int) -> str:
    """How ``quantity`` of ``item`` is priced, in English (``price_item`` says it in Indonesian)."""
    def count(n: int) -> str:
        return f"{n:,}"

    def rupiah(amount: int) -> str:  # grouped as English reads it: "Rp50,000", not "Rp50.000"
        return format_rupiah(amount, locale_of("en"))

    if item.rule is PricingRule.PER_UNIT:
        noun = "map" if item.kind is ProductKind.MAP else "unit"
        return f"{count(quantity)} {noun}{'s' if quantity != 1 else ''} × {rupiah(item.unit_price)}"
    if item.rule is PricingRule.PAGE_BLOCKS:
        block = item.block_pages
        text = f"first {count(block)} pages {rupiah(item.first_block_price)}"
        further = -(-(quantity - block) // block) if quantity > block else 0
        if further:
            text += f" + {count(further)} × {count(block)} further pages @ {rupiah(item.next_block_price)}"
        return text
    first = item.first_unit_bytes
    first_label = f"{first // 1_000_000} MB" if first % 1_000_000 == 0 else f"{count(first)} bytes"
    text = f"first {first_label} {rupiah(item.first_unit_price)}"
    extra = max(quantity - first, 0)
    if extra:
        text += f" + {count(extra)} bytes × {rupiah(item.step_price)}/{count(item.step_bytes)} bytes"
    return text


def quote_line(
    schedule: TariffSchedule, item_code: str, quantity: int, *, zero_rate: bool = False
) -> QuoteLine:
    """Price one request line under ``schedule``; ``zero_rate`` waives it (Rp0)."""
    item = schedule.item(item_code)
    _check_quantity(item, quantity)
    if not item.priceable:
        # Never guess an amount the regulation's Lampiran sets but we do not hold.
        raise TariffNotPriceable(_NOT_PRICEABLE, item=item.code, regulation=schedule.regulation)
    normal_amount, basis = price_item(item, quantity)
    unit_price = {
        PricingRule.PER_UNIT: item.unit_price,
        PricingRule.PAGE_BLOCKS: item.first_block_price,
        PricingRule.SIZE_BYTES: item.first_unit_price,
    }[item.rule]
    return QuoteLine(
        schedule_code=schedule.code,
        regulation=schedule.regulation,
        item_code=item.code,
        item_name_id=item.name_id,
        item_name_en=item.name_en,
        rule=item.rule,
        quantity=quantity,
        unit_price=unit_price,
        normal_amount=normal_amount,
        amount=0 if zero_rate else normal_amount,
        basis=basis,
        basis_en=basis_in_english(item, quantity),
        waived=zero_rate,
        waiver_basis=schedule.zero_rate.legal_basis if zero_rate else None,
    )


def zero_rate_applies(schedule: TariffSchedule, segment: BuyerSegment, commercial: bool) -> bool:
    """Rp0 only for the schedule's eligible segments, and only for non-commercial use."""
    return segment in schedule.zero_rate.segments and not commercial


def build_quote(
    book: ScheduleBook,
    requests: Sequence[tuple[str, int]],
    *,
    on: date,
    segment: BuyerSegment | None = None,
    commercial: bool = True,
) -> Quote:
    """Price ``(item_code, quantity)`` requests under the schedule in force ``on`` that day.

    Each request is its own line (microdata is priced per data set, so two data sets of one
    item are two lines, never one summed size).
    """
    schedule = book.in_force(on)
    waive = segment is not None and zero_rate_applies(schedule, segment, commercial)
    lines = tuple(
        quote_line(schedule, code, quantity, zero_rate=waive) for code, quantity in requests
    )
    return Quote(
        on=on,
        schedule_code=schedule.code,
        regulation=schedule.regulation,
        lines=lines,
        total=sum(line.amount for line in lines),
        normal_total=sum(line.normal_amount for line in lines),
        waived=waive and bool(lines),
    )
