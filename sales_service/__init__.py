"""sales_service: sale of BPS statistical products at regulated PNBP tariffs."""

from sales_service.app import create_app

__all__ = ["create_app"]
