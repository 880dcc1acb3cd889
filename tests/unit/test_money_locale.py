"""Rupiah as each UI language groups numbers (issue 8, point 12): English readers take
"Rp1.250.000" for a decimal, so English pages write "Rp1,250,000"."""

import pytest

from sales_service.money import format_rupiah


@pytest.mark.parametrize(("amount", "locale", "expected"), [
    (1_250_000, "id_ID", "Rp1.250.000"),
    (1_250_000, "en_GB", "Rp1,250,000"),
    (0, "en_GB", "Rp0"),
    (999, "en_GB", "Rp999"),
    (999_999_999_999, "en_GB", "Rp999,999,999,999"),
    (-20_000, "en_GB", "-Rp20,000"),
])
def test_rupiah_is_grouped_as_the_language_writes_numbers(amount, locale, expected):
    assert format_rupiah(amount, locale) == expected


def test_indonesian_grouping_stays_the_default_for_documents():
    assert format_rupiah(1_250_000) == "Rp1.250.000"
