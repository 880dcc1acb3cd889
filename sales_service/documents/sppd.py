"""The draft data-use agreement (SPPD, surat perjanjian penggunaan data) the buyer of microdata or
maps signs: an :class:`SppdDocument` in, A4 PDF bytes out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, Spacer, Table, TableStyle

from sales_service.documents.layout import (
    FRAME_WIDTH,
    INK,
    MUTED,
    RULE,
    SHADE,
    VOID_WATERMARK,
    DocumentNotPrintable,
    Office,
    fields,
    header,
    long_date,
    markup,
    office_address,
    paragraph,
    render,
    signature,
    signer_name,
    title,
)

__all__ = ["SPPD_OBLIGATIONS", "SppdDocument", "sppd_pdf"]


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
        c.setStrokeColor(MUTED)
        c.setDash(2, 2)
        c.setLineWidth(0.6)
        c.rect(0, 0, self.width, self.height)
        c.setFillColor(MUTED)
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
    return [paragraph(f"<b>{label}</b>"), Spacer(1, 1), fields(rows, FRAME_WIDTH - 6 * mm)]


# Characters of variable names per table row: a row never splits across pages, so the variables of
# a data set are cut into rows of about ten printed lines; the table then flows over as many pages as
# the choice needs (2,000 variables or more).
_VARIABLES_PER_ROW = 600


def _variable_rows(variables: Sequence[str]) -> list[str]:
    rows: list[str] = []
    chunk: list[str] = []
    length = 0
    for variable in variables:
        if chunk and length + len(variable) > _VARIABLES_PER_ROW:
            rows.append(", ".join(chunk) + ",")
            chunk, length = [], 0
        chunk.append(markup(variable))
        length += len(variable) + 2
    rows.append(", ".join(chunk))
    return rows


def _datasets_table(datasets: Sequence[tuple[str, tuple[str, ...] | None]]) -> Table:
    widths = [8 * mm, 62 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    rows: list[list] = [
        [paragraph("No", "cell_head"), paragraph("Set data", "cell_head"), paragraph("Variabel", "cell_head")]
    ]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for number, (name, variables) in enumerate(datasets, start=1):
        chosen = _variable_rows(variables) if variables else ["<i>set lengkap</i> (semua variabel)"]
        first = len(rows)
        rows.append([paragraph(str(number), "cell"), paragraph(markup(name), "cell"), paragraph(chosen[0], "cell")])
        rows += [["", "", paragraph(more, "cell")] for more in chosen[1:]]
        last = len(rows) - 1
        # One data set's rows read as one entry: no rule and no gap between them.
        style.append(("LINEBELOW", (0, last), (-1, last), 0.4, RULE))
        if last > first:
            style += [("BOTTOMPADDING", (0, first), (-1, last - 1), 0), ("TOPPADDING", (0, first + 1), (-1, last), 0)]
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _signatures(doc: SppdDocument) -> Table:
    head = f"Kepala {doc.office.name}"
    provider = signature(["Pihak Pertama"], head, doc.office.head_name)
    recipient = signature(
        ["Pihak Kedua"],
        doc.buyer_institution or "Penerima data",
        doc.buyer_name,
        space=[Spacer(1, 2 * mm), _DutyStampBox(), Spacer(1, 2 * mm)],
    )
    half = FRAME_WIDTH / 2
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


def _representative(office: Office) -> str:
    head = f"Kepala {office.name}"
    name = signer_name(office.head_name, head)
    return f"{markup(name)}, {markup(head)}" if name else markup(head)


def sppd_pdf(doc: SppdDocument) -> bytes:
    """The draft data-use agreement (SPPD) for the buyer to sign, as an A4 PDF."""
    _check_sppd(doc)
    recipient_rows = [("Nama", f"<b>{markup(doc.buyer_name)}</b>")]
    if doc.buyer_institution:
        recipient_rows.append(("Instansi", markup(doc.buyer_institution)))
    if doc.buyer_identity:
        recipient_rows.append(("Identitas", markup(doc.buyer_identity)))

    obligations = ListFlowable(
        [ListItem(paragraph(markup(text)), leftIndent=14) for text in SPPD_OBLIGATIONS],
        bulletType="1",
        bulletFormat="%s.",
        bulletFontName="Helvetica",
        bulletFontSize=9,
        leftIndent=14,
    )
    story: list[Flowable] = [
        header(doc.office, doc.verify_url),
        Spacer(1, 8),
        title(
            "SURAT PERJANJIAN PENGGUNAAN DATA (SPPD) — DRAF",
            f"Nomor {markup(doc.reference)} &nbsp;·&nbsp; Versi {doc.version} &nbsp;·&nbsp; "
            f"Status: {_SPPD_STATUSES[doc.status]} &nbsp;·&nbsp; {long_date(doc.issued_on)}",
        ),
        Spacer(1, 4),
    ]
    if doc.status == "void":
        story += [paragraph("SPPD ini dibatalkan dan digantikan versi baru.", "alert"), Spacer(1, 4)]
    story += [
        paragraph(f"Pada tanggal {long_date(doc.issued_on)}, yang bertanda tangan di bawah ini:"),
        Spacer(1, 5),
        *_party(
            "Pihak Pertama — penyedia data",
            [
                ("Instansi", f"<b>{markup(doc.office.name)}</b>"),
                ("Alamat", markup(office_address(doc.office))),
                ("Diwakili oleh", _representative(doc.office)),
            ],
        ),
        Spacer(1, 5),
        *_party("Pihak Kedua — penerima data", recipient_rows),
        paragraph("Data yang diserahkan", "heading"),
        paragraph("Pihak Pertama menyerahkan kepada Pihak Kedua data berikut:"),
        Spacer(1, 3),
        _datasets_table(doc.datasets),
        paragraph("Tujuan penggunaan", "heading"),
        paragraph(markup(doc.purpose)),
        paragraph("Kewajiban Pihak Kedua", "heading"),
        paragraph("Pihak Kedua menyatakan dan menyanggupi:"),
        Spacer(1, 2),
        obligations,
        Spacer(1, 8),
        KeepTogether(
            [
                paragraph(f"Dibuat di {markup(doc.office.city)} pada tanggal tersebut di atas."),
                Spacer(1, 2),
                _signatures(doc),
            ]
        ),
    ]
    return render(
        story,
        title=f"SPPD {doc.reference} (versi {doc.version})",
        author=doc.office.name,
        footer=f"{doc.reference} · versi {doc.version} · {doc.office.name}",
        watermark=VOID_WATERMARK if doc.status == "void" else None,
    )
