"""Rupiah: one rounding rule, one formatter, Indonesian input."""

from decimal import Decimal

import pytest

from sales_service.errors import InvalidInput
from sales_service.money import format_rupiah, parse_rupiah, round_rupiah


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Rp0"),
        (20, "Rp20"),
        (1_000, "Rp1.000"),
        (50_000, "Rp50.000"),
        (1_250_000, "Rp1.250.000"),
        (36_000_000, "Rp36.000.000"),
        (1_234_567_890, "Rp1.234.567.890"),
    ],
)
def test_format_rupiah_uses_indonesian_grouping(amount, text):
    assert format_rupiah(amount) == text


@pytest.mark.parametrize("amount", [1.5, Decimal("1"), "1000", True])
def test_format_rupiah_refuses_anything_but_whole_rupiah(amount):
    with pytest.raises(TypeError):
        format_rupiah(amount)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.250.000", 1_250_000),
        ("Rp 1.250.000", 1_250_000),
        ("Rp1.250.000", 1_250_000),
        ("rp. 1.250.000", 1_250_000),
        ("1250000", 1_250_000),
        ("1.250.000,00", 1_250_000),
        ("  50.000 ", 50_000),
        ("0", 0),
    ],
)
def test_parse_rupiah_reads_amounts_as_indonesians_type_them(text, amount):
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    "text",
    ["1,5", "1.250.000,50", "abc", "-5", "", "1.25", "12.50.000", "Rp", "1 250 000"],
)
def test_parse_rupiah_refuses_fractions_negatives_and_words(text):
    with pytest.raises(InvalidInput) as refused:
        parse_rupiah(text)
    assert "1.250.000" in refused.value.message  # the message shows the expected form


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("20000.5", 20_001),  # half rounds up, not to even
        ("20001.5", 20_002),
        ("0.5", 1),
        ("20000.49", 20_000),
        ("20000.51", 20_001),
        ("24000000", 24_000_000),
        ("0", 0),
    ],
)
def test_round_rupiah_rounds_half_up(value, rounded):
    assert round_rupiah(Decimal(value)) == rounded


def test_round_rupiah_refuses_floats():
    with pytest.raises(TypeError):
        round_rupiah(20000.5)
