from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sales_service.clock import utcnow
from sales_service.orm import Base, BigId


class TariffScheduleVersion(Base):
    """One loaded version of a tariff schedule file, kept as the TOML text itself.

    Loading a changed file adds a version; nothing is overwritten. Pricing uses the
    newest version of each schedule, parsed by the same validator as the files.
    """

    __tablename__ = "tariff_schedule_version"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(200))
