"""Invoices on the order page, their PDFs, the public verification page, the staff API."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, request, url_for
from flask_login import current_user

from sales_service import db
from sales_service.access import officer_required, public, signed_in
from sales_service.errors import N_, InvalidInput
from sales_service.files import services as files
from sales_service.files.models import DocumentType
from sales_service.i18n import gettext
from sales_service.invoices import printing, services
from sales_service.invoices.gateway import configured_gateway
from sales_service.invoices.models import (
    CodeStatus,
    CorrectionRequest,
    CorrectionStatus,
    CorrectionTarget,
    InvoiceStatus,
    PaymentRoute,
    VerifiedDocument,
)
from sales_service.orders.pages import current_actor, order_action
from sales_service.orders.permissions import Do, FinalSizeFirst, refusal
from sales_service.web import (
    attempt,
    error_response,
    file_storage,
    form_version,
    local_time,
    render,
    today,
    upload_limit,
    uploaded,
)

bp = Blueprint("invoices", __name__)


def _settings() -> services.InvoiceSettings:
    config = current_app.config
    return services.InvoiceSettings(
        office_code=config["SATKER_CODE"], number_format=config["INVOICE_NUMBER_FORMAT"],
        expiry_days=config["BILLING_EXPIRY_DAYS"],
        bank={"bank_name": config["BANK_NAME"], "account_name": config["BANK_ACCOUNT_NAME"],
              "account_number": config["BANK_ACCOUNT_NUMBER"], "swift": config["BANK_SWIFT"]},
        sppd_number_format=config["SPPD_NUMBER_FORMAT"], transfer_valid_days=config["TRANSFER_VALID_DAYS"],
    )


def _publisher() -> printing.Publisher:
    """How this service renders and keeps documents: the upload store, the office, its links."""
    config = current_app.config
    return printing.Publisher(
        storage=file_storage(), office=printing.office_from_config(config), timezone=config["TIMEZONE"],
        verify_url=verify_url, order_url=lambda order_id: _public(url_for("orders.show", order_id=order_id)),
        foreign_signature_note=config["FOREIGN_SIGNATURE_NOTE"],
    )


def _gateway():
    if "billing_gateway" not in g:
        g.billing_gateway = configured_gateway(current_app.extensions, current_app.config)
    return g.billing_gateway


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def _public(path: str) -> str:
    """An absolute link as printed on documents: the service's public address, whatever host served the request
    (without SALES_PUBLIC_URL, the address this request came to, as for ``verify_url``)."""
    public = current_app.config["PUBLIC_URL"] or request.host_url
    return public.rstrip("/") + path


def verify_url(kind: VerifiedDocument, invoice_id: int) -> str:
    """The document's QR link. Under SALES_PUBLIC_URL when it is set (production: a document is
    read long after, away from this request); otherwise under the address this request came
    to, so a service run on another port (``make run PORT=5101``) prints links that work."""
    code = services.verification_code(db.session(), invoice_id, kind)
    public = current_app.config["PUBLIC_URL"]
    if not public:
        return url_for("invoices.verify", code=code, _external=True)
    return public.rstrip("/") + url_for("invoices.verify", code=code)


# -- the order page section -----------------------------------------------------------------

def order_section(session, order, actor, reads):
    invoices = services.invoices_of(session, order.id)
    refused = refusal(Do.ISSUE_INVOICE, order, actor.user.role, actor.user.id)
    # The officer could invoice but for an extract size still to record: say so where the button would be.
    waits = refused.translated(gettext) if isinstance(refused, FinalSizeFirst) else None
    if not invoices and refused is not None and waits is None:
        return None
    now = datetime.now(UTC)
    current = invoices[0] if invoices else None
    invoice_void = bool(current and current.status == InvoiceStatus.VOID)
    # Only a live code is offered for payment: a cancelled or replaced one never is.
    code = current.current_code if current and not invoice_void else None
    if code is not None and code.status != CodeStatus.ACTIVE:
        code = None
    corrections = reads(services.corrections_of)  # read once: the open one is among them
    open_correction = next((c for c in corrections if c.status == CorrectionStatus.OPEN), None)
    # A correction that would void the invoice, refused by a guard (money counted on it): say why instead.
    not_reissued = services.reissue_refusal(session, current) if (
        open_correction is not None and open_correction.target != CorrectionTarget.SAMPLE
        and actor.may(Do.ANSWER_CORRECTION, order)) else None
    return {
        "order": order,
        "may": lambda do: actor.may(do, order),
        "invoices": invoices,
        "current": current,
        "invoice_void": invoice_void,
        "issue_waits": waits,
        "invoice_paid": bool(current and current.status == InvoiceStatus.PAID),
        "code": code,
        "code_expired": bool(code and code.status == CodeStatus.ACTIVE and services.code_expired(code, now)),
        "may_renew_code": bool(current and services.code_renewable(current, now)
                               and actor.may(Do.NEW_BILLING_CODE, order)),
        "answered_corrections": [c for c in corrections if c.status != CorrectionStatus.OPEN],
        "open_correction": open_correction,
        "reissue_refused": not_reissued.translated(gettext) if not_reissued is not None else None,
        "samples": [d for d in reads(files.documents) if d.doc_type == DocumentType.SAMPLE],
        "targets": [t for t in CorrectionTarget
                    if t == CorrectionTarget.INVOICE
                    or (t == CorrectionTarget.SAMPLE and order.has_sample)
                    or (t == CorrectionTarget.SPPD and order.needs_agreement)],
        "target_labels": services.TARGET_LABELS,
        "invoice_state_labels": INVOICE_STATE_LABELS,
        "correction_state_labels": CORRECTION_STATE_LABELS,
        "PaymentRoute": PaymentRoute,
        "CorrectionTarget": CorrectionTarget,
    }


# What the section reads of the order through the page's reads, by the column its rows are found by.
ORDER_READS = {services.corrections_of: CorrectionRequest.order_id}


INVOICE_STATE_LABELS = {
    InvoiceStatus.ISSUED: N_("sah"),
    InvoiceStatus.VOID: N_("batal (VOID)"),
    InvoiceStatus.PAID: N_("lunas"),
}
CORRECTION_STATE_LABELS = {
    CorrectionStatus.OPEN: N_("terbuka"),
    CorrectionStatus.REISSUED: N_("diterbitkan ulang"),
    CorrectionStatus.DECLINED: N_("ditolak"),
}


# -- actions --------------------------------------------------------------------------------------

@bp.post("/pesanan/<int:order_id>/invoice")
@officer_required
@order_action
def issue(order_id: int):
    invoice = services.issue_invoice(db.session(), current_actor(), order_id, _settings(), _gateway(), today=today(),
                                     expected_version=form_version(), publisher=_publisher())
    return gettext("Invoice %(number)s diterbitkan.", number=invoice.number)


@bp.post("/pesanan/<int:order_id>/kode-billing-baru")
@signed_in
@order_action
def new_code(order_id: int):
    invoice = services.current_invoice(db.session(), order_id)
    if invoice is None or invoice.order_id != order_id:
        abort(404)
    code = services.request_new_code(db.session(), current_actor(), invoice.id, _settings(), _gateway(),
                                     now=datetime.now(UTC), expires_text=local_time, publisher=_publisher())
    return gettext("Kode billing baru %(code)s berlaku sampai %(until)s.", code=code.code,
                   until=local_time(code.expires_at))


@bp.post("/pesanan/<int:order_id>/koreksi")
@signed_in
@order_action
def request_correction(order_id: int):
    services.request_correction(db.session(), current_actor(), order_id, request.form.get("target", ""),
                                request.form.get("reason", ""), expected_version=form_version())
    return gettext("Permintaan koreksi dikirim kepada petugas.")


@bp.post("/pesanan/<int:order_id>/koreksi/terbitkan-ulang")
@officer_required
@order_action
def reissue(order_id: int):
    invoice = services.reissue(db.session(), current_actor(), order_id, _settings(), _gateway(), today=today(),
                               note=request.form.get("note", ""), expected_version=form_version(),
                               publisher=_publisher())
    return gettext("Invoice lama dibatalkan; versi baru %(number)s diterbitkan.", number=invoice.number)


@bp.post("/pesanan/<int:order_id>/koreksi/tolak")
@officer_required
@order_action
def decline(order_id: int):
    services.decline_correction(db.session(), current_actor(), order_id, request.form.get("explanation", ""),
                                expected_version=form_version())
    return gettext("Permintaan koreksi dijawab dengan penjelasan.")


@bp.post("/pesanan/<int:order_id>/batal-dengan-invoice")
@officer_required
@order_action
def cancel_invoiced(order_id: int):
    services.cancel_invoiced_order(db.session(), current_actor(), order_id, _gateway(),
                                   reason=request.form.get("reason", ""), expected_version=form_version(),
                                   publisher=_publisher())
    return gettext("Pesanan dibatalkan; invoice dan kode billingnya tidak berlaku lagi.")


@bp.post("/pesanan/<int:order_id>/sampel")
@officer_required
@order_action
def sample(order_id: int):
    sample_file = uploaded("file")
    if sample_file is None:
        raise InvalidInput("Pilih berkas sampel (PDF, PNG atau JPEG).")
    services.upload_sample(db.session(), current_actor(), order_id, sample_file[0], sample_file[1], file_storage(),
                           max_bytes=upload_limit())
    return gettext("Sampel data diunggah.")


# -- documents --------------------------------------------------------------------------------------

def _pdf_response(data: bytes, filename: str):
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _stored_pdf(invoice_id: int, kind: VerifiedDocument, filename: str):
    """The document as rendered when it reached its current state (issued, voided, new code), read
    from the file store; rendered and kept on first download only when no rendering exists yet
    (documents issued before they were kept, an invoice marked paid)."""
    session = db.session()
    invoice = services.get_invoice_for(session, invoice_id, current_user)
    name = filename.format(number=invoice.number.replace("/", "-"))
    outcome = attempt(lambda: printing.document_pdf(session, invoice, kind, _publisher()))
    if not outcome.ok:  # an order without microdata or maps has no SPPD (NoSppdForOrder): 404
        return error_response(outcome.error, outcome.status)
    return _pdf_response(outcome.result, name)


@bp.get("/invoice/<int:invoice_id>/invoice.pdf")
@signed_in
def invoice_pdf(invoice_id: int):
    return _stored_pdf(invoice_id, VerifiedDocument.INVOICE, "{number}.pdf")


@bp.get("/invoice/<int:invoice_id>/sppd.pdf")
@signed_in
def sppd_pdf(invoice_id: int):
    return _stored_pdf(invoice_id, VerifiedDocument.SPPD, "SPPD-{number}.pdf")


STATE_LABELS = {
    InvoiceStatus.ISSUED: N_("Sah dan berlaku"),
    InvoiceStatus.VOID: N_("Dibatalkan (digantikan versi baru)"),
    InvoiceStatus.PAID: N_("Sah, sudah lunas"),
}


@bp.get("/verify/<code>")
@public
def verify(code: str):
    kind, invoice = services.verified_document(db.session(), code)
    is_invoice = kind == VerifiedDocument.INVOICE
    # The number printed on the document the QR code sits on: an SPPD has its own series.
    number = invoice.number if is_invoice else printing.sppd_number(invoice)
    return render("invoices/verify.html", is_invoice=is_invoice, invoice=invoice, number=number,
                  state=STATE_LABELS[invoice.status], valid=invoice.status != InvoiceStatus.VOID)
