"""Settings: defaults, then ``SALES_*`` environment variables, then overrides.

Every setting is listed in ``SETTINGS`` with its environment variable, default
and meaning; the README's configuration table is checked against it by a test.
"""

from __future__ import annotations

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
    Setting("RATELIMIT_STORAGE_URI", "SALES_RATELIMIT_STORAGE_URI", "memory://", str,
            "Where rate-limit counters live; use a shared store (e.g. `redis://...`) "
            "when running several web processes."),
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
    Setting("SLA_DAYS", "SALES_SLA_DAYS", {"publication": 10, "microdata": 10, "map": 10}, _sla_days,
            "Working days promised from complete requirements to delivery, per product type "
            "(service standard: 10). An order with several types gets the longest."),
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
    if not config.get("SECRET_KEY"):
        # Development convenience only: a random key kept beside the SQLite file so
        # sessions survive restarts. Production sets SALES_SECRET_KEY.
        instance.mkdir(parents=True, exist_ok=True)
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        config["SECRET_KEY"] = key_file.read_text().strip()
