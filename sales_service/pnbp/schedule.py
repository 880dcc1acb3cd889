"""Tariff schedules: one TOML file per regulation, validated on load.

A schedule is the list of PNBP tariff items of one regulation (PP 13/2024, PP 7/2015, ...)
with the window of days in which it is in force. The files live in ``tariffs/`` and are
described in ``tariffs/README.md``. Every problem in a file is refused with a message that
names the file, the item (when there is one) and the problem: an administrator edits these
files by hand, and a wrong price must never be loaded silently.

Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import math
import re
import tomllib
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from sales_service.errors import InvalidInput, NotFound
from sales_service.pnbp.segments import BuyerSegment


class PricingRule(StrEnum):
    PER_UNIT = "per_unit"  # quantity x unit_price (maps)
    PAGE_BLOCKS = "page_blocks"  # first block of pages, then each started further block
    SIZE_BYTES = "size_bytes"  # first unit of bytes, then pro rata per byte


class ProductKind(StrEnum):
    PUBLICATION = "publication"
    MICRODATA = "microdata"
    MAP = "map"


# Rupiah amounts each rule needs before an item can be priced.
RULE_PRICES: dict[PricingRule, tuple[str, ...]] = {
    PricingRule.PER_UNIT: ("unit_price",),
    PricingRule.PAGE_BLOCKS: ("first_block_price", "next_block_price"),
    PricingRule.SIZE_BYTES: ("first_unit_price", "step_price"),
}
# Unit sizes each rule uses (pages or bytes); defaults are those of PP 13/2024.
RULE_SIZES: dict[PricingRule, tuple[str, ...]] = {
    PricingRule.PER_UNIT: (),
    PricingRule.PAGE_BLOCKS: ("block_pages",),
    PricingRule.SIZE_BYTES: ("first_unit_bytes", "step_bytes"),
}


# The longest item name a file may give: invoices and order lines copy the name (String(300)).
MAX_ITEM_NAME = 300


@dataclass(frozen=True)
class TariffItem:
    """One priced line of a regulation's Lampiran.

    ``name_id`` is the item as the regulation names it (its Lampiran's wording); invoices and
    order lines copy it, so a buyer reads which tariff was applied in the regulation's own words.

    Amounts are whole rupiah; ``None`` means the amount is not recorded (PP 7/2015), and
    such an item is not priceable. Sizes: ``block_pages`` pages per block; 1 MB is
    1.000.000 bytes (``first_unit_bytes``) and the step is per 1.000 bytes (``step_bytes``).
    """

    code: str
    name_id: str
    name_en: str
    kind: ProductKind
    rule: PricingRule
    source: str
    unit_price: int | None = None
    first_block_price: int | None = None
    next_block_price: int | None = None
    block_pages: int = 50
    first_unit_price: int | None = None
    first_unit_bytes: int = 1_000_000
    step_price: int | None = None
    step_bytes: int = 1_000

    @property
    def priceable(self) -> bool:
        return all(getattr(self, name) is not None for name in RULE_PRICES[self.rule])


@dataclass(frozen=True)
class ZeroRate:
    """Who may receive the Rp0 tariff (non-commercial use only) and on what legal basis."""

    segments: frozenset[BuyerSegment]
    legal_basis: str


class TariffFileInvalid(InvalidInput):
    """A tariff schedule file (or a set of them) cannot be loaded."""


class TariffItemUnknown(NotFound):
    """The schedule has no item with that code."""


class NoScheduleInForce(NotFound):
    """No tariff schedule covers the day asked for."""


@dataclass(frozen=True)
class TariffSchedule:
    code: str
    regulation: str
    title: str
    effective_from: date
    effective_until: date | None  # inclusive; None = still in force
    source: str
    zero_rate: ZeroRate
    items: Mapping[str, TariffItem] = field(hash=False)
    notes: tuple[str, ...] = ()
    # The rule that bank charges are the payer's, as cited on invoices paid by transfer
    # ("PP 7/2015 Pasal 3"). None: the file states none, and invoices cite no article.
    bank_charges_basis: str | None = None

    def item(self, code: str) -> TariffItem:
        try:
            return self.items[code]
        except KeyError:
            raise TariffItemUnknown(
                "Item tarif {item} tidak ada dalam {regulation}.",
                item=code,
                regulation=self.regulation,
            ) from None

    def in_force_on(self, day: date) -> bool:
        if day < self.effective_from:
            return False
        return self.effective_until is None or day <= self.effective_until

    @property
    def window(self) -> str:
        """The days in force, as shown in messages: ``2015-03-01 s.d. 2024-02-29``."""
        until = self.effective_until.isoformat() if self.effective_until else "seterusnya"
        return f"{self.effective_from.isoformat()} s.d. {until}"


# --- parsing one file -----------------------------------------------------------------

_TOP_FIELDS = {
    "code",
    "regulation",
    "title",
    "effective_from",
    "effective_until",
    "source",
    "notes",
    "bank_charges_basis",
    "zero_rate",
    "item",
}
_TOP_REQUIRED = ("code", "regulation", "title", "effective_from", "source", "zero_rate", "item")
_ZERO_RATE_FIELDS = ("segments", "legal_basis")
_ITEM_TEXT_FIELDS = ("code", "name_id", "name_en", "kind", "rule", "source")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _fail(template: str, **params: object) -> TariffFileInvalid:
    return TariffFileInvalid(template, **params)


def _text(value: object, *, file: str, name: str, item: str | None = None) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if item is None:
        raise _fail(
            "Berkas tarif {file}: {field} harus teks yang tidak kosong.", file=file, field=name
        )
    raise _fail(
        "Berkas tarif {file}, item {item}: {field} harus teks yang tidak kosong.",
        file=file,
        item=item,
        field=name,
    )


def _day(value: object, *, file: str, name: str) -> date:
    # tomllib gives datetime (a date subclass) for a value with a time: refuse it too.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise _fail(
        "Berkas tarif {file}: {field} harus tanggal TOML tanpa tanda kutip "
        "(contoh: 2024-03-01), bukan {value}.",
        file=file,
        field=name,
        value=repr(value),
    )


def _whole_number(value: object, *, file: str, item: str, name: str) -> int:
    """An amount or size: a TOML integer, never a float, boolean or string."""
    if isinstance(value, float) and math.isfinite(value) and not value.is_integer():
        raise _fail(
            "Berkas tarif {file}, item {item}: {field} = {value} adalah pecahan; "
            "tarif ditulis dalam rupiah bulat.",
            file=file,
            item=item,
            field=name,
            value=value,
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(
            "Berkas tarif {file}, item {item}: {field} harus bilangan bulat "
            "tanpa titik desimal atau tanda kutip, bukan {value}.",
            file=file,
            item=item,
            field=name,
            value=repr(value),
        )
    if value < 0:
        raise _fail(
            "Berkas tarif {file}, item {item}: {field} tidak boleh negatif ({value}).",
            file=file,
            item=item,
            field=name,
            value=value,
        )
    return value


def _parse_item(raw: object, *, file: str, position: int) -> TariffItem:
    if not isinstance(raw, dict):
        raise _fail(
            "Berkas tarif {file}: item ke-{position} harus tabel [[item]].",
            file=file,
            position=position,
        )
    label = raw.get("code") if isinstance(raw.get("code"), str) else f"ke-{position}"
    for name in _ITEM_TEXT_FIELDS:
        if name not in raw:
            raise _fail(
                "Berkas tarif {file}, item {item}: field wajib {field} tidak ada.",
                file=file,
                item=label,
                field=name,
            )
    code = _text(raw["code"], file=file, name="code", item=label)
    if not _CODE.match(code):
        raise _fail(
            "Berkas tarif {file}, item {item}: kode item hanya boleh huruf kecil, angka "
            "dan tanda hubung.",
            file=file,
            item=code,
        )
    texts = {name: _text(raw[name], file=file, name=name, item=code) for name in _ITEM_TEXT_FIELDS}
    for name in ("name_id", "name_en"):
        if len(texts[name]) > MAX_ITEM_NAME:
            raise _fail(
                "Berkas tarif {file}, item {item}: {field} terlalu panjang ({length} karakter; "
                "paling banyak {limit}).",
                file=file,
                item=code,
                field=name,
                length=len(texts[name]),
                limit=MAX_ITEM_NAME,
            )
    try:
        kind = ProductKind(texts["kind"])
    except ValueError:
        raise _fail(
            "Berkas tarif {file}, item {item}: jenis produk '{kind}' tidak dikenal "
            "(pilihan: {choices}).",
            file=file,
            item=code,
            kind=texts["kind"],
            choices=", ".join(ProductKind),
        ) from None
    try:
        rule = PricingRule(texts["rule"])
    except ValueError:
        raise _fail(
            "Berkas tarif {file}, item {item}: aturan harga '{rule}' tidak dikenal "
            "(pilihan: {choices}).",
            file=file,
            item=code,
            rule=texts["rule"],
            choices=", ".join(PricingRule),
        ) from None

    numeric = RULE_PRICES[rule] + RULE_SIZES[rule]
    for name in raw:
        if name not in _ITEM_TEXT_FIELDS and name not in numeric:
            raise _fail(
                "Berkas tarif {file}, item {item}: field {field} tidak dikenal "
                "untuk aturan {rule}.",
                file=file,
                item=code,
                field=name,
                rule=rule.value,
            )
    amounts = {
        name: _whole_number(raw[name], file=file, item=code, name=name)
        for name in numeric
        if name in raw
    }
    # All of a rule's amounts and sizes, or none of them (amount not recorded): half a
    # tariff would price with a default the regulation never set.
    if amounts and len(amounts) != len(numeric):
        raise _fail(
            "Berkas tarif {file}, item {item}: nominal tidak lengkap; {missing} tidak ada. "
            "Isi semua ({fields}) atau kosongkan semua.",
            file=file,
            item=code,
            missing=", ".join(n for n in numeric if n not in amounts),
            fields=", ".join(numeric),
        )
    for name in RULE_SIZES[rule]:
        if name in amounts and amounts[name] == 0:
            raise _fail(
                "Berkas tarif {file}, item {item}: {field} harus lebih dari nol.",
                file=file,
                item=code,
                field=name,
            )
    return TariffItem(
        code=code,
        name_id=texts["name_id"],
        name_en=texts["name_en"],
        kind=kind,
        rule=rule,
        source=texts["source"],
        **amounts,
    )


def _parse_zero_rate(raw: object, *, file: str) -> ZeroRate:
    if not isinstance(raw, dict):
        raise _fail("Berkas tarif {file}: zero_rate harus tabel [zero_rate].", file=file)
    for name in _ZERO_RATE_FIELDS:
        if name not in raw:
            raise _fail(
                "Berkas tarif {file}: field wajib zero_rate.{field} tidak ada.",
                file=file,
                field=name,
            )
    for name in raw:
        if name not in _ZERO_RATE_FIELDS:
            raise _fail(
                "Berkas tarif {file}: field zero_rate.{field} tidak dikenal.",
                file=file,
                field=name,
            )
    if not isinstance(raw["segments"], list):
        raise _fail(
            "Berkas tarif {file}: zero_rate.segments harus daftar segmen pembeli.", file=file
        )
    segments = set()
    for value in raw["segments"]:
        try:
            segments.add(BuyerSegment(value))
        except ValueError:
            raise _fail(
                "Berkas tarif {file}: segmen Rp0 '{segment}' tidak dikenal (pilihan: {choices}).",
                file=file,
                segment=value,
                choices=", ".join(BuyerSegment),
            ) from None
    legal_basis = _text(raw["legal_basis"], file=file, name="zero_rate.legal_basis")
    return ZeroRate(segments=frozenset(segments), legal_basis=legal_basis)


def parse_schedule(text: str, filename: str) -> TariffSchedule:
    """Read and validate one schedule file's text; ``filename`` is used in messages."""
    file = filename
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(
            "Berkas tarif {file} bukan TOML yang sah: {problem}.", file=file, problem=str(exc)
        ) from None

    for name in _TOP_REQUIRED:
        if name not in data:
            raise _fail(
                "Berkas tarif {file}: field wajib {field} tidak ada.", file=file, field=name
            )
    for name in data:
        if name not in _TOP_FIELDS:
            raise _fail("Berkas tarif {file}: field {field} tidak dikenal.", file=file, field=name)

    code = _text(data["code"], file=file, name="code")
    if not _CODE.match(code):
        raise _fail(
            "Berkas tarif {file}: kode jadwal hanya boleh huruf kecil, angka dan tanda hubung.",
            file=file,
        )
    effective_from = _day(data["effective_from"], file=file, name="effective_from")
    effective_until = None
    if "effective_until" in data:
        effective_until = _day(data["effective_until"], file=file, name="effective_until")
        if effective_until < effective_from:
            raise _fail(
                "Berkas tarif {file}: effective_until {until} lebih awal dari "
                "effective_from {start}.",
                file=file,
                until=effective_until.isoformat(),
                start=effective_from.isoformat(),
            )

    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) and n.strip() for n in notes):
        raise _fail("Berkas tarif {file}: notes harus daftar teks.", file=file)

    raw_items = data["item"]
    if not isinstance(raw_items, list) or not raw_items:
        raise _fail("Berkas tarif {file}: tidak ada item tarif (tabel [[item]]).", file=file)
    items: dict[str, TariffItem] = {}
    for position, raw in enumerate(raw_items, start=1):
        item = _parse_item(raw, file=file, position=position)
        if item.code in items:
            raise _fail(
                "Berkas tarif {file}: kode item {item} muncul lebih dari sekali.",
                file=file,
                item=item.code,
            )
        # Two items of one name would be told apart on an invoice by their internal codes only.
        for name in ("name_id", "name_en"):
            twin = next((other for other in items.values() if getattr(other, name) == getattr(item, name)), None)
            if twin is not None:
                raise _fail(
                    "Berkas tarif {file}, item {item}: {field} sama dengan item {other}; "
                    "setiap item harus bernama sendiri.",
                    file=file,
                    item=item.code,
                    field=name,
                    other=twin.code,
                )
        items[item.code] = item

    return TariffSchedule(
        code=code,
        regulation=_text(data["regulation"], file=file, name="regulation"),
        title=_text(data["title"], file=file, name="title"),
        effective_from=effective_from,
        effective_until=effective_until,
        source=_text(data["source"], file=file, name="source"),
        zero_rate=_parse_zero_rate(data["zero_rate"], file=file),
        items=types.MappingProxyType(items),
        notes=tuple(n.strip() for n in notes),
        bank_charges_basis=(
            _text(data["bank_charges_basis"], file=file, name="bank_charges_basis")
            if "bank_charges_basis" in data
            else None
        ),
    )


def load_schedule_file(path: str | Path) -> TariffSchedule:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise _fail("Berkas tarif {file} bukan teks UTF-8.", file=path.name) from None
    return parse_schedule(text, path.name)


# --- several schedules ------------------------------------------------------------------


def _check_together(labelled: list[tuple[str, TariffSchedule]]) -> None:
    """Unique schedule codes and no day covered by two schedules; labels name each one."""
    seen: dict[str, str] = {}
    for label, schedule in labelled:
        if schedule.code in seen:
            raise _fail(
                "Kode jadwal tarif {code} dipakai dua kali: {first} dan {second}.",
                code=schedule.code,
                first=seen[schedule.code],
                second=label,
            )
        seen[schedule.code] = label
    ordered = sorted(labelled, key=lambda pair: pair[1].effective_from)
    for (first_label, first), (second_label, second) in zip(ordered, ordered[1:], strict=False):
        if first.effective_until is None or first.effective_until >= second.effective_from:
            raise _fail(
                "Masa berlaku {first} ({first_window}) tumpang tindih dengan "
                "{second} ({second_window}).",
                first=first_label,
                first_window=first.window,
                second=second_label,
                second_window=second.window,
            )


def load_schedule_dir(directory: str | Path) -> list[TariffSchedule]:
    """Load every ``*.toml`` in ``directory``, sorted by ``effective_from``."""
    directory = Path(directory)
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise _fail("Tidak ada berkas tarif (*.toml) di {file}.", file=str(directory))
    labelled = []
    for path in paths:
        schedule = load_schedule_file(path)
        labelled.append((f"{path.name} ({schedule.regulation})", schedule))
    _check_together(labelled)
    return sorted((s for _, s in labelled), key=lambda s: s.effective_from)


class ScheduleBook:
    """All known schedules; answers which one is in force on a day."""

    def __init__(self, schedules: Iterable[TariffSchedule]):
        listed = list(schedules)
        _check_together([(f"{s.regulation} ({s.code})", s) for s in listed])
        self.schedules: tuple[TariffSchedule, ...] = tuple(
            sorted(listed, key=lambda s: s.effective_from)
        )

    def in_force(self, on: date) -> TariffSchedule:
        if isinstance(on, datetime):
            # Which calendar day a moment falls on depends on the time zone: the caller decides.
            raise TypeError("in_force takes a date, not a datetime")
        for schedule in self.schedules:
            if schedule.in_force_on(on):
                return schedule
        raise NoScheduleInForce(
            "Tidak ada jadwal tarif PNBP yang berlaku pada {day}.", day=on.isoformat()
        )

    def get(self, code: str) -> TariffSchedule | None:
        """The schedule with that code (e.g. the one an invoice recorded), or None."""
        return next((s for s in self.schedules if s.code == code), None)

    def __iter__(self):
        return iter(self.schedules)

    def __len__(self) -> int:
        return len(self.schedules)
