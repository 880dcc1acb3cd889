"""What a payment notification says (DESIGN.md "Payment-notification webhook").

The body is read strictly: UTF-8 JSON, ``type`` ``billing.paid``, a 15-digit billing
code, a positive whole-rupiah amount in IDR, a 16-character NTPN, and the moment of
payment with its offset. Anything else is refused whole (400) and nothing is
recorded: a notification that cannot be read cannot be trusted. Pure module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sales_service.errors import InvalidInput

BILLING_CODE = re.compile(r"[0-9]{15}")
NTPN = re.compile(r"[0-9A-Za-z]{16}")  # Nomor Transaksi Penerimaan Negara
MAX_AMOUNT = 10**15  # far above any tariff; a BIGINT holds it
MAX_TEXT = 100


class NotificationMalformed(InvalidInput):
    http_status = 400

    def __init__(self, *, problem: str):
        super().__init__("Notifikasi pembayaran tidak dapat dibaca: {problem}.", problem=problem)
        self.problem = problem


@dataclass(frozen=True)
class BillingPaid:
    """One payment of a billing code, as the payment network reports it."""

    billing_code: str
    amount: int  # whole rupiah
    currency: str
    ntpn: str  # upper case
    ntb: str | None  # the bank's transaction number
    bank: str | None
    channel: str | None
    paid_at: datetime  # aware, UTC

    def as_body(self) -> dict:
        """The notification body that says exactly this (for payments learnt by inquiry)."""
        return {"type": "billing.paid", "data": {
            "billing_code": self.billing_code, "amount": self.amount, "currency": self.currency, "ntpn": self.ntpn,
            "ntb": self.ntb, "bank": self.bank, "channel": self.channel, "paid_at": self.paid_at.isoformat()}}


def _text(data: dict, name: str) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise NotificationMalformed(problem=f"{name} is not a short text")
    return value


def parse_body(body: bytes) -> BillingPaid:
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotificationMalformed(problem="the body is not UTF-8") from None
    except ValueError:
        raise NotificationMalformed(problem="the body is not JSON") from None
    if not isinstance(document, dict) or document.get("type") != "billing.paid":
        raise NotificationMalformed(problem="type is not billing.paid")
    data = document.get("data")
    if not isinstance(data, dict):
        raise NotificationMalformed(problem="data is missing")
    return parse_data(data)


def parse_data(data: dict) -> BillingPaid:
    code = data.get("billing_code")
    if not isinstance(code, str) or not BILLING_CODE.fullmatch(code):
        raise NotificationMalformed(problem="billing_code is not 15 digits")
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise NotificationMalformed(problem="amount is not a positive whole number of rupiah")
    if data.get("currency") != "IDR":
        raise NotificationMalformed(problem="currency is not IDR")
    ntpn = data.get("ntpn")
    if not isinstance(ntpn, str) or not NTPN.fullmatch(ntpn):
        raise NotificationMalformed(problem="ntpn is not 16 letters and digits")
    paid_at_text = data.get("paid_at")
    try:
        paid_at = datetime.fromisoformat(paid_at_text) if isinstance(paid_at_text, str) else None
    except ValueError:
        paid_at = None
    if paid_at is None or paid_at.tzinfo is None:
        raise NotificationMalformed(problem="paid_at is not a moment with its offset")
    return BillingPaid(billing_code=code, amount=amount, currency="IDR", ntpn=ntpn.upper(),
                       ntb=_text(data, "ntb"), bank=_text(data, "bank"), channel=_text(data, "channel"),
                       paid_at=paid_at.astimezone(UTC))  # stored as UTC, like every moment
