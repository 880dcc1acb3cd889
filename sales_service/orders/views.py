"""Order pages for buyers and officers. Views parse, call one service, answer."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from sales_service import db
from sales_service.access import admin_required, buyer_required, officer_required, roles_required, signed_in
from sales_service.catalog import services as catalog
from sales_service.clock import utcnow
from sales_service.errors import InvalidInput
from sales_service.files import services as files
from sales_service.files.models import DocumentType
from sales_service.i18n import gettext
from sales_service.orders import office_calendar, ordering, review, workflow
from sales_service.orders import walk_in as walk_ins
from sales_service.orders.lifecycle import STATUS_LABELS, OrderStatus
from sales_service.orders.models import Channel, IdentityDocument
from sales_service.orders.pages import current_actor, order_action, order_page, refused_action_page
from sales_service.orders.queue import buyer_orders, officer_queue
from sales_service.orders.review import RETURN_TOPICS
from sales_service.paging import page_number
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from sales_service.web import (
    attempt,
    error_response,
    file_storage,
    form_ids,
    form_version,
    is_htmx,
    render,
    small_int,
    to_local_date,
    today,
    upload_limit,
    uploaded,
)

bp = Blueprint("orders", __name__)


def _sla_days() -> dict[ProductKind, int]:
    return {ProductKind(kind): days for kind, days in current_app.config["SLA_DAYS"].items()}


# -- buyer ---------------------------------------------------------------------------------

@bp.get("/pesanan")
@buyer_required
def mine():
    orders = buyer_orders(db.session(), current_user, page=page_number(request.args.get("hal")))
    return render("orders/mine.html", orders=orders, status_labels=STATUS_LABELS)


@bp.post("/pesanan/tambah")
@buyer_required
def add():
    """The product page's one form: what is ticked there now (variables, non-commercial use
    under Rp0) is what is priced and ordered. Without JavaScript its "Hitung harga" button
    comes here too and goes back to the page priced for the ticked choice (Post/Redirect/Get)."""
    product_id = small_int(request.form.get("product_id"))
    if product_id is None:
        abort(400)
    variable_ids = form_ids("var")
    claim = request.form.get("nonkomersial") == "1"
    product_page = url_for("catalog.product", product_id=product_id, var=variable_ids,
                           nonkomersial="1" if claim else None)
    if request.form.get("step") == "price":
        return redirect(product_page, 303)
    outcome = attempt(lambda: ordering.add_to_order(db.session(), current_user, product_id, variable_ids,
                                                    on=today(), claim_zero_rate=claim))
    if not outcome.ok:
        flash(outcome.error, "error")
        return redirect(product_page, 303)
    order = outcome.result
    flash(gettext("Produk ditambahkan ke pesanan %(ref)s.", ref=order.reference), "success")
    return redirect(url_for("orders.show", order_id=order.id))


@bp.get("/pesanan/<int:order_id>")
@signed_in
def show(order_id: int):
    return order_page(order_id)


@bp.get("/pesanan/<int:order_id>/<path:action>")
@signed_in
def reopened_action(order_id: int, action: str):
    """An action's address opened again (reloaded, bookmarked, shared after a refused action
    without JavaScript): the order page, never a 405; another buyer's order stays a 404."""
    workflow.get_order_for(db.session(), order_id, current_user)
    return redirect(url_for("orders.show", order_id=order_id), 303)


@bp.app_errorhandler(RequestEntityTooLarge)  # every upload form on an order page: orders, invoices, payments
def upload_too_large(_error):
    """A request too large to read (a file well over the upload limit) sent from the order page
    comes back to it, saying the limit; elsewhere, the plain error page."""
    order_id = (request.view_args or {}).get("order_id")
    message = gettext("Berkas terlalu besar: batas %(n)d MB per berkas. Pilih berkas yang lebih kecil.",
                      n=current_app.config["MAX_UPLOAD_MB"])
    if order_id is None:
        return error_response(message, 413)
    return refused_action_page(order_id, message, 413)


@bp.post("/pesanan/<int:order_id>/rincian")
@signed_in
@order_action
def details(order_id: int):
    use = request.form.get("commercial")
    ordering.update_details(db.session(), current_actor(), order_id, purpose=request.form.get("purpose", ""),
                            commercial={"1": True, "0": False}.get(use),  # neither: not chosen yet
                            claim_zero_rate="claim_zero_rate" in request.form,
                            institution=request.form.get("institution"),
                            institution_segment=request.form.get("institution_segment"),
                            zero_rate_purpose=request.form.get("zero_rate_purpose"), expected_version=form_version())
    return gettext("Rincian pesanan disimpan.")


@bp.post("/pesanan/<int:order_id>/baris/<int:line_id>/hapus")
@signed_in
@order_action
def remove_line(order_id: int, line_id: int):
    ordering.remove_line(db.session(), current_actor(), order_id, line_id)
    return gettext("Produk dihapus dari pesanan.")


@bp.post("/pesanan/<int:order_id>/abstrak")
@signed_in
@order_action
def abstract(order_id: int):
    fields = {name: request.form.get(name, "") for name in ("title", "background", "method", "data_requested",
                                                            "outputs")}
    fields["no_redistribution"] = "no_redistribution" in request.form
    ordering.save_abstract(db.session(), current_actor(), order_id, fields, file_storage(), attachment=uploaded("file"),
                           max_bytes=upload_limit())
    return gettext("Abstraksi disimpan sebagai versi baru.")


@bp.post("/pesanan/<int:order_id>/surat")
@signed_in
@order_action
def request_letter(order_id: int):
    letter = uploaded("file")
    if letter is None:
        raise InvalidInput("Pilih berkas surat permohonan (PDF, PNG atau JPEG).")
    ordering.upload_document(db.session(), current_actor(), order_id, DocumentType.REQUEST_LETTER, letter[0],
                             letter[1], file_storage(), max_bytes=upload_limit())
    return gettext("Surat permohonan diunggah.")


@bp.post("/pesanan/<int:order_id>/ajukan")
@signed_in
@order_action
def submit(order_id: int):
    ordering.submit(db.session(), current_actor(), order_id, today=today(), sla_days=_sla_days(),
                    expected_version=form_version())
    return gettext("Pesanan diajukan. Petugas akan memeriksanya.")


@bp.post("/pesanan/<int:order_id>/tarif-penuh")
@signed_in
@order_action
def full_price(order_id: int):
    review.continue_at_full_price(db.session(), current_actor(), order_id, expected_version=form_version())
    return gettext("Pesanan dilanjutkan dengan tarif penuh. Ajukan kembali bila sudah siap.")


@bp.post("/pesanan/<int:order_id>/batal")
@signed_in
@order_action
def cancel(order_id: int):
    ordering.cancel(db.session(), current_actor(), order_id, reason=request.form.get("reason", ""),
                    expected_version=form_version())
    return gettext("Pesanan dibatalkan.")


@bp.get("/berkas/<int:file_id>")
@signed_in
def download(file_id: int):
    session = db.session()
    stored = files.get_file(session, file_id)
    if stored is None:
        abort(404)
    order_id = files.order_of_file(session, file_id)
    if order_id is None:
        if not current_user.is_staff:
            abort(404)
    else:
        workflow.get_order_for(session, order_id, current_user)  # 404 for anyone else's file
    response = send_file(file_storage().path(stored.sha256), mimetype=stored.mime, as_attachment=True,
                         download_name=stored.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- officer -------------------------------------------------------------------------------

@bp.get("/petugas/pesanan")
@roles_required(Role.OFFICER, Role.TREASURER, Role.ADMIN)
def queue():
    args = request.args
    statuses = [OrderStatus(s) for s in args.getlist("status") if s in OrderStatus.__members__.values()]
    kind = ProductKind(args["jenis"]) if args.get("jenis") in ProductKind.__members__.values() else None
    channel = Channel(args["kanal"]) if args.get("kanal") in Channel.__members__.values() else None
    overdue = args.get("terlambat") == "1"
    rows = officer_queue(db.session(), today=today(), to_local=to_local_date, statuses=statuses, kind=kind,
                         channel=channel, text=args.get("q", "")[:100], overdue_only=overdue,
                         page=page_number(args.get("hal")))
    return render("orders/queue.html", "orders/_queue_rows.html", rows=rows, statuses=statuses, kind=kind,
                  channel=channel, overdue=overdue, text=args.get("q", ""), status_labels=STATUS_LABELS,
                  all_statuses=[s for s in OrderStatus if s != OrderStatus.DRAFT], kinds=list(ProductKind),
                  today=today())


@bp.post("/pesanan/<int:order_id>/terima")
@officer_required
@order_action
def accept(order_id: int):
    review.accept(db.session(), current_actor(), order_id, expected_version=form_version())
    return gettext("Dokumen diterima. Pesanan siap dibuatkan invoice.")


@bp.post("/pesanan/<int:order_id>/kembalikan")
@officer_required
@order_action
def send_back(order_id: int):
    reasons = {topic: request.form.get(f"reason_{topic}", "") for topic in RETURN_TOPICS}
    review.return_order(db.session(), current_actor(), order_id, reasons, expected_version=form_version())
    return gettext("Pesanan dikembalikan kepada pembeli dengan alasan perbaikan.")


@bp.post("/pesanan/<int:order_id>/rp0")
@officer_required
@order_action
def zero_rate(order_id: int):
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        raise InvalidInput("Pilih setujui atau tolak.")
    review.decide_zero_rate(db.session(), current_actor(), order_id, approve=decision == "approve",
                              note=request.form.get("note", ""), expected_version=form_version())
    return gettext("Keputusan tarif Rp0 dicatat.")


@bp.post("/pesanan/<int:order_id>/baris/<int:line_id>/ukuran")
@officer_required
@order_action
def final_size(order_id: int, line_id: int):
    upload = request.files.get("extract")
    if upload is not None and upload.filename:
        # Measured from the prepared extract; the file itself is delivered later.
        upload.stream.seek(0, 2)
        size, source = upload.stream.tell(), "measured"
    else:
        size = small_int(request.form.get("size", "").replace(".", "").replace(",", ""))
        if size is None:
            raise InvalidInput("Isi ukuran ekstrak dalam byte, atau unggah berkas ekstraknya.")
        source = "typed"
    review.set_final_size(db.session(), current_actor(), order_id, line_id, size, source=source,
                            expected_version=form_version())
    return gettext("Ukuran akhir dicatat dan harga baris dihitung ulang.")


@bp.route("/petugas/tamu", methods=["GET", "POST"])
@officer_required
def walk_in():
    session = db.session()
    error = None
    if request.method == "POST":
        guest = {name: request.form.get(name, "") for name in (
            "name", "identity_type", "identity_number", "institution", "email", "phone", "npwp", "purpose",
            "segment", "commercial")}
        product_ids = form_ids("product_id")
        variables = {product_id: form_ids(f"var_{product_id}") for product_id in product_ids}
        order, error = attempt(lambda: walk_ins.create_walk_in(
            session, current_actor(), guest, product_ids, today=today(), variables=variables))
        if order is not None:
            flash(gettext("Tamu dicatat dengan nomor antrean %(n)d; pesanan %(ref)s dibuat.",
                          n=order.walk_in.queue_number, ref=order.reference), "success")
            return redirect(url_for("orders.walk_in"))
    return render("orders/walk_in.html", error=error, products=catalog.active_products(session), values=request.form,
                  identity_types=list(IdentityDocument), segments=list(BuyerSegment), **_guest_book_context(),
                  status=422 if error else 200)


def _guest_book_context() -> dict:
    session, day = db.session(), today()
    return dict(entries=walk_ins.guest_book(session, day), drafts=walk_ins.open_walk_in_drafts(session, before=day),
                status_labels=STATUS_LABELS, promise_minutes=_promise_minutes())


def _promise_minutes() -> int:
    return int(walk_ins.SERVICE_PROMISE.total_seconds() // 60)


def _counter_clock(action) -> Response:
    """Call or serve a visitor: the guest book fragment for htmx, else back to the page."""
    outcome = attempt(action)
    if is_htmx():
        return render("orders/_guest_book.html", book_error=outcome.error, status=outcome.status,
                      **_guest_book_context())
    if not outcome.ok:
        flash(outcome.error, "error")
    return redirect(url_for("orders.walk_in"))


@bp.post("/petugas/tamu/<int:visit_id>/panggil")
@officer_required
def call_visitor(visit_id: int):
    return _counter_clock(lambda: walk_ins.call_visitor(db.session(), current_actor(), visit_id, now=utcnow()))


@bp.post("/petugas/tamu/<int:visit_id>/selesai")
@officer_required
def visitor_served(visit_id: int):
    return _counter_clock(lambda: walk_ins.mark_served(db.session(), current_actor(), visit_id, now=utcnow()))


@bp.get("/petugas/tamu/<int:visit_id>/tiket")
@officer_required
def queue_ticket(visit_id: int):
    return render("orders/walk_in_ticket.html", entry=walk_ins.visit_with_order(db.session(), visit_id),
                  promise_minutes=_promise_minutes())


# -- admin: office leave days ---------------------------------------------------------------

@bp.route("/admin/cuti", methods=["GET", "POST"])
@admin_required
def leave_days():
    session = db.session()
    error = None
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            error = gettext("Tanggal tidak sah; gunakan format YYYY-MM-DD.")
        else:
            added, error = attempt(lambda: office_calendar.add_leave_day(
                session, current_actor(), day, request.form.get("note", "")))
            if added is not None:
                flash(gettext("Hari cuti kantor dicatat."), "success")
                return redirect(url_for("orders.leave_days"))
    return render("orders/leave_days.html", error=error,
                  leave_days=office_calendar.leave_days(session, page=page_number(request.args.get("hal"))),
                  values=request.form, status=422 if error else 200)


@bp.post("/admin/cuti/<int:leave_id>/hapus")
@admin_required
def remove_leave_day(leave_id: int):
    outcome = attempt(lambda: office_calendar.remove_leave_day(db.session(), current_actor(), leave_id))
    if outcome.ok:
        flash(gettext("Hari cuti kantor dihapus."), "success")
    else:
        flash(outcome.error, "error")
    return redirect(url_for("orders.leave_days"))
