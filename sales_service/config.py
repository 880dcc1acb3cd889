"""Settings: defaults, then ``SALES_*`` environment variables, then overrides.

Every setting is listed in ``SETTINGS`` with its environment variable, default
and meaning; the README's configuration table is checked against it by a test.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a yes/no value, got {text!r}")


def _sla_days(text: str) -> dict[str, int]:
    """``"publication=10,microdata=15,map=10"`` (a bare number applies to every type)."""
    kinds = ("publication", "microdata", "map")
    if text.strip().isdigit():
        return dict.fromkeys(kinds, int(text))
    days = {"publication": 10, "microdata": 10, "map": 10}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, number = part.partition("=")
        if kind.strip() not in kinds or not number.strip().isdigit() or int(number) < 1:
            raise ValueError(f"expected e.g. 'publication=10,microdata=10,map=10', got {text!r}")
        days[kind.strip()] = int(number)
    return days


@dataclass(frozen=True)
class Setting:
    key: str  # Flask config key
    env: str  # environment variable
    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", "SALES_SECRET_KEY", None, str,
            "Key that signs sessions, CSRF tokens and links. Required in production; "
            "`make run` generates one into `instance/secret_key` when unset."),
    Setting("DATABASE_URL", "SALES_DATABASE_URL", None, str,
            "SQLAlchemy URL. Default: SQLite file `instance/sales.db`. "
            "PostgreSQL: `postgresql+psycopg://user:pass@host/db`."),
    Setting("INSTANCE_PATH", "SALES_INSTANCE_PATH", str(PROJECT_ROOT / "instance"), str,
            "Folder for the SQLite database and the generated development secret key."),
    Setting("TARIFF_DIR", "SALES_TARIFF_DIR", str(PROJECT_ROOT / "tariffs"), str,
            "Folder of tariff schedule TOML files read by `load-tariffs`."),
    Setting("SESSION_COOKIE_SECURE", "SALES_COOKIE_SECURE", True, _bool,
            "Send the session cookie only over HTTPS. `make run` turns it off for "
            "http://127.0.0.1."),
    Setting("LOGIN_RATE_LIMIT", "SALES_LOGIN_RATE_LIMIT", "10 per minute", str,
            "Login attempts allowed per client address (Flask-Limiter syntax)."),
    Setting("PUBLIC_POST_RATE_LIMIT", "SALES_PUBLIC_POST_RATE_LIMIT", "10 per minute;50 per hour", str,
            "Form posts allowed per client address to each page open to anonymous visitors other than "
            "the login (registration, and any such form added later); Flask-Limiter syntax."),
    Setting("RATELIMIT_STORAGE_URI", "SALES_RATELIMIT_STORAGE_URI", "memory://", str,
            "Where rate-limit counters live; use a shared store (e.g. `redis://...`) "
            "when running several web processes."),
    Setting("PROXY_HOPS", "SALES_PROXY_HOPS", 0, int,
            "How many reverse proxies stand in front of the service (0 = none). With 1 or more the "
            "client address (login rate limit) and scheme are read from X-Forwarded-* headers."),
    Setting("DEFAULT_LANGUAGE", "SALES_DEFAULT_LANGUAGE", "id", str,
            "UI language before a visitor chooses one: `id` (Indonesian) or `en`."),
    Setting("OFFICE_NAME", "SALES_OFFICE_NAME", "BPS Kabupaten Contoh", str,
            "Name of the selling office shown on pages and documents."),
    Setting("TIMEZONE", "SALES_TIMEZONE", "Asia/Jakarta", str,
            "The office's time zone (Asia/Jakarta, Asia/Makassar or Asia/Jayapura): decides "
            "which day it is, and so which tariff schedule is in force."),
    Setting("UPLOAD_DIR", "SALES_UPLOAD_DIR", None, str,
            "Folder of the content-addressed upload store (outside `static/`). Default: "
            "`uploads/` in the instance folder. Several web hosts share one volume here."),
    Setting("MAX_UPLOAD_MB", "SALES_MAX_UPLOAD_MB", 10, int,
            "Largest document a buyer or officer may upload, in MB (1 MB = 1,000,000 bytes)."),
    Setting("IMAGE_DECODE_SLOTS", "SALES_IMAGE_DECODE_SLOTS", 2, int,
            "Uploaded images decoded at once per web process (each may take ~100 MB while it is "
            "checked and re-encoded); further uploads wait their turn."),
    Setting("SLA_DAYS", "SALES_SLA_DAYS", {"publication": 10, "microdata": 10, "map": 10}, _sla_days,
            "Working days promised from complete requirements to delivery, per product type "
            "(service standard: 10). An order with several types gets the longest."),
    # -- the office on documents (DOMAIN.md: codes are unconfirmed, so configuration) --
    # Demo values that read like a real office's, so a demo document never prints a title where a name belongs.
    Setting("OFFICE_ADDRESS", "SALES_OFFICE_ADDRESS", "Jl. Contoh Raya No. 1, Contoh 12345", str,
            "Office address printed on documents."),
    Setting("OFFICE_CITY", "SALES_OFFICE_CITY", "Contoh", str, "Place printed beside document dates."),
    Setting("SATKER_CODE", "SALES_SATKER_CODE", "000000", str,
            "The office's 6-digit work-unit (satker) code, used in invoice numbers and on documents."),
    Setting("MINISTRY_CODE", "SALES_MINISTRY_CODE", "054", str,
            "Ministry code on the billing slip (BPS: 054, unconfirmed)."),
    Setting("ECHELON_CODE", "SALES_ECHELON_CODE", "01", str, "Echelon-I unit code on the billing slip."),
    Setting("ACCOUNT_CODE", "SALES_ACCOUNT_CODE", "425131", str,
            "Revenue account code (kode akun) of the tariff lines (unconfirmed; set the office's own)."),
    Setting("HEAD_NAME", "SALES_HEAD_NAME", "Ir. Bambang Sutrisno, M.Si.", str,
            "Head of office, in whose name the data-use agreement (SPPD) is made."),
    Setting("TREASURER_NAME", "SALES_TREASURER_NAME", "Siti Rahmawati, S.E.", str, "Treasurer's name on receipts."),
    Setting("TREASURER_NIP", "SALES_TREASURER_NIP", "198703152010122001", str,
            "Treasurer's civil-service number (NIP)."),
    Setting("INVOICE_NUMBER_FORMAT", "SALES_INVOICE_NUMBER_FORMAT", "INV/{satker}/{year}/{seq:05d}", str,
            "Invoice number pattern; `{satker}`, `{year}` and `{seq}` (gap-free per office and year)."),
    Setting("SPPD_NUMBER_FORMAT", "SALES_SPPD_NUMBER_FORMAT", "SPPD/{satker}/{year}/{seq:05d}", str,
            "Number pattern of the data-use agreement (SPPD), its own series apart from invoices; `{satker}`, "
            "`{year}` and `{seq}` (gap-free per office and year, taken when the invoice is issued)."),
    Setting("TRANSFER_VALID_DAYS", "SALES_TRANSFER_VALID_DAYS", 30, int,
            "Days an invoice paid by bank transfer (buyers abroad) may be paid; printed as its validity date."),
    Setting("HEAD_NIP", "SALES_HEAD_NIP", "197205101994031001", str,
            "Head of office's civil-service number (NIP), printed under their name on the SPPD."),
    Setting("FOREIGN_SIGNATURE_NOTE", "SALES_FOREIGN_SIGNATURE_NOTE", "", str,
            "What the SPPD tells a buyer abroad instead of asking for an Indonesian duty stamp (meterai). "
            "Empty: the built-in text (signed without meterai; any stamp duty is settled in Indonesia when "
            "the agreement is used, UU 10/2020). Unconfirmed in law: check with the office's legal staff."),
    # -- billing codes and payments --
    Setting("BILLING_GATEWAY", "SALES_BILLING_GATEWAY", "simulated", str,
            "`simulated` (SimulatedSimponi, in-process) or `http` (HttpBillingGateway to `SALES_BILLING_URL`)."),
    Setting("BILLING_URL", "SALES_BILLING_URL", "", str, "Base URL of the billing endpoint for the `http` gateway."),
    Setting("BILLING_TIMEOUT", "SALES_BILLING_TIMEOUT", 10.0, float, "Seconds before a billing request times out."),
    Setting("BILLING_FIRST_DIGIT", "SALES_BILLING_FIRST_DIGIT", 8, int,
            "First digit of simulated billing codes (7-9 mark a non-tax bill; real ones start with 8)."),
    Setting("BILLING_EXPIRY_DAYS", "SALES_BILLING_EXPIRY_DAYS", 7, int, "Days a new billing code stays payable."),
    Setting("WEBHOOK_SECRET", "SALES_WEBHOOK_SECRET", None, str,
            "Standard Webhooks secret (`whsec_<base64>`) that payment notifications are signed with. "
            "`make run` generates one into the instance folder when unset."),
    Setting("WEBHOOK_URL", "SALES_WEBHOOK_URL", "http://127.0.0.1:5000/webhooks/payments", str,
            "Where the simulated billing service sends its payment notifications. `make run` sets "
            "`http://$(HOST):$(PORT)/webhooks/payments`."),
    Setting("PUBLIC_URL", "SALES_PUBLIC_URL", "", str,
            "The service's public address (e.g. `https://penjualan.bps-contoh.go.id`), printed in the QR "
            "codes and links of documents. Set it in production: documents are read long after, away from the "
            "request that made them. Empty: the address the request came to. `make run` sets "
            "`http://$(HOST):$(PORT)`."),
    Setting("BANK_NAME", "SALES_BANK_NAME", "Bank Contoh", str, "Treasurer's bank for transfers from abroad."),
    Setting("BANK_ACCOUNT_NAME", "SALES_BANK_ACCOUNT_NAME", "RPL 054 BPS KAB CONTOH UNTUK PNBP", str,
            "Account holder name for transfers from abroad."),
    Setting("BANK_ACCOUNT_NUMBER", "SALES_BANK_ACCOUNT_NUMBER", "0000000000", str, "Account number for transfers."),
    Setting("BANK_SWIFT", "SALES_BANK_SWIFT", "XXXXIDJA", str, "SWIFT/BIC of the treasurer's bank."),
    Setting("LOG_LEVEL", "SALES_LOG_LEVEL", "INFO", str, "Python logging level."),
)


def load_settings(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Defaults overlaid by the ``SALES_*`` variables present in ``environ``."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None:
            config[setting.key] = setting.default
        else:
            try:
                config[setting.key] = setting.parse(raw)
            except ValueError as exc:
                raise RuntimeError(f"{setting.env}: {exc}") from exc
    return config


def finish_settings(config: dict[str, Any]) -> None:
    """Fill settings derived from others (database file, development secret key)."""
    instance = Path(config["INSTANCE_PATH"])
    if not config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance / 'sales.db'}"
    if not config.get("UPLOAD_DIR"):
        config["UPLOAD_DIR"] = str(instance / "uploads")
    if not config.get("WEBHOOK_SECRET"):
        # Development convenience, as for the secret key: production sets SALES_WEBHOOK_SECRET.
        instance.mkdir(parents=True, exist_ok=True)
        secret_file = instance / "webhook_secret"
        if not secret_file.exists():
            secret_file.write_text("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())
            secret_file.chmod(0o600)
        config["WEBHOOK_SECRET"] = secret_file.read_text().strip()
    if not config.get("SECRET_KEY"):
        # Development convenience only: a random key kept beside the SQLite file so
        # sessions survive restarts. Production sets SALES_SECRET_KEY.
        instance.mkdir(parents=True, exist_ok=True)
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        config["SECRET_KEY"] = key_file.read_text().strip()
