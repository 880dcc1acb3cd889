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

from flask import Blueprint, current_app, jsonify, request

from sales_service import db
from sales_service.access import bearer_token_required, public
from sales_service.clock import aware
from sales_service.extensions import csrf, limiter
from sales_service.invoices import services as invoices
from sales_service.payments import services, signing
from sales_service.payments.notifications import NotificationMalformed, parse_body
from sales_service.web import attempt, error_response

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
