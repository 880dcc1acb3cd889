from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_user, logout_user

from sales_service import db
from sales_service.access import admin_required, public, signed_in
from sales_service.accounts import api_tokens, services
from sales_service.accounts.forms import LoginForm, RegisterForm, StaffForm
from sales_service.accounts.models import Domicile, Role
from sales_service.errors import DomainError
from sales_service.extensions import limiter
from sales_service.i18n import gettext
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
        try:
            user = services.authenticate(db.session(), form.email.data, form.password.data)
        except DomainError as exc:
            error = exc.translated(gettext)
        else:
            login_user(user)
            flash(gettext("Selamat datang, %(name)s.", name=user.full_name), "success")
            if user.is_staff and not request.args.get("next"):
                return redirect(url_for("staff.home"))
            return redirect(safe_local_url(request.args.get("next")))
    return render("accounts/login.html", form=form, error=error, status=401 if error else 200)


@bp.route("/keluar", methods=["POST"])
@signed_in
def logout():
    logout_user()
    flash(gettext("Anda telah keluar."), "success")
    return redirect(url_for("catalog.index"))


@bp.route("/daftar", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    error = None
    if form.validate_on_submit():
        user, error = attempt(lambda: services.register_buyer(
            db.session(),
            email=form.email.data,
            password=form.password.data,
            full_name=form.full_name.data,
            segment=BuyerSegment(form.segment.data),
            domicile=Domicile(form.domicile.data),
            institution=form.institution.data,
            phone=form.phone.data,
            npwp=form.npwp.data,
        ))
        if user is not None:
            login_user(user)
            flash(gettext("Akun Anda telah dibuat."), "success")
            return redirect(url_for("catalog.index"))
    elif request.method == "POST" and form.errors:
        error = gettext("Periksa kembali isian formulir.")
    return render(
        "accounts/register.html",
        form=form,
        error=error,
        segments=list(BuyerSegment),
        status=422 if error else 200,
    )


@bp.route("/akun")
@signed_in
def account():
    return render("accounts/account.html", user=current_user)


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
        users=services.list_users(session),
        staff_roles=[role for role in Role if role in STAFF_ROLES],
        status=422 if error else 200,
    )


@bp.route("/admin/pengguna/<int:user_id>/status", methods=["POST"])
@admin_required
def user_status(user_id: int):
    session = db.session()
    active = request.form.get("active") == "1"
    user = services.set_active(session, user_id, active, acting=current_user)
    session.commit()
    message = "Akun %(email)s diaktifkan." if active else "Akun %(email)s dinonaktifkan."
    flash(gettext(message, email=user.email), "success")
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
    return render("accounts/tokens.html", tokens=api_tokens.api_tokens(session), plain=plain, error=error,
                  status=422 if error else 200)


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
