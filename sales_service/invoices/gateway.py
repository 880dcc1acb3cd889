"""Billing gateway: where billing codes (kode billing) come from.

The Ministry of Finance's SIMPONI issues them and has no public API (DOMAIN.md), so
the service talks to a ``BillingGateway``:

* ``SimulatedSimponi`` (the default, in-process) keeps bills in its own table, as an
  external system would, and can "pay" one by POSTing a real signed notification to
  the payment webhook, as the bank network does;
* ``HttpBillingGateway`` speaks a small JSON contract to a configured endpoint:
  ``POST /billings`` and ``POST /billings/<code>/cancel``.

``session`` is the first argument of both methods so a gateway may keep state in the
service's database (the simulator does); the HTTP gateway ignores it.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import string
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Protocol, runtime_checkable

import requests
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sales_service.clock import utcnow
from sales_service.errors import N_, DomainError, InvalidInput
from sales_service.invoices.simulator_models import SimulatedBill, SimulatedPayment
from sales_service.payments import signing
from sales_service.payments.notifications import BillingPaid, NotificationMalformed, parse_data

log = logging.getLogger(__name__)

# Bank payment times are Western Indonesia Time (UTC+7, no daylight saving); so are the
# payment notification's ``paid_at`` and the date inside a simulated code.
WIB = timezone(timedelta(hours=7), "WIB")
# 15 ASCII digits; the first, 7-9, marks a non-tax (DJA) bill (DOMAIN.md).
BILLING_CODE = re.compile(r"[7-9][0-9]{14}")
NTPN_ALPHABET = string.ascii_uppercase + string.digits  # NTPN: 16 alphanumerics
CODE_ATTEMPTS = 5  # fresh random codes to try when one is already taken

UNAVAILABLE = N_("Layanan kode billing tidak dapat dihubungi atau memberi jawaban yang tidak sah. "
                 "Silakan coba lagi beberapa saat lagi.")


@dataclass(frozen=True)
class BillingRequest:
    invoice_number: str
    amount: int  # whole rupiah, > 0
    payer_name: str
    description: str
    expires_days: int  # the code's life; office setting, never a constant (DOMAIN.md)

    def __post_init__(self) -> None:
        for name in ("amount", "expires_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"BillingRequest.{name} must be a positive int, got {value!r}")


@dataclass(frozen=True)
class IssuedBilling:
    code: str  # 15 digits
    issued_at: datetime  # aware, UTC
    expires_at: datetime  # aware, UTC


class BillingGatewayError(DomainError):
    """The billing service could not be reached or answered badly.

    ``reason`` names what happened, for logs and tests: ``timeout``, ``connection``,
    ``server_error``, ``rejected`` (a 4xx: retrying will not help), ``unexpected_status``,
    ``malformed`` or ``unavailable``."""

    http_status = 502

    def __init__(self, template: str = UNAVAILABLE, *, reason: str = "unavailable", **params: object):
        self.reason = reason
        super().__init__(template, **params)


class BillingNotPayable(DomainError):
    """The simulated bank refuses to take money for this code."""

    http_status = 409


@runtime_checkable
class BillingGateway(Protocol):
    def issue(self, session: Session, request: BillingRequest) -> IssuedBilling: ...

    def cancel(self, session: Session, code: str) -> None: ...

    def payments_of(self, session: Session, code: str) -> list[BillingPaid]:
        """Status inquiry: every payment the network holds for ``code`` (notified or not)."""
        ...


def _aware_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for ``DateTime(timezone=True)``; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- simulated SIMPONI -------------------------------------------------------------------------


class SimulatedSimponi:
    """Stands in for SIMPONI and the banks: issues codes, and pays them on request.

    A payment sends the notification over real HTTP with Standard Webhooks signing, so
    the webhook is exercised exactly as in production. ``http_post`` has the signature
    of ``requests.post`` and must return an object with ``status_code``.
    """

    def __init__(self, *, first_digit: int = 8, webhook_url: str, webhook_secret: str,
                 clock: Callable[[], datetime] = utcnow, http_post: Callable[..., Any] = requests.post,
                 randbelow: Callable[[int], int] = secrets.randbelow):
        if first_digit not in (7, 8, 9):
            raise ValueError(f"a billing code's first digit is 7, 8 or 9 (non-tax bills), got {first_digit!r}")
        signing.decode_secret(webhook_secret)  # a bad secret fails at start-up, not at the first payment
        self.first_digit = first_digit
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.clock = clock
        self.http_post = http_post
        self.randbelow = randbelow

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the simulator's clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def _new_code(self, issued_at: datetime) -> str:
        # first digit + issue date yymmdd (WIB) + 8 random digits: 10^8 codes a day, not guessable.
        return f"{self.first_digit}{issued_at.astimezone(WIB):%y%m%d}{self.randbelow(10**8):08d}"

    def issue(self, session: Session, request: BillingRequest) -> IssuedBilling:
        issued_at = self._now().replace(microsecond=0)  # SIMPONI shows times to the second
        expires_at = issued_at + timedelta(days=request.expires_days)
        for _ in range(CODE_ATTEMPTS):
            code = self._new_code(issued_at)
            bill = SimulatedBill(code=code, invoice_number=request.invoice_number, amount=request.amount,
                                 payer_name=request.payer_name, issued_at=issued_at, expires_at=expires_at,
                                 cancelled=False, paid_count=0, paid_amount=0)
            try:
                # begin_nested flushes the caller's pending work first, so only this bill is in the savepoint.
                with session.begin_nested():
                    session.add(bill)
            except IntegrityError:
                # The UNIQUE constraint, not a prior SELECT, decides: two issuers racing get different codes.
                if session.scalar(select(SimulatedBill.id).where(SimulatedBill.code == code)) is None:
                    raise
                log.info("simulated billing code %s already taken; drawing another", code)
                continue
            return IssuedBilling(code=code, issued_at=issued_at, expires_at=expires_at)
        raise BillingGatewayError(reason="unavailable")

    def _bill(self, session: Session, code: str) -> SimulatedBill | None:
        return session.scalar(select(SimulatedBill).where(SimulatedBill.code == code))

    def cancel(self, session: Session, code: str) -> None:
        bill = self._bill(session, code)
        if bill is None:
            raise BillingGatewayError("Layanan kode billing menolak permintaan: {detail}", reason="rejected",
                                      detail=N_("kode billing tidak dikenal"))
        bill.cancelled = True  # cancelling twice is harmless

    def payments_of(self, session: Session, code: str) -> list[BillingPaid]:
        rows = session.scalars(select(SimulatedPayment).where(SimulatedPayment.code == code)
                               .order_by(SimulatedPayment.id))
        return [BillingPaid(billing_code=row.code, amount=row.amount, currency="IDR", ntpn=row.ntpn.upper(),
                            ntb=row.ntb, bank=row.bank, channel=row.channel, paid_at=_aware_utc(row.paid_at))
                for row in rows]

    def pay(self, session: Session, code: str, *, amount: int | None = None, channel: str = "teller",
            bank: str = "BANK SIMULASI", paid_at: datetime | None = None, ntpn: str | None = None,
            notify: bool = True) -> dict:
        """Pay ``code`` (in full unless ``amount`` is given) and notify the webhook (unless
        ``notify`` is false: a lost notification, which only the status inquiry finds).

        Paying twice or in part is allowed: both happen in real life. ``ntpn`` is sent as
        given (to simulate a repeated or malformed one); by default a fresh one is drawn.
        Returns ``{"status": <webhook HTTP status or None>, "body": <notification>,
        "webhook_id": ..., "error": <why delivery failed or None>}``.

        The POST is made before this session writes anything, so a webhook served by
        the same SQLite database is not kept waiting for this transaction's lock.
        """
        bill = self._bill(session, code)
        if bill is None:
            raise BillingNotPayable("Kode billing {code} tidak dikenal.", code=code)
        if bill.cancelled:
            raise BillingNotPayable("Kode billing {code} sudah dibatalkan dan tidak dapat dibayar.", code=code)
        now = self._now()
        expires_at = _aware_utc(bill.expires_at)
        if now > expires_at:
            raise BillingNotPayable("Kode billing {code} sudah kedaluwarsa pada {expired} dan tidak dapat dibayar; "
                                    "minta kode billing baru.",
                                    code=code, expired=f"{expires_at.astimezone(WIB):%d-%m-%Y %H:%M} WIB")
        amount = bill.amount if amount is None else amount
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise InvalidInput("Jumlah pembayaran harus bilangan bulat rupiah lebih dari nol.")
        paid_at = now if paid_at is None else paid_at
        if paid_at.tzinfo is None:
            raise ValueError("paid_at must be timezone-aware")
        body = {
            "type": "billing.paid",
            "data": {
                "billing_code": code,
                "amount": amount,
                "currency": "IDR",
                "ntpn": ntpn if ntpn is not None else "".join(secrets.choice(NTPN_ALPHABET) for _ in range(16)),
                "ntb": f"{secrets.randbelow(10**12):012d}",
                "bank": bank,
                "channel": channel,
                "paid_at": paid_at.astimezone(WIB).isoformat(timespec="seconds"),
            },
        }
        raw = json.dumps(body).encode("utf-8")
        webhook_id = f"msg_{uuid.uuid4().hex}"
        headers = {"Content-Type": "application/json",
                   **signing.headers(self.webhook_secret, webhook_id, int(now.timestamp()), raw)}
        status: int | None = None
        error: str | None = None
        if notify:
            try:
                status = self.http_post(self.webhook_url, data=raw, headers=headers, timeout=10).status_code
            except requests.RequestException as exc:
                # The bank has the money whether or not the notification arrives; keep the payment.
                error = str(exc)
                log.warning("simulated payment of %s: notification to %s failed: %s", code, self.webhook_url, exc)
        data = body["data"]
        session.add(SimulatedPayment(code=code, amount=amount, ntpn=data["ntpn"], ntb=data["ntb"], bank=bank,
                                     channel=channel, paid_at=paid_at.astimezone(UTC), notified=notify))
        bill.paid_count = SimulatedBill.paid_count + 1  # in SQL: concurrent payments both count
        bill.paid_amount = SimulatedBill.paid_amount + amount
        session.flush()
        return {"status": status, "body": body, "webhook_id": webhook_id, "error": error}


# --- HTTP gateway ------------------------------------------------------------------------------


def _innermost(exc: BaseException) -> BaseException:
    """Follow requests → urllib3 → socket wrapping down to the OS error."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = exc.__cause__ or getattr(exc, "reason", None)
        if not isinstance(inner, BaseException) and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def _connection_detail(exc: BaseException) -> str:
    inner = _innermost(exc)
    if isinstance(inner, ConnectionRefusedError):
        return N_("koneksi ditolak")
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    return type(inner).__name__


def _server_message(content: bytes) -> str:
    """The reason a server gave for refusing: a JSON ``message``/``error``/``detail`` or its text."""
    try:
        payload = json.loads(content)
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        for key in ("message", "error", "detail"):
            if isinstance(payload.get(key), str) and payload[key].strip():
                return payload[key].strip()[:300]
    return content.decode("utf-8", "replace").strip()[:300] or "-"


def _malformed(problem: str) -> BillingGatewayError:
    return BillingGatewayError("Jawaban layanan kode billing tidak sah: {problem}. Silakan coba lagi; bila "
                               "berulang, hubungi administrator.", reason="malformed", problem=problem)


def _answer_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_issued(content: bytes) -> IssuedBilling:
    try:
        payload = json.loads(content)
    except ValueError:
        raise _malformed(N_("bukan JSON")) from None
    if not isinstance(payload, dict):
        raise _malformed(N_("bukan objek JSON"))
    code = payload.get("billing_code")
    if not isinstance(code, str) or not BILLING_CODE.fullmatch(code):
        raise _malformed(N_("kode billing tidak ada atau bukan 15 angka yang diawali 7, 8 atau 9"))
    issued_at, expires_at = _answer_time(payload.get("issued_at")), _answer_time(payload.get("expires_at"))
    if issued_at is None or expires_at is None:
        raise _malformed(N_("waktu terbit atau kedaluwarsa bukan waktu ISO-8601 dengan zona waktu"))
    if expires_at <= issued_at:
        raise _malformed(N_("waktu kedaluwarsa tidak setelah waktu terbit"))
    return IssuedBilling(code=code, issued_at=issued_at, expires_at=expires_at)


class HttpBillingGateway:
    """A billing endpoint over HTTP (JSON), with timeouts and retries.

    Connection errors, timeouts and 5xx answers are retried ``retries`` times (so
    ``retries + 1`` attempts) after ``backoff``, ``2 × backoff``, ``4 × backoff``… seconds;
    a 4xx is the endpoint refusing this request and is raised at once. ``issue`` sends an
    ``Idempotency-Key`` header, the same on every attempt, so an endpoint that honours it
    issues one code even when an answer was lost to a timeout and the request repeated.
    """

    def __init__(self, base_url: str, *, timeout: float = 10, retries: int = 3, backoff: float = 0.5,
                 session_factory: Callable[[], requests.Session] = requests.Session,
                 sleep: Callable[[float], None] = time.sleep):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session_factory = session_factory
        self.sleep = sleep

    def issue(self, session: Session, request: BillingRequest) -> IssuedBilling:
        payload = {"invoice_number": request.invoice_number, "amount": request.amount,
                   "payer_name": request.payer_name, "description": request.description,
                   "expires_days": request.expires_days}
        status, content = self._post("/billings", payload, {"Idempotency-Key": str(uuid.uuid4())})
        if status not in (200, 201):
            raise BillingGatewayError("Layanan kode billing menjawab dengan status HTTP {status} yang tidak "
                                      "diharapkan.", reason="unexpected_status", status=status)
        return _parse_issued(content)

    def cancel(self, session: Session, code: str) -> None:
        if not BILLING_CODE.fullmatch(code):  # it goes into the URL path
            raise ValueError(f"not a billing code: {code!r}")
        self._post(f"/billings/{code}/cancel", {}, {})

    def payments_of(self, session: Session, code: str) -> list[BillingPaid]:
        """``GET /billings/<code>/payments`` answers ``{"payments": [<notification data>, ...]}``."""
        if not BILLING_CODE.fullmatch(code):
            raise ValueError(f"not a billing code: {code!r}")
        _status, content = self._post(f"/billings/{code}/payments", None, {}, method="GET")
        try:
            answer = json.loads(content)
            return [parse_data(item) for item in answer["payments"]]
        except (ValueError, TypeError, KeyError, NotificationMalformed) as exc:
            raise _malformed("the payments of a code are not a list of payments") from exc

    def _post(self, path: str, payload: dict | None, headers: dict[str, str], *,
              method: str = "POST") -> tuple[int, bytes]:
        url = self.base_url + path
        attempts = self.retries + 1
        error = BillingGatewayError(reason="unavailable")
        for attempt in range(attempts):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                with self.session_factory() as http:
                    response = http.request(method, url, json=payload, headers=headers, timeout=self.timeout,
                                            allow_redirects=False)
                    status, content = response.status_code, response.content
            except requests.Timeout:  # before ConnectionError: ConnectTimeout is both
                error = BillingGatewayError(
                    "Layanan kode billing tidak menjawab dalam {seconds} detik (timeout); sudah dicoba {attempts} "
                    "kali. Silakan coba lagi beberapa saat lagi.",
                    reason="timeout", seconds=f"{self.timeout:g}", attempts=attempts)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                error = BillingGatewayError(
                    "Layanan kode billing tidak dapat dihubungi ({detail}); sudah dicoba {attempts} kali. "
                    "Silakan coba lagi beberapa saat lagi.",
                    reason="connection", detail=_connection_detail(exc), attempts=attempts)
            except requests.RequestException as exc:  # e.g. an invalid URL: retrying will not help
                log.error("billing gateway POST %s: %r", url, exc)
                raise BillingGatewayError(reason="unavailable") from exc
            else:
                if 400 <= status < 500:
                    raise BillingGatewayError("Layanan kode billing menolak permintaan: {detail}", reason="rejected",
                                              detail=f"HTTP {status}: {_server_message(content)}")
                if 200 <= status < 300:
                    return status, content
                if status < 500:  # a redirect or an informational answer: not part of the contract
                    raise BillingGatewayError("Layanan kode billing menjawab dengan status HTTP {status} yang tidak "
                                              "diharapkan.", reason="unexpected_status", status=status)
                error = BillingGatewayError(
                    "Layanan kode billing menjawab dengan kesalahan HTTP {status}; sudah dicoba {attempts} kali. "
                    "Silakan coba lagi beberapa saat lagi.",
                    reason="server_error", status=status, attempts=attempts)
            log.warning("billing gateway POST %s, attempt %d of %d: %s", url, attempt + 1, attempts, error.reason)
        raise error


# --- configuration -----------------------------------------------------------------------------


def gateway_from_config(config: Mapping[str, Any]) -> BillingGateway:
    """The gateway the settings ask for (``BILLING_GATEWAY``: ``simulated`` or ``http``)."""
    name = str(config.get("BILLING_GATEWAY") or "simulated").strip().lower()
    if name == "simulated":
        for key in ("WEBHOOK_URL", "WEBHOOK_SECRET"):
            if not config.get(key):
                raise ValueError(f"BILLING_GATEWAY=simulated needs {key} (SALES_{key}): the simulator "
                                 "posts signed payment notifications to the webhook")
        return SimulatedSimponi(first_digit=int(config.get("BILLING_FIRST_DIGIT") or 8),
                                webhook_url=config["WEBHOOK_URL"], webhook_secret=config["WEBHOOK_SECRET"])
    if name == "http":
        url = str(config.get("BILLING_URL") or "")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"BILLING_GATEWAY=http needs BILLING_URL (SALES_BILLING_URL), an http(s) URL; got {url!r}")
        return HttpBillingGateway(url, timeout=float(config.get("BILLING_TIMEOUT") or 10))
    raise ValueError(f"unknown BILLING_GATEWAY (SALES_BILLING_GATEWAY) {name!r}: expected 'simulated' or 'http'")


def configured_gateway(extensions: Mapping[str, Any], config: Mapping[str, Any]) -> BillingGateway:
    """The app's gateway: a factory the app registered (tests), else the one the settings name."""
    return extensions.get("billing_gateway_factory", gateway_from_config)(config)
