"""The application factory. Nothing is created at import time."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, redirect, request, url_for
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from sales_service import db, headers, i18n, web
from sales_service.config import finish_settings, load_settings
from sales_service.extensions import csrf, htmx, limiter, login_manager
from sales_service.files import uploads


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = web.IdConverter
    settings = load_settings()
    settings.update(config or {})
    finish_settings(settings)
    app.config.update(settings)
    _cookie_settings(app)
    # CSRF tokens live as long as the session: a long form (an abstract) must not expire mid-way.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Requests beyond the upload limit (plus room for the form fields) are cut off
    # before they are read; the upload check gives the precise message below it.
    app.config["MAX_CONTENT_LENGTH"] = (app.config["MAX_UPLOAD_MB"] + 1) * 1_000_000
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    logging.getLogger("alembic").setLevel(logging.WARNING)

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        # Trust exactly as many X-Forwarded-* entries as there are proxies of ours.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    headers.init_app(app)
    # One semaphore per process (create_app runs once in each gunicorn worker).
    uploads.limit_concurrent_decodes(app.config["IMAGE_DECODE_SLOTS"])
    web.register_error_handlers(app)
    web.register_filters(app)
    web.register_context(app)
    _register_blueprints(app)

    from sales_service.cli import register_commands

    register_commands(app)
    return app


def _cookie_settings(app: Flask) -> None:
    """Session and remember-me cookies: never readable by scripts, not sent with cross-site
    subrequests or POSTs, and only over HTTPS unless ``SALES_COOKIE_SECURE=0``. Set outright,
    not ``setdefault``: Flask's defaults already hold these keys (SameSite as None)."""
    secure = bool(app.config["SESSION_COOKIE_SECURE"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )


def _init_login(app: Flask) -> None:
    from sales_service.accounts.services import user_for_session

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(session_id: str):
        # "<id>:<generation>": a session from before a logout, password change or disabling
        # names an old generation and is refused (DESIGN "Security").
        return user_for_session(db.session(), session_id)


def _register_invoices(app: Flask, register_order_section) -> None:
    from sales_service.invoices.views import ORDER_READS, order_section
    from sales_service.invoices.views import bp as invoices_bp

    app.register_blueprint(invoices_bp)
    register_order_section(app, "invoices/_order_section.html", order_section, reads=ORDER_READS)


def _register_payments_section(app: Flask, register_order_section) -> None:
    """Payments on the order page, after the invoices; its events named on the order's timeline."""
    from sales_service.invoices.services import guard_reissue, on_cancel
    from sales_service.orders.pages import register_event_labels
    from sales_service.payments.services import flag_money_of_cancelled, no_money_on
    from sales_service.payments.views import EVENT_LABELS as PAYMENT_EVENT_LABELS
    from sales_service.payments.views import ORDER_READS, order_section

    register_order_section(app, "payments/_order_section.html", order_section, reads=ORDER_READS)
    register_event_labels(app, PAYMENT_EVENT_LABELS)
    guard_reissue(no_money_on)  # a correction never voids an invoice money was counted towards
    on_cancel(flag_money_of_cancelled)  # money on an invoice voided by a cancellation goes back to the treasurer


def _register_payment_tools(app: Flask, register_order_section) -> None:
    """The treasurer's revenue recap, and the payment simulator's controls on the order page
    (shown only while the billing gateway is the simulated one)."""
    from sales_service.payments.recap_views import bp as recap_bp
    from sales_service.payments.simulator_views import bp as simulator_bp
    from sales_service.payments.simulator_views import order_section

    app.register_blueprint(recap_bp)
    app.register_blueprint(simulator_bp)
    register_order_section(app, "payments/_simulator_section.html", order_section)


def _register_blueprints(app: Flask) -> None:
    from sales_service.access import public
    from sales_service.accounts.views import bp as accounts_bp
    from sales_service.catalog.views import bp as catalog_bp
    from sales_service.orders.pages import register_order_section
    from sales_service.orders.views import bp as orders_bp
    from sales_service.payments.views import bp as payments_bp
    from sales_service.pnbp.views import bp as pnbp_bp
    from sales_service.staff import bp as staff_bp

    for blueprint in (accounts_bp, catalog_bp, pnbp_bp, staff_bp, orders_bp, payments_bp):
        app.register_blueprint(blueprint)
    _register_invoices(app, register_order_section)
    _register_payments_section(app, register_order_section)
    _register_payment_tools(app, register_order_section)

    @app.get("/")
    @public
    def home():
        return redirect(url_for("catalog.index"))

    @app.get("/bahasa/<language>")
    @public
    def set_language(language: str):
        i18n.choose_language(language)
        return redirect(web.safe_local_url(request.args.get("next")))

    @app.get("/healthz")
    @public
    def healthz():
        db.session().execute(text("SELECT 1"))
        return {"status": "ok"}
