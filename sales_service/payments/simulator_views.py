"""Simulator controls on the order page (issue 10, point 12), only while the billing gateway is
the simulated SIMPONI: staff have the simulated bank pay the order's billing code in full, twice,
with another amount or silently (no notification: only ``flask sweep-payments`` finds it).

The bank pays a billing code, so the action's address names the code, as ``flask simulate-payment
CODE`` does; its answer is the code's order page. Each payment that is notified goes out as a real
signed HTTP notification to ``WEBHOOK_URL``, usually this very service, and is recorded by the
webhook exactly as in production. The paying request holds no database transaction while the
simulator waits for that answer: the code is looked up in a transaction of its own that ends
first, and ``SimulatedSimponi.pay`` posts before it writes its own record (on SQLite an open write
would lock the webhook out until it gave up). Paying twice is two such payments, each committed
on its own.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for

from sales_service import dates, db
from sales_service.access import staff_required
from sales_service.errors import Conflict
from sales_service.i18n import current_language, gettext
from sales_service.invoices.gateway import BILLING_CODE, SimulatedSimponi, configured_gateway
from sales_service.money import format_rupiah, parse_rupiah
from sales_service.orders.pages import refused_action_page
from sales_service.payments import simulation
from sales_service.web import attempt

bp = Blueprint("simulator", __name__)

FULL, TWICE, WRONG_AMOUNT, SILENT = "lunas", "dua-kali", "jumlah-lain", "tanpa-notifikasi"  # form field ``cara``


class SameAmount(Conflict):
    def __init__(self):
        super().__init__("Jumlah itu sama dengan tagihan kode billing; pilih \"Bayar lunas\" atau isi jumlah lain.")


def _simulator() -> SimulatedSimponi | None:
    """The simulated gateway, or None when the service uses a real one (or none is configured)."""
    try:
        gateway = configured_gateway(current_app.extensions, current_app.config)
    except ValueError:
        return None
    return gateway if isinstance(gateway, SimulatedSimponi) else None


def order_section(session, order, actor, reads):
    """The simulator's forms on the order page: staff only, simulated gateway only, live code only."""
    if not actor.user.is_staff or _simulator() is None:
        return None
    code = simulation.offered_code(session, order.id)
    if code is None:
        return None
    return {
        "order": order,
        "code": code.code,
        "amount": code.amount,
        "other_amount": code.amount - 1_000 if code.amount > 1_000 else code.amount + 1_000,
        "webhook_url": current_app.config["WEBHOOK_URL"],
        "modes": {"full": FULL, "twice": TWICE, "wrong_amount": WRONG_AMOUNT, "silent": SILENT},
    }


@bp.post("/simulasi/kode-billing/<code>")
@staff_required
def pay(code: str):
    simulator = _simulator()
    if simulator is None or not BILLING_CODE.fullmatch(code):
        abort(404)
    session = db.session()
    # Its own transaction, ended before the simulator posts and waits for the webhook.
    found = attempt(lambda: simulation.code_of(session, code))
    if not found.ok:
        abort(found.status)
    order_id, billed = found.result.order_id, found.result.amount

    def refused(error: str, status: int):
        return refused_action_page(order_id, error, status, typed=request.form.to_dict())

    mode = request.form.get("cara", "")
    if mode not in (FULL, TWICE, WRONG_AMOUNT, SILENT):
        return refused(gettext("Pilih cara pembayaran simulasi."), 422)
    amount = None
    if mode == WRONG_AMOUNT:
        typed = attempt(lambda: _other_amount(request.form.get("jumlah", ""), billed))
        if not typed.ok:
            return refused(typed.error, typed.status)
        amount = typed.result
    for _ in range(2 if mode == TWICE else 1):
        sent = attempt(lambda: simulator.pay(session, code, amount=amount, notify=mode != SILENT))
        if not sent.ok:
            return refused(sent.error, sent.status)
        flash(_report(code, sent.result), "success")
    return redirect(url_for("orders.show", order_id=order_id))


def _other_amount(text: str, billed: int) -> int:
    amount = parse_rupiah(text)
    if amount == billed:
        raise SameAmount()
    return amount


def _report(code: str, sent: dict) -> str:
    data = sent["body"]["data"]
    if sent["status"] is not None:
        delivery = gettext("notifikasi terkirim, dijawab HTTP %(status)d", status=sent["status"])
    elif sent["error"]:
        delivery = gettext("notifikasi gagal terkirim (%(error)s); hanya sweep-payments yang akan menemukannya",
                           error=sent["error"])
    else:
        delivery = gettext("tanpa notifikasi; hanya sweep-payments yang akan menemukannya")
    amount = format_rupiah(data["amount"], dates.locale_of(current_language()))
    return gettext("Simulasi: kode billing %(code)s dibayar %(amount)s, NTPN %(ntpn)s; %(delivery)s.", code=code,
                   amount=amount, ntpn=data["ntpn"], delivery=delivery)
