"""sales_service: sale of BPS statistical products at regulated PNBP tariffs.

``create_app`` is looked up lazily, so importing a pure rule module
(``sales_service.money``, ``sales_service.orders.lifecycle`` …) loads neither
Flask nor SQLAlchemy. ``flask --app sales_service`` still finds the factory.
"""

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from sales_service.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
