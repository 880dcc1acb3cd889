"""Pricing under the real tariff files: worked examples, Rp0, refusals, monotonicity."""

import ast
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_service.pnbp import (
    ZERO_RATE_SEGMENTS,
    BuyerSegment,
    InvalidQuantity,
    NoScheduleInForce,
    PricingRule,
    ScheduleBook,
    TariffItemUnknown,
    TariffNotPriceable,
    build_quote,
    load_schedule_dir,
    price_item,
    quote_line,
    zero_rate_applies,
)

TARIFFS = Path(__file__).resolve().parents[2] / "tariffs"
TODAY = date(2026, 11, 23)  # a day under PP 13/2024
PP13_ITEMS = [
    "pub-electronic",
    "microdata-raw",
    "microdata-processed",
    "map-national-kecamatan",
    "map-national-desa",
    "map-regency-kecamatan",
    "map-regency-desa",
]
PP7_ITEMS = ["pub-printed", "pub-electronic", "microdata", "map"]


@cache
def book() -> ScheduleBook:
    # Cached helper rather than a fixture: hypothesis tests may not use function fixtures.
    return ScheduleBook(load_schedule_dir(TARIFFS))


def pp13():
    return book().get("pp-13-2024")


def pp7():
    return book().get("pp-7-2015")


def price(item_code: str, quantity: int) -> int:
    return quote_line(pp13(), item_code, quantity).amount


# --- worked examples (PP 13/2024) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "amount"),
    [(1, 50_000), (50, 50_000), (51, 65_000), (100, 65_000), (101, 80_000), (250, 110_000)],
)
def test_electronic_publication_by_pages(pages, amount):
    assert price("pub-electronic", pages) == amount


@pytest.mark.parametrize(
    ("size", "raw", "processed"),
    [
        (1, 20_000, 22_000),
        (1_000_000, 20_000, 22_000),  # 1 MB is 1.000.000 bytes
        (1_000_001, 20_000, 22_000),  # Rp20.000,02 / Rp22.000,022 round down
        (1_500_000, 30_000, 33_000),
        (1_200_000_000, 24_000_000, 26_400_000),  # 1,2 GB
    ],
)
def test_microdata_by_bytes(size, raw, processed):
    assert price("microdata-raw", size) == raw
    assert price("microdata-processed", size) == processed


@pytest.mark.parametrize(
    ("item", "size", "amount"),
    [
        ("microdata-raw", 1_000_025, 20_001),  # Rp20.000,5 rounds half up
        ("microdata-raw", 1_000_024, 20_000),  # Rp20.000,48
        ("microdata-raw", 1_000_075, 20_002),  # Rp20.001,5 rounds up, not to even
        ("microdata-processed", 1_000_023, 22_001),  # Rp22.000,506
        ("microdata-processed", 1_000_022, 22_000),  # Rp22.000,484
    ],
)
def test_microdata_is_rounded_half_up_once_at_the_line_total(item, size, amount):
    assert price(item, size) == amount


def test_microdata_fractions_are_not_rounded_per_thousand_bytes():
    # 2 x 250 bytes over the first MB: pro rata per byte is Rp10, not 2 x Rp5 or a full Rp20.
    assert price("microdata-raw", 1_000_500) == 20_010


@pytest.mark.parametrize(
    ("item", "maps", "amount"),
    [
        ("map-national-kecamatan", 1, 12_000_000),
        ("map-national-desa", 1, 36_000_000),
        ("map-regency-kecamatan", 1, 30_000),
        ("map-regency-desa", 1, 70_000),
        ("map-regency-desa", 3, 210_000),
    ],
)
def test_maps_per_map(item, maps, amount):
    assert price(item, maps) == amount


@pytest.mark.parametrize(
    ("item", "quantity", "unit_price", "basis"),
    [
        ("pub-electronic", 30, 50_000, "50 halaman pertama Rp50.000"),
        (
            "pub-electronic",
            150,
            50_000,
            "50 halaman pertama Rp50.000 + 2 × 50 halaman berikutnya @ Rp15.000",
        ),
        ("microdata-raw", 900_000, 20_000, "1 MB pertama Rp20.000"),
        (
            "microdata-raw",
            1_500_000,
            20_000,
            "1 MB pertama Rp20.000 + 500.000 byte × Rp20/1.000 byte",
        ),
        ("map-regency-kecamatan", 2, 30_000, "2 peta × Rp30.000"),
    ],
)
def test_a_line_explains_its_price(item, quantity, unit_price, basis):
    line = quote_line(pp13(), item, quantity)
    assert line.basis == basis
    assert line.unit_price == unit_price
    assert (line.schedule_code, line.regulation, line.item_code) == (
        "pp-13-2024",
        "PP 13/2024",
        item,
    )
    assert line.quantity == quantity
    assert not line.waived and line.waiver_basis is None


def test_price_item_returns_amount_and_basis():
    assert price_item(pp13().item("map-regency-desa"), 2) == (140_000, "2 peta × Rp70.000")


# --- quotes and Rp0 ------------------------------------------------------------------------

ORDER = [("pub-electronic", 120), ("microdata-raw", 1_500_000), ("map-regency-desa", 1)]
ORDER_TOTAL = 80_000 + 30_000 + 70_000


def test_a_quote_adds_its_lines():
    quote = build_quote(book(), ORDER, on=TODAY)
    assert [line.amount for line in quote.lines] == [80_000, 30_000, 70_000]
    assert quote.total == quote.normal_total == ORDER_TOTAL
    assert (quote.on, quote.schedule_code, quote.regulation) == (TODAY, "pp-13-2024", "PP 13/2024")
    assert not quote.waived


def test_two_data_sets_of_one_item_are_two_lines_not_one_summed_size():
    quote = build_quote(book(), [("microdata-raw", 600_000), ("microdata-raw", 600_000)], on=TODAY)
    assert quote.total == 40_000  # not Rp22.000 for 1.200.000 bytes


@pytest.mark.parametrize("segment", sorted(ZERO_RATE_SEGMENTS))
def test_rp0_for_an_eligible_segment_using_data_non_commercially(segment):
    quote = build_quote(book(), ORDER, on=TODAY, segment=segment, commercial=False)
    assert quote.total == 0
    assert quote.normal_total == ORDER_TOTAL
    assert quote.waived
    for line in quote.lines:
        assert line.amount == 0 and line.waived
        assert line.normal_amount > 0
        assert "Perban BPS 2/2019" in line.waiver_basis
        assert line.waiver_basis == pp13().zero_rate.legal_basis


def test_exactly_five_segments_are_eligible_for_rp0():
    assert ZERO_RATE_SEGMENTS == {
        BuyerSegment.CENTRAL_GOVERNMENT,
        BuyerSegment.REGIONAL_GOVERNMENT,
        BuyerSegment.EDUCATION_INSTITUTION,
        BuyerSegment.FOREIGN_MISSION,
        BuyerSegment.INTERNATIONAL_ORGANISATION,
    }


@pytest.mark.parametrize(
    ("segment", "commercial"),
    [
        (BuyerSegment.INDIVIDUAL, False),
        (BuyerSegment.STUDENT, False),
        (BuyerSegment.PRIVATE_COMPANY, False),
        (BuyerSegment.INDIVIDUAL, True),
        (BuyerSegment.PRIVATE_COMPANY, True),
        *[(segment, True) for segment in sorted(ZERO_RATE_SEGMENTS)],
        (None, False),
    ],
)
def test_full_price_for_payers_and_for_commercial_use(segment, commercial):
    quote = build_quote(book(), ORDER, on=TODAY, segment=segment, commercial=commercial)
    assert quote.total == ORDER_TOTAL
    assert not quote.waived
    assert all(not line.waived and line.waiver_basis is None for line in quote.lines)


@pytest.mark.parametrize("segment", list(BuyerSegment))
@pytest.mark.parametrize("commercial", [True, False])
def test_zero_rate_applies_only_to_eligible_non_commercial(segment, commercial):
    expected = segment in ZERO_RATE_SEGMENTS and not commercial
    assert zero_rate_applies(pp13(), segment, commercial) is expected


def test_an_empty_request_is_an_empty_quote():
    quote = build_quote(
        book(), [], on=TODAY, segment=BuyerSegment.FOREIGN_MISSION, commercial=False
    )
    assert (quote.lines, quote.total, quote.normal_total, quote.waived) == ((), 0, 0, False)


# --- schedule by date ------------------------------------------------------------------------


def test_the_quote_uses_the_schedule_in_force_on_the_day():
    start = pp13().effective_from
    day_before = date.fromordinal(start.toordinal() - 1)
    assert build_quote(book(), [("map-regency-desa", 1)], on=start).total == 70_000
    with pytest.raises(TariffNotPriceable, match="PP 7/2015"):
        build_quote(book(), [("map", 1)], on=day_before)
    # PP 7/2015 knows no "map-regency-desa": the item code is per schedule.
    with pytest.raises(TariffItemUnknown, match="map-regency-desa"):
        build_quote(book(), [("map-regency-desa", 1)], on=day_before)


def test_no_quote_before_2015():
    with pytest.raises(NoScheduleInForce):
        build_quote(book(), [("map", 1)], on=date(2014, 12, 31))


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("item", PP7_ITEMS)
@pytest.mark.parametrize("zero_rate", [False, True])
def test_every_pp_7_2015_item_refuses_to_price(item, zero_rate):
    with pytest.raises(TariffNotPriceable) as refused:
        quote_line(pp7(), item, 10, zero_rate=zero_rate)
    assert "not priceable under PP 7/2015: amount not recorded" in refused.value.message
    assert item in refused.value.message
    assert refused.value.http_status == 422


def test_price_item_refuses_an_item_without_amounts():
    with pytest.raises(TariffNotPriceable, match="amount not recorded"):
        price_item(pp7().item("map"), 1)


@pytest.mark.parametrize("quantity", [0, -1, -50, True, False, 1.5, 2.0, "3", None])
@pytest.mark.parametrize("item", ["pub-electronic", "microdata-raw", "map-regency-desa"])
def test_quantity_must_be_a_positive_whole_number(item, quantity):
    with pytest.raises(InvalidQuantity) as refused:
        quote_line(pp13(), item, quantity)
    assert item in refused.value.message
    assert refused.value.http_status == 422


def test_an_unknown_item_is_not_found():
    with pytest.raises(TariffItemUnknown, match="pub-printed"):
        build_quote(book(), [("pub-printed", 10)], on=TODAY)


# --- properties ------------------------------------------------------------------------------

QUANTITIES = {
    PricingRule.PAGE_BLOCKS: st.integers(min_value=1, max_value=100_000),
    PricingRule.SIZE_BYTES: st.integers(min_value=1, max_value=10**13),
    PricingRule.PER_UNIT: st.integers(min_value=1, max_value=10_000),
}


@pytest.mark.parametrize("item_code", PP13_ITEMS)
@settings(database=None)
@given(data=st.data())
def test_price_never_decreases_as_quantity_grows(item_code, data):
    item = pp13().item(item_code)
    quantities = QUANTITIES[item.rule]
    smaller = data.draw(quantities, label="smaller")
    larger = smaller + data.draw(quantities, label="growth") - 1
    small_price, _ = price_item(item, smaller)
    large_price, _ = price_item(item, larger)
    assert 0 < small_price <= large_price


@pytest.mark.parametrize("item_code", ["microdata-raw", "microdata-processed"])
@settings(database=None)
@given(size=st.integers(min_value=1_000_001, max_value=10**13))
def test_microdata_is_within_half_a_rupiah_of_the_exact_pro_rata_price(item_code, size):
    item = pp13().item(item_code)
    amount, _ = price_item(item, size)
    # Exact value in thousandths of a rupiah, integer arithmetic only.
    exact_milli = item.first_unit_price * 1000 + (size - 1_000_000) * item.step_price
    assert abs(amount * 1000 - exact_milli) <= 500


def test_every_pp_13_2024_item_is_covered_by_the_property_test():
    assert sorted(pp13().items) == sorted(PP13_ITEMS)
    assert all(item.priceable for item in pp13().items.values())


@pytest.mark.parametrize("module", ["__init__", "segments", "schedule", "pricing"])
def test_the_tariff_rules_import_neither_flask_nor_sqlalchemy(module):
    source = Path(__file__).resolve().parents[2] / "sales_service" / "pnbp" / f"{module}.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not {name for name in imported if name.split(".")[0] in {"flask", "sqlalchemy"}}


@pytest.mark.parametrize("code, quantity, english", [
    ("pub-electronic", 120, "first 50 pages Rp50,000 + 2 × 50 further pages @ Rp15,000"),
    ("pub-electronic", 50, "first 50 pages Rp50,000"),
    ("microdata-raw", 1_500_000, "first 1 MB Rp20,000 + 500,000 bytes × Rp20/1,000 bytes"),
    ("map-regency-desa", 2, "2 maps × Rp70,000"),
    ("map-national-kecamatan", 1, "1 map × Rp12,000,000"),
])
def test_the_basis_is_also_explained_in_english(code, quantity, english):
    line = quote_line(pp13(), code, quantity)
    assert line.basis_en == english
