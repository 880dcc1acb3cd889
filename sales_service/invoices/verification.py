"""Verification links printed as QR codes on documents: ``/verify/<code>``.

Each issued document gets its own random code (``secrets``), stored beside it, so
a link reveals nothing (no id, no sequence) and cannot be forged or derived; the
page then reads the document's current state (valid, void, paid). Pure module.
"""

from __future__ import annotations

import secrets

from sales_service.errors import NotFound

CODE_BYTES = 18  # 144 random bits, 24 URL-safe characters


class VerificationLinkInvalid(NotFound):
    def __init__(self):
        super().__init__("Tautan verifikasi tidak sah: dokumen ini tidak diterbitkan oleh layanan ini, "
                         "atau tautannya diubah.")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def plausible_code(text: str) -> bool:
    """Whether ``text`` could be a code at all (checked before any query)."""
    return 10 <= len(text) <= 40 and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)
