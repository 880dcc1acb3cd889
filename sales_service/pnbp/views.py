"""Public tariff pages and the JSON price API."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, request

from sales_service import db
from sales_service.access import public
from sales_service.errors import InvalidInput
from sales_service.extensions import csrf
from sales_service.i18n import current_language
from sales_service.pnbp import services
from sales_service.pnbp.pricing import quote_line
from sales_service.pnbp.segments import SEGMENT_LABELS, ZERO_RATE_SEGMENTS, BuyerSegment
from sales_service.web import render, small_int, today

bp = Blueprint("pnbp", __name__)

# How much of a visitor's own text an error message repeats: enough to recognise a typo,
# not enough to turn the API into a reflector of whatever was sent (10,000 characters).
SHOWN_CHARS = 40


def _shown(raw: str) -> str:
    return raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "…"


@bp.get("/tarif")
@public
def tariffs():
    session = db.session()
    book = services.schedule_book(session)
    on = today()
    current = next((s for s in book.schedules if s.in_force_on(on)), None)
    return render("pnbp/tariffs.html", schedules=book.schedules, current=current, on=on,
                  language=current_language())


@bp.get("/tarif/nol-rupiah")
@public
def zero_rate():
    session = db.session()
    book = services.schedule_book(session)
    on = today()
    current = next((s for s in book.schedules if s.in_force_on(on)), None)
    eligible = [s for s in BuyerSegment if s in ZERO_RATE_SEGMENTS]
    paying = [s for s in BuyerSegment if s not in ZERO_RATE_SEGMENTS]
    return render("pnbp/zero_rate.html", current=current, eligible=eligible, paying=paying,
                  segment_labels=SEGMENT_LABELS, language=current_language())


def _parse_quantity(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        raise InvalidInput("Parameter quantity wajib diisi (halaman, byte atau jumlah peta).")
    quantity = small_int(raw)
    if quantity is None:
        raise InvalidInput("quantity harus bilangan bulat positif, bukan '{raw}'.", raw=_shown(raw))
    return quantity


def _parse_date(raw: str | None) -> date:
    if not raw:
        return today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("Tanggal '{raw}' tidak sah; gunakan format YYYY-MM-DD.", raw=_shown(raw)) from None


@bp.get("/api/v1/price")
@csrf.exempt
@public
def price_api():
    """Price one tariff item: ``?item=<code>&quantity=<n>[&on=YYYY-MM-DD]``."""
    # A longer code names no item (codes are short words), so the clipped one, never found,
    # is what the "unknown item" answer repeats.
    item = _shown((request.args.get("item") or "").strip())
    if not item:
        raise InvalidInput("Parameter item wajib diisi (contoh: microdata-raw).")
    quantity = _parse_quantity(request.args.get("quantity"))
    on = _parse_date(request.args.get("on"))
    schedule = services.schedule_in_force(db.session(), on)
    line = quote_line(schedule, item, quantity)
    return jsonify(
        item=line.item_code,
        schedule=line.schedule_code,
        regulation=line.regulation,
        on=on.isoformat(),
        quantity=line.quantity,
        amount=line.amount,
        currency="IDR",
        basis=line.basis,
    )
