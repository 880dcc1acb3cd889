"""Tariff schedules in the database and pricing against them. Never commits."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sales_service.pnbp.models import TariffScheduleVersion
from sales_service.pnbp.pricing import Quote, build_quote
from sales_service.pnbp.schedule import (
    NoScheduleInForce,
    ScheduleBook,
    TariffSchedule,
    load_schedule_dir,
    parse_schedule,
)
from sales_service.pnbp.segments import BuyerSegment


@dataclass(frozen=True)
class LoadResult:
    code: str
    filename: str
    version: int
    status: str  # "new", "updated" or "unchanged"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _latest_versions(session: Session) -> list[TariffScheduleVersion]:
    newest = (
        select(TariffScheduleVersion.code, func.max(TariffScheduleVersion.version).label("v"))
        .group_by(TariffScheduleVersion.code)
        .subquery()
    )
    query = select(TariffScheduleVersion).join(
        newest,
        (TariffScheduleVersion.code == newest.c.code) & (TariffScheduleVersion.version == newest.c.v),
    )
    return list(session.scalars(query))


def load_tariff_dir(session: Session, directory: str | Path, *, loaded_by: str) -> list[LoadResult]:
    """Validate every schedule file in ``directory`` and store new or changed ones.

    The files are validated together and against the schedules already stored
    (no overlapping windows), before anything is written.
    """
    directory = Path(directory)
    load_schedule_dir(directory)  # the files together: raises TariffFileInvalid naming file and item
    texts = {path.name: path.read_text("utf-8") for path in sorted(directory.glob("*.toml"))}
    parsed = {name: _parse_cached(text, name) for name, text in texts.items()}
    schedules = list(parsed.values())
    stored = {row.code: row for row in _latest_versions(session)}
    # The resulting set of schedules must still be coherent.
    result_set = {code: _parse_cached(row.content, row.filename) for code, row in stored.items()}
    result_set.update({s.code: s for s in schedules})
    ScheduleBook(result_set.values())

    results = []
    for filename, schedule in parsed.items():
        text = texts[filename]
        digest = _sha256(text)
        current = stored.get(schedule.code)
        if current is not None and current.sha256 == digest:
            results.append(LoadResult(schedule.code, filename, current.version, "unchanged"))
            continue
        version = 1 if current is None else current.version + 1
        session.add(
            TariffScheduleVersion(
                code=schedule.code, version=version, filename=filename,
                content=text, sha256=digest, loaded_by=loaded_by,
            )
        )
        status = "new" if current is None else "updated"
        results.append(LoadResult(schedule.code, filename, version, status))
    session.flush()
    return results


@lru_cache(maxsize=64)
def _parse_cached(content: str, filename: str) -> TariffSchedule:
    return parse_schedule(content, filename)


def schedule_book(session: Session) -> ScheduleBook:
    rows = _latest_versions(session)
    return ScheduleBook(_parse_cached(row.content, row.filename) for row in rows)


def schedule_in_force(session: Session, on: date) -> TariffSchedule:
    book = schedule_book(session)
    if not book.schedules:
        raise NoScheduleInForce("Belum ada jadwal tarif yang dimuat. Jalankan: flask load-tariffs.")
    return book.in_force(on)


def quote(
    session: Session,
    requests: Sequence[tuple[str, int]],
    *,
    on: date,
    segment: BuyerSegment | None = None,
    commercial: bool = True,
) -> Quote:
    return build_quote(schedule_book(session), requests, on=on, segment=segment, commercial=commercial)


def schedule_versions(session: Session) -> list[TariffScheduleVersion]:
    """Every stored version, newest first (the admin's history of tariff loads)."""
    query = select(TariffScheduleVersion).order_by(
        TariffScheduleVersion.code, TariffScheduleVersion.version.desc()
    )
    return list(session.scalars(query))
