"""Catalogue use cases: search, show with price, and the admin's add / edit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectin_polymorphic, selectinload

from sales_service.catalog.models import (
    DigitalMap,
    MapCoverage,
    MapLevel,
    MicrodataSet,
    MicrodataVariable,
    Product,
    Publication,
)
from sales_service.errors import N_, InvalidInput, NotFound
from sales_service.pnbp import services as pnbp_services
from sales_service.pnbp.pricing import Quote
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from sales_service.text import clean_text

PAGE_SIZE = 20
# Upper bounds of what the admin may type: far above any real product, far below what a
# BIGINT (2^63) holds or what pricing could multiply past it. A bigger number is a typo or
# an attack, and gets a 422 naming the field rather than an overflow in the database.
MAX_PAGES = 100_000
MAX_RECORDS = 10**10  # ten billion records; the population census has about 280 million
MAX_SIZE_BYTES = 10**13  # 10 TB
MAX_BYTE_WIDTH = 10**6  # one variable of a fixed-width record
_MAX_DIGITS = 20  # longer input is refused before int() has to read it


class ProductNotFound(NotFound):
    def __init__(self):
        super().__init__("Produk tidak ditemukan.")


@dataclass(frozen=True)
class SearchResult:
    products: list[Product]
    total: int
    page: int
    pages: int


def _polymorphic():
    return selectin_polymorphic(Product, [Publication, MicrodataSet, DigitalMap])


def search_products(
    session: Session,
    *,
    text: str = "",
    kind: ProductKind | None = None,
    year: int | None = None,
    page: int = 1,
    include_inactive: bool = False,
) -> SearchResult:
    conditions = []
    if not include_inactive:
        conditions.append(Product.active.is_(True))
    if kind is not None:
        conditions.append(Product.kind == kind)
    if year is not None:
        conditions.append(Product.year == year)
    for word in (text or "").split()[:8]:
        pattern = f"%{word.lower()}%"
        conditions.append(
            or_(
                func.lower(Product.title).like(pattern),
                func.lower(func.coalesce(Product.title_en, "")).like(pattern),
                func.lower(Product.description).like(pattern),
                Product.id.in_(select(MicrodataSet.id).where(func.lower(MicrodataSet.survey).like(pattern))),
                Product.id.in_(
                    select(DigitalMap.id).where(func.lower(func.coalesce(DigitalMap.regency_name, "")).like(pattern))
                ),
            )
        )
    total = session.scalar(select(func.count(Product.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    query = (
        select(Product)
        .where(*conditions)
        .options(_polymorphic())
        .order_by(Product.year.desc().nulls_last(), Product.kind.desc(), Product.title, Product.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return SearchResult(list(session.scalars(query)), total, page, pages)


def active_products(session: Session) -> list[Product]:
    """Every product on sale, by kind and title, microdata with its variables (the walk-in
    counter's pick list: a visitor may take chosen variables, as online)."""
    query = select(Product).where(Product.active.is_(True)).options(
        _polymorphic(), selectinload(MicrodataSet.variables)).order_by(Product.kind.desc(), Product.title)
    return list(session.scalars(query))


def catalogue_years(session: Session) -> list[int]:
    query = select(Product.year).where(Product.active.is_(True), Product.year.is_not(None)).distinct()
    return sorted(session.scalars(query), reverse=True)


def get_product(session: Session, product_id: int, *, include_inactive: bool = False) -> Product:
    product = session.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(_polymorphic(), selectinload(MicrodataSet.variables))
    )
    if product is None or (not product.active and not include_inactive):
        raise ProductNotFound()
    return product


# -- pricing a catalogue product ------------------------------------------------

@dataclass(frozen=True)
class ProductQuote:
    quote: Quote
    quantity: int  # pages, bytes or maps
    estimated: bool  # a microdata subset: records x chosen widths, final size set later
    chosen_variables: tuple[MicrodataVariable, ...]


def subset_size(record_count: int, byte_widths: Iterable[int]) -> int:
    """Estimated size of an extract: every record carries the chosen variables."""
    return record_count * sum(byte_widths)


def priced_quantity(product: Product, variable_ids: Sequence[int] = ()) -> tuple[int, bool, tuple]:
    if isinstance(product, MicrodataSet) and variable_ids:
        wanted = set(variable_ids)
        chosen = tuple(v for v in product.variables if v.id in wanted)
        if len(chosen) != len(wanted):
            raise InvalidInput("Variabel yang dipilih tidak ada dalam set data ini.")
        if len(chosen) == len(product.variables):
            return product.full_size_bytes, False, chosen
        size = min(subset_size(product.record_count, (v.byte_width for v in chosen)), product.full_size_bytes)
        return size, True, chosen
    return product.priced_quantity, False, ()


def quote_product(
    session: Session,
    product: Product,
    *,
    on: date,
    variable_ids: Sequence[int] = (),
    segment: BuyerSegment | None = None,
    commercial: bool = True,
) -> ProductQuote:
    quantity, estimated, chosen = priced_quantity(product, variable_ids)
    quote = pnbp_services.quote(
        session, [(product.tariff_item_code, quantity)], on=on, segment=segment, commercial=commercial
    )
    return ProductQuote(quote, quantity, estimated, chosen)


# -- admin: add and edit ----------------------------------------------------------

def _positive(value, label: str, *, limit: int) -> int:
    """A whole number from 1 to ``limit``, as typed ("1.250" is 1250; ASCII digits only)."""
    text = str(value if value is not None else "").replace(".", "").strip()
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidInput("{field} harus bilangan bulat.", field=label)
    if text.startswith("-"):
        raise InvalidInput("{field} harus lebih dari nol.", field=label)
    if len(text) > _MAX_DIGITS or int(text) > limit:
        raise InvalidInput("{field} paling banyak {limit}.", field=label, limit=f"{limit:,}".replace(",", "."))
    number = int(text)
    if number <= 0:
        raise InvalidInput("{field} harus lebih dari nol.", field=label)
    return number


def _year(value) -> int | None:
    if value in (None, ""):
        return None
    year = _positive(value, N_("Tahun"), limit=9999)
    if not 1945 <= year <= 2100:
        raise InvalidInput("Tahun harus antara 1945 dan 2100.")
    return year


def parse_variable_lines(text: str) -> list[tuple[str, str, int, str | None]]:
    """Variables typed one per line as ``NAME;label;bytes`` or ``NAME;label;bytes;English label``
    (tab also separates); the English label is None when not given."""
    variables: list[tuple[str, str, int, str | None]] = []
    seen: set[str] = set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("\t", ";").split(";")]
        if len(parts) not in (3, 4) or not parts[0]:
            raise InvalidInput(
                "Baris variabel {line}: tulis NAMA;label;lebar byte, dan bila ada ;label Inggris "
                "(contoh: R101;Provinsi;2;Province).", line=number
            )
        name, label, width = parts[:3]
        label_en = parts[3] if len(parts) == 4 and parts[3] else None
        if name.upper() in seen:
            raise InvalidInput("Baris variabel {line}: variabel {name} tercantum dua kali.", line=number, name=name)
        width_bytes = int(width) if width.isascii() and width.isdigit() and len(width) <= _MAX_DIGITS else 0
        if width_bytes <= 0:
            raise InvalidInput("Baris variabel {line}: lebar byte harus bilangan bulat positif.", line=number)
        if width_bytes > MAX_BYTE_WIDTH:
            raise InvalidInput("Baris variabel {line}: lebar byte paling banyak {limit}.", line=number,
                               limit=f"{MAX_BYTE_WIDTH:,}".replace(",", "."))
        seen.add(name.upper())
        if len(label or name) > 300 or len(label_en or "") > 300:
            raise InvalidInput("Baris variabel {line}: label paling banyak 300 karakter.", line=number)
        variables.append((name, label or name, width_bytes, label_en))
    return variables


def _apply_common(product: Product, fields: dict) -> None:
    product.title = clean_text(fields.get("title"), N_("Judul"))
    product.title_en = clean_text(fields.get("title_en"), N_("Judul (Inggris)"), required=False) or None
    product.description = clean_text(fields.get("description"), N_("Deskripsi"), required=False, max_length=5000)
    product.description_en = clean_text(fields.get("description_en"), N_("Deskripsi (Inggris)"), required=False,
                                        max_length=5000) or None
    product.year = _year(fields.get("year"))
    product.active = bool(fields.get("active", True))


def _apply_publication(product: Publication, fields: dict) -> None:
    product.pages = _positive(fields.get("pages"), N_("Jumlah halaman"), limit=MAX_PAGES)
    product.language = clean_text(fields.get("language"), N_("Bahasa"), max_length=40)
    number = clean_text(fields.get("catalogue_number"), N_("Nomor katalog"), required=False, max_length=60)
    product.catalogue_number = number or None


def _apply_microdata(product: MicrodataSet, fields: dict) -> None:
    product.survey = clean_text(fields.get("survey"), N_("Survei"), max_length=120)
    product.period = clean_text(fields.get("period"), N_("Periode"), max_length=60)
    product.period_en = clean_text(fields.get("period_en"), N_("Periode (Inggris)"), required=False,
                                   max_length=60) or None
    product.region_level = clean_text(fields.get("region_level"), N_("Level wilayah"), max_length=60)
    product.file_format = clean_text(fields.get("file_format"), N_("Format berkas"), max_length=40)
    product.record_count = _positive(fields.get("record_count"), N_("Jumlah record"), limit=MAX_RECORDS)
    product.full_size_bytes = _positive(fields.get("full_size_bytes"), N_("Ukuran set lengkap (byte)"),
                                        limit=MAX_SIZE_BYTES)
    product.processed = bool(fields.get("processed", False))
    variables = parse_variable_lines(fields.get("variables", ""))
    if not variables:
        raise InvalidInput("Set data mikro perlu sedikitnya satu variabel.")
    existing = {v.name: v for v in product.variables}
    kept = []
    for position, (name, label, width, label_en) in enumerate(variables, start=1):
        variable = existing.get(name) or MicrodataVariable(name=name)
        variable.position, variable.label, variable.byte_width, variable.label_en = position, label, width, label_en
        kept.append(variable)
    product.variables = kept


def _apply_map(product: DigitalMap, fields: dict) -> None:
    try:
        product.coverage = MapCoverage(fields.get("coverage"))
        product.level = MapLevel(fields.get("level"))
    except ValueError:
        raise InvalidInput("Cakupan atau level peta tidak dikenal.") from None
    if product.coverage == MapCoverage.REGENCY:
        code = clean_text(fields.get("regency_code"), N_("Kode kabupaten/kota"), max_length=4)
        if not (code.isdigit() and len(code) == 4):
            raise InvalidInput("Kode kabupaten/kota BPS terdiri dari 4 angka (contoh: 3310).")
        product.regency_code = code
        product.regency_name = clean_text(fields.get("regency_name"), N_("Nama kabupaten/kota"), max_length=120)
    else:
        product.regency_code = None
        product.regency_name = None
    product.file_format = clean_text(fields.get("file_format") or "Shapefile", N_("Format berkas"), max_length=40)


_KINDS = {
    ProductKind.PUBLICATION: (Publication, _apply_publication),
    ProductKind.MICRODATA: (MicrodataSet, _apply_microdata),
    ProductKind.MAP: (DigitalMap, _apply_map),
}


def create_product(session: Session, kind: ProductKind, fields: dict) -> Product:
    model, apply = _KINDS[kind]
    product = model()
    if isinstance(product, MicrodataSet):
        product.variables = []
    _apply_common(product, fields)
    apply(product, fields)
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, product_id: int, fields: dict) -> Product:
    product = get_product(session, product_id, include_inactive=True)
    _apply_common(product, fields)
    _KINDS[product.kind][1](product, fields)
    session.flush()
    return product


def product_form_values(product: Product) -> dict:
    """The product as the admin form shows it (the inverse of the ``_apply_*`` parsers)."""
    values = {
        "title": product.title, "title_en": product.title_en or "", "description": product.description,
        "description_en": product.description_en or "", "year": product.year or "", "active": product.active,
    }
    if isinstance(product, Publication):
        values.update(pages=product.pages, language=product.language,
                      catalogue_number=product.catalogue_number or "")
    elif isinstance(product, MicrodataSet):
        values.update(
            survey=product.survey, period=product.period, period_en=product.period_en or "",
            region_level=product.region_level,
            file_format=product.file_format, record_count=product.record_count,
            full_size_bytes=product.full_size_bytes, processed=product.processed,
            variables="\n".join(f"{v.name};{v.label};{v.byte_width}" + (f";{v.label_en}" if v.label_en else "")
                                 for v in product.variables),
        )
    elif isinstance(product, DigitalMap):
        values.update(coverage=product.coverage.value, level=product.level.value,
                      regency_code=product.regency_code or "", regency_name=product.regency_name or "",
                      file_format=product.file_format)
    return values


def catalogue_counts(session: Session) -> dict[ProductKind, tuple[int, int]]:
    """Per kind: (active products, all products)."""
    rows = session.execute(
        select(Product.kind, func.count(Product.id), func.sum(case((Product.active.is_(True), 1), else_=0)))
        .group_by(Product.kind)
    )
    counts = {kind: (0, 0) for kind in ProductKind}
    for kind, total, active in rows:
        counts[ProductKind(kind)] = (int(active or 0), int(total))
    return counts
