"""HTTP glue shared by every blueprint: page-or-fragment rendering, error pages,
template filters. Views are the only code that touches Flask's request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import Flask, Response, current_app, jsonify, make_response, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from sales_service import dates
from sales_service.accounts.npwp import format_npwp
from sales_service.errors import DomainError
from sales_service.files.storage import FileStorage
from sales_service.i18n import N_, current_language, english, gettext
from sales_service.money import format_rupiah
from sales_service.roles import role_can

log = logging.getLogger(__name__)


def is_htmx() -> bool:
    return bool(getattr(request, "htmx", False))


def render(page: str, fragment: str | None = None, status: int = 200, **context) -> Response:
    """Render the whole ``page``, or only ``fragment`` for an htmx request.

    Both depend on the ``HX-Request`` header, so the answer says so (``Vary``) and
    caches never hand a fragment to a full page load or the other way round.
    """
    template = fragment if (fragment and is_htmx()) else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


@dataclass(frozen=True)
class Outcome:
    """What a web action came to: its ``result`` once committed, or the domain error's
    ``error`` message (in the visitor's language) and HTTP ``status``, nothing stored."""

    result: Any = None
    error: str | None = None
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.error is None

    def __iter__(self):  # ``result, error = attempt(...)``
        return iter((self.result, self.error))


def attempt(action: Callable[[], Any]) -> Outcome:
    """The one way a web action commits: run one service call in the request's
    transaction, then commit; on a domain error roll back instead and hand back its
    message, for the page to show beside what was typed. Views never commit."""
    from sales_service import db

    session = db.session()
    try:
        result = action()
    except DomainError as error:
        session.rollback()
        return Outcome(error=error.translated(english if wants_json() else gettext), status=error.http_status)
    session.commit()
    return Outcome(result=result)


MAX_ID = 2**63 - 1  # BIGINT: larger ids cannot exist and must not reach the database


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs, bounded to what a BIGINT column holds: larger numbers are 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def small_int(text: str | None, *, limit: int = MAX_ID) -> int | None:
    """A form or query value as a non-negative integer, or None: ASCII digits only
    ("²".isdigit() is true but int() refuses it) and not larger than ``limit``."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= limit else None


def form_version() -> int | None:
    """The version of the record the page showed (hidden ``version`` field), so an
    action on a stale page is refused instead of silently overwriting."""
    return small_int(request.form.get("version"))


def form_ids(field: str) -> list[int]:
    """Every id ticked in a repeated form field; anything not an id is ignored."""
    return [value for value in map(small_int, request.form.getlist(field)) if value is not None]


def upload_limit() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1_000_000


def file_storage() -> FileStorage:
    return FileStorage(current_app.config["UPLOAD_DIR"])


def uploaded(field: str) -> tuple[bytes, str] | None:
    """The uploaded file's bytes (one more than the limit at most, so an over-size file
    is recognised without reading it all) and its name, or None when none was chosen."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    return upload.read(upload_limit() + 1), upload.filename


def to_local_date(moment: datetime) -> date:
    """A stored moment (UTC; naive from SQLite) as the office's calendar day."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def safe_local_url(target: str | None) -> str:
    """Only local paths: a ``next`` link must not bounce the visitor to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and not urlsplit(target).netloc:
        return target
    return url_for("catalog.index")


def today() -> date:
    """The date at the office, which decides the tariff schedule in force."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(message: str, status: int) -> Response:
    if wants_json():
        return make_response(jsonify(error=message), status)
    return render("error.html", "_error.html", status=status, message=message, status_code=status)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        message = error.translated(english if wants_json() else gettext)
        return error_response(message, error.http_status)

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError):
        return error_response(
            gettext("Formulir kedaluwarsa atau tidak sah (token CSRF). Muat ulang halaman lalu coba lagi."),
            400,
        )

    messages = {
        400: N_("Permintaan tidak dapat dibaca."),
        401: N_("Silakan masuk terlebih dahulu."),
        403: N_("Anda tidak berhak membuka halaman ini."),
        404: N_("Halaman atau data yang dicari tidak ditemukan."),
        405: N_("Metode permintaan ini tidak diizinkan di sini."),
        413: N_("Berkas atau permintaan terlalu besar."),
        429: N_("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi."),
        500: N_("Terjadi kesalahan pada server. Silakan coba lagi; bila berulang, hubungi petugas."),
    }
    for status, text in messages.items():
        def _handler(_error, text=text, status=status):
            if status == 500:
                log.exception("unhandled error")
                # A failed flush leaves the session unusable, and the page below reads the
                # signed-in user through it.
                from sales_service import db

                db.session().rollback()
            return error_response(english(text) if wants_json() else gettext(text), status)

        app.register_error_handler(status, _handler)


# Formatting through Babel parses the locale and the pattern on every call (about 5 µs), and a
# list formats the same few days and amounts row after row: the results are kept per process,
# keyed by value and language (both immutable, and the output depends on nothing else).
@lru_cache(maxsize=4096)
def _rupiah_in(amount: int, language: str) -> str:
    return format_rupiah(amount, dates.locale_of(language))


@lru_cache(maxsize=4096)
def _long_date_in(day: date, language: str) -> str:
    return dates.long_date(day, language)


@lru_cache(maxsize=4096)
def _date_time_in(moment: datetime, timezone: str, language: str) -> str:
    # Babel's formatting costs tens of microseconds a call; a timeline shows the same moments on every visit.
    return dates.date_time(moment, timezone, language)


def local_time(moment: datetime) -> str:
    """A stored moment (UTC) on the office's clock, in the visitor's language ("6 Desember 2026,
    19.50 WIB"): the ``localtime`` filter, and for messages written in Python."""
    if type(moment) is not datetime:  # a subclass would not be told from its plain moment in the cache
        return dates.date_time(moment, current_app.config["TIMEZONE"], current_language())
    return _date_time_in(moment, current_app.config["TIMEZONE"], current_language())


def register_filters(app: Flask) -> None:
    def _rupiah(amount: int) -> str:
        """Rupiah grouped as the visitor's language writes numbers ("Rp1.250.000" / "Rp1,250,000")."""
        if isinstance(amount, bool) or not isinstance(amount, int):
            return format_rupiah(amount)  # refuses it (True would be found in the cache as 1)
        return _rupiah_in(amount, current_language())

    app.jinja_env.filters["rupiah"] = _rupiah

    def _date(value: date | datetime) -> str:
        """A calendar day, or a stored moment as the office's day ("6 Desember 2026")."""
        if isinstance(value, datetime):
            return dates.local_day(value, current_app.config["TIMEZONE"], current_language())
        if type(value) is not date:  # a date subclass would not be told from its plain date in the cache
            return dates.long_date(value, current_language())
        return _long_date_in(value, current_language())

    app.jinja_env.filters["longdate"] = _date

    app.jinja_env.filters["localtime"] = local_time

    def _clock_time(moment: datetime) -> str:
        """Only the time of a stored moment on the office's clock ("19.50"), for lists of one day."""
        return dates.clock_time(moment, current_app.config["TIMEZONE"], current_language())

    app.jinja_env.filters["clocktime"] = _clock_time

    def _number(value: int) -> str:
        """A count as the visitor's language groups it ("1.205.473" / "1,205,473")."""
        return format_decimal(value, locale=dates.locale_of(current_language()))

    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["npwp"] = format_npwp


def register_context(app: Flask) -> None:
    """Display names of enum values, in the visitor's language."""
    from sales_service.accounts.models import Domicile, Role
    from sales_service.catalog.models import MapCoverage, MapLevel
    from sales_service.orders.models import IdentityDocument
    from sales_service.pnbp.schedule import ProductKind
    from sales_service.pnbp.segments import SEGMENT_LABELS

    names = {
        ProductKind.PUBLICATION: N_("Publikasi"), ProductKind.MICRODATA: N_("Data mikro"),
        ProductKind.MAP: N_("Peta digital"),
        Role.BUYER: N_("Pembeli"), Role.OFFICER: N_("Petugas PST"), Role.TREASURER: N_("Bendahara penerimaan"),
        Role.ADMIN: N_("Admin"), Domicile.INDONESIA: N_("Indonesia"), Domicile.ABROAD: N_("Luar negeri"),
        MapCoverage.NATIONAL: N_("Seluruh Indonesia"), MapCoverage.REGENCY: N_("Satu kabupaten/kota"),
        MapLevel.KECAMATAN: N_("per kecamatan"), MapLevel.DESA: N_("per desa/kelurahan"),
        IdentityDocument.KTP: N_("KTP"), IdentityDocument.SIM: N_("SIM"), IdentityDocument.PASSPORT: N_("Paspor"),
        IdentityDocument.KITAS: N_("KITAS"), IdentityDocument.STUDENT_CARD: N_("Kartu pelajar/mahasiswa"),
    }

    def label(value) -> str:
        if value in SEGMENT_LABELS:
            indonesian, english_label = SEGMENT_LABELS[value]
            return english_label if current_language() == "en" else indonesian
        return gettext(names[value]) if value in names else str(value)

    app.jinja_env.globals["label"] = label

    def can(capability: str) -> bool:
        """Whether the visitor's role holds ``capability`` (``roles.CAPABILITIES``)."""
        from flask_login import current_user

        return current_user.is_authenticated and role_can(current_user.role, capability)

    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["page_link_base"] = page_link_base
    app.jinja_env.globals["links_to"] = links_to


_NUMBER_MARK = 987_654_321_987  # a number no link carries, to find where the number goes


def links_to(endpoint: str, name: str) -> Callable[[int], str]:
    """``url_for(endpoint, **{name: number})`` for the many numbers of a list's rows, from one
    ``url_for``: the address is built once with a mark where the number goes (an ``int`` path
    part is the number's digits), then each row's number is put in its place."""
    before, _, after = url_for(endpoint, **{name: _NUMBER_MARK}).partition(str(_NUMBER_MARK))

    def link(number: int) -> str:
        return f"{before}{int(number)}{after}"

    return link


def page_link_base() -> str:
    """This list's address with its filters (its query string but for ``hal``), ending where a page
    number goes: the pager's links, from one ``url_for`` per list instead of one per link."""
    # Encoded as url_for encodes query arguments (Werkzeug's safe characters).
    query = urlencode([(name, value) for name, value in request.args.items(multi=True) if name != "hal"],
                      safe="!$'()*,/:;?@")
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{path}?{query}&hal=" if query else f"{path}?hal="
