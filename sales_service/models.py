"""Every model in one import, for Alembic and the test fixtures."""

from sales_service.accounts.models import User
from sales_service.catalog.models import DigitalMap, MicrodataSet, MicrodataVariable, Product, Publication
from sales_service.db import Base
from sales_service.pnbp.models import TariffScheduleVersion

__all__ = [
    "Base",
    "DigitalMap",
    "MicrodataSet",
    "MicrodataVariable",
    "Product",
    "Publication",
    "TariffScheduleVersion",
    "User",
]
