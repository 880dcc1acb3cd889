"""What the buyer and the treasurer type about money received: days, billing codes and NTPNs,
read strictly and refused with the field's name. Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from datetime import date

from sales_service.errors import InvalidInput
from sales_service.payments.notifications import BILLING_CODE, NTPN


def past_day(text: str | None, label: str, *, today: date) -> date:
    """A calendar day as a date field sends it (YYYY-MM-DD), not after ``today``: money is
    recorded when it has moved. ``label`` is marked with ``N_``."""
    typed = (text or "").strip()
    if not typed:
        raise InvalidInput("{field} wajib diisi.", field=label)
    try:
        day = date.fromisoformat(typed[:10]) if len(typed) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput("{field} bukan tanggal yang sah (TTTT-BB-HH).", field=label)
    if day > today:
        raise InvalidInput("{field} tidak boleh sesudah hari ini.", field=label)
    return day


def billing_code(text: str | None) -> str:
    """A SIMPONI billing code: 15 digits (spaces, as printed on the slip, are ignored)."""
    code = "".join((text or "").split())
    if not BILLING_CODE.fullmatch(code):
        raise InvalidInput("Kode billing terdiri atas 15 angka.")
    return code


def ntpn(text: str | None) -> str:
    """An NTPN (Nomor Transaksi Penerimaan Negara): 16 letters and digits, kept in capitals."""
    value = "".join((text or "").split())
    if not NTPN.fullmatch(value):
        raise InvalidInput("NTPN terdiri atas 16 huruf dan angka.")
    return value.upper()
