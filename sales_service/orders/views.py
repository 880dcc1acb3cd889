"""Order pages for buyers and officers. Views parse, call one service, answer."""

from __future__ import annotations

from datetime import date, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, request, send_file, url_for
from flask_login import current_user

from sales_service import db
from sales_service.access import admin_required, roles_required, signed_in
from sales_service.catalog import services as catalog
from sales_service.errors import N_, DomainError, InvalidInput
from sales_service.files import services as files
from sales_service.files.models import DocumentType
from sales_service.files.storage import FileStorage
from sales_service.i18n import gettext
from sales_service.orders import services
from sales_service.orders.lifecycle import ACTION_LABELS, STATUS_LABELS, OrderStatus, allowed_actions
from sales_service.orders.models import Channel, IdentityDocument, ZeroRateClaim
from sales_service.orders.requirements import REQUIREMENT_LABELS
from sales_service.orders.services import RETURN_TOPICS, Actor
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import ZERO_RATE_SEGMENTS, BuyerSegment
from sales_service.roles import Role
from sales_service.sppd import services as sppd
from sales_service.web import attempt, render, small_int, today

bp = Blueprint("orders", __name__)
officer_required = roles_required(Role.OFFICER, Role.ADMIN)
buyer_required = roles_required(Role.BUYER)


def _storage() -> FileStorage:
    return FileStorage(current_app.config["UPLOAD_DIR"])


def _max_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1_000_000


def _sla_days() -> dict[ProductKind, int]:
    return {ProductKind(kind): days for kind, days in current_app.config["SLA_DAYS"].items()}


def _to_local(moment: datetime) -> date:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone).date()


def _ids(field: str) -> list[int]:
    return [value for value in map(small_int, request.form.getlist(field)) if value is not None]


def _version() -> int | None:
    return small_int(request.form.get("version"))


def _actor() -> Actor:
    return Actor(current_user._get_current_object())


EVENT_LABELS = {
    "create": N_("membuat pesanan"),
    "create_walk_in": N_("mencatat tamu loket dan membuat pesanan"),
    "add_line": N_("menambah produk"),
    "remove_line": N_("menghapus produk"),
    "update_details": N_("mengubah tujuan penggunaan"),
    "abstract": N_("menyimpan abstraksi"),
    "upload": N_("mengunggah surat permohonan"),
    "submit": N_("mengajukan pesanan"),
    "return": N_("mengembalikan untuk perbaikan"),
    "accept": N_("menerima dokumen"),
    "cancel": N_("membatalkan pesanan"),
    "approve_zero_rate": N_("menyetujui tarif Rp0"),
    "continue_full_price": N_("memilih lanjut dengan tarif penuh"),
    "final_size": N_("mencatat ukuran akhir ekstrak"),
    # Written by the invoices capability on the same trail.
    "issue_invoice": N_("menerbitkan invoice"),
    "request_correction": N_("meminta koreksi"),
    "reissue": N_("menjawab koreksi dengan versi baru"),
    "decline_correction": N_("menolak koreksi dengan penjelasan"),
    "new_billing_code": N_("meminta kode billing baru"),
    "sample": N_("mengunggah sampel data"),
}


def register_order_section(app, template: str, context) -> None:
    """Let a later capability (invoices, payments) add a section to the order page
    without orders importing it: ``context(session, order, user) -> dict | None``."""
    app.extensions.setdefault("order_sections", []).append((template, context))


def order_page(order_id: int, *, error: str | None = None, status: int = 200):
    session = db.session()
    order = services.get_order_for(session, order_id, current_user)
    providers = current_app.extensions.get("order_sections", [])
    sections = [(template, context) for template, context in
                ((t, make(session, order, current_user)) for t, make in providers) if context is not None]
    order_events = services.events(session, order.id)
    abstracts = sppd.abstracts(session, order.id)
    is_staff = current_user.is_staff
    sla = services.sla_for(order, order_events, services.calendar(session), today=today(), to_local=_to_local) \
        if is_staff else None
    return render(
        "orders/order.html",
        status=status,
        error=error,
        order=order,
        sections=sections,
        events=order_events,
        checks=services.requirement_checks(session, order),
        abstract=abstracts[0] if abstracts else None,
        abstracts=abstracts,
        letters=[d for d in files.documents(session, order.id) if d.doc_type == DocumentType.REQUEST_LETTER],
        last_return=services.latest_return(session, order),
        requested_variables=services.microdata_requested_variables(order),
        editable=order.status in (OrderStatus.DRAFT, OrderStatus.RETURNED),
        actions=allowed_actions(order.status, zero_rated=order.zero_rate == ZeroRateClaim.APPROVED),
        is_staff=is_staff,
        is_officer=current_user.role in (Role.OFFICER, Role.ADMIN),
        sla=sla,
        may_claim_zero=order.segment in ZERO_RATE_SEGMENTS,
        return_topics=RETURN_TOPICS,
        requirement_labels=REQUIREMENT_LABELS,
        status_labels=STATUS_LABELS,
        action_labels=ACTION_LABELS,
        event_labels=EVENT_LABELS,
        ZeroRateClaim=ZeroRateClaim,
        OrderStatus=OrderStatus,
    )


def order_action(view):
    """Run an action on an order; on a refused action show the order page again with
    the reason (and the right status code), nothing of the action stored."""

    @wraps(view)
    def wrapper(order_id: int, **kwargs):
        session = db.session()
        try:
            message = view(order_id, **kwargs)
        except DomainError as error:
            session.rollback()
            return order_page(order_id, error=error.translated(gettext), status=error.http_status)
        session.commit()
        if message:
            flash(message, "success")
        return redirect(url_for("orders.show", order_id=order_id))

    return wrapper


# -- buyer ---------------------------------------------------------------------------------

@bp.get("/pesanan")
@buyer_required
def mine():
    return render("orders/mine.html", orders=services.buyer_orders(db.session(), current_user),
                  status_labels=STATUS_LABELS)


@bp.post("/pesanan/tambah")
@buyer_required
def add():
    session = db.session()
    product_id = small_int(request.form.get("product_id"))
    if product_id is None:
        abort(400)
    try:
        order = services.add_to_order(session, current_user, product_id,
                                      _ids("var"), on=today())
    except DomainError as error:
        session.rollback()
        flash(error.translated(gettext), "error")
        return redirect(url_for("catalog.product", product_id=product_id))
    session.commit()
    flash(gettext("Produk ditambahkan ke pesanan %(ref)s.", ref=order.reference), "success")
    return redirect(url_for("orders.show", order_id=order.id))


@bp.get("/pesanan/<int:order_id>")
@signed_in
def show(order_id: int):
    return order_page(order_id)


@bp.post("/pesanan/<int:order_id>/rincian")
@signed_in
@order_action
def details(order_id: int):
    services.update_details(db.session(), _actor(), order_id, purpose=request.form.get("purpose", ""),
                            commercial=request.form.get("commercial") == "1",
                            claim_zero_rate="claim_zero_rate" in request.form, expected_version=_version())
    return gettext("Rincian pesanan disimpan.")


@bp.post("/pesanan/<int:order_id>/baris/<int:line_id>/hapus")
@signed_in
@order_action
def remove_line(order_id: int, line_id: int):
    services.remove_line(db.session(), _actor(), order_id, line_id)
    return gettext("Produk dihapus dari pesanan.")


def _uploaded(field: str) -> tuple[bytes, str] | None:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    return upload.read(_max_bytes() + 1), upload.filename


@bp.post("/pesanan/<int:order_id>/abstrak")
@signed_in
@order_action
def abstract(order_id: int):
    fields = {name: request.form.get(name, "") for name in ("title", "background", "method", "data_requested",
                                                            "outputs")}
    fields["no_redistribution"] = "no_redistribution" in request.form
    services.save_abstract(db.session(), _actor(), order_id, fields, _storage(), attachment=_uploaded("file"),
                           max_bytes=_max_bytes())
    return gettext("Abstraksi disimpan sebagai versi baru.")


@bp.post("/pesanan/<int:order_id>/surat")
@signed_in
@order_action
def request_letter(order_id: int):
    uploaded = _uploaded("file")
    if uploaded is None:
        raise InvalidInput("Pilih berkas surat permohonan (PDF, PNG atau JPEG).")
    services.upload_document(db.session(), _actor(), order_id, DocumentType.REQUEST_LETTER, uploaded[0],
                             uploaded[1], _storage(), max_bytes=_max_bytes())
    return gettext("Surat permohonan diunggah.")


@bp.post("/pesanan/<int:order_id>/ajukan")
@signed_in
@order_action
def submit(order_id: int):
    services.submit(db.session(), _actor(), order_id, today=today(), sla_days=_sla_days(),
                    expected_version=_version())
    return gettext("Pesanan diajukan. Petugas akan memeriksanya.")


@bp.post("/pesanan/<int:order_id>/tarif-penuh")
@signed_in
@order_action
def full_price(order_id: int):
    services.continue_at_full_price(db.session(), _actor(), order_id, expected_version=_version())
    return gettext("Pesanan dilanjutkan dengan tarif penuh. Ajukan kembali bila sudah siap.")


@bp.post("/pesanan/<int:order_id>/batal")
@signed_in
@order_action
def cancel(order_id: int):
    services.cancel(db.session(), _actor(), order_id, reason=request.form.get("reason", ""),
                    expected_version=_version())
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
        services.get_order_for(session, order_id, current_user)  # 404 for anyone else's file
    response = send_file(_storage().path(stored.sha256), mimetype=stored.mime, as_attachment=True,
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
    rows = services.officer_queue(db.session(), today=today(), to_local=_to_local, statuses=statuses, kind=kind,
                                  channel=channel, text=args.get("q", "")[:100], overdue_only=overdue)
    return render("orders/queue.html", "orders/_queue_rows.html", rows=rows, statuses=statuses, kind=kind,
                  channel=channel, overdue=overdue, text=args.get("q", ""), status_labels=STATUS_LABELS,
                  all_statuses=[s for s in OrderStatus if s != OrderStatus.DRAFT], kinds=list(ProductKind),
                  today=today())


@bp.post("/pesanan/<int:order_id>/terima")
@officer_required
@order_action
def accept(order_id: int):
    services.accept(db.session(), _actor(), order_id, expected_version=_version())
    return gettext("Dokumen diterima. Pesanan siap dibuatkan invoice.")


@bp.post("/pesanan/<int:order_id>/kembalikan")
@officer_required
@order_action
def send_back(order_id: int):
    reasons = {topic: request.form.get(f"reason_{topic}", "") for topic in RETURN_TOPICS}
    services.return_order(db.session(), _actor(), order_id, reasons, expected_version=_version())
    return gettext("Pesanan dikembalikan kepada pembeli dengan alasan perbaikan.")


@bp.post("/pesanan/<int:order_id>/rp0")
@officer_required
@order_action
def zero_rate(order_id: int):
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        raise InvalidInput("Pilih setujui atau tolak.")
    services.decide_zero_rate(db.session(), _actor(), order_id, approve=decision == "approve",
                              note=request.form.get("note", ""), expected_version=_version())
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
    services.set_final_size(db.session(), _actor(), order_id, line_id, size, source=source,
                            expected_version=_version())
    return gettext("Ukuran akhir dicatat dan harga baris dihitung ulang.")


@bp.route("/petugas/tamu", methods=["GET", "POST"])
@officer_required
def walk_in():
    session = db.session()
    error = None
    if request.method == "POST":
        guest = {name: request.form.get(name, "") for name in (
            "name", "identity_type", "identity_number", "institution", "email", "phone", "purpose", "segment")}
        order, error = attempt(lambda: services.create_walk_in(
            session, _actor(), guest, _ids("product_id"), today=today()))
        if order is not None:
            flash(gettext("Tamu dicatat dengan nomor antrean %(n)d; pesanan %(ref)s dibuat.",
                          n=order.walk_in.queue_number, ref=order.reference), "success")
            return redirect(url_for("orders.show", order_id=order.id))
    return render("orders/walk_in.html", error=error, products=catalog.active_products(session), values=request.form,
                  identity_types=list(IdentityDocument), segments=list(BuyerSegment),
                  status=422 if error else 200)


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
            added, error = attempt(lambda: services.add_leave_day(session, _actor(), day, request.form.get("note", "")))
            if added is not None:
                flash(gettext("Hari cuti kantor dicatat."), "success")
                return redirect(url_for("orders.leave_days"))
    return render("orders/leave_days.html", error=error, leave_days=services.leave_days(session),
                  values=request.form, status=422 if error else 200)


@bp.post("/admin/cuti/<int:leave_id>/hapus")
@admin_required
def remove_leave_day(leave_id: int):
    session = db.session()
    services.remove_leave_day(session, _actor(), leave_id)
    session.commit()
    flash(gettext("Hari cuti kantor dihapus."), "success")
    return redirect(url_for("orders.leave_days"))
