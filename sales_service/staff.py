"""The staff landing page: what each role can do today."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from sales_service import db
from sales_service.access import staff_required
from sales_service.catalog import services as catalog
from sales_service.orders.queue import queue_counts
from sales_service.pnbp import services as pnbp
from sales_service.web import render, today

bp = Blueprint("staff", __name__)


@bp.get("/staf")
@staff_required
def home():
    session = db.session()
    book = pnbp.schedule_book(session)
    on = today()
    current = next((s for s in book.schedules if s.in_force_on(on)), None)
    counts = catalog.catalogue_counts(session)
    return render("staff/home.html", user=current_user, current=current, counts=counts,
                  queues=queue_counts(session, today=on), versions=pnbp.schedule_versions(session))
