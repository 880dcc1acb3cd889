from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sales_service.clock import utcnow
from sales_service.orm import Base, BigId, str_enum
from sales_service.pnbp.schedule import ProductKind


class MapCoverage(StrEnum):
    NATIONAL = "national"  # seluruh Indonesia
    REGENCY = "regency"  # satu kabupaten/kota


class MapLevel(StrEnum):
    KECAMATAN = "kecamatan"
    DESA = "desa"  # desa/kelurahan


class Product(Base):
    """Something the office sells. The tariff item that prices it follows from its
    kind and attributes (``tariff_item_code``), never typed by hand."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[ProductKind] = mapped_column(str_enum(ProductKind, "product_kind"))
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)  # for buyers abroad; Indonesian when empty
    year: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"polymorphic_on": "kind"}

    def display_title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title

    def display_description(self, language: str) -> str:
        return self.description_en if language == "en" and self.description_en else self.description


class Publication(Product):
    __tablename__ = "publication"
    __table_args__ = (CheckConstraint("pages > 0", name="pages_positive"),)

    id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    pages: Mapped[int]
    language: Mapped[str] = mapped_column(String(40))  # e.g. "Indonesia", "Indonesia/Inggris"
    catalogue_number: Mapped[str | None] = mapped_column(String(60))

    __mapper_args__ = {"polymorphic_identity": ProductKind.PUBLICATION}

    @property
    def tariff_item_code(self) -> str:
        # PP 13/2024 sells electronic publications only; printed ones are no longer PNBP.
        return "pub-electronic"

    @property
    def priced_quantity(self) -> int:
        return self.pages


class MicrodataSet(Product):
    __tablename__ = "microdata_set"
    __table_args__ = (
        CheckConstraint("record_count > 0", name="records_positive"),
        CheckConstraint("full_size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    survey: Mapped[str] = mapped_column(String(120))  # e.g. "Susenas"
    period: Mapped[str] = mapped_column(String(60))  # e.g. "Maret 2024"
    period_en: Mapped[str | None] = mapped_column(String(60))  # e.g. "March 2024"; Indonesian when empty
    region_level: Mapped[str] = mapped_column(String(60))  # lowest level the records identify
    file_format: Mapped[str] = mapped_column(String(40))
    record_count: Mapped[int] = mapped_column(BigInteger)
    full_size_bytes: Mapped[int] = mapped_column(BigInteger)
    processed: Mapped[bool] = mapped_column(default=False)  # processed tabulation vs raw records

    variables: Mapped[list[MicrodataVariable]] = relationship(
        back_populates="dataset", order_by="MicrodataVariable.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"polymorphic_identity": ProductKind.MICRODATA}

    def display_period(self, language: str) -> str:
        return self.period_en if language == "en" and self.period_en else self.period

    @property
    def tariff_item_code(self) -> str:
        return "microdata-processed" if self.processed else "microdata-raw"

    @property
    def priced_quantity(self) -> int:
        return self.full_size_bytes


class MicrodataVariable(Base):
    __tablename__ = "microdata_variable"
    __table_args__ = (
        UniqueConstraint("dataset_id", "name"),
        CheckConstraint("byte_width > 0", name="width_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("microdata_set.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))  # e.g. "R101"
    label: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str | None] = mapped_column(String(300))  # for buyers abroad; Indonesian when empty
    byte_width: Mapped[int]  # bytes each record spends on this variable

    dataset: Mapped[MicrodataSet] = relationship(back_populates="variables")

    def display_label(self, language: str) -> str:
        return self.label_en if language == "en" and self.label_en else self.label


class DigitalMap(Product):
    __tablename__ = "digital_map"
    __table_args__ = (
        CheckConstraint(
            "(coverage = 'national' AND regency_code IS NULL) OR "
            "(coverage = 'regency' AND regency_code IS NOT NULL)",
            name="regency_code_matches_coverage",
        ),
    )

    id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    coverage: Mapped[MapCoverage] = mapped_column(str_enum(MapCoverage, "map_coverage"))
    level: Mapped[MapLevel] = mapped_column(str_enum(MapLevel, "map_level"))
    regency_code: Mapped[str | None] = mapped_column(String(4))  # BPS kabupaten/kota code, e.g. "3310"
    regency_name: Mapped[str | None] = mapped_column(String(120))
    file_format: Mapped[str] = mapped_column(String(40), default="Shapefile")

    __mapper_args__ = {"polymorphic_identity": ProductKind.MAP}

    @property
    def tariff_item_code(self) -> str:
        return f"map-{self.coverage.value}-{self.level.value}"

    @property
    def priced_quantity(self) -> int:
        return 1
