from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from sales_service import db
from sales_service.access import admin_required, public
from sales_service.accounts.models import Domicile
from sales_service.catalog import services
from sales_service.catalog.models import MicrodataSet
from sales_service.errors import DomainError
from sales_service.i18n import current_language, gettext
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import ClaimRoute, claim_route, claiming_segment
from sales_service.roles import Role
from sales_service.web import attempt, render, small_int, today

bp = Blueprint("catalog", __name__)


def _kind_arg() -> ProductKind | None:
    try:
        return ProductKind(request.args.get("jenis", ""))
    except ValueError:
        return None


def _page_arg() -> int:
    return small_int(request.args.get("hal"), limit=10**6) or 1


def _year_arg() -> int | None:
    return small_int(request.args.get("tahun"), limit=9999)


@bp.get("/katalog")
@public
def index():
    session = db.session()
    text = request.args.get("q", "").strip()[:200]
    result = services.search_products(
        session, text=text, kind=_kind_arg(), year=_year_arg(), page=_page_arg()
    )
    return render(
        "catalog/index.html",
        "catalog/_results.html",
        result=result,
        text=text,
        kind=_kind_arg(),
        year=_year_arg(),
        years=services.catalogue_years(session),
        kinds=list(ProductKind),
        language=current_language(),
    )


def _claim_route() -> ClaimRoute:
    """How the signed-in buyer may claim Rp0 (visitors and staff: not at all)."""
    if current_user.is_authenticated and current_user.role == Role.BUYER:
        return claim_route(current_user.segment, abroad=current_user.domicile == Domicile.ABROAD)
    return ClaimRoute.NONE


@bp.get("/katalog/<int:product_id>")
@public
def product(product_id: int):
    session = db.session()
    item = services.get_product(session, product_id)
    route = _claim_route()
    may_claim_zero = route != ClaimRoute.NONE
    non_commercial = may_claim_zero and request.args.get("nonkomersial") == "1"
    chosen_ids = [v for v in map(small_int, request.args.getlist("var")) if v is not None]
    # Priced as the claim would be: under the buyer's own segment, or for a person under the
    # institution whose letter they bring (named on the order page).
    segment = claiming_segment(current_user.segment, abroad=current_user.domicile == Domicile.ABROAD) \
        if non_commercial else None
    priced, quote_error = None, None
    try:
        priced = services.quote_product(
            session, item, on=today(), variable_ids=chosen_ids, segment=segment, commercial=not non_commercial
        )
    except DomainError as error:
        quote_error = error.translated(gettext)
    return render(
        "catalog/product.html",
        "catalog/_quote.html",
        status=422 if quote_error and chosen_ids else 200,
        product=item,
        is_microdata=isinstance(item, MicrodataSet),
        priced=priced,
        quote_error=quote_error,
        chosen_ids=set(chosen_ids),
        may_claim_zero=may_claim_zero,
        claim_through_institution=route == ClaimRoute.INSTITUTION_LETTER,
        non_commercial=non_commercial,
        language=current_language(),
    )


# -- admin ------------------------------------------------------------------------

def _form_fields() -> dict:
    fields = request.form.to_dict()
    fields["active"] = "active" in request.form
    fields["processed"] = "processed" in request.form
    return fields


@bp.get("/admin/produk")
@admin_required
def admin_list():
    text = request.args.get("q", "").strip()[:200]
    result = services.search_products(
        db.session(), text=text, kind=_kind_arg(), page=_page_arg(), include_inactive=True
    )
    return render("catalog/admin_list.html", result=result, text=text, kinds=list(ProductKind),
                  kind=_kind_arg(), language=current_language())


@bp.route("/admin/produk/baru/<kind>", methods=["GET", "POST"])
@admin_required
def admin_create(kind: str):
    try:
        product_kind = ProductKind(kind)
    except ValueError:
        abort(404)
    form = FlaskForm()
    error = None
    if form.validate_on_submit():
        created, error = attempt(lambda: services.create_product(db.session(), product_kind, _form_fields()))
        if created is not None:
            flash(gettext("Produk \u201c%(title)s\u201d ditambahkan.", title=created.title), "success")
            return redirect(url_for("catalog.admin_list"))
    return render("catalog/admin_form.html", form=form, kind=product_kind, product=None,
                  values=request.form if request.method == "POST" else {"active": True},
                  error=error, status=422 if error else 200)


@bp.route("/admin/produk/<int:product_id>/ubah", methods=["GET", "POST"])
@admin_required
def admin_edit(product_id: int):
    session = db.session()
    item = services.get_product(session, product_id, include_inactive=True)
    form = FlaskForm()
    error = None
    if form.validate_on_submit():
        updated, error = attempt(lambda: services.update_product(session, product_id, _form_fields()))
        if updated is not None:
            flash(gettext("Perubahan produk disimpan."), "success")
            return redirect(url_for("catalog.admin_list"))
    values = request.form if request.method == "POST" else services.product_form_values(item)
    return render("catalog/admin_form.html", form=form, kind=item.kind, product=item, values=values,
                  error=error, status=422 if error else 200)
