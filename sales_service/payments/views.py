"""The payment-notification webhook (DESIGN.md "Payment-notification webhook").

The signature is checked on the raw body before anything else; the notification is
stored (committed) before it is applied, and applying is a second transaction, so
a notification that cannot be applied stays stored with its error.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for

from sales_service import db
from sales_service.access import bearer_token_required, public, roles_required
from sales_service.clock import aware
from sales_service.extensions import csrf, limiter
from sales_service.i18n import gettext
from sales_service.invoices import services as invoices
from sales_service.orders.pages import current_actor
from sales_service.paging import page_number
from sales_service.payments import reconciliation, services, signing
from sales_service.payments.models import LineState
from sales_service.payments.notifications import NotificationMalformed, parse_body
from sales_service.roles import Role
from sales_service.web import (
    attempt,
    error_response,
    is_htmx,
    render,
    safe_local_url,
    small_int,
    upload_limit,
    uploaded,
)

log = logging.getLogger(__name__)
bp = Blueprint("payments", __name__)


def _answer(http_status: int, **fields):
    response = jsonify(**fields)
    response.status_code = http_status
    return response


@bp.post("/webhooks/payments")
@csrf.exempt  # signed by the payment network instead (Standard Webhooks)
@limiter.exempt  # the network retries and bursts; the signature keeps strangers out
@public
def webhook():
    body = request.get_data(cache=False)
    try:
        webhook_id = signing.verify(current_app.config["WEBHOOK_SECRET"], request.headers, body,
                                    now=int(time.time()))
        parse_body(body)  # refuse an unreadable notification before anything is stored
    except signing.SignatureInvalid as error:
        log.warning("payment webhook refused: %s", error.reason)
        return _answer(401, error="invalid signature", reason=error.reason)
    except NotificationMalformed as error:
        return _answer(400, error="malformed notification", problem=error.problem)
    if len(webhook_id) > 200:
        return _answer(400, error="malformed notification", problem="webhook-id is longer than 200 characters")

    session = db.session()
    stored = attempt(lambda: services.store_notification(session, webhook_id, body))
    if not stored.ok:  # the same delivery again (a 200: the sender may stop retrying)
        return _answer(stored.status, status="duplicate")
    notification_id = stored.result.id
    applied = attempt(lambda: services.apply_notification(session, notification_id))
    if not applied.ok:
        attempt(lambda: services.mark_failed(session, notification_id, applied.error))
        log.error("payment notification %s stored but not applied: %s", webhook_id, applied.error)
        return _answer(202, status="stored", error=applied.error)
    return _answer(200, status=applied.result.state.value)


webhook.signed_by_sender = True  # authenticated by its signature; no form, no per-address limit


# -- staff JSON API -------------------------------------------------------------------------------------

def _local(moment: datetime) -> str:
    return aware(moment).astimezone(ZoneInfo(current_app.config["TIMEZONE"])).isoformat()


@bp.get("/api/v1/invoices/<path:number>")
@csrf.exempt
@bearer_token_required
def invoice_api(number: str):
    """An invoice with its versions, billing codes and the payments recorded against it."""
    session = db.session()
    outcome = attempt(lambda: invoices.invoice_by_number(session, number))  # commits the token's last use
    if not outcome.ok:
        return error_response(outcome.error, outcome.status)
    invoice = outcome.result
    chain = invoices.invoices_of(session, invoice.order_id)
    code = invoice.current_code
    payments = services.payments_of_invoice(session, invoice.id)
    return jsonify(
        number=invoice.number,
        status=invoice.status.value,
        total=invoice.total,
        amount_paid=services.amount_settled(payments),
        currency="IDR",
        issued_on=invoice.issued_on.isoformat(),
        billing_code=code.code if code else None,
        billing_code_expires_at=_local(code.expires_at) if code else None,
        billing_codes=[{"code": c.code, "status": c.status.value, "expires_at": _local(c.expires_at)}
                       for c in invoice.billing_codes],
        versions=[{"number": v.number, "version": v.version, "status": v.status.value, "total": v.total}
                  for v in reversed(chain)],
        payments=[{"source": p.source.value, "amount": p.amount, "currency": p.currency, "ntpn": p.ntpn,
                   "ntb": p.ntb, "status": p.status.value,
                   "problem": p.problem.value if p.problem else None, "paid_at": _local(p.paid_at)}
                  for p in payments],
        receipt_number=None,  # receipts (kuitansi) arrive with the treasurer's desk
    )


# -- the treasurer's bank statement (issue 10, point 7) -------------------------------------------------

treasurer_required = roles_required(Role.TREASURER, Role.ADMIN)
STATEMENT_FILTERS = ("unmatched", "proposed", "tie", "matched", "ignored")


def _statement_state() -> LineState | None:
    chosen = request.args.get("keadaan", "")
    return LineState(chosen) if chosen in STATEMENT_FILTERS else None


def _statement_page(error: str | None = None, status: int = 200):
    session = db.session()
    state = _statement_state()
    counts = reconciliation.state_counts(session)
    return render("payments/statements.html", error=error, status=status,
                  lines=reconciliation.statement_lines(session, state=state, page=page_number(request.args.get("hal"))),
                  filters=[(value, reconciliation.STATE_LABELS[LineState(value)], counts[LineState(value)],
                            state is not None and state.value == value) for value in STATEMENT_FILTERS],
                  all_count=sum(counts.values()), showing_all=state is None, limit_mb=upload_limit() // 1_000_000)


def _back_to_statement():
    return redirect(safe_local_url(request.form.get("next") or url_for("payments.statements")))


@bp.route("/bendahara/mutasi", methods=["GET", "POST"])
@treasurer_required
def statements():
    """The statement lines with their proposals; a POST imports a statement file."""
    if request.method == "GET":
        return _statement_page()
    upload = uploaded("berkas")
    if upload is None:
        return _statement_page(gettext("Pilih berkas mutasi: CSV, camt.053 (XML) atau MT940."), 422)
    data, filename = upload
    if len(data) > upload_limit():
        return _statement_page(gettext("Berkas terlalu besar: batas %(n)d MB per berkas. Pilih berkas yang lebih "
                                       "kecil.", n=upload_limit() // 1_000_000), 413)
    session = db.session()
    outcome = attempt(lambda: reconciliation.import_statement(session, current_actor(), data, filename))
    if not outcome.ok:
        return _statement_page(outcome.error, outcome.status)
    result = outcome.result
    flash(gettext("%(new)d baris baru, %(already)d sudah pernah diimpor; %(proposed)d diusulkan, %(ties)d seri.",
                  new=result.new, already=result.already, proposed=result.proposed, ties=result.ties), "success")
    return redirect(url_for("payments.statements"))


def _line_answer(line_id: int, outcome, message: str):
    """htmx: the line's fragment (with the message or the refusal); a plain form: back to the list."""
    if is_htmx():
        view = reconciliation.line_view(db.session(), line_id)
        return render("payments/statements.html", "payments/_statement_line.html", view=view,
                      line_error=outcome.error, line_message=None if outcome.error else message,
                      status=outcome.status if outcome.error else 200)
    if not outcome.ok:
        return _statement_page(outcome.error, outcome.status)
    flash(message, "success")
    return _back_to_statement()


@bp.post("/bendahara/mutasi/<int:line_id>/cocokkan")
@treasurer_required
def confirm_statement_line(line_id: int):
    session = db.session()
    invoice_id = small_int(request.form.get("invoice_id"))
    number = request.form.get("invoice_number")
    outcome = attempt(lambda: reconciliation.confirm_match(session, current_actor(), line_id, invoice_id=invoice_id,
                                                           invoice_number=number))
    return _line_answer(line_id, outcome, gettext("Pencocokan dikonfirmasi dan pembayaran dicatat."))


@bp.post("/bendahara/mutasi/<int:line_id>/batal")
@treasurer_required
def undo_statement_line(line_id: int):
    session = db.session()
    outcome = attempt(lambda: reconciliation.undo_match(session, current_actor(), line_id,
                                                        request.form.get("reason", "")))
    return _line_answer(line_id, outcome, gettext("Pencocokan dibatalkan; pembayarannya ditolak dan tetap tercatat."))


@bp.post("/bendahara/mutasi/cocokkan-ulang")
@treasurer_required
def rematch_statement():
    session = db.session()
    outcome = attempt(lambda: reconciliation.rematch(session))
    if outcome.ok:
        flash(gettext("Usulan dihitung ulang untuk %(n)d baris yang belum dicocokkan.", n=sum(outcome.result.values())),
              "success")
    else:
        flash(outcome.error, "error")
    return _back_to_statement()
