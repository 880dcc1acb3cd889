"""NPWP (Nomor Pokok Wajib Pajak), the Indonesian tax number.

The old format has 15 digits (usually written 12.345.678.9-012.345); since the
2024 move to NIK-based numbering, 16 digits are issued. Buyers type either, with
or without punctuation; we keep the digits only. Pure module.
"""

from __future__ import annotations

import re

from sales_service.errors import InvalidInput

_ALLOWED = re.compile(r"^[0-9.\-\s/]+$")


class NpwpInvalid(InvalidInput):
    pass


def normalise_npwp(text: str) -> str:
    """Return the NPWP's digits, or raise :class:`NpwpInvalid` with the reason."""
    raw = (text or "").strip()
    if not raw:
        raise NpwpInvalid("NPWP wajib diisi untuk perusahaan swasta.")
    if not _ALLOWED.match(raw):
        raise NpwpInvalid("NPWP hanya boleh berisi angka, titik, tanda hubung dan spasi.")
    digits = re.sub(r"\D", "", raw)
    if len(digits) not in (15, 16):
        raise NpwpInvalid("NPWP harus 15 atau 16 digit; yang diisi {count} digit.", count=len(digits))
    return digits


def format_npwp(digits: str) -> str:
    """15 digits as 12.345.678.9-012.345; 16-digit numbers are shown as typed."""
    if len(digits) == 15:
        return f"{digits[0:2]}.{digits[2:5]}.{digits[5:8]}.{digits[8]}-{digits[9:12]}.{digits[12:15]}"
    return digits
