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
    or_handwritten,
    paragraph,
    render,
    signature,
    signer_name,
    title,
)

__all__ = [
    "DEFAULT_FOREIGN_SIGNATURE_NOTE",
    "PROVIDER_OBLIGATIONS",
    "SPPD_OBLIGATIONS",
    "Recipient",
    "SppdDocument",
    "sppd_pdf",
]


@dataclass(frozen=True)
class Recipient:
    """The second party as the service knows it. What it does not know (an online buyer's NIK,
    an address not on the profile) is ``None`` and printed as a line to fill in by hand."""

    name: str
    identity: str | None  # "NIK 5102011203900001", "Paspor C1234567"
    address: str | None
    phone: str | None
    email: str | None
    institution: str | None  # the body the signer acts for, or their affiliation
    for_institution: bool = False  # signs "untuk dan atas nama" the institution, not as a person
    abroad: bool = False  # an Indonesian duty stamp (meterai) is not demanded of a signer abroad


@dataclass(frozen=True)
class SppdDocument:
    number: str  # its own series: SPPD/<satker>/<year>/<seq>, not derived from the invoice's number
    version: int
    status: str  # "draft" | "void"
    issued_on: date
    office: Office
    recipient: Recipient
    purpose: str
    datasets: tuple[tuple[str, tuple[str, ...] | None], ...]  # (title, variable names or None = full set)
    verify_url: str
    invoice_number: str | None = None  # the invoice the data is paid with, cited in Pasal 1
    # What applies instead of the duty stamp when the recipient signs abroad (SALES_FOREIGN_SIGNATURE_NOTE).
    foreign_signature_note: str | None = None


# Unconfirmed in law, so configuration (SALES_FOREIGN_SIGNATURE_NOTE); this is the default text.
DEFAULT_FOREIGN_SIGNATURE_NOTE = (
    "PIHAK KEDUA yang berdomisili di luar negeri menandatangani perjanjian ini tanpa meterai Indonesia. "
    "Bea meterai atas dokumen yang dibuat di luar negeri, bila terutang, dilunasi di Indonesia pada saat "
    "dokumen digunakan (UU 10/2020 tentang Bea Meterai). / The SECOND PARTY, resident abroad, signs "
    "without an Indonesian duty stamp; any stamp duty due is settled in Indonesia when the agreement is used."
)

# The provider's obligations (Pasal 3).
PROVIDER_OBLIGATIONS: tuple[str, ...] = (
    "Menyerahkan data sebagaimana dimaksud dalam Pasal 1 kepada PIHAK KEDUA setelah tagihan PNBP atas data "
    "tersebut dilunasi (atau tarif Rp0 disetujui) dan perjanjian ini ditandatangani kedua pihak.",
    "Menjamin bahwa data yang diserahkan sesuai dengan daftar dalam Pasal 1, serta memperbaiki atau mengganti "
    "data yang rusak atau tidak sesuai atas permintaan PIHAK KEDUA.",
    "Memberikan penjelasan tentang konsep, definisi, dan metodologi data (metadata) yang diperlukan "
    "PIHAK KEDUA untuk menggunakan data.",
    "Menjaga kerahasiaan data diri PIHAK KEDUA yang tercantum dalam perjanjian ini dan hanya menggunakannya "
    "untuk pelaksanaan perjanjian ini.",
)

# The recipient's obligations (Pasal 4; DOMAIN.md "SPPD content", after the older BPS agreement text).
SPPD_OBLIGATIONS: tuple[str, ...] = (
    "Tidak menyalin, menggandakan, atau memberikan data tersebut, sebagian maupun seluruhnya, "
    "kepada pihak lain dalam bentuk apa pun.",
    "Menggunakan data hanya untuk tujuan penelitian/analisis sebagaimana dimaksud dalam Pasal 2.",
    "Meminta persetujuan tertulis Kepala BPS sebelum menggunakan data untuk keperluan lain.",
    "Mencantumkan BPS sebagai sumber data pada setiap hasil yang menggunakan data tersebut, dan "
    "mengirimkan hasil penelitian/analisis itu kepada PIHAK PERTAMA.",
    "Menjaga kerahasiaan data; data tetap menjadi milik BPS.",
    "Menjaga kerahasiaan responden sesuai Undang-Undang Nomor 16 Tahun 1997 (UU 16/1997) tentang Statistik "
    "dan tidak berusaha mengenali responden perorangan.",
)

_BREACH = (
    "Apabila PIHAK KEDUA melanggar ketentuan Pasal 2 atau Pasal 4, PIHAK PERTAMA berhak menghentikan "
    "penyerahan data, meminta PIHAK KEDUA menghapus data beserta seluruh salinannya, dan menempuh upaya "
    "hukum sesuai ketentuan peraturan perundang-undangan."
)

_SPPD_STATUSES = {"draft": "Draf", "void": "BATAL (VOID)"}
_DATE_BY_HAND = "." * 24
_PLACE_AND_DATE_BY_HAND = f"{'.' * 20}, {_DATE_BY_HAND}"


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
            "SPPD {reference} tidak dapat dicetak: {reason}.", reference=doc.number, reason=reason
        )

    if doc.status not in _SPPD_STATUSES:
        raise refuse(f"status '{doc.status}' tidak dikenal")
    if not doc.datasets:
        raise refuse("tidak ada set data")
    if doc.recipient.for_institution and not (doc.recipient.institution or "").strip():
        raise refuse("penanda tangan bertindak untuk instansi yang tidak disebut namanya")


def _party(rows: Sequence[tuple[str, str]], capacity: str) -> list[Flowable]:
    return [fields(rows, FRAME_WIDTH - 6 * mm, label_width=34 * mm), Spacer(1, 1), paragraph(capacity)]


def _numbered(texts: Sequence[str]) -> ListFlowable:
    return ListFlowable(
        [ListItem(paragraph(markup(text)), leftIndent=14) for text in texts],
        bulletType="1",
        bulletFormat="(%s)",
        bulletFontName="Helvetica",
        bulletFontSize=9,
        leftIndent=16,
    )


def _article(number: int, heading: str, body: Sequence[Flowable]) -> list[Flowable]:
    """"Pasal n" and its heading, centred, kept with the article's first lines."""
    return [KeepTogether([paragraph(f"Pasal {number}<br/>{heading}", "article"), *body[:1]]), *body[1:]]


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


def _provider(office: Office) -> list[Flowable]:
    head = f"Kepala {office.name}"
    rows = [
        ("Nama", f"<b>{or_handwritten(signer_name(office.head_name, head))}</b>"),
        ("NIP", or_handwritten(office.head_nip)),
        ("Jabatan", markup(head)),
        ("Alamat", markup(office_address(office))),
    ]
    capacity = (
        f"dalam hal ini bertindak untuk dan atas nama <b>{markup(office.name)}</b>, "
        "selanjutnya disebut <b>PIHAK PERTAMA</b>;"
    )
    return _party(rows, capacity)


def _recipient(recipient: Recipient) -> list[Flowable]:
    identity_label = "Nomor paspor" if recipient.abroad else "NIK / nomor paspor"
    rows = [
        ("Nama", f"<b>{markup(recipient.name)}</b>"),
        (identity_label, or_handwritten(recipient.identity)),
        ("Alamat", or_handwritten(recipient.address)),
        ("Telepon", or_handwritten(recipient.phone)),
        ("E-mail", or_handwritten(recipient.email)),
    ]
    if recipient.for_institution:
        rows.append(("Jabatan", or_handwritten(None)))
        capacity = (
            f"dalam hal ini bertindak untuk dan atas nama <b>{markup(recipient.institution)}</b>, "
            "selanjutnya disebut <b>PIHAK KEDUA</b>."
        )
    else:
        if recipient.institution:
            rows.append(("Instansi/afiliasi", markup(recipient.institution)))
        capacity = "dalam hal ini bertindak untuk dirinya sendiri, selanjutnya disebut <b>PIHAK KEDUA</b>."
    return _party(rows, capacity)


def _closing(doc: SppdDocument) -> list[str]:
    """Pasal 6: when the agreement binds, its two originals, and the duty stamp (or, for a signer
    abroad, what applies instead)."""
    texts = ["Perjanjian ini berlaku sejak ditandatangani oleh kedua pihak."]
    if doc.recipient.abroad:
        texts.append(
            "Perjanjian ini dibuat dalam rangkap dua (dua asli) yang mempunyai kekuatan hukum yang sama; PIHAK KEDUA "
            "menandatangani kedua asli, menyampaikannya kepada PIHAK PERTAMA dan mengunggah pindaiannya pada "
            "layanan ini."
        )
        texts.append(doc.foreign_signature_note or DEFAULT_FOREIGN_SIGNATURE_NOTE)
    else:
        texts.append(
            "Perjanjian ini dibuat dalam rangkap dua (dua asli), masing-masing bermeterai Rp10.000 dan mempunyai "
            "kekuatan hukum yang sama; PIHAK KEDUA menandatangani kedua asli di atas meterai, menyampaikannya "
            "kepada PIHAK PERTAMA dan mengunggah pindaiannya pada layanan ini."
        )
    texts.append("Satu asli disimpan PIHAK PERTAMA dan satu asli dikembalikan kepada PIHAK KEDUA.")
    return texts


def _signatures(doc: SppdDocument) -> Table:
    office, recipient = doc.office, doc.recipient
    # Each party writes where and when it signs: the two rarely sign on the same day or in one place.
    provider = signature([f"{markup(office.city)}, {_DATE_BY_HAND}", "PIHAK PERTAMA"], f"Kepala {office.name}",
                         office.head_name, nip=office.head_nip)
    if recipient.for_institution:
        heading, role = [_PLACE_AND_DATE_BY_HAND, "PIHAK KEDUA", "untuk dan atas nama"], recipient.institution
    else:
        heading, role = [_PLACE_AND_DATE_BY_HAND, "PIHAK KEDUA"], "Penerima data"
    # A signer abroad signs on plain paper: no box asking for an Indonesian duty stamp.
    space = () if recipient.abroad else [Spacer(1, 2 * mm), _DutyStampBox(), Spacer(1, 2 * mm)]
    second = signature(heading, role, recipient.name, space=space)
    half = FRAME_WIDTH / 2
    table = Table([[provider, second]], colWidths=[half, half])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    return table


def sppd_pdf(doc: SppdDocument) -> bytes:
    """The draft data-use agreement (SPPD) for the buyer to sign, as an A4 PDF."""
    _check_sppd(doc)
    paid_with = f" dengan invoice {markup(doc.invoice_number)}" if doc.invoice_number else ""
    story: list[Flowable] = [
        header(doc.office, doc.verify_url, billing_codes=False),
        Spacer(1, 8),
        title(
            "SURAT PERJANJIAN PENGGUNAAN DATA (SPPD) — DRAF",
            f"Nomor {markup(doc.number)} &nbsp;·&nbsp; Versi {doc.version} &nbsp;·&nbsp; "
            f"Status: {_SPPD_STATUSES[doc.status]} &nbsp;·&nbsp; diterbitkan {long_date(doc.issued_on)}",
        ),
        Spacer(1, 4),
    ]
    if doc.status == "void":
        story += [paragraph("SPPD ini dibatalkan dan digantikan versi baru.", "alert"), Spacer(1, 4)]
    story += [
        paragraph("Yang bertanda tangan di bawah ini:"),
        Spacer(1, 4),
        *_provider(doc.office),
        Spacer(1, 5),
        *_recipient(doc.recipient),
        Spacer(1, 4),
        paragraph(
            "PIHAK PERTAMA dan PIHAK KEDUA sepakat mengadakan perjanjian penggunaan data dengan ketentuan "
            "sebagai berikut:"
        ),
        *_article(1, "Data yang Diserahkan", [
            paragraph(f"PIHAK PERTAMA menyerahkan kepada PIHAK KEDUA data berikut, dibayar{paid_with}:"),
            Spacer(1, 3),
            _datasets_table(doc.datasets),
        ]),
        *_article(2, "Tujuan Penggunaan", [
            paragraph(f"PIHAK KEDUA menggunakan data hanya untuk: {markup(doc.purpose)}"),
        ]),
        *_article(3, "Kewajiban PIHAK PERTAMA", [paragraph("PIHAK PERTAMA wajib:"), _numbered(PROVIDER_OBLIGATIONS)]),
        *_article(4, "Kewajiban PIHAK KEDUA", [paragraph("PIHAK KEDUA wajib:"), _numbered(SPPD_OBLIGATIONS)]),
        *_article(5, "Pelanggaran", [paragraph(markup(_BREACH))]),
        *_article(6, "Penutup", [_numbered(_closing(doc))]),
        Spacer(1, 8),
        KeepTogether(
            [
                paragraph("Demikian perjanjian ini ditandatangani oleh kedua pihak, di tempat dan pada tanggal "
                          "yang tertulis di atas tanda tangan masing-masing."),
                Spacer(1, 4),
                _signatures(doc),
            ]
        ),
    ]
    return render(
        story,
        title=f"SPPD {doc.number} (versi {doc.version})",
        author=doc.office.name,
        footer=f"{doc.number} · versi {doc.version} · {doc.office.name}",
        watermark=VOID_WATERMARK if doc.status == "void" else None,
    )
