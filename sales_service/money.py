"""Rupiah: integers of whole rupiah everywhere, one rounding rule, one formatter.

Pricing math happens in :class:`~decimal.Decimal` and is rounded once, by
:func:`round_rupiah`, half-up (PP 13/2024 amounts are whole rupiah; the tariff's
pro-rata per-byte charge produces fractions that are rounded at the line total).
Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from sales_service.errors import InvalidInput


def round_rupiah(value: Decimal) -> int:
    """Round an exact rupiah amount half-up to whole rupiah (the only rounding)."""
    if not isinstance(value, Decimal):
        raise TypeError("round_rupiah takes a Decimal, never a float")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_rupiah(amount: int, locale: str = "id_ID") -> str:
    """``1250000`` -> ``"Rp1.250.000"`` (no decimals), grouped as ``locale`` reads numbers:
    ``"Rp1,250,000"`` for English pages, where "1.250.000" would read as a decimal."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("rupiah amounts are integers")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{format_decimal(abs(amount), format='#,##0', locale=locale)}"


_RUPIAH_INPUT = re.compile(r"^(?:rp\.?\s*)?(\d{1,3}(?:\.\d{3})+|\d+)(?:,0+)?$", re.IGNORECASE)


def parse_rupiah(text: str) -> int:
    """Read a rupiah amount as Indonesians type it: ``"1.250.000"``, ``"Rp 1.250.000"``,
    ``"1250000"`` or ``"1.250.000,00"``. Fractions of a rupiah are refused."""
    cleaned = (text or "").strip().replace("\u00a0", " ")
    match = _RUPIAH_INPUT.match(cleaned)
    if not match:
        raise InvalidInput("'{text}' bukan jumlah rupiah yang sah (contoh: 1.250.000).", text=text)
    return int(match.group(1).replace(".", ""))
