"""Dates and times as people read them: one style per language everywhere (pages, the
timeline, messages, PDFs), e.g. "6 Desember 2026, 19.50 WIB" / "6 December 2026, 19:50 WIB".

Babel supplies month names and separators (Indonesian writes 19.50, English 19:50); the zone
is the office's abbreviation (WIB, WITA, WIT). Machine-readable places (the JSON API, a
``<time datetime>`` attribute) keep ISO 8601. Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

# The languages of the service, each with the locale its dates and numbers are written in: the one
# list of them (the UI's, a buyer's stored choice, a document's).
LOCALES = {"id": "id_ID", "en": "en_GB"}


def locale_of(language: str) -> str:
    return LOCALES.get(language, LOCALES["id"])


def local_moment(moment: datetime, timezone: str) -> datetime:
    """A stored moment (UTC; SQLite hands it back naive) on the office's wall clock."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone))


def long_date(day: date, language: str = "id") -> str:
    """``date(2026, 12, 6)`` -> "6 Desember 2026" / "6 December 2026"."""
    if isinstance(day, datetime):
        raise TypeError("long_date takes a calendar day; a moment needs the office's time zone (local_day)")
    return format_date(day, format="long", locale=locale_of(language))


def local_day(moment: datetime, timezone: str, language: str = "id") -> str:
    """A stored moment as the office's calendar day, e.g. "6 Desember 2026"."""
    return long_date(local_moment(moment, timezone).date(), language)


def clock_time(moment: datetime, timezone: str, language: str = "id") -> str:
    """Only the office's wall-clock time, where the day is plain (today's guest book): "19.50" / "19:50"."""
    return format_time(local_moment(moment, timezone), format="short", locale=locale_of(language))


def date_time(moment: datetime, timezone: str, language: str = "id") -> str:
    """A stored moment on the office's clock: "6 Desember 2026, 19.50 WIB" / "6 December 2026, 19:50 WIB"."""
    local = local_moment(moment, timezone)
    return f"{long_date(local.date(), language)}, {clock_time(local, timezone, language)} {local.tzname()}"
