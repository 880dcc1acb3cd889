"""The kit every document is built from: page, fonts and styles, header with QR code, title and
stamp, field tables, footer and watermark, and ``render`` (flowables in, PDF bytes out); plus the
words, dates and numbers printed on more than one document.

Adapter in the sense of CONVENTIONS.md: the documents take plain frozen dataclasses (the services
fill them from the database) and return bytes; nothing in this package queries, imports Flask or
knows about HTTP. A document that cannot be printed truthfully (a total that is not the sum of its
lines, an issued invoice with no way to pay it) raises :class:`DocumentNotPrintable`, a domain error.

The PDFs are A4, in Indonesian (the transfer instructions for buyers abroad also in English; the whole
invoice and agreement for a buyer who reads English, through :class:`Wording`), set in
the standard Helvetica family (no embedded fonts, so text extracts cleanly) and byte-for-byte
deterministic: reportlab's ``invariant`` mode fixes the creation date and the document id, so the
same data always gives the same file. That lets a stored PDF be compared with a fresh rendering,
and tests compare bytes.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

import qrcode
from num2words import num2words
from qrcode.image.pil import PilImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from sales_service import dates
from sales_service.accounts.npwp import format_npwp as npwp_card_form
from sales_service.errors import DomainError, InvalidInput
from sales_service.money import format_rupiah

__all__ = [
    "BOTTOM_MARGIN",
    "FRAME_WIDTH",
    "INK",
    "LARGEST_AMOUNT",
    "MARGIN",
    "MUTED",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "PAID_GREEN",
    "RULE",
    "SHADE",
    "SIGNING_SPACE",
    "STYLES",
    "TOP_MARGIN",
    "VOID_RED",
    "VOID_WATERMARK",
    "INDONESIAN",
    "LANGUAGES",
    "Both",
    "DocumentNotPrintable",
    "Office",
    "Stamp",
    "Wording",
    "amount_column_width",
    "amount_in_words",
    "amount_in_english_words",
    "fields",
    "format_npwp",
    "header",
    "long_date",
    "markup",
    "office_address",
    "or_handwritten",
    "page_decorator",
    "paragraph",
    "printable",
    "qr_png",
    "render",
    "signature",
    "signer_name",
    "title",
    "url_lines",
]


class DocumentNotPrintable(DomainError):
    """The data handed to a document adapter would print a wrong or unusable document."""

    http_status = 500


@dataclass(frozen=True)
class Office:
    """The selling BPS office (satker) as it is printed on its documents."""

    name: str
    address: str
    city: str
    satker_code: str  # work unit, 6 digits
    ministry_code: str  # kementerian/lembaga, 3 digits
    echelon_code: str  # echelon-I unit, 2 digits
    account_code: str  # kode akun, 6 digits
    head_name: str
    treasurer_name: str
    treasurer_nip: str
    head_nip: str = ""  # the head's civil-service number, printed under the name on agreements


# --- words, dates, numbers, QR -------------------------------------------------------------


def amount_in_words(amount: int) -> str:
    """Indonesian "terbilang": ``1_250_000`` -> ``"satu juta dua ratus lima puluh ribu rupiah"``."""
    _check_amount(amount)
    return f"{_terbilang(amount)} rupiah"


def amount_in_english_words(amount: int) -> str:
    """The amount in English words for a bilingual document, beneath the Indonesian terbilang:
    ``1_250_000`` -> ``"one million, two hundred and fifty thousand rupiah"`` (num2words' British
    English, which has no counterpart of the Indonesian "seribu" defect)."""
    _check_amount(amount)
    return f"{num2words(amount, lang='en')} rupiah"


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("rupiah amounts are integers")
    if amount < 0:
        raise InvalidInput("Jumlah {amount} tidak dapat ditulis dengan huruf: rupiah tidak negatif.", amount=amount)


# Scale words of the groups of three digits, lowest first; enough for any BigInteger amount (< 9,3e18).
_SCALES = ("", "ribu", "juta", "miliar", "triliun", "kuadriliun", "kuintiliun")


def _terbilang(number: int) -> str:
    """The number in Indonesian words, lower case, built group by group of three digits.

    num2words (0.5.14, ``Num2Word_ID.join``) says "seribu" only when the thousands group leads the
    number (1.000-1.999); inside a larger number it writes the group "satu ribu" (1.001.000 ->
    "satu juta satu ribu"), where Indonesian says "satu juta seribu". So num2words spells each
    group below 1.000 (its "seratus", "sepuluh", "sebelas" are right there) and the scale words are
    added here, with "seribu" for every thousands group of exactly one."""
    if number == 0:
        return "nol"
    groups, rest = [], number
    while rest:
        rest, group = divmod(rest, 1000)
        groups.append(group)
    if len(groups) > len(_SCALES):
        raise ValueError(f"{number} is beyond the rupiah amounts a database column holds")
    words = []
    for scale, group in reversed(list(zip(_SCALES, groups, strict=False))):
        if group == 0:
            continue
        if scale == "ribu" and group == 1:
            words.append("seribu")
        else:
            words += [num2words(group, lang="id"), scale]
    return " ".join(" ".join(words).split())


def long_date(day: date, language: str = "id") -> str:
    """``date(2026, 12, 1)`` -> ``"1 Desember 2026"`` (``"1 December 2026"`` in ``"en"``): the
    service's one date style (``sales_service.dates``), as pages write it."""
    return dates.long_date(day, language)


def format_npwp(npwp: str) -> str:
    """An NPWP as printed on the card (12.345.678.9-012.345) whatever punctuation it came with;
    anything that is not 15 digits as given (the 16-digit NIK-based NPWP has no dotted form)."""
    digits = re.sub(r"\D", "", npwp)
    if len(digits) != 15:
        return npwp.strip()
    return npwp_card_form(digits)


def qr_png(text: str) -> bytes:
    """A PNG QR code of ``text`` (error correction M: survives a smudged print)."""
    if not text:
        raise InvalidInput("Kode QR memerlukan teks.")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=PilImage).save(buffer, format="PNG")
    return buffer.getvalue()


# --- one language, or Indonesian with English ----------------------------------------------

# The languages a document is issued in: "id", Indonesian only; "en", for a buyer who reads English:
# Indonesian, the language of record, with English beside or beneath it (bilingual).
LANGUAGES = tuple(dates.LOCALES)


@dataclass(frozen=True)
class Both:
    """A value that reads differently in the two languages of a bilingual document (a date, a tariff
    item's name, the amount in words); a document in Indonesian only prints ``id``."""

    id: str
    en: str

    @classmethod
    def of(cls, indonesian: str, english: str | None) -> str | Both:
        """Both, where there is an English text (data kept before English existed has none)."""
        return cls(indonesian, english) if english else indonesian


_BILLING_CODES = (
    "Kode satker {satker} &nbsp;·&nbsp; Kementerian/lembaga {ministry} &nbsp;·&nbsp; Unit eselon I {echelon}"
)
_ELECTRONIC = "Dokumen elektronik: pindai kode QR untuk memeriksa keaslian dan status terkininya."

# The kit's own words, for the bilingual documents built with it (see :class:`Wording`).
_KIT_ENGLISH = {
    "Halaman {page}": "Page {page}",
    _ELECTRONIC: "Electronic document: scan the QR code to check that it is genuine and its current status.",
    _BILLING_CODES:
        "Work unit (satker) {satker} &nbsp;·&nbsp; Ministry/agency {ministry} &nbsp;·&nbsp; Echelon-I unit {echelon}",
}


class Wording:
    """The fixed words of one document: Indonesian, the language of record, and, when the document is
    issued bilingual, English beside or beneath each text.

    ``english`` is the document's table of its Indonesian texts (``str.format`` templates, markup
    allowed) to their English; the kit's own words are added to it. None: Indonesian only, exactly
    the characters an Indonesian document has always printed. So a document states each text once
    and asks ``label``/``stacked``/``english``; no "if English" in its layout. A text missing from
    the table is a programming error, raised at once, never printed half translated."""

    def __init__(self, english: Mapping[str, str] | None = None):
        self._english = None if english is None else {**_KIT_ENGLISH, **english}

    @classmethod
    def of(cls, language: str, english: Mapping[str, str]) -> Wording:
        """The wording of a document issued in ``language`` (one of :data:`LANGUAGES`)."""
        return cls(english if language == "en" else None)

    @property
    def bilingual(self) -> bool:
        return self._english is not None

    def indonesian(self, text: str, **values: str | Both) -> str:
        return text.format(**{k: v.id if isinstance(v, Both) else v for k, v in values.items()}) if values else text

    def english(self, text: str, **values: str | Both) -> str | None:
        """The English of ``text``, or None for a document in Indonesian only."""
        if self._english is None:
            return None
        try:
            template = self._english[text]
        except KeyError:
            raise KeyError(f"no English for the document text {text!r}") from None
        return template.format(**{k: v.en if isinstance(v, Both) else v for k, v in values.items()})

    def pair(self, text: str, **values: str | Both) -> str | Both:
        """``text`` as a value for another text: both languages when bilingual."""
        english = self.english(text, **values)
        indonesian = self.indonesian(text, **values)
        return indonesian if english is None else Both(indonesian, english)

    def label(self, text: str, **values: str | Both) -> str:
        """Short words side by side, "Jumlah / Amount"; once where both read the same ("Status")."""
        return self.inline(self.pair(text, **values))

    def stacked(self, text: str, **values: str | Both) -> str:
        """Headings and sentences: the Indonesian, and beneath it the English in italics."""
        return self.beneath(self.pair(text, **values))

    def inline(self, value: str | Both) -> str:
        """A value side by side, "1 Desember 2026 / 1 December 2026"; once where the two agree, and
        only the Indonesian on a document in Indonesian only."""
        if not isinstance(value, Both):
            return value
        return value.id if not self.bilingual or value.id == value.en else f"{value.id} / {value.en}"

    def beneath(self, value: str | Both) -> str:
        """A value with its English in italics on the line beneath (markup)."""
        if not isinstance(value, Both):
            return value
        return value.id if not self.bilingual or value.id == value.en else f"{value.id}<br/><i>{value.en}</i>"

    def in_english(self, value: str | Both | None) -> str | None:
        """The English of a value on a bilingual document: None on an Indonesian one, or where the
        value has no English (a line priced before English explanations were kept)."""
        return value.en if self.bilingual and isinstance(value, Both) and value.en != value.id else None

    def date(self, day: date) -> str | Both:
        """A day, in English style too on a bilingual document."""
        return Both(long_date(day), long_date(day, "en")) if self.bilingual else long_date(day)

    def amount_in_words(self, amount: int) -> str | Both:
        return Both(amount_in_words(amount), amount_in_english_words(amount)) if self.bilingual \
            else amount_in_words(amount)


# Indonesian only: what every document prints unless it is issued bilingual.
INDONESIAN = Wording()


# --- page, colours, styles -----------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TOP_MARGIN = 14 * mm
BOTTOM_MARGIN = 17 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
_QR_SIZE = 28 * mm
_QR_COLUMN = 40 * mm

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eef2f7")
VOID_RED = colors.HexColor("#c62828")
PAID_GREEN = colors.HexColor("#1b7f3b")

VOID_WATERMARK = "VOID / BATAL"


def _style(name: str, **kw) -> ParagraphStyle:
    base = {"fontName": "Helvetica", "fontSize": 9, "leading": 11.5, "textColor": INK}
    return ParagraphStyle(name, **(base | kw))


STYLES = {
    "body": _style("body"),
    "small": _style("small", fontSize=7.5, leading=9.5, textColor=MUTED),
    "url": _style("url", fontSize=5.5, leading=6.8, textColor=MUTED, alignment=TA_CENTER),
    "office": _style("office", fontName="Helvetica-Bold", fontSize=12.5, leading=15),
    "title": _style("title", fontName="Helvetica-Bold", fontSize=15, leading=19),
    "subtitle": _style("subtitle", fontSize=9, leading=12, textColor=MUTED),
    "heading": _style("heading", fontName="Helvetica-Bold", fontSize=10, leading=13, spaceBefore=8, spaceAfter=3),
    "label": _style("label", fontSize=8.5, leading=11, textColor=MUTED),
    "value": _style("value", fontSize=9, leading=11.5),
    "cell": _style("cell", fontSize=8, leading=10),
    "cell_small": _style("cell_small", fontSize=7, leading=8.8, textColor=MUTED),
    "cell_head": _style("cell_head", fontName="Helvetica-Bold", fontSize=8, leading=10),
    "cell_num": _style("cell_num", fontSize=8, leading=10, alignment=TA_RIGHT),
    "cell_head_num": _style("cell_head_num", fontName="Helvetica-Bold", fontSize=8, leading=10, alignment=TA_RIGHT),
    "total": _style("total", fontName="Helvetica-Bold", fontSize=10, leading=13, alignment=TA_RIGHT),
    "alert": _style("alert", fontName="Helvetica-Bold", fontSize=10, leading=13, textColor=VOID_RED),
    "sign": _style("sign", fontSize=9, leading=12, alignment=TA_CENTER),
    "article": _style("article", fontName="Helvetica-Bold", fontSize=9.5, leading=12.5, alignment=TA_CENTER,
                      spaceBefore=9, spaceAfter=3),
}

# The largest amount a document must print without wrapping (point 14 of issue 8): Rp999.999.999.999.
LARGEST_AMOUNT = 999_999_999_999

# Blank height between a signer's title and name, room for a wet signature and the office stamp.
SIGNING_SPACE = 22 * mm


# --- text ----------------------------------------------------------------------------------


def paragraph(text: str, style: str = "body") -> Paragraph:
    """A paragraph of trusted markup (our own tags around values passed through :func:`markup`)."""
    return Paragraph(text, STYLES[style])


def printable(text: str) -> str:
    """Text the standard (WinAnsi-encoded) Helvetica can show: a character outside it loses its
    accents ("Nguyễn" -> "Nguyen") or becomes "?" (CJK), instead of printing as a black box.
    Names in other scripts need an embedded Unicode font, which these documents avoid."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if _encodable(char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(_encodable(c) for c in base) else "?")
    return "".join(out)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")  # the WinAnsiEncoding reportlab uses for the standard fonts
    except UnicodeEncodeError:
        return False
    return True


def markup(text: str | None) -> str:
    """Data as paragraph markup: printable, and escaped (buyers' names contain '&' and '<')."""
    return escape(printable(text or ""))


def amount_column_width(style: str, *, bold: bool = False, after: str = "") -> float:
    """Width of a table column (with our 3 pt cell padding each side) in which ``LARGEST_AMOUNT``,
    followed by ``after`` (a closing bracket), prints on one line in ``style``."""
    font = STYLES[style].fontName
    if bold:
        font = "Helvetica-Bold"
    size = STYLES[style].fontSize
    padding = 2 * 3 + 1  # cell padding, and 1 pt so rounding never pushes the figure onto two lines
    return stringWidth(format_rupiah(LARGEST_AMOUNT) + after, font, size) + padding


# Characters after which a URL may be wrapped without hiding where it continues: the reader sees a
# line end at a separator, never inside a word or the token (whose '-' and '_' are part of it).
_URL_PIECE = re.compile(r"[^/?&=.:#]+[/?&=.:#]*|[/?&=.:#]+")


def url_lines(url: str, style: str, width: float) -> list[str]:
    """``url`` cut into lines no wider than ``width`` in ``style``, each ending at a separator
    (``/ ? & = . : #``); a piece wider than ``width`` on its own is the only thing cut mid-way."""
    font, size = STYLES[style].fontName, STYLES[style].fontSize

    def fits(text: str) -> bool:
        return stringWidth(text, font, size) <= width

    lines: list[str] = []
    line = ""
    for piece in _URL_PIECE.findall(url):
        if fits(line + piece):
            line += piece
            continue
        if line:
            lines.append(line)
        line = ""
        for char in piece:  # a token longer than the column: no separator to cut at
            if line and not fits(line + char):
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def office_address(office: Office) -> str:
    """The office's address with its city, unless the address already ends with it (with or
    without a postal code): "Jl. Pahlawan No. 5, Tabanan 82121", not "…, Tabanan 82121, Tabanan"."""

    def words(text: str) -> str:
        return " ".join(re.sub(r"[^\w]+", " ", text).casefold().split())

    address = office.address.strip().rstrip(",").strip()
    without_postcode = re.sub(r"[\s,]*\d{5}$", "", address)
    if words(without_postcode).endswith(words(office.city)):
        return address
    return f"{address}, {office.city.strip()}"


def _blank(text: str | None) -> bool:
    return not text or not text.strip().strip("-").strip()


def signer_name(name: str | None, role: str) -> str | None:
    """The signer's name, or None when the setting holds no name: empty, "-", or the role itself
    ("Bendahara Penerimaan" as the treasurer's name), which would print the same words twice."""
    if _blank(name) or " ".join(name.casefold().split()) == " ".join(role.casefold().split()):
        return None
    return name.strip()


# Where a name or NIP is not configured, a dotted line to write it on by hand.
_HANDWRITING = "." * 44


def or_handwritten(text: str | None) -> str:
    """``text`` as markup, or a dotted line to fill in by hand where the service does not know it
    (a buyer's NIK, address): a document leaves the blank rather than print invented data."""
    return _HANDWRITING if _blank(text) else markup(text.strip())


def signature(
    heading: Sequence[str],
    role: str,
    name: str | None,
    *,
    nip: str | None = None,
    space: Sequence[Flowable] = (),
    role_en: str | None = None,
) -> list[Flowable]:
    """A centred signature block: ``heading`` lines (markup: place and date, party), the signer's
    ``role`` (with ``role_en`` in italics beneath it on a bilingual document), ``space`` (flowables
    to sign on; default: :data:`SIGNING_SPACE` of blank paper), the name in bold and, if
    given, the NIP. A name that is missing or only repeats the role (a placeholder setting such as
    "Bendahara Penerimaan") is not printed twice: a dotted line is left to write the name by hand;
    likewise for a missing NIP ("-")."""
    block = [paragraph(line, "sign") for line in heading]
    block.append(paragraph(markup(role), "sign"))
    if role_en:
        block.append(paragraph(f"<i>{markup(role_en)}</i>", "sign"))
    block += space or [Spacer(1, SIGNING_SPACE)]
    person = signer_name(name, role)
    block.append(paragraph(f"<b>{markup(person)}</b>" if person else f"({_HANDWRITING})", "sign"))
    if nip is not None:
        block.append(paragraph(f"NIP {_HANDWRITING if _blank(nip) else markup(nip)}", "sign"))
    return block


def treasurer_signature(office: Office, issued_on: date, wording: Wording = INDONESIAN) -> Table:
    """The treasurer's signature at the right of the page (invoices and receipts): place and
    day of issue, "Bendahara Penerimaan" (in English beneath on a bilingual document), the name
    and NIP from the office settings."""
    block = signature(
        [f"{markup(office.city)}, {wording.inline(wording.date(issued_on))}"],
        "Bendahara Penerimaan",
        office.treasurer_name,
        nip=office.treasurer_nip,
        role_en=wording.english("Bendahara Penerimaan"),
    )
    return Table(
        [["", block]],
        colWidths=[FRAME_WIDTH - 70 * mm, 70 * mm],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("RIGHTPADDING", (0, 0), (-1, -1), 0)],
    )


# --- building blocks -----------------------------------------------------------------------


def header(office: Office, verify_url: str, *, billing_codes: bool = True, wording: Wording = INDONESIAN) -> Table:
    """Office block on the left, the QR code with its URL in the top-right corner. ``billing_codes``:
    the satker, ministry and echelon codes a payment is booked under (invoices, receipts; not an
    agreement, which is no bill)."""
    left = [paragraph(markup(office.name), "office"), paragraph(markup(office_address(office)))]
    if billing_codes:
        left += [
            Spacer(1, 2),
            paragraph(
                wording.stacked(
                    _BILLING_CODES, satker=markup(office.satker_code), ministry=markup(office.ministry_code),
                    echelon=markup(office.echelon_code),
                ),
                "small",
            ),
        ]
    right = [
        Image(io.BytesIO(qr_png(verify_url)), width=_QR_SIZE, height=_QR_SIZE),
        # Printed whole, cut only at separators so it can be typed from paper; clickable where
        # viewers allow.
        paragraph(
            f'<link href="{markup(verify_url)}">'
            + "<br/>".join(markup(line) for line in url_lines(verify_url, "url", _QR_COLUMN - 2 * mm))
            + "</link>",
            "url",
        ),
    ]
    table = Table([[left, right]], colWidths=[FRAME_WIDTH - _QR_COLUMN, _QR_COLUMN])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
            ]
        )
    )
    return table


class Stamp(Flowable):
    """A rubber-stamp style box ("LUNAS"), upright so its word stays searchable."""

    def __init__(self, text: str, note: str, color: colors.Color):
        super().__init__()
        self.text, self.note, self.color = text, note, color
        self.width, self.height = 46 * mm, 17 * mm

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.saveState()
        c.setStrokeColor(self.color)
        c.setFillColor(self.color)
        c.setLineWidth(2.2)
        c.roundRect(0, 0, self.width, self.height, 3 * mm)
        c.setLineWidth(0.7)
        c.roundRect(1.6 * mm, 1.6 * mm, self.width - 3.2 * mm, self.height - 3.2 * mm, 2 * mm)
        c.setFont("Helvetica-Bold", 20)
        c.drawCentredString(self.width / 2, self.height - 10 * mm, self.text)
        c.setFont("Helvetica", 6.5)
        c.drawCentredString(self.width / 2, 3.6 * mm, self.note)
        c.restoreState()


def title(text: str, subtitle: str, stamp: Flowable | None = None) -> Flowable:
    """The document's title (markup) and subtitle, with a stamp to the right if given."""
    block = [paragraph(text, "title"), paragraph(subtitle, "subtitle")]
    if stamp is None:
        return Table(
            [[block]],
            colWidths=[FRAME_WIDTH],
            style=[("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)],
        )
    return Table(
        [[block, stamp]],
        colWidths=[FRAME_WIDTH - 50 * mm, 50 * mm],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def fields(rows: Sequence[tuple[str, str]], width: float, label_width: float = 30 * mm) -> Table:
    """Label/value pairs, the values as markup."""
    table = Table(
        [[paragraph(markup(label), "label"), paragraph(value, "value")] for label, value in rows],
        colWidths=[label_width, width - label_width],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ]
        )
    )
    return table


# --- pages ---------------------------------------------------------------------------------


def page_decorator(footer: str, watermark: str | None,
                   wording: Wording = INDONESIAN) -> Callable[[Canvas, BaseDocTemplate], None]:
    """Footer on every page and, for a voided document, the watermark on every page."""
    notice, notice_en = _ELECTRONIC, wording.english(_ELECTRONIC)

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        if watermark:
            # Drawn before the page's content, so it lies under the text; translucent so both read.
            canvas.saveState()
            canvas.setFillColor(VOID_RED)
            canvas.setFillAlpha(0.16)
            canvas.setFont("Helvetica-Bold", 78)
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -26, watermark)
            canvas.restoreState()
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 13 * mm, PAGE_WIDTH - MARGIN, 13 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont("Helvetica", 7)
        canvas.drawString(MARGIN, 9.5 * mm, printable(footer))
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 9.5 * mm, wording.label("Halaman {page}", page=str(doc.page)))
        canvas.setFont("Helvetica", 6.5)
        canvas.drawString(MARGIN, 6.5 * mm, notice)
        if notice_en:
            canvas.setFont("Helvetica-Oblique", 6.5)
            canvas.drawString(MARGIN, 4.2 * mm, notice_en)
        canvas.restoreState()

    return decorate


def render(story: list[Flowable], *, title: str, author: str, footer: str, watermark: str | None,
           wording: Wording = INDONESIAN) -> bytes:
    """The story as an A4 PDF with the footer (and watermark, if any) on every page; the footer's
    fixed words in the document's ``wording``."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=author,
        subject=title,
        creator="sales_service",
        invariant=1,  # fixed creation date and document id: same data, same bytes
    )
    # No frame padding, so tables of FRAME_WIDTH line up with the paragraphs.
    frame = Frame(
        MARGIN,
        BOTTOM_MARGIN,
        FRAME_WIDTH,
        PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=page_decorator(footer, watermark, wording))])
    doc.build(story)
    return buffer.getvalue()
