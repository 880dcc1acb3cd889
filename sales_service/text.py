"""Cleaning what people type into forms. Pure module."""

from __future__ import annotations

from sales_service.errors import InvalidInput

MAX_REASON = 2000  # a reason, note or explanation typed by a person


def clean_text(value: str | None, label: str, *, required: bool = True, max_length: int = 300) -> str:
    """Trimmed text, refused with the field's name when missing or too long.
    ``label`` should be marked with ``N_`` so the message is translated whole."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput("{field} wajib diisi.", field=label)
    if len(value) > max_length:
        raise InvalidInput("{field} terlalu panjang (maksimal {n} karakter).", field=label, n=max_length)
    return value
