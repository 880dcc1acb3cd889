"""The payment-notification webhook (DESIGN.md "Payment-notification webhook").

The signature is checked on the raw body before anything else; the notification is
stored (committed) first, then applied: stored notifications are applied in batches, one
transaction's turn at a time, so a burst of deliveries is applied many at once while
each delivery costs one insert. A notification that fails to apply stays stored with its
error, for ``apply-notifications``: a notification is never lost."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_login import current_user

from sales_service import dates, db
from sales_service.access import bearer_token_required, public, roles_required, signed_in
from sales_service.clock import aware
from sales_service.errors import N_
from sales_service.extensions import csrf, limiter
from sales_service.i18n import current_language, gettext
from sales_service.invoices import services as invoices
from sales_service.money import format_rupiah
from sales_service.orders.pages import current_actor, order_action
from sales_service.paging import page_number
from sales_service.payments import (
    balances,
    cash,
    currencies,
    deposits,
    desk,
    receipt_pages,
    receipts,
    reconciliation,
    refunds,
    resolutions,
    services,
    signing,
    transfers,
)
from sales_service.payments.models import (
    LineState,
    NotificationChannel,
    NotificationState,
    Payment,
    PaymentProblem,
    PaymentSource,
    PaymentStatus,
    ProofStatus,
    Refund,
    TransferProof,
)
from sales_service.payments.notifications import NotificationMalformed, parse_body
from sales_service.payments.permissions import TREASURERS, Pay, may, may_decide
from sales_service.payments.refund_steps import STATUS_LABELS as REFUND_STATUS_LABELS
from sales_service.payments.refund_steps import STEP_LABELS as REFUND_STEP_LABELS
from sales_service.payments.refund_steps import RefundStatus, RefundStep, is_open
from sales_service.payments.resolution_rules import RESOLUTION_LABELS, Resolution
from sales_service.roles import Role
from sales_service.web import (
    attempt,
    error_response,
    file_storage,
    form_ids,
    is_htmx,
    render,
    safe_local_url,
    small_int,
    today,
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
    received = attempt(lambda: services.receive(session, webhook_id, body)).result  # stored, committed
    notification_id, earlier = received.notification_id, received.earlier
    if earlier in (NotificationState.APPLIED, NotificationState.DUPLICATE):
        return _answer(200, status="duplicate")  # the same delivery again: the sender may stop retrying
    if earlier == NotificationState.FAILED:  # the sender's retry of one that failed: try it again now
        applied = attempt(lambda: services.apply_again(session, notification_id)).result
    else:
        applied = (received.applied if received.applied is not None else _apply_stored(session)).get(notification_id)
    if applied is None:  # another request's turn: it applies this one too, before it stops
        return _answer(200, status=NotificationState.RECEIVED.value)
    if applied.unexpected:  # kept with why; fail loudly, the sender retries
        return _answer(500, error="internal error", status="stored")
    if applied.state == NotificationState.FAILED:  # kept with why, for `apply-notifications`; stored: a 2xx
        return _answer(202, status="stored", error=applied.error)
    return _answer(200, status=applied.state.value)


def _apply_stored(session) -> dict:
    """Apply stored notifications, a batch per transaction, while this request has the turn and
    any wait; what became of those it applied. Without the turn it stops at once: the request
    that has it looks for waiting ones again after it gives the turn up, so none is left behind."""
    applied: dict = {}
    while True:
        outcome = attempt(lambda: services.apply_stored(session))
        if not outcome.ok:  # not expected (each notification's error is kept with it): left for the next turn
            log.error("stored payment notifications could not be applied: %s", outcome.error)
            return applied
        batch = outcome.result
        if batch is None:
            return applied
        applied.update(batch)
        if not batch and not services.waiting_to_apply(session):
            session.commit()
            return applied


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
        receipt_number=receipts.receipt_numbers(session, [invoice.id]).get(invoice.id),  # the valid one
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


# -- proofs of transfer, cash and deposits (issue 10, points 4-6) ----------------------------------------

desk_required = roles_required(*TREASURERS)

PROOF_STATE_LABELS = {
    ProofStatus.PENDING: N_("menunggu verifikasi"),
    ProofStatus.VERIFIED: N_("diverifikasi"),
    ProofStatus.REJECTED: N_("ditolak"),
}
# What a buyer reads of a recorded payment's state (a flagged one is the treasurer's to look into).
PAYMENT_STATE_LABELS = {
    PaymentStatus.SETTLED: N_("diterima"),
    PaymentStatus.FLAGGED: N_("sedang diperiksa bendahara"),
    PaymentStatus.REJECTED: N_("ditolak"),
    PaymentStatus.PENDING_VERIFICATION: N_("menunggu verifikasi"),
}
SOURCE_LABELS = {
    PaymentSource.CASH: N_("tunai"),
    PaymentSource.TRANSFER_PROOF: N_("transfer luar negeri"),
    PaymentSource.STATEMENT_LINE: N_("mutasi rekening"),
    PaymentSource.BILLING_NOTIFICATION: N_("kode billing"),
}
# Events the payments capability writes on the order's timeline.
EVENT_LABELS = {
    "upload_transfer_proof": N_("mengunggah bukti transfer"),
    "verify_transfer_proof": N_("memverifikasi bukti transfer"),
    "reject_transfer_proof": N_("menolak bukti transfer"),
    "record_cash": N_("mencatat pembayaran tunai"),
    "record_payment": N_("mencatat pembayaran lunas"),
    "deposit": N_("menyetor ke kas negara"),
}


def _locale() -> str:
    return dates.locale_of(current_language())


def _sent(proof) -> str:
    """What the buyer sent, in its currency, as the visitor's language writes amounts."""
    return currencies.format_minor_units(proof.amount_sent, proof.currency, _locale())


def _typed(*fields: str) -> dict:
    """What was typed into this section's forms, shown again after a refusal."""
    return {name: request.form.get(name, "") for name in fields} if request.method == "POST" else {}


# What the order page's payment sections read of the order through the page's reads, by the column
# their rows are found by.
ORDER_READS = {transfers.proofs_of_order: TransferProof.order_id, services.payments_of_order: Payment.order_id}
FOLLOW_UP_READS = {services.payments_of_order: Payment.order_id, refunds.refunds_of_order: Refund.order_id}


def order_section(session, order, actor, reads):
    """The payments section of the order page: paid so far and the remainder, the buyer's proofs
    with the treasurer's decisions, the proof upload (buyer abroad) and the cash form (treasurer)."""
    invoice = balances.current_invoice(session, order.id)
    proofs = reads(transfers.proofs_of_order)
    payments = reads(services.payments_of_order)
    facts = balances.facts(session, order, invoice, proofs=proofs, payments=payments)
    treasurer = may_decide(actor.user.role)
    # Money recorded for the order, on any invoice version (a payment of a voided code too: the buyer
    # must see it, not only the new code); a proof not yet verified is listed with the proofs.
    received = [p for p in payments if p.status != PaymentStatus.PENDING_VERIFICATION]
    numbers = {version.id: version.number for version in invoices.invoices_of(session, order.id)}
    if facts is None or not (facts.by_transfer or proofs or received or (order.is_walk_in and treasurer)):
        return None
    newest = proofs[0] if proofs else None
    role, user_id = actor.user.role, actor.user.id
    return {
        "order": order,
        "total": facts.total,
        "paid": facts.paid,
        "remainder": facts.remainder,
        "partly_paid": facts.partly_paid,
        "by_transfer": facts.by_transfer,
        "proofs": [{"proof": p, "sent": _sent(p), "state": PROOF_STATE_LABELS[p.status],
                    "pending": p.status == ProofStatus.PENDING, "rejected": p.status == ProofStatus.REJECTED}
                   for p in proofs],
        "received": [{"payment": p, "source": SOURCE_LABELS[p.source], "state": PAYMENT_STATE_LABELS[p.status],
                      "reference": p.ntpn or p.ntb or "", "invoice": numbers.get(p.invoice_id, ""),
                      # Only a bank notification knows the moment; cash and transfers know their day.
                      "day_only": p.source != PaymentSource.BILLING_NOTIFICATION} for p in received],
        "rejected": newest if newest is not None and newest.status == ProofStatus.REJECTED else None,
        "waiting": facts.proof_waiting,
        "may_upload_proof": may(Pay.UPLOAD_PROOF, facts, role, user_id),
        "may_record_cash": may(Pay.RECORD_CASH, facts, role, user_id),
        "may_decide": treasurer,
        "currencies": currencies.COMMON,
        "today": today().isoformat(),
        # What was typed into this section's form that was refused (not another section's same-named fields).
        "typed": _typed("amount", "currency", "transferred_on", "sender_name", "sender_bank", "reference",
                        "cash_amount", "received_on", "received_by")
        if request.endpoint in ("payments.upload_proof", "payments.record_cash") else {},
        "treasurer_name": actor.user.full_name,
        "limit_mb": upload_limit() // 1_000_000,
    }


@bp.post("/pesanan/<int:order_id>/bukti-transfer")
@signed_in
@order_action
def upload_proof(order_id: int):
    form = request.form
    declared = transfers.DeclaredTransfer(
        amount=form.get("amount", ""), currency=form.get("currency", ""), transferred_on=form.get("transferred_on", ""),
        sender_name=form.get("sender_name", ""), sender_bank=form.get("sender_bank", ""),
        reference=form.get("reference", ""))
    transfers.upload_proof(db.session(), current_actor(), order_id, uploaded("file"), declared, file_storage(),
                           max_bytes=upload_limit(), locale=_locale(), today=today())
    return gettext("Bukti transfer diunggah. Bendahara akan memeriksa dana yang masuk.")


@bp.get("/bukti-transfer/<int:proof_id>/berkas")
@signed_in
def proof_file(proof_id: int):
    stored = transfers.proof_file(db.session(), proof_id, current_user)
    response = send_file(file_storage().path(stored.sha256), mimetype=stored.mime, as_attachment=True,
                         download_name=stored.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/pesanan/<int:order_id>/tunai")
@desk_required
@order_action
def record_cash(order_id: int):
    form = request.form
    payment = cash.record_cash(db.session(), current_actor(), order_id, amount=form.get("cash_amount", ""),
                               received_on=form.get("received_on", ""), received_by=form.get("received_by", ""),
                               today=today())
    return gettext("Pembayaran tunai %(amount)s dicatat.", amount=format_rupiah(payment.amount, _locale()))


@bp.get("/bendahara/bukti-transfer")
@desk_required
def proofs_to_verify():
    page = transfers.proofs_to_verify(db.session(), page=page_number(request.args.get("hal")))
    return render("payments/proofs.html", proofs=page, sent=_sent)


def _proof_page(proof_id: int, *, error: str | None = None, status: int = 200):
    row = transfers.proof_to_verify(db.session(), proof_id)
    return render("payments/proof.html", status=status, error=error, row=row, sent=_sent,
                  pending=row.proof.status == ProofStatus.PENDING, state=PROOF_STATE_LABELS[row.proof.status],
                  typed=_typed("credited", "received_on", "reason"), today=today().isoformat())


@bp.get("/bendahara/bukti-transfer/<int:proof_id>")
@desk_required
def proof(proof_id: int):
    return _proof_page(proof_id)


@bp.post("/bendahara/bukti-transfer/<int:proof_id>/verifikasi")
@desk_required
def verify_proof(proof_id: int):
    outcome = attempt(lambda: transfers.verify_typed(db.session(), current_actor(), proof_id,
                                                     credited=request.form.get("credited", ""),
                                                     received_on=request.form.get("received_on", ""), today=today()))
    if not outcome.ok:
        return _proof_page(proof_id, error=outcome.error, status=outcome.status)
    flash(gettext("Bukti transfer diverifikasi: %(amount)s masuk.", amount=format_rupiah(
        outcome.result.credited, _locale())), "success")
    return redirect(url_for("payments.proofs_to_verify"))


@bp.post("/bendahara/bukti-transfer/<int:proof_id>/tolak")
@desk_required
def reject_proof(proof_id: int):
    outcome = attempt(lambda: transfers.reject_proof(db.session(), current_actor(), proof_id,
                                                     request.form.get("reason", "")))
    if not outcome.ok:
        return _proof_page(proof_id, error=outcome.error, status=outcome.status)
    flash(gettext("Bukti transfer ditolak; pembeli melihat alasannya dan dapat mengunggah ulang."), "success")
    return redirect(url_for("payments.proofs_to_verify"))


def _deposits_page(*, error: str | None = None, status: int = 200):
    session = db.session()
    page = deposits.held(session, today=today(), timezone=current_app.config["TIMEZONE"],
                         page=page_number(request.args.get("hal")))
    chosen = set(form_ids("payment")) if request.method == "POST" else set()
    return render("payments/deposits.html", status=status, error=error, held=page,
                  holding=deposits.holding(session), chosen=chosen, source_labels=SOURCE_LABELS,
                  typed=_typed("deposited_on", "billing_code", "ntpn", "amount"), today=today().isoformat())


@bp.route("/bendahara/setoran", methods=["GET", "POST"])
@desk_required
def held_money():
    """Money held and not yet deposited, oldest first; a POST records a deposit of the ticked payments."""
    if request.method == "GET":
        return _deposits_page()
    form = request.form
    slip = deposits.DepositSlip(deposited_on=form.get("deposited_on", ""), billing_code=form.get("billing_code", ""),
                                ntpn=form.get("ntpn", ""), amount=form.get("amount", ""))
    outcome = attempt(lambda: deposits.record_deposit(db.session(), current_actor(), slip, form_ids("payment"),
                                                      today=today(), timezone=current_app.config["TIMEZONE"]))
    if not outcome.ok:
        return _deposits_page(error=outcome.error, status=outcome.status)
    flash(gettext("Setoran %(amount)s dengan NTPN %(ntpn)s dicatat.", amount=format_rupiah(
        outcome.result.amount, _locale()), ntpn=outcome.result.ntpn), "success")
    return redirect(url_for("payments.deposits_made"))


@bp.get("/bendahara/setoran/riwayat")
@desk_required
def deposits_made():
    page = deposits.deposits(db.session(), page=page_number(request.args.get("hal")))
    return render("payments/deposit_history.html", deposits=page, source_labels=SOURCE_LABELS)


# -- the treasurer's home, the exceptions queue and PNBP refunds (issue 10, points 8 and 10) --------------

PROBLEM_LABELS = {
    PaymentProblem.UNKNOWN_CODE: N_("kode billing tidak dikenal"),
    PaymentProblem.WRONG_AMOUNT: N_("jumlah tidak sesuai"),
    PaymentProblem.DOUBLE_PAYMENT: N_("pembayaran ganda"),
    PaymentProblem.VOID_CODE: N_("kode billing atau invoice batal"),
    PaymentProblem.EXPIRED_CODE: N_("kode billing kedaluwarsa"),
    PaymentProblem.ORDER_NOT_PAYABLE: N_("pesanan tidak menunggu pembayaran"),
}
DESK_EVENT_LABELS = {
    "payment_flagged": N_("mencatat pembayaran yang perlu diperiksa bendahara"),
    resolutions.EVENTS[Resolution.APPLY]: N_("menerapkan pembayaran ke invoice"),
    resolutions.EVENTS[Resolution.TOP_UP]: N_("meminta kekurangan pembayaran"),
    resolutions.EVENTS[Resolution.REFUND]: N_("membuka pengembalian pembayaran"),
    resolutions.EVENTS[Resolution.REJECT]: N_("menolak catatan pembayaran"),
    refunds.EVENTS[RefundStep.REQUEST]: N_("mencatat permohonan pengembalian dari pembayar"),
    refunds.EVENTS[RefundStep.DECISION]: N_("mencatat keputusan pengembalian"),
    refunds.EVENTS[RefundStep.PAYMENT]: N_("mencatat pembayaran pengembalian oleh KPPN"),
}
EVENT_LABELS.update(DESK_EVENT_LABELS)


@bp.app_template_global()
def treasurer_desk() -> bool:
    """Whether the visitor works at the treasurer's desk (the staff home links it)."""
    return current_user.is_authenticated and may_decide(current_user.role)


@bp.get("/bendahara")
@desk_required
def treasurer_home():
    """How much waits in each of the treasurer's queues, each linking to its list."""
    return render("payments/treasurer_home.html", counts=desk.desk_counts(db.session()),
                  problem_labels=PROBLEM_LABELS)


NOTIFICATION_STATE_LABELS = {
    NotificationState.RECEIVED: N_("menunggu diterapkan"),
    NotificationState.FAILED: N_("gagal diterapkan"),
    NotificationState.APPLIED: N_("diterapkan"),
    NotificationState.DUPLICATE: N_("ulangan: NTPN-nya sudah tercatat"),
}
NOTIFICATION_CHANNEL_LABELS = {
    NotificationChannel.WEBHOOK: N_("notifikasi bank"),
    NotificationChannel.STATUS_INQUIRY: N_("pemeriksaan status"),
}


@bp.get("/bendahara/notifikasi")
@desk_required
def unapplied_notifications():
    """Payment notifications stored but not applied, oldest first, each with why: money they report
    is on no other list until applied, so the treasurer sees them and can apply each again."""
    return render("payments/notifications.html",
                  notifications=services.unapplied_notifications(db.session(),
                                                                 page=page_number(request.args.get("hal"))),
                  state_labels=NOTIFICATION_STATE_LABELS, channel_labels=NOTIFICATION_CHANNEL_LABELS)


@bp.post("/bendahara/notifikasi/<int:notification_id>/terapkan")
@desk_required
def apply_notification_again(notification_id: int):
    """Apply a stored notification again (as ``apply-notifications`` does), once its cause is
    fixed; a payment it records is on the order's timeline as the treasurer's."""
    outcome = attempt(lambda: services.apply_again(db.session(), notification_id, current_actor()))
    if not outcome.ok:
        return error_response(outcome.error, outcome.status)
    applied = outcome.result
    if applied.already:
        flash(gettext("Notifikasi %(label)s sudah diterapkan sebelumnya.", label=applied.label), "success")
    elif applied.state == NotificationState.FAILED:
        log.warning("payment notification %s applied again by user %s, still failing: %s", notification_id,
                    current_user.id, applied.error)
        flash(gettext("Notifikasi %(label)s masih belum dapat diterapkan; alasannya tertulis di daftar.",
                      label=applied.label), "error")
    else:
        log.info("payment notification %s applied again by user %s: %s", notification_id, current_user.id,
                 applied.state.value)
        flash(gettext("Notifikasi %(label)s diterapkan: %(state)s.", label=applied.label,
                      state=gettext(NOTIFICATION_STATE_LABELS[applied.state])), "success")
    page = page_number(request.form.get("hal"))
    return redirect(url_for("payments.unapplied_notifications", hal=page if page > 1 else None))


def _problem_filter() -> PaymentProblem | None:
    chosen = request.args.get("masalah", "")
    return PaymentProblem(chosen) if chosen in {p.value for p in PaymentProblem} else None


@bp.get("/bendahara/pengecualian")
@desk_required
def exceptions():
    """Flagged payments, oldest first, a page at a time, filtered by problem."""
    session = db.session()
    problem = _problem_filter()
    counts = resolutions.problem_counts(session)
    return render("payments/exceptions.html",
                  queue=resolutions.exception_queue(session, problem=problem,
                                                    page=page_number(request.args.get("hal"))),
                  filters=[(p.value, PROBLEM_LABELS[p], counts[p], p == problem) for p in PaymentProblem],
                  all_count=sum(counts.values()), showing_all=problem is None, problem_labels=PROBLEM_LABELS,
                  source_labels=SOURCE_LABELS)


def _exception_page(payment_id: int, *, error: str | None = None, status: int = 200):
    case = resolutions.exception_case(db.session(), payment_id)
    typed = _typed("action", "note", "invoice_number", "payer")
    return render("payments/exception.html", status=status, error=error, case=case, payment=case.payment,
                  problem=PROBLEM_LABELS.get(case.payment.problem, ""), source=SOURCE_LABELS[case.payment.source],
                  resolution_label=RESOLUTION_LABELS[case.resolution.action] if case.resolution else None,
                  resolvable=case.allowed[Resolution.APPLY], may={what.value: ok for what, ok in case.allowed.items()},
                  top_up_remaining=case.standing.remaining - case.payment.amount
                  if case.allowed[Resolution.TOP_UP] else None,
                  # what was typed, back in the form it was typed into
                  typed={what.value: typed if typed.get("action") == what.value else {} for what in Resolution})


@bp.get("/bendahara/pengecualian/<int:payment_id>")
@desk_required
def exception(payment_id: int):
    return _exception_page(payment_id)


@bp.post("/bendahara/pengecualian/<int:payment_id>")
@desk_required
def resolve_exception(payment_id: int):
    """One explicit resolution of a flagged payment, with the treasurer's note."""
    form = request.form
    outcome = attempt(lambda: resolutions.resolve(
        db.session(), current_actor(), payment_id, form.get("action", ""), note=form.get("note", ""),
        invoice_number=form.get("invoice_number", ""), payer=form.get("payer", "")))
    if not outcome.ok:
        return _exception_page(payment_id, error=outcome.error, status=outcome.status)
    flash(gettext("Pembayaran #%(id)d diselesaikan: %(what)s.", id=payment_id,
                  what=gettext(RESOLUTION_LABELS[outcome.result.action])), "success")
    return redirect(url_for("payments.exception", payment_id=payment_id))


@bp.get("/bendahara/pengembalian")
@desk_required
def refund_list():
    """Open refunds (``?selesai=1``: closed ones), oldest first, a page at a time."""
    session = db.session()
    closed = request.args.get("selesai") == "1"
    counts = refunds.status_counts(session)
    return render("payments/refunds.html", closed=closed,
                  refunds=refunds.refund_list(session, closed=closed, page=page_number(request.args.get("hal"))),
                  open_count=sum(n for s, n in counts.items() if is_open(s)),
                  closed_count=sum(n for s, n in counts.items() if not is_open(s)),
                  status_labels=REFUND_STATUS_LABELS)


def _refund_page(refund_id: int, *, error: str | None = None, status: int = 200):
    view = refunds.refund_view(db.session(), refund_id)
    step = view.next_step
    return render("payments/refund.html", status=status, error=error, view=view, refund=view.refund,
                  status_label=REFUND_STATUS_LABELS[view.refund.status], step_labels=REFUND_STEP_LABELS,
                  next_step=step, next_label=REFUND_STEP_LABELS[step] if step else None,
                  day_label=refunds.DAY_LABELS[step] if step else None,
                  reference_label=refunds.REFERENCE_LABELS[step] if step else None,
                  asks_decision=step == RefundStep.DECISION, source_labels=SOURCE_LABELS,
                  typed=_typed("happened_on", "reference", "decision", "note"), today=today().isoformat())


@bp.get("/bendahara/pengembalian/<int:refund_id>")
@desk_required
def refund(refund_id: int):
    return _refund_page(refund_id)


@bp.post("/bendahara/pengembalian/<int:refund_id>")
@desk_required
def record_refund_step(refund_id: int):
    """The step the refund waits for: its day, its document's reference (and the decision)."""
    form = request.form
    step = form.get("step", "")
    if step not in {s.value for s in RefundStep}:
        return _refund_page(refund_id, error=gettext("Pilih langkah pengembalian yang dicatat."), status=422)
    typed = refunds.StepTyped(happened_on=form.get("happened_on", ""), reference=form.get("reference", ""),
                              decision=form.get("decision", ""), note=form.get("note", ""))
    outcome = attempt(lambda: refunds.record_step(db.session(), current_actor(), refund_id, step, typed,
                                                  today=today()))
    if not outcome.ok:
        return _refund_page(refund_id, error=outcome.error, status=outcome.status)
    flash(gettext("%(step)s dicatat.", step=gettext(REFUND_STEP_LABELS[RefundStep(step)])), "success")
    return redirect(url_for("payments.refund", refund_id=refund_id))


def follow_up_section(session, order, actor, reads):
    """The order page's word on the treasurer's follow-up: the top-up asked of the buyer, with what
    the invoice still asks for, and the order's refunds with where each stands."""
    asked = resolutions.top_up_asked(session, order, payments=reads(services.payments_of_order))
    order_refunds = reads(refunds.refunds_of_order)
    if asked is None and not order_refunds:
        return None
    return {
        "top_up": asked,
        "refunds": [{"refund": r, "status": REFUND_STATUS_LABELS[r.status],
                     "awaiting_request": r.status == RefundStatus.AWAITING_REQUEST,
                     "steps": [(REFUND_STEP_LABELS[s.step], s) for s in r.steps]} for r in order_refunds],
        "treasurer": may_decide(actor.user.role),
    }


@bp.record_once
def _register_follow_up_section(state) -> None:
    """The follow-up section and its events' names come with the blueprint (the app factory need not
    know them)."""
    from sales_service.orders.pages import register_event_labels, register_order_section

    register_order_section(state.app, "payments/_follow_up_section.html", follow_up_section, reads=FOLLOW_UP_READS)
    register_event_labels(state.app, DESK_EVENT_LABELS)


# -- receipts (kuitansi, issue 10, point 9): what these pages need is in payments/receipt_pages.py ---------

receipt_desk = roles_required(*receipt_pages.ISSUERS)


@bp.record_once
def _register_receipt_section(state) -> None:
    receipt_pages.register(state.app)


@bp.post("/pesanan/<int:order_id>/kuitansi")
@receipt_desk
@order_action
def issue_receipt(order_id: int):
    return receipt_pages.issue(order_id)


@bp.post("/pesanan/<int:order_id>/kuitansi/<int:receipt_id>/ganti")
@receipt_desk
@order_action
def reissue_receipt(order_id: int, receipt_id: int):
    """Void a wrong receipt with the reason typed, and issue its replacement."""
    return receipt_pages.reissue(order_id, receipt_id)


@bp.get("/kuitansi/<int:receipt_id>/kuitansi.pdf")
@signed_in
def receipt_pdf(receipt_id: int):
    return receipt_pages.pdf_response(receipt_id)


@bp.route("/bendahara/kuitansi", methods=["GET", "POST"])
@receipt_desk
def receipt_batch():
    return receipt_pages.batch()


@bp.get("/verify/kuitansi/<code>")
@public
def verify_receipt(code: str):
    return receipt_pages.verify_page(code)
