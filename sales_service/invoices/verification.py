"""Signed links printed as QR codes on documents: ``/verify/<token>``.

The token names the document (kind and id) and is signed with the app's secret
(itsdangerous), so it cannot be forged or altered; the page then reads the
document's current state (valid, void, paid) from the database.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from sales_service.errors import NotFound

SALT = "sales-service/verify-document"
KINDS = ("invoice", "sppd")


class VerificationLinkInvalid(NotFound):
    def __init__(self):
        super().__init__("Tautan verifikasi tidak sah: dokumen ini tidak diterbitkan oleh layanan ini, "
                         "atau tautannya diubah.")


def make_token(secret: str, kind: str, document_id: int) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    return URLSafeSerializer(secret, salt=SALT).dumps([kind, document_id])


def read_token(secret: str, token: str) -> tuple[str, int]:
    try:
        kind, document_id = URLSafeSerializer(secret, salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise VerificationLinkInvalid() from None
    if kind not in KINDS or not isinstance(document_id, int):
        raise VerificationLinkInvalid()
    return kind, document_id
