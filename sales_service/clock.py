"""Moments in time, the same way everywhere. Pure: no Flask, no SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones: make both aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
