from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from sales_service import db, i18n
from sales_service.access import admin_required, officer_required, public, signed_in
from sales_service.accounts import api_tokens, services
from sales_service.accounts.forms import (
    DocumentLanguageForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    SegmentRequestForm,
    StaffForm,
)
from sales_service.accounts.models import Domicile, Role
from sales_service.extensions import limiter
from sales_service.i18n import current_language, gettext
from sales_service.paging import page_number
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import STAFF_ROLES
from sales_service.web import attempt, render, safe_local_url

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        # A failed attempt is recorded on the account (lockout), so it is committed too.
        user, error = attempt(lambda: services.sign_in(db.session(), form.email.data, form.password.data))
        if user is not None:
            login_user(user)
            i18n.use_language(user.language)  # the language the account saved is the session's from now on
            flash(gettext("Selamat datang, %(name)s.", name=user.full_name), "success")
            if user.is_staff and not request.args.get("next"):
                return redirect(url_for("staff.home"))
            return redirect(safe_local_url(request.args.get("next")))
        error = error or services.InvalidCredentials().translated(gettext)
    return render("accounts/login.html", form=form, error=error, lockout_failures=services.LOCKOUT_FAILURES,
                  lockout_minutes=int(services.LOCKOUT_DURATION.total_seconds() // 60),
                  status=401 if error else 200)


def _end_every_session() -> Response:
    """Log the account out here and everywhere: the session generation rises, so every
    cookie issued before, copied or not, is refused from now on."""
    outcome = attempt(lambda: services.log_out_everywhere(db.session(), current_user.id))
    logout_user()
    if not outcome.ok:
        flash(outcome.error, "error")
    return redirect(url_for("catalog.index"))


@bp.route("/keluar", methods=["POST"])
@signed_in
def logout():
    response = _end_every_session()
    flash(gettext("Anda telah keluar."), "success")
    return response


@bp.post("/akun/keluar-semua")
@signed_in
def logout_everywhere():
    response = _end_every_session()
    flash(gettext("Anda telah keluar dari semua perangkat dan peramban."), "success")
    return response


@bp.route("/daftar", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    error, field_errors = None, {}
    if form.validate_on_submit():
        fields = dict(
            email=form.email.data or "",
            password=form.password.data or "",
            full_name=form.full_name.data or "",
            segment=BuyerSegment(form.segment.data),
            domicile=Domicile(form.domicile.data),
            institution=form.institution.data or "",
            address=form.address.data or "",
            phone=form.phone.data or "",
            npwp=form.npwp.data or "",
        )
        # Every field's problem at once, beside the field, instead of one per attempt.
        field_errors = {name: problem.translated(gettext)
                        for name, problem in services.registration_problems(**fields).items()}
        registration = None
        if field_errors:
            error = gettext("Periksa kembali isian yang ditandai.")
        else:
            # A new account and an address that already has one get the same answer (README
            # "Security"): the registration is not signed in; it signs in like anyone else.
            # The language the form was read in is the buyer's: their documents are issued in it.
            registration, error = attempt(lambda: services.request_registration(
                db.session(), **fields, language=current_language()))
        if registration is not None:
            flash(gettext("Pendaftaran diterima. Silakan masuk dengan alamat e-mail dan kata sandi yang Anda "
                          "isikan; bila alamat itu sudah pernah didaftarkan, masuklah dengan kata sandi lamanya."),
                  "success")
            return redirect(url_for("accounts.login"), 303)
    elif request.method == "POST" and form.errors:
        error = gettext("Periksa kembali isian formulir.")
    return render(
        "accounts/register.html",
        form=form,
        error=error,
        field_errors=field_errors,
        segments=list(BuyerSegment),
        institution_segments=[s for s in BuyerSegment if "institution" in services.required_fields(s)],
        npwp_segments=[s for s in BuyerSegment if "npwp" in services.required_fields(s)],
        status=422 if error else 200,
    )


def _account_page(*, form: PasswordChangeForm | None = None, error: str | None = None,
                  profile_form: ProfileForm | None = None, profile_error: str | None = None,
                  segment_form: SegmentRequestForm | None = None, segment_error: str | None = None,
                  language_form: DocumentLanguageForm | None = None, language_error: str | None = None):
    """The account page with whichever of its forms was just sent kept as typed."""
    user = current_user
    session = db.session()
    if profile_form is None:
        profile_form = ProfileForm(formdata=None, data={field: getattr(user, field) or "" for field in
                                                        services.PROFILE_FIELDS})
    if language_form is None:
        # Not chosen yet: what the documents would be issued in (User.document_language) is shown.
        language_form = DocumentLanguageForm(formdata=None, data={"language": user.document_language})
    failed = error or profile_error or segment_error or language_error
    return render(
        "accounts/account.html", user=user, form=form or PasswordChangeForm(formdata=None), error=error,
        profile_form=profile_form, profile_error=profile_error,
        segment_form=segment_form or SegmentRequestForm(formdata=None, data={"segment": user.segment}),
        segment_error=segment_error, has_segment=user.segment is not None,
        language_form=language_form, language_error=language_error,
        required=services.required_fields(user.segment),
        pending_segment=services.pending_segment_request(session, user.id) if user.segment else None,
        decided_segments=services.decided_segment_requests(session, user.id) if user.segment else [],
        decision_labels=services.SEGMENT_DECISION_LABELS,
        segments=list(BuyerSegment), status=422 if failed else 200,
    )


@bp.route("/akun", methods=["GET", "POST"])
@signed_in
def account():
    form = PasswordChangeForm()
    error = None
    if form.validate_on_submit():
        user, error = attempt(lambda: services.change_password(
            db.session(), current_user.id, current=form.current.data, new=form.new.data,
            repeated=form.repeated.data,
        ))
        if user is not None:
            login_user(user)  # this session goes on under the new generation; all others end
            flash(gettext("Kata sandi diganti. Sesi lain akun ini di perangkat lain telah diakhiri."), "success")
            return redirect(url_for("accounts.account"), 303)
    return _account_page(form=form, error=error)


@bp.post("/akun/profil")
@signed_in
def profile():
    form = ProfileForm()
    error = None
    if form.validate_on_submit():
        user, error = attempt(lambda: services.update_profile(
            db.session(), current_user.id, **{field: form[field].data or "" for field in services.PROFILE_FIELDS}))
        if user is not None:
            flash(gettext("Profil disimpan. Invoice yang terbit berikutnya memuat data ini."), "success")
            return redirect(url_for("accounts.account"), 303)
    return _account_page(profile_form=form, profile_error=error or gettext("Periksa kembali isian formulir."))


@bp.post("/akun/bahasa-dokumen")
@signed_in
def document_language():
    form = DocumentLanguageForm()
    error = None
    if form.validate_on_submit():
        user, error = attempt(lambda: services.set_language(db.session(), current_user.id, form.language.data))
        if user is not None:
            i18n.use_language(user.language)  # one language per buyer: the pages follow it too
            flash(gettext("Bahasa dokumen disimpan: invoice dan SPPD berikutnya diterbitkan dalam bahasa ini."),
                  "success")
            return redirect(url_for("accounts.account"), 303)
    return _account_page(language_form=form,
                         language_error=error or services.UnknownLanguage().translated(gettext))


@bp.post("/akun/segmen")
@signed_in
def segment_request():
    form = SegmentRequestForm()
    error = None
    if form.validate_on_submit():
        request_row, error = attempt(lambda: services.request_segment_change(
            db.session(), current_user.id, segment=form.segment.data, institution=form.institution.data or "",
            reason=form.reason.data or ""))
        if request_row is not None:
            flash(gettext("Permintaan perubahan segmen dikirim; petugas akan memutuskannya."), "success")
            return redirect(url_for("accounts.account"), 303)
    return _account_page(segment_form=form, segment_error=error or gettext("Periksa kembali isian formulir."))


@bp.get("/petugas/segmen")
@officer_required
def segment_requests():
    return render("accounts/segment_requests.html", requests=services.pending_segment_requests(db.session()),
                  error=None)


@bp.post("/petugas/segmen/<int:request_id>")
@officer_required
def decide_segment(request_id: int):
    decision = request.form.get("decision")
    outcome = attempt(lambda: services.decide_segment_change(
        db.session(), request_id, approve=decision == "approve", note=request.form.get("note", ""),
        officer=current_user._get_current_object()))
    if outcome.ok:
        name = services.get_user(db.session(), outcome.result.user_id).full_name
        flash(gettext("Segmen %(name)s diubah.", name=name) if decision == "approve"
              else gettext("Permintaan perubahan segmen %(name)s ditolak.", name=name), "success")
        return redirect(url_for("accounts.segment_requests"), 303)
    if outcome.status == 404:
        abort(404)
    return render("accounts/segment_requests.html", requests=services.pending_segment_requests(db.session()),
                  error=outcome.error, failed_id=request_id, note=request.form.get("note", ""),
                  status=outcome.status)


@bp.route("/admin/pengguna", methods=["GET", "POST"])
@admin_required
def users():
    session = db.session()
    form = StaffForm()
    error = None
    if form.validate_on_submit():
        user, error = attempt(lambda: services.create_staff(
            session,
            email=form.email.data,
            password=form.password.data,
            full_name=form.full_name.data,
            role=Role(form.role.data),
        ))
        if user is not None:
            flash(gettext("Akun staf %(email)s dibuat.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    return render(
        "accounts/users.html",
        form=form,
        error=error,
        users=services.list_users(session, text=request.args.get("q", "")[:100],
                                  page=page_number(request.args.get("hal"))),
        text=request.args.get("q", ""),
        staff_roles=[role for role in Role if role in STAFF_ROLES],
        status=422 if error else 200,
    )


@bp.route("/admin/pengguna/<int:user_id>/status", methods=["POST"])
@admin_required
def user_status(user_id: int):
    active = request.form.get("active") == "1"
    outcome = attempt(lambda: services.set_active(db.session(), user_id, active, acting=current_user))
    if outcome.ok:
        message = "Akun %(email)s diaktifkan." if active else "Akun %(email)s dinonaktifkan."
        flash(gettext(message, email=outcome.result.email), "success")
    elif outcome.status == 404:
        abort(404)
    else:
        flash(outcome.error, "error")
    return redirect(url_for("accounts.users"))


# -- admin: staff API tokens -------------------------------------------------------------------------

@bp.route("/admin/token", methods=["GET", "POST"])
@admin_required
def tokens():
    session = db.session()
    error, plain = None, None
    if request.method == "POST":
        issued, error = attempt(lambda: api_tokens.issue_api_token(session, current_user, request.form.get("name", "")))
        plain = issued[1] if issued else None
    tokens = api_tokens.api_tokens(session, page=page_number(request.args.get("hal")))
    return render("accounts/tokens.html", tokens=tokens, plain=plain, error=error, status=422 if error else 200)


@bp.post("/admin/token/<int:token_id>/cabut")
@admin_required
def revoke_token(token_id: int):
    session = db.session()
    outcome = attempt(lambda: api_tokens.revoke_api_token(session, current_user, token_id))
    if outcome.ok:
        flash(gettext("Token dicabut; permintaan dengan token itu kini ditolak."), "success")
    else:
        flash(outcome.error, "error")
    return redirect(url_for("accounts.tokens"))
