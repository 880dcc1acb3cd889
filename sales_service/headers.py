"""Security headers on every response (DESIGN "Security").

The Content-Security-Policy allows scripts, styles, images and fonts from this site
only: no inline ``<script>``, no ``on...=`` attributes, no ``style=`` attributes or
``<style>`` elements (htmx's own indicator style is switched off in base.html and lives
in static/app.css), no plugins, no framing by other sites, and forms post only here.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # Pico draws its form icons (select arrows, checkboxes) as data: SVGs
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))
# Two years, the value browsers' preload lists ask for; sent only when the cookies are
# HTTPS-only, i.e. when the site is served over HTTPS.
HSTS = "max-age=63072000; includeSubDomains"


def init_app(app: Flask) -> None:
    secure = bool(app.config["SESSION_COOKIE_SECURE"])

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for old browsers
        if secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
