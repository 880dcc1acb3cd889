"""The treasurer's revenue recap (issue 10, point 11): a page per month (its days) or per year
(its months), and the same figures as CSV and XLSX."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask import Blueprint, current_app, request, url_for

from sales_service import dates, db
from sales_service.access import roles_required
from sales_service.i18n import current_language, gettext
from sales_service.payments import recap, recap_files
from sales_service.roles import Role
from sales_service.web import render, small_int, today

bp = Blueprint("recap", __name__)
treasurer_required = roles_required(Role.TREASURER, Role.ADMIN)

DAYS, MONTHS = "hari", "bulan"  # ?per=: the days of a month, or the months of a year


def _span() -> recap.Span:
    """The span asked for (``per``, ``bulan=YYYY-MM``, ``tahun=YYYY``); this month or year when
    nothing (or nonsense) is asked."""
    now = today()
    if request.args.get("per") == MONTHS:
        year = small_int(request.args.get("tahun"), limit=recap.LAST_YEAR) or now.year
        return recap.Span.months_of(year if year >= recap.FIRST_YEAR else now.year)
    year_text, _, month_text = request.args.get("bulan", "").partition("-")
    year, month = small_int(year_text, limit=recap.LAST_YEAR), small_int(month_text, limit=12)
    if year is None or month is None or year < recap.FIRST_YEAR or month < 1:
        return recap.Span.days_of(now.year, now.month)
    return recap.Span.days_of(year, month)


def _args(span: recap.Span) -> dict[str, str]:
    if span.granularity == recap.Granularity.MONTH:
        return {"per": MONTHS, "tahun": str(span.year)}
    return {"per": DAYS, "bulan": f"{span.year}-{span.month:02d}"}


def _month(day: date) -> str:
    return format_date(day, format="LLLL y", locale=dates.locale_of(current_language()))


def _a_month_of(span: recap.Span) -> int:
    """The month whose days the page offers next: the span's, or in a year this month (else January)."""
    if span.granularity == recap.Granularity.DAY:
        return span.month
    now = today()
    return now.month if now.year == span.year else 1


def _compute(span: recap.Span) -> recap.Recap:
    return recap.revenue_recap(db.session(), span, timezone=current_app.config["TIMEZONE"],
                               account_code=current_app.config["ACCOUNT_CODE"])


@bp.get("/bendahara/rekap")
@treasurer_required
def page():
    span = _span()
    result = _compute(span)
    language = current_language()
    monthly = span.granularity == recap.Granularity.MONTH
    return render(
        "payments/recap.html",
        recap=result,
        monthly=monthly,
        title=str(span.year) if monthly else _month(span.first),
        period_name=_month,  # a month by its name and year ("November 2026"); a day by the longdate filter
        item_label=lambda row: recap_files.item_label(row, language, gettext),
        segment_label=lambda segment: recap_files.segment_label(segment, language),
        previous_url=url_for("recap.page", **_args(span.previous)) if span.previous else None,
        next_url=url_for("recap.page", **_args(span.next)) if span.next else None,
        by_month_url=url_for("recap.page", per=MONTHS, tahun=span.year),
        by_day_url=url_for("recap.page", per=DAYS, bulan=f"{span.year}-{_a_month_of(span):02d}"),
        csv_url=url_for("recap.export", extension="csv", **_args(span)),
        xlsx_url=url_for("recap.export", extension="xlsx", **_args(span)),
        month_value=f"{span.year}-{_a_month_of(span):02d}",
    )


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/bendahara/rekap.csv", defaults={"extension": "csv"})
@bp.get("/bendahara/rekap.xlsx", defaults={"extension": "xlsx"})
@treasurer_required
def export(extension: str):
    span = _span()
    result = _compute(span)
    write = recap_files.recap_csv if extension == "csv" else recap_files.recap_xlsx
    body = write(result, current_language(), gettext)
    period = str(span.year) if span.granularity == recap.Granularity.MONTH else f"{span.year}-{span.month:02d}"
    response = current_app.response_class(body, mimetype=MEDIA_TYPES[extension])
    response.headers["Content-Disposition"] = f'attachment; filename="rekap-penerimaan-{period}.{extension}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
