"""PNBP tariffs: schedules per regulation, pricing rules and the Rp0 tariff.

Pure package: imports neither Flask nor SQLAlchemy, and nothing else of the service
except ``errors`` and ``money``.
"""

from sales_service.pnbp.pricing import (
    InvalidQuantity,
    Quote,
    QuoteLine,
    TariffNotPriceable,
    build_quote,
    price_item,
    quote_line,
    zero_rate_applies,
)
from sales_service.pnbp.schedule import (
    NoScheduleInForce,
    PricingRule,
    ProductKind,
    ScheduleBook,
    TariffFileInvalid,
    TariffItem,
    TariffItemUnknown,
    TariffSchedule,
    ZeroRate,
    load_schedule_dir,
    load_schedule_file,
    parse_schedule,
)
from sales_service.pnbp.segments import SEGMENT_LABELS, ZERO_RATE_SEGMENTS, BuyerSegment

__all__ = [
    "SEGMENT_LABELS",
    "ZERO_RATE_SEGMENTS",
    "BuyerSegment",
    "InvalidQuantity",
    "NoScheduleInForce",
    "PricingRule",
    "ProductKind",
    "Quote",
    "QuoteLine",
    "ScheduleBook",
    "TariffFileInvalid",
    "TariffItem",
    "TariffItemUnknown",
    "TariffNotPriceable",
    "TariffSchedule",
    "ZeroRate",
    "build_quote",
    "load_schedule_dir",
    "load_schedule_file",
    "parse_schedule",
    "price_item",
    "quote_line",
    "zero_rate_applies",
]
