"""Receipts (kuitansi) on the pages, shared by the routes in ``payments.views``: the order page's
receipt section with the treasurer's one click and the void-and-reissue form, the buyer's download
of the PDF as stored, the treasurer's batch over paid invoices without a receipt, and the public
verification page of a receipt's QR link. HTTP glue, no rules: those are in ``payments.receipts``
and ``orders.permissions`` (as ``orders.pages`` is for the order page)."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from sales_service import db
from sales_service.errors import N_
from sales_service.i18n import gettext
from sales_service.invoices import printing
from sales_service.orders.pages import current_actor
from sales_service.orders.permissions import TREASURERS, Do
from sales_service.paging import page_number
from sales_service.payments import receipts
from sales_service.payments.models import PaymentSource, Receipt, ReceiptStatus
from sales_service.web import attempt, file_storage, form_ids, form_version, render, today

ISSUERS = TREASURERS  # who reaches the receipt routes at all; the services ask orders.permissions again

# Written on the order's timeline by ``payments.receipts``.
EVENT_LABELS = {
    "issue_receipt": N_("menerbitkan kuitansi"),
    "reissue_receipt": N_("membatalkan kuitansi dan menerbitkan penggantinya"),
}
RECEIPT_STATE_LABELS = {
    ReceiptStatus.ISSUED: N_("berlaku"),
    ReceiptStatus.VOID: N_("dibatalkan"),
}
VERIFIED_LABELS = {
    ReceiptStatus.ISSUED: N_("Sah dan berlaku"),
    ReceiptStatus.VOID: N_("Dibatalkan"),
}
PAID_BY = {
    PaymentSource.BILLING_NOTIFICATION: N_("kode billing"),
    PaymentSource.TRANSFER_PROOF: N_("transfer luar negeri"),
    PaymentSource.STATEMENT_LINE: N_("mutasi rekening"),
    PaymentSource.CASH: N_("tunai"),
}


def register(app) -> None:
    """The receipt section on the order page, and the receipt events named on its timeline."""
    from sales_service.orders.pages import register_event_labels, register_order_section

    register_order_section(app, "payments/_receipt_section.html", order_section,
                           reads={receipts.receipts_of_order: Receipt.order_id})
    register_event_labels(app, EVENT_LABELS)


def _verify_url(code: str) -> str:
    """The receipt's QR link, under SALES_PUBLIC_URL when set (as for invoices), else this request's address."""
    public_url = current_app.config["PUBLIC_URL"]
    if not public_url:
        return url_for("payments.verify_receipt", code=code, _external=True)
    return public_url.rstrip("/") + url_for("payments.verify_receipt", code=code)


def settings() -> receipts.ReceiptSettings:
    config = current_app.config
    return receipts.ReceiptSettings(office=printing.office_from_config(config), timezone=config["TIMEZONE"],
                                    storage=file_storage(), verify_url=_verify_url)


# -- the order page -----------------------------------------------------------------------------------

def order_section(session, order, actor, reads):
    """The receipts of the order (the valid one and any voided), the treasurer's button while the
    order is paid and not receipted, and the form to void and reissue a wrong receipt."""
    rows = reads(receipts.receipts_of_order)
    may_issue = actor.may(Do.ISSUE_RECEIPT, order)
    if not rows and not may_issue:
        return None
    numbers = {row.id: row.number for row in rows}
    return {
        "order": order,
        "may_issue": may_issue,
        "receipts": [{"receipt": r, "valid": r.status == ReceiptStatus.ISSUED,
                      "state": RECEIPT_STATE_LABELS[r.status], "replaces": numbers.get(r.replaces_id),
                      "may_reissue": receipts.reissue_refusal(actor, order, r) is None} for r in rows],
    }


def issue(order_id: int) -> str:
    """The one click (through ``orders.pages.order_action``): the message shown on the order page."""
    receipt = receipts.issue_receipt(db.session(), current_actor(), order_id, settings(), today=today(),
                                     expected_version=form_version())
    return gettext("Kuitansi %(number)s diterbitkan.", number=receipt.number)


def reissue(order_id: int, receipt_id: int) -> str:
    receipt = receipts.void_and_reissue(db.session(), current_actor(), receipt_id, request.form.get("reason", ""),
                                        settings(), today=today(), order_id=order_id)
    return gettext("Kuitansi lama dibatalkan; penggantinya %(number)s diterbitkan.", number=receipt.number)


def pdf_response(receipt_id: int):
    """The receipt exactly as issued (its buyer and staff only; anyone else: not found)."""
    receipt = receipts.get_receipt_for(db.session(), receipt_id, current_user)
    response = current_app.response_class(receipts.stored_pdf(receipt, file_storage()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{receipt.file.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- the treasurer's batch ---------------------------------------------------------------------------------

def batch():
    """Paid invoices without a receipt, a page at a time; a POST issues the receipts of the ticked ones."""
    session = db.session()
    if request.method == "POST":
        # Each invoice in a savepoint of its own: what was issued is committed, what was refused did nothing.
        outcome = attempt(lambda: receipts.issue_receipts(session, current_actor(), form_ids("invoice"), settings(),
                                                          today=today()))
        _flash_batch(outcome.result if outcome.ok else receipts.BatchOutcome(), outcome.error)
        return redirect(url_for("payments.receipt_batch", hal=request.args.get("hal")))
    page = receipts.awaiting_receipt(session, page=page_number(request.args.get("hal")))
    return render("payments/receipts.html", invoices=page, paid_by=PAID_BY)


def _flash_batch(done: receipts.BatchOutcome, error: str | None) -> None:
    if error:
        flash(error, "error")
    if done.issued:
        flash(gettext("%(n)d kuitansi diterbitkan: %(numbers)s.", n=len(done.issued),
                      numbers=", ".join(r.number for r in done.issued)), "success")
    for number, refusal in done.refused:
        flash(gettext("Invoice %(number)s tidak dikuitansi: %(reason)s", number=number,
                      reason=refusal.translated(gettext)), "error")
    if not (error or done.issued or done.refused):
        flash(gettext("Centang invoice yang akan dikuitansi."), "error")


# -- verification -------------------------------------------------------------------------------------------

def verify_page(code: str):
    session = db.session()
    receipt = receipts.verified_receipt(session, code)
    return render("payments/receipt_verify.html", receipt=receipt, valid=receipt.status == ReceiptStatus.ISSUED,
                  state=VERIFIED_LABELS[receipt.status], replacement=receipts.replacement_of(session, receipt),
                  invoice_number=receipts.invoice_number_of(session, receipt))
