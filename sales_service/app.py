"""The application factory. Nothing is created at import time."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, redirect, request, session, url_for
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from sales_service import db, i18n, web
from sales_service.config import finish_settings, load_settings
from sales_service.extensions import csrf, htmx, limiter, login_manager


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = web.IdConverter
    settings = load_settings()
    settings.update(config or {})
    finish_settings(settings)
    app.config.update(settings)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
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
    web.register_error_handlers(app)
    web.register_filters(app)
    web.register_context(app)
    _register_blueprints(app)

    from sales_service.cli import register_commands

    register_commands(app)
    return app


def _init_login(app: Flask) -> None:
    from sales_service.accounts.services import get_user

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str):
        user = get_user(db.session(), int(user_id))
        return user if user is not None and user.active else None


def _register_invoices(app: Flask, register_order_section) -> None:
    from sales_service.invoices.views import bp as invoices_bp
    from sales_service.invoices.views import order_section

    app.register_blueprint(invoices_bp)
    register_order_section(app, "invoices/_order_section.html", order_section)


def _register_blueprints(app: Flask) -> None:
    from sales_service.access import public
    from sales_service.accounts.views import bp as accounts_bp
    from sales_service.catalog.views import bp as catalog_bp
    from sales_service.orders.views import bp as orders_bp
    from sales_service.orders.views import register_order_section
    from sales_service.pnbp.views import bp as pnbp_bp
    from sales_service.staff import bp as staff_bp

    for blueprint in (accounts_bp, catalog_bp, pnbp_bp, staff_bp, orders_bp):
        app.register_blueprint(blueprint)
    _register_invoices(app, register_order_section)

    @app.get("/")
    @public
    def home():
        return redirect(url_for("catalog.index"))

    @app.get("/bahasa/<language>")
    @public
    def set_language(language: str):
        if language in i18n.LANGUAGES:
            session["language"] = language
        return redirect(web.safe_local_url(request.args.get("next")))

    @app.get("/healthz")
    @public
    def healthz():
        db.session().execute(text("SELECT 1"))
        return {"status": "ok"}
