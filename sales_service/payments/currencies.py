"""Amounts sent from abroad: integer minor units of an ISO 4217 currency (cents of a dollar; a yen
is its own minor unit), never a float (CONVENTIONS 5). Typed and shown as the visitor's language
writes numbers ("1,250.50" on English pages, "1.250,50" on Indonesian ones); babel knows every
currency's code and its number of decimals. Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_currency, get_currency_precision, list_currencies, parse_decimal

from sales_service.dates import LOCALES
from sales_service.errors import InvalidInput

MAX_MINOR_UNITS = 10**15  # far above any transfer for a data product; a BIGINT holds it
# Offered first in the form; any other ISO 4217 code is accepted as typed.
COMMON = ("USD", "EUR", "SGD", "AUD", "JPY", "GBP", "MYR", "CNY", "IDR")


def currency_code(text: str | None) -> str:
    """An ISO 4217 code as typed ("usd" -> "USD"), or a refusal."""
    code = (text or "").strip().upper()
    if len(code) != 3 or not code.isascii() or code not in list_currencies():
        raise InvalidInput("'{text}' bukan kode mata uang ISO 4217 (contoh: USD, EUR, SGD).", text=(text or "")[:20])
    return code


def parse_minor_units(text: str | None, currency: str, locale: str) -> int:
    """``"1,250.50"`` USD on an English page -> ``125050``. Grouping must be where a language puts
    it (babel's strict reading): the page's language first, then the service's other language, since
    a buyer abroad may type "21.50" on an Indonesian page. More decimals than the currency has, zero
    or negative amounts are refused."""
    typed = (text or "").strip().replace("\u00a0", " ")
    if not typed:
        raise InvalidInput("Jumlah yang dikirim wajib diisi.")
    value = None
    for reading in (locale, *(other for other in LOCALES.values() if other != locale)):
        try:
            value = parse_decimal(typed, locale=reading, strict=True)
            break
        except (NumberFormatError, InvalidOperation):
            continue
    if value is None:
        raise InvalidInput("'{text}' bukan jumlah yang sah.", text=typed[:40])
    places = get_currency_precision(currency)
    minor = value.scaleb(places)
    if minor != minor.to_integral_value():
        raise InvalidInput("{currency} memakai paling banyak {places} angka desimal.", currency=currency,
                           places=places)
    if not 0 < minor <= MAX_MINOR_UNITS:
        raise InvalidInput("Jumlah yang dikirim harus lebih dari nol.")
    return int(minor)


def format_minor_units(minor: int, currency: str, locale: str) -> str:
    """``125050``, ``"USD"`` -> "US$1,250.50" (English) / "US$1.250,50" (Indonesian)."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError("amounts sent are integers of minor units")
    places = get_currency_precision(currency)
    return format_currency(Decimal(minor).scaleb(-places), currency, locale=locale,
                           format_type="standard", currency_digits=True)
