"""Invoice and SPPD-draft PDFs, QR codes and the amount in words: data in, bytes out.

Adapter in the sense of CONVENTIONS.md: every function takes plain frozen dataclasses
(the services fill them from the database) and returns bytes; nothing here queries,
imports Flask or knows about HTTP. A document that cannot be printed truthfully (a total
that is not the sum of its lines, an issued invoice with no way to pay it) raises
:class:`DocumentNotPrintable`, a domain error.

The PDFs are A4, in Indonesian (the transfer instructions for buyers abroad also in
English), set in the standard Helvetica family (no embedded fonts, so text extracts
cleanly) and byte-for-byte deterministic: reportlab's ``invariant`` mode fixes the
creation date and the document id, so the same data always gives the same file. That
lets a stored PDF be compared with a fresh rendering, and tests compare bytes.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

import qrcode
from babel.dates import format_date
from num2words import num2words
from qrcode.image.pil import PilImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from sales_service.errors import DomainError, InvalidInput
from sales_service.money import format_rupiah

__all__ = [
    "SPPD_OBLIGATIONS",
    "BankDetails",
    "DocumentLine",
    "DocumentNotPrintable",
    "InvoiceDocument",
    "Office",
    "SppdDocument",
    "amount_in_words",
    "invoice_pdf",
    "qr_png",
    "sppd_pdf",
]


class DocumentNotPrintable(DomainError):
    """The data handed to a document adapter would print a wrong or unusable document."""

    http_status = 500


# --- data in -------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class DocumentLine:
    description: str
    regulation: str  # "PP 13/2024"
    item_code: str
    basis: str  # how the normal amount was reached, in Indonesian
    quantity: str  # already formatted with its unit: "7.512.345 byte", "120 halaman", "1 peta"
    unit_price: int
    amount: int  # charged: 0 when waived
    normal_amount: int
    waived: bool


@dataclass(frozen=True)
class BankDetails:
    """Transfer instructions for buyers abroad, who cannot pay a billing code."""

    bank_name: str
    account_name: str
    account_number: str
    swift: str
    reference: str  # the invoice number the payer must quote


@dataclass(frozen=True)
class InvoiceDocument:
    number: str
    version: int
    status: str  # "issued" | "void" | "paid"
    issued_on: date
    due_on: date | None
    office: Office
    buyer_name: str
    buyer_institution: str | None
    buyer_npwp: str | None
    order_reference: str
    lines: tuple[DocumentLine, ...]
    total: int
    zero_rate_basis: str | None  # Rp0 invoice: the waiver's legal basis, no billing code
    billing_code: str | None
    billing_expires_at: str | None  # already formatted: "2026-12-01 23:59 WIB"
    bank: BankDetails | None  # buyers abroad: transfer instructions instead of a billing code
    verify_url: str  # absolute URL put in the QR code and printed under it
    replaces: str | None = None  # number of the voided invoice this version replaces


@dataclass(frozen=True)
class SppdDocument:
    reference: str
    version: int
    status: str  # "draft" | "void"
    issued_on: date
    office: Office
    buyer_name: str
    buyer_institution: str | None
    buyer_identity: str | None
    purpose: str
    datasets: tuple[tuple[str, tuple[str, ...] | None], ...]  # (title, variable names or None = full set)
    verify_url: str


# The recipient's obligations (DOMAIN.md "SPPD content", after the older BPS agreement text).
SPPD_OBLIGATIONS: tuple[str, ...] = (
    "Tidak menyalin, menggandakan, atau memberikan data tersebut, sebagian maupun seluruhnya, "
    "kepada pihak lain dalam bentuk apa pun.",
    "Menggunakan data hanya untuk tujuan penelitian/analisis yang dinyatakan dalam perjanjian ini.",
    "Meminta persetujuan tertulis Kepala BPS sebelum menggunakan data untuk keperluan lain.",
    "Mengirimkan hasil penelitian/analisis yang menggunakan data tersebut kepada BPS.",
    "Menjaga kerahasiaan data; data tetap menjadi milik BPS.",
    "Menjaga kerahasiaan responden sesuai Undang-Undang Nomor 16 Tahun 1997 (UU 16/1997) tentang Statistik "
    "dan tidak berusaha mengenali responden perorangan.",
    "Menandatangani perjanjian ini di atas meterai Rp10.000 dalam rangkap dua (dua asli) "
    "dan menyampaikan kedua asli tersebut kepada BPS.",
)


# --- words, dates, QR ----------------------------------------------------------------------


def amount_in_words(amount: int) -> str:
    """Indonesian "terbilang": ``1_250_000`` -> ``"satu juta dua ratus lima puluh ribu rupiah"``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("rupiah amounts are integers")
    if amount < 0:
        raise InvalidInput("Jumlah {amount} tidak dapat ditulis dengan huruf: rupiah tidak negatif.", amount=amount)
    words = num2words(amount, lang="id")
    return " ".join(f"{words} rupiah".lower().split())


def long_date(day: date) -> str:
    """``date(2026, 12, 1)`` -> ``"1 Desember 2026"``."""
    return format_date(day, format="long", locale="id_ID")


def format_npwp(npwp: str) -> str:
    """A 15-digit NPWP as printed on the card (12.345.678.9-012.345); anything else as given
    (the 16-digit NIK-based NPWP has no dotted form)."""
    digits = re.sub(r"\D", "", npwp)
    if len(digits) != 15:
        return npwp.strip()
    d = digits
    return f"{d[0:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:15]}"


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


# --- layout --------------------------------------------------------------------------------

_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN = 18 * mm
_TOP_MARGIN = 14 * mm
_BOTTOM_MARGIN = 17 * mm
_FRAME_WIDTH = _PAGE_WIDTH - 2 * _MARGIN
_QR_SIZE = 28 * mm
_QR_COLUMN = 40 * mm

_INK = colors.HexColor("#1a1a1a")
_MUTED = colors.HexColor("#555555")
_RULE = colors.HexColor("#9a9a9a")
_SHADE = colors.HexColor("#eef2f7")
_VOID_RED = colors.HexColor("#c62828")
_PAID_GREEN = colors.HexColor("#1b7f3b")


def _style(name: str, **kw) -> ParagraphStyle:
    base = {"fontName": "Helvetica", "fontSize": 9, "leading": 11.5, "textColor": _INK}
    return ParagraphStyle(name, **(base | kw))


_S = {
    "body": _style("body"),
    "small": _style("small", fontSize=7.5, leading=9.5, textColor=_MUTED),
    "url": _style("url", fontSize=5.5, leading=6.8, textColor=_MUTED, alignment=TA_CENTER, wordWrap="CJK"),
    "office": _style("office", fontName="Helvetica-Bold", fontSize=12.5, leading=15),
    "title": _style("title", fontName="Helvetica-Bold", fontSize=15, leading=19),
    "subtitle": _style("subtitle", fontSize=9, leading=12, textColor=_MUTED),
    "heading": _style("heading", fontName="Helvetica-Bold", fontSize=10, leading=13, spaceBefore=8, spaceAfter=3),
    "label": _style("label", fontSize=8.5, leading=11, textColor=_MUTED),
    "value": _style("value", fontSize=9, leading=11.5),
    "cell": _style("cell", fontSize=8, leading=10),
    "cell_small": _style("cell_small", fontSize=7, leading=8.8, textColor=_MUTED),
    "cell_head": _style("cell_head", fontName="Helvetica-Bold", fontSize=8, leading=10),
    "cell_num": _style("cell_num", fontSize=8, leading=10, alignment=TA_RIGHT),
    "cell_head_num": _style("cell_head_num", fontName="Helvetica-Bold", fontSize=8, leading=10, alignment=TA_RIGHT),
    "total": _style("total", fontName="Helvetica-Bold", fontSize=10, leading=13, alignment=TA_RIGHT),
    "alert": _style("alert", fontName="Helvetica-Bold", fontSize=10, leading=13, textColor=_VOID_RED),
    "sign": _style("sign", fontSize=9, leading=12, alignment=TA_CENTER),
}


def _p(text: str, style: str = "body") -> Paragraph:
    """A paragraph of trusted markup (our own tags around escaped values)."""
    return Paragraph(text, _S[style])


def _printable(text: str) -> str:
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


def _t(text: str | None) -> str:
    """Data as paragraph markup: printable, and escaped (buyers' names contain '&' and '<')."""
    return escape(_printable(text or ""))


def _header(office: Office, verify_url: str) -> Table:
    """Office block on the left, the QR code with its URL in the top-right corner."""
    left = [
        _p(_t(office.name), "office"),
        _p(f"{_t(office.address)}, {_t(office.city)}"),
        Spacer(1, 2),
        _p(
            f"Kode satker {_t(office.satker_code)} &nbsp;·&nbsp; Kementerian/lembaga {_t(office.ministry_code)}"
            f" &nbsp;·&nbsp; Unit eselon I {_t(office.echelon_code)}",
            "small",
        ),
    ]
    right = [
        Image(io.BytesIO(qr_png(verify_url)), width=_QR_SIZE, height=_QR_SIZE),
        _p(f'<link href="{_t(verify_url)}">{_t(verify_url)}</link>', "url"),  # clickable where viewers allow
    ]
    table = Table([[left, right]], colWidths=[_FRAME_WIDTH - _QR_COLUMN, _QR_COLUMN])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, _RULE),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
            ]
        )
    )
    return table


class _Stamp(Flowable):
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


def _title(title: str, subtitle: str, stamp: Flowable | None = None) -> Flowable:
    block = [_p(title, "title"), _p(subtitle, "subtitle")]
    if stamp is None:
        return Table(
            [[block]],
            colWidths=[_FRAME_WIDTH],
            style=[("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)],
        )
    return Table(
        [[block, stamp]],
        colWidths=[_FRAME_WIDTH - 50 * mm, 50 * mm],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _fields(rows: Sequence[tuple[str, str]], width: float, label_width: float = 30 * mm) -> Table:
    """Label/value pairs, the values as markup."""
    table = Table(
        [[_p(_t(label), "label"), _p(value, "value")] for label, value in rows],
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


def _page_decorator(footer: str, watermark: str | None) -> Callable[[Canvas, BaseDocTemplate], None]:
    """Footer on every page and, for a voided document, the watermark on every page."""

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        if watermark:
            # Drawn before the page's content, so it lies under the text; translucent so both read.
            canvas.saveState()
            canvas.setFillColor(_VOID_RED)
            canvas.setFillAlpha(0.16)
            canvas.setFont("Helvetica-Bold", 78)
            canvas.translate(_PAGE_WIDTH / 2, _PAGE_HEIGHT / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -26, watermark)
            canvas.restoreState()
        canvas.saveState()
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.5)
        canvas.line(_MARGIN, 13 * mm, _PAGE_WIDTH - _MARGIN, 13 * mm)
        canvas.setFillColor(_MUTED)
        canvas.setFont("Helvetica", 7)
        canvas.drawString(_MARGIN, 9.5 * mm, _printable(footer))
        canvas.drawRightString(_PAGE_WIDTH - _MARGIN, 9.5 * mm, f"Halaman {doc.page}")
        canvas.setFont("Helvetica", 6.5)
        canvas.drawString(
            _MARGIN, 6.5 * mm, "Dokumen elektronik: pindai kode QR untuk memeriksa keaslian dan status terkininya."
        )
        canvas.restoreState()

    return decorate


def _render(story: list[Flowable], *, title: str, author: str, footer: str, watermark: str | None) -> bytes:
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_TOP_MARGIN,
        bottomMargin=_BOTTOM_MARGIN,
        title=title,
        author=author,
        subject=title,
        creator="sales_service",
        invariant=1,  # fixed creation date and document id: same data, same bytes
    )
    # No frame padding, so tables of _FRAME_WIDTH line up with the paragraphs.
    frame = Frame(
        _MARGIN,
        _BOTTOM_MARGIN,
        _FRAME_WIDTH,
        _PAGE_HEIGHT - _TOP_MARGIN - _BOTTOM_MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_decorator(footer, watermark))])
    doc.build(story)
    return buffer.getvalue()


_VOID_WATERMARK = "VOID / BATAL"


# --- invoice -------------------------------------------------------------------------------

_INVOICE_STATUSES = {"issued": "Diterbitkan", "void": "BATAL (VOID)", "paid": "LUNAS"}


def _check_invoice(doc: InvoiceDocument) -> None:
    def refuse(reason: str) -> DocumentNotPrintable:
        return DocumentNotPrintable("Invoice {number} tidak dapat dicetak: {reason}.", number=doc.number, reason=reason)

    if doc.status not in _INVOICE_STATUSES:
        raise refuse(f"status '{doc.status}' tidak dikenal")
    if not doc.lines:
        raise refuse("tidak ada baris tagihan")
    if doc.total != sum(line.amount for line in doc.lines):
        raise refuse("total tidak sama dengan jumlah baris")
    if doc.total == 0 and not doc.zero_rate_basis:
        raise refuse("tagihan Rp0 tanpa dasar hukum tarif Rp0")
    if doc.total > 0 and doc.status == "issued" and not (doc.billing_code or doc.bank):
        raise refuse("tidak ada kode billing maupun instruksi transfer")


def _version_text(doc: InvoiceDocument) -> str:
    if doc.replaces:
        return f"Versi {doc.version}, menggantikan {_t(doc.replaces)}"
    return f"Versi {doc.version}"


def _invoice_meta(doc: InvoiceDocument) -> Table:
    half = _FRAME_WIDTH / 2
    rows = [
        ("Nomor", f"<b>{_t(doc.number)}</b>"),
        ("Versi", _version_text(doc)),
        ("Tanggal terbit", long_date(doc.issued_on)),
    ]
    if doc.due_on is not None:
        rows.append(("Jatuh tempo", long_date(doc.due_on)))
    rows += [("Referensi pesanan", _t(doc.order_reference)), ("Status", _INVOICE_STATUSES[doc.status])]

    buyer = [_p("Kepada (wajib bayar)", "label"), _p(f"<b>{_t(doc.buyer_name)}</b>")]
    if doc.buyer_institution:
        buyer.append(_p(_t(doc.buyer_institution)))
    if doc.buyer_npwp:
        buyer.append(_p(f"NPWP {_t(format_npwp(doc.buyer_npwp))}"))
    # A box of its own, so it is as tall as the buyer's details, not as the left column.
    buyer_box = Table(
        [[buyer]],
        colWidths=[half],
        style=[
            ("BOX", (0, 0), (-1, -1), 0.5, _RULE),
            ("BACKGROUND", (0, 0), (-1, -1), _SHADE),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ],
    )
    return Table(
        [[_fields(rows, half - 4 * mm), buyer_box]],
        colWidths=[half, half],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _amount_cell(line: DocumentLine) -> list[Paragraph]:
    if not line.waived:
        return [_p(format_rupiah(line.amount), "cell_num")]
    return [
        _p(f"<b>{format_rupiah(line.amount)}</b>", "cell_num"),
        _p(f"(tarif normal {format_rupiah(line.normal_amount)})", "cell_num"),
    ]


def _invoice_lines(doc: InvoiceDocument) -> Table:
    widths = [7 * mm, 55 * mm, 43 * mm, 23 * mm, 21 * mm]
    widths.append(_FRAME_WIDTH - sum(widths))
    head = [
        _p("No", "cell_head"),
        _p("Uraian / dasar tarif", "cell_head"),
        _p("Perhitungan", "cell_head"),
        _p("Kuantitas", "cell_head_num"),
        _p("Tarif satuan", "cell_head_num"),
        _p("Jumlah", "cell_head_num"),
    ]
    rows: list[list] = [head]
    for number, line in enumerate(doc.lines, start=1):
        rows.append(
            [
                _p(str(number), "cell"),
                [_p(_t(line.description), "cell"), _p(f"{_t(line.regulation)} · {_t(line.item_code)}", "cell_small")],
                _p(_t(line.basis), "cell"),
                _p(_t(line.quantity), "cell_num"),
                _p(format_rupiah(line.unit_price), "cell_num"),
                _amount_cell(line),
            ]
        )
    rows.append(["", _p("<b>Total</b>", "cell"), "", "", "", _p(format_rupiah(doc.total), "total")])
    last = len(rows) - 1
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), _SHADE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, _INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, _RULE),
                ("LINEBELOW", (0, 1), (-1, last - 1), 0.25, _RULE),
                ("LINEABOVE", (0, last), (-1, last), 0.8, _INK),
                ("LINEBELOW", (0, last), (-1, last), 0.8, _INK),
                ("SPAN", (1, last), (4, last)),
                ("VALIGN", (0, last), (-1, last), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _payment_instructions(doc: InvoiceDocument) -> list[Flowable]:
    if doc.total == 0:
        return [_p(f"<b>Tarif Rp0</b> — {_t(doc.zero_rate_basis)}; tidak ada pembayaran.")]
    if doc.status == "void":
        # A voided invoice's billing code must not be paid: the new version carries the valid one.
        return [_p("Jangan membayar berdasarkan invoice ini; gunakan invoice versi terbaru.")]
    if doc.status == "paid":
        paid_with = f"kode billing {_t(doc.billing_code)}" if doc.billing_code else "transfer bank"
        return [_p(f"Tagihan ini telah dibayar lunas ({paid_with}).")]
    parts: list[Flowable] = []
    if doc.billing_code:
        expiry = f", berlaku sampai {_t(doc.billing_expires_at)}" if doc.billing_expires_at else ""
        parts.append(
            _p(
                f"Kode billing: <b>{_t(doc.billing_code)}</b>{expiry}; bayar di bank/pos persepsi, ATM, "
                "internet banking atau EDC; simpan bukti dengan NTPN."
            )
        )
    if doc.bank:
        bank = doc.bank
        parts.append(
            _fields(
                [
                    ("Bank / Bank", _t(bank.bank_name)),
                    ("Atas nama / Account name", _t(bank.account_name)),
                    ("No. rekening / Account no.", f"<b>{_t(bank.account_number)}</b>"),
                    ("SWIFT", f"<b>{_t(bank.swift)}</b>"),
                    ("Referensi / Reference", f"<b>{_t(bank.reference)}</b>"),
                ],
                _FRAME_WIDTH,
                label_width=44 * mm,
            )
        )
        parts.append(Spacer(1, 3))
        parts.append(
            _p(
                f"Transfer sejumlah {format_rupiah(doc.total)} ke rekening di atas dan cantumkan referensi "
                f"{_t(bank.reference)} pada berita transfer. Biaya bank ditanggung pembayar (PP 7/2015 Pasal 3)."
            )
        )
        parts.append(Spacer(1, 2))
        parts.append(
            _p(
                f"<i>Please transfer {format_rupiah(doc.total)} (Indonesian rupiah) to the account above, "
                f"reference: {_t(bank.reference)}. All bank charges are borne by the payer "
                "(PP 7/2015 Pasal 3).</i>"
            )
        )
    return parts


def _treasurer_block(office: Office, issued_on: date) -> Table:
    block = [
        _p(f"{_t(office.city)}, {long_date(issued_on)}", "sign"),
        _p("Bendahara Penerimaan", "sign"),
        Spacer(1, 8),
        _p(f"<b>{_t(office.treasurer_name)}</b>", "sign"),
        _p(f"NIP {_t(office.treasurer_nip)}", "sign"),
    ]
    return Table(
        [["", block]],
        colWidths=[_FRAME_WIDTH - 70 * mm, 70 * mm],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("RIGHTPADDING", (0, 0), (-1, -1), 0)],
    )


def invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice (tagihan PNBP) as an A4 PDF."""
    _check_invoice(doc)
    stamp = _Stamp("LUNAS", "PAID", _PAID_GREEN) if doc.status == "paid" else None
    story: list[Flowable] = [
        _header(doc.office, doc.verify_url),
        Spacer(1, 8),
        _title("INVOICE / TAGIHAN PNBP", "Penerimaan Negara Bukan Pajak — penjualan produk statistik", stamp),
        Spacer(1, 4),
    ]
    if doc.status == "void":
        story += [_p("Invoice ini dibatalkan dan digantikan versi baru.", "alert"), Spacer(1, 4)]
    story += [
        _invoice_meta(doc),
        Spacer(1, 10),
        _invoice_lines(doc),
        Spacer(1, 5),
        _p(f"<b>Terbilang:</b> <i>{amount_in_words(doc.total)}</i>"),
        Spacer(1, 2),
        _p(f"Kode akun: {_t(doc.office.account_code)}", "small"),
        KeepTogether([_p("Pembayaran", "heading"), *_payment_instructions(doc)]),
        Spacer(1, 12),
        KeepTogether(_treasurer_block(doc.office, doc.issued_on)),
    ]
    return _render(
        story,
        title=f"Invoice {doc.number} (versi {doc.version})",
        author=doc.office.name,
        footer=f"{doc.number} · versi {doc.version} · {doc.office.name}",
        watermark=_VOID_WATERMARK if doc.status == "void" else None,
    )


# --- SPPD draft ----------------------------------------------------------------------------

_SPPD_STATUSES = {"draft": "Draf", "void": "BATAL (VOID)"}


class _DutyStampBox(Flowable):
    """The dashed box where the recipient sticks the Rp10.000 meterai and signs across it."""

    def __init__(self, width: float = 30 * mm, height: float = 18 * mm):
        super().__init__()
        self.width, self.height = width, height

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.saveState()
        c.setStrokeColor(_MUTED)
        c.setDash(2, 2)
        c.setLineWidth(0.6)
        c.rect(0, 0, self.width, self.height)
        c.setFillColor(_MUTED)
        c.setFont("Helvetica", 7)
        c.drawCentredString(self.width / 2, self.height / 2 + 1, "Meterai")
        c.drawCentredString(self.width / 2, self.height / 2 - 8, "Rp10.000")
        c.restoreState()


def _check_sppd(doc: SppdDocument) -> None:
    def refuse(reason: str) -> DocumentNotPrintable:
        return DocumentNotPrintable(
            "SPPD {reference} tidak dapat dicetak: {reason}.", reference=doc.reference, reason=reason
        )

    if doc.status not in _SPPD_STATUSES:
        raise refuse(f"status '{doc.status}' tidak dikenal")
    if not doc.datasets:
        raise refuse("tidak ada set data")


def _party(label: str, rows: Sequence[tuple[str, str]]) -> list[Flowable]:
    return [_p(f"<b>{label}</b>"), Spacer(1, 1), _fields(rows, _FRAME_WIDTH - 6 * mm)]


def _datasets_table(datasets: Sequence[tuple[str, tuple[str, ...] | None]]) -> Table:
    widths = [8 * mm, 62 * mm]
    widths.append(_FRAME_WIDTH - sum(widths))
    rows: list[list] = [[_p("No", "cell_head"), _p("Set data", "cell_head"), _p("Variabel", "cell_head")]]
    for number, (title, variables) in enumerate(datasets, start=1):
        chosen = ", ".join(_t(v) for v in variables) if variables else "<i>set lengkap</i> (semua variabel)"
        rows.append([_p(str(number), "cell"), _p(_t(title), "cell"), _p(chosen, "cell")])
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), _SHADE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, _INK),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _signatures(doc: SppdDocument) -> Table:
    half = _FRAME_WIDTH / 2
    provider = [
        _p("Pihak Pertama", "sign"),
        _p(f"Kepala {_t(doc.office.name)}", "sign"),
        Spacer(1, 21 * mm),
        _p(f"<b>{_t(doc.office.head_name)}</b>", "sign"),
    ]
    recipient = [
        _p("Pihak Kedua", "sign"),
        _p(_t(doc.buyer_institution) or "Penerima data", "sign"),
        Spacer(1, 1.5 * mm),
        _DutyStampBox(),
        Spacer(1, 1.5 * mm),
        _p(f"<b>{_t(doc.buyer_name)}</b>", "sign"),
    ]
    table = Table([[provider, recipient]], colWidths=[half, half])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    return table


def sppd_pdf(doc: SppdDocument) -> bytes:
    """The draft data-use agreement (SPPD) for the buyer to sign, as an A4 PDF."""
    _check_sppd(doc)
    recipient_rows = [("Nama", f"<b>{_t(doc.buyer_name)}</b>")]
    if doc.buyer_institution:
        recipient_rows.append(("Instansi", _t(doc.buyer_institution)))
    if doc.buyer_identity:
        recipient_rows.append(("Identitas", _t(doc.buyer_identity)))

    obligations = ListFlowable(
        [ListItem(_p(_t(text)), leftIndent=14) for text in SPPD_OBLIGATIONS],
        bulletType="1",
        bulletFormat="%s.",
        bulletFontName="Helvetica",
        bulletFontSize=9,
        leftIndent=14,
    )
    story: list[Flowable] = [
        _header(doc.office, doc.verify_url),
        Spacer(1, 8),
        _title(
            "SURAT PERJANJIAN PENGGUNAAN DATA (SPPD) — DRAF",
            f"Nomor {_t(doc.reference)} &nbsp;·&nbsp; Versi {doc.version} &nbsp;·&nbsp; "
            f"Status: {_SPPD_STATUSES[doc.status]} &nbsp;·&nbsp; {long_date(doc.issued_on)}",
        ),
        Spacer(1, 4),
    ]
    if doc.status == "void":
        story += [_p("SPPD ini dibatalkan dan digantikan versi baru.", "alert"), Spacer(1, 4)]
    story += [
        _p(f"Pada tanggal {long_date(doc.issued_on)}, yang bertanda tangan di bawah ini:"),
        Spacer(1, 5),
        *_party(
            "Pihak Pertama — penyedia data",
            [
                ("Instansi", f"<b>{_t(doc.office.name)}</b>"),
                ("Alamat", f"{_t(doc.office.address)}, {_t(doc.office.city)}"),
                ("Diwakili oleh", f"{_t(doc.office.head_name)}, Kepala {_t(doc.office.name)}"),
            ],
        ),
        Spacer(1, 5),
        *_party("Pihak Kedua — penerima data", recipient_rows),
        _p("Data yang diserahkan", "heading"),
        _p("Pihak Pertama menyerahkan kepada Pihak Kedua data berikut:"),
        Spacer(1, 3),
        _datasets_table(doc.datasets),
        _p("Tujuan penggunaan", "heading"),
        _p(_t(doc.purpose)),
        _p("Kewajiban Pihak Kedua", "heading"),
        _p("Pihak Kedua menyatakan dan menyanggupi:"),
        Spacer(1, 2),
        obligations,
        Spacer(1, 8),
        KeepTogether(
            [
                _p(f"Dibuat di {_t(doc.office.city)} pada tanggal tersebut di atas."),
                Spacer(1, 2),
                _signatures(doc),
            ]
        ),
    ]
    return _render(
        story,
        title=f"SPPD {doc.reference} (versi {doc.version})",
        author=doc.office.name,
        footer=f"{doc.reference} · versi {doc.version} · {doc.office.name}",
        watermark=_VOID_WATERMARK if doc.status == "void" else None,
    )
