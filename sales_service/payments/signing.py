"""Standard Webhooks signing (https://www.standardwebhooks.com), pure.

A notification carries three headers: ``webhook-id``, ``webhook-timestamp`` (Unix
seconds) and ``webhook-signature``: ``v1,<base64 HMAC-SHA256>`` of
``"{id}.{timestamp}.{raw body}"``, several entries separated by spaces while a
secret is being rotated. The secret is ``whsec_<base64 key>``. Receivers verify the
raw bytes before parsing them, in constant time, and refuse a timestamp more than
five minutes off (replays).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

from sales_service.errors import DomainError

SECRET_PREFIX = "whsec_"
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
TOLERANCE_SECONDS = 300  # Standard Webhooks: five minutes either way

_TIMESTAMP = re.compile(r"[0-9]{1,15}")  # ASCII digits only: int() would also take "+1", " 1", "1_0"


class SignatureInvalid(DomainError):
    """A notification that cannot be shown to come from the payment network.

    ``reason`` names the failed check for logs and tests: ``missing_header``,
    ``bad_timestamp``, ``stale_timestamp`` or ``bad_signature``."""

    http_status = 401

    def __init__(self, template: str, *, reason: str, **params: object):
        self.reason = reason
        super().__init__(template, **params)


def decode_secret(secret: str) -> bytes:
    """The HMAC key inside ``whsec_<base64>``; ``ValueError`` for anything else
    (a configuration mistake, not a bad request)."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret looks like 'whsec_<base64>'")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except binascii.Error:
        raise ValueError("the part of a webhook secret after 'whsec_' must be base64") from None
    if not key:
        raise ValueError("a webhook secret must not be empty")
    return key


def new_secret() -> str:
    """A fresh secret: 32 random bytes, the size of an HMAC-SHA256 block's output."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _signature(key: bytes, msg_id: str, timestamp: int | str, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + bytes(body)
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode("ascii")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256>``."""
    return "v1," + _signature(decode_secret(secret), msg_id, int(timestamp), body)


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers a sender puts on ``body``."""
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(int(timestamp)),
        SIGNATURE_HEADER: sign(secret, msg_id, timestamp, body),
    }


def _header(received: Mapping[str, str], name: str) -> str | None:
    """HTTP header names are case-insensitive; Flask's headers already are, a dict is not."""
    value = received.get(name)
    if value is None:
        value = next((v for k, v in received.items() if k.lower() == name), None)
    return value


def verify(secret: str, received: Mapping[str, str], body: bytes, *, now: int,
           tolerance: int = TOLERANCE_SECONDS) -> str:
    """Check ``received`` headers against the raw ``body``; return the message id.

    ``now`` is the receiver's clock in Unix seconds. Raises ``SignatureInvalid``."""
    key = decode_secret(secret)
    values = {name: _header(received, name) for name in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SignatureInvalid("Header webhook tidak lengkap: {missing}.", reason="missing_header",
                               missing=", ".join(missing))
    msg_id, timestamp, signatures = values[ID_HEADER], values[TIMESTAMP_HEADER], values[SIGNATURE_HEADER]
    if not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureInvalid("Cap waktu webhook tidak sah.", reason="bad_timestamp")
    if abs(int(now) - int(timestamp)) > tolerance:
        raise SignatureInvalid("Cap waktu webhook terlalu jauh dari waktu server.", reason="stale_timestamp")
    expected = _signature(key, msg_id, timestamp, body).encode("ascii")
    # Check every entry (no early exit) so the time taken says nothing about which one matched.
    matched = False
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            matched = True
    if not matched:
        raise SignatureInvalid("Tanda tangan webhook tidak sah.", reason="bad_signature")
    return msg_id
