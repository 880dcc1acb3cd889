"""The draft data-use agreement (SPPD, surat perjanjian penggunaan data) the buyer of microdata or
maps signs: an :class:`SppdDocument` in, A4 PDF bytes out. For a buyer who reads English
(``language="en"``) it is bilingual: every article is followed by its English translation, and the
agreement says that the Indonesian text prevails (:data:`PREVAILING_LANGUAGE`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, Spacer, Table, TableStyle

from sales_service.documents.layout import (
    FRAME_WIDTH,
    INK,
    LANGUAGES,
    MUTED,
    RULE,
    SHADE,
    VOID_WATERMARK,
    Both,
    DocumentNotPrintable,
    Office,
    Wording,
    fields,
    header,
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
    "ENGLISH",
    "PREVAILING_LANGUAGE",
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
    # "en": issued bilingual for a recipient who reads English (layout.LANGUAGES).
    language: str = "id"


# Unconfirmed in law, so configuration (SALES_FOREIGN_SIGNATURE_NOTE); this is the default text, in
# both languages, since it has always been printed for signers abroad.
_FOREIGN_SIGNATURE_NOTE_EN = (
    "The SECOND PARTY, resident abroad, signs "
    "without an Indonesian duty stamp; any stamp duty due is settled in Indonesia when the agreement is used."
)
DEFAULT_FOREIGN_SIGNATURE_NOTE = (
    "PIHAK KEDUA yang berdomisili di luar negeri menandatangani perjanjian ini tanpa meterai Indonesia. "
    "Bea meterai atas dokumen yang dibuat di luar negeri, bila terutang, dilunasi di Indonesia pada saat "
    "dokumen digunakan (UU 10/2020 tentang Bea Meterai). / " + _FOREIGN_SIGNATURE_NOTE_EN
)

# A bilingual agreement says which text binds. An agreement to which a government office is party is
# made in Indonesian (UU 24/2009 Pasal 31); the English goes with it as a translation, and where the
# two are read differently the language the agreement names applies (Perpres 63/2019 Pasal 26 ayat
# 3-4): here, as is usual for Indonesian government agreements, the Indonesian.
PREVAILING_LANGUAGE = Both(
    "Perjanjian ini dibuat dalam bahasa Indonesia dan bahasa Inggris. Apabila terdapat perbedaan penafsiran "
    "antara kedua teks, yang berlaku adalah teks dalam bahasa Indonesia.",
    "This agreement is made in Indonesian and English. Should the two texts be read differently, the "
    "Indonesian text prevails.",
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

# The agreement's closing (Pasal 6).
_BINDS = "Perjanjian ini berlaku sejak ditandatangani oleh kedua pihak."
_ORIGINALS_ABROAD = (
    "Perjanjian ini dibuat dalam rangkap dua (dua asli) yang mempunyai kekuatan hukum yang sama; PIHAK KEDUA "
    "menandatangani kedua asli, menyampaikannya kepada PIHAK PERTAMA dan mengunggah pindaiannya pada "
    "layanan ini."
)
_ORIGINALS_STAMPED = (
    "Perjanjian ini dibuat dalam rangkap dua (dua asli), masing-masing bermeterai Rp10.000 dan mempunyai "
    "kekuatan hukum yang sama; PIHAK KEDUA menandatangani kedua asli di atas meterai, menyampaikannya "
    "kepada PIHAK PERTAMA dan mengunggah pindaiannya pada layanan ini."
)
_ONE_EACH = "Satu asli disimpan PIHAK PERTAMA dan satu asli dikembalikan kepada PIHAK KEDUA."

# Every fixed text of the agreement with its English, for the bilingual agreement (layout.Wording).
ENGLISH = {
    "SURAT PERJANJIAN PENGGUNAAN DATA (SPPD) — DRAF": "DATA USE AGREEMENT (SPPD) — DRAFT",
    "Nomor {number} &nbsp;·&nbsp; Versi {version} &nbsp;·&nbsp; Status: {status} &nbsp;·&nbsp; diterbitkan {issued}":
        "Number {number} &nbsp;·&nbsp; Version {version} &nbsp;·&nbsp; Status: {status} &nbsp;·&nbsp; issued {issued}",
    "Draf": "Draft",
    "BATAL (VOID)": "BATAL (VOID)",
    "versi {version}": "version {version}",
    "SPPD ini dibatalkan dan digantikan versi baru.": "This agreement is void and replaced by a new version.",
    "Yang bertanda tangan di bawah ini:": "The undersigned:",
    "Nama": "Name",
    "NIP": "NIP",
    "Jabatan": "Position",
    "Alamat": "Address",
    "NIK / nomor paspor": "NIK / passport number",
    "Nomor paspor": "Passport number",
    "Telepon": "Telephone",
    "E-mail": "E-mail",
    "Instansi/afiliasi": "Institution/affiliation",
    "Kepala {office}": "Head of {office}",
    "dalam hal ini bertindak untuk dan atas nama <b>{party}</b>, selanjutnya disebut <b>PIHAK PERTAMA</b>;":
        "acting for and on behalf of <b>{party}</b>, hereinafter the <b>FIRST PARTY</b>;",
    "dalam hal ini bertindak untuk dan atas nama <b>{party}</b>, selanjutnya disebut <b>PIHAK KEDUA</b>.":
        "acting for and on behalf of <b>{party}</b>, hereinafter the <b>SECOND PARTY</b>.",
    "dalam hal ini bertindak untuk dirinya sendiri, selanjutnya disebut <b>PIHAK KEDUA</b>.":
        "acting on their own behalf, hereinafter the <b>SECOND PARTY</b>.",
    "PIHAK PERTAMA dan PIHAK KEDUA sepakat mengadakan perjanjian penggunaan data dengan ketentuan "
    "sebagai berikut:": "The FIRST PARTY and the SECOND PARTY agree on the use of data on the following terms:",
    "Pasal {number}": "Article {number}",
    "Data yang Diserahkan": "Data Provided",
    "Tujuan Penggunaan": "Purpose of Use",
    "Kewajiban PIHAK PERTAMA": "Obligations of the FIRST PARTY",
    "Kewajiban PIHAK KEDUA": "Obligations of the SECOND PARTY",
    "Pelanggaran": "Breach",
    "Penutup": "Final Provisions",
    "PIHAK PERTAMA menyerahkan kepada PIHAK KEDUA data berikut, dibayar{paid_with}:":
        "The FIRST PARTY hands over to the SECOND PARTY the data listed in the table above{paid_with}.",
    " dengan invoice {invoice}": ", paid with invoice {invoice}",
    "No": "No",
    "Set data": "Data set",
    "Variabel": "Variables",
    "<i>set lengkap</i> (semua variabel)": "<i>full set</i> (all variables)",
    "PIHAK KEDUA menggunakan data hanya untuk: {purpose}": "The SECOND PARTY shall use the data only for: {purpose}",
    "PIHAK PERTAMA wajib:": "The FIRST PARTY shall:",
    "PIHAK KEDUA wajib:": "The SECOND PARTY shall:",
    PROVIDER_OBLIGATIONS[0]:
        "Hand over the data referred to in Article 1 to the SECOND PARTY once the PNBP invoice for that data has "
        "been paid (or the Rp0 tariff approved) and this agreement has been signed by both parties.",
    PROVIDER_OBLIGATIONS[1]:
        "Ensure that the data handed over matches the list in Article 1, and correct or replace data that is "
        "damaged or does not match at the SECOND PARTY's request.",
    PROVIDER_OBLIGATIONS[2]:
        "Explain the concepts, definitions and methodology of the data (metadata) that the SECOND PARTY needs to "
        "use the data.",
    PROVIDER_OBLIGATIONS[3]:
        "Keep the SECOND PARTY's personal data stated in this agreement confidential and use it only to carry "
        "out this agreement.",
    SPPD_OBLIGATIONS[0]:
        "Not copy, duplicate or give the data, in part or in whole, to any other party in any form.",
    SPPD_OBLIGATIONS[1]: "Use the data only for the research/analysis purpose referred to in Article 2.",
    SPPD_OBLIGATIONS[2]: "Obtain the written approval of the Head of BPS before using the data for any other purpose.",
    SPPD_OBLIGATIONS[3]:
        "Cite BPS as the source of the data in every result that uses it, and send those research/analysis "
        "results to the FIRST PARTY.",
    SPPD_OBLIGATIONS[4]: "Keep the data confidential; the data remains the property of BPS.",
    SPPD_OBLIGATIONS[5]:
        "Protect the confidentiality of respondents in accordance with Law Number 16 of 1997 (UU 16/1997) on "
        "Statistics, and make no attempt to identify individual respondents.",
    _BREACH:
        "If the SECOND PARTY breaches Article 2 or Article 4, the FIRST PARTY may stop handing over data, require "
        "the SECOND PARTY to delete the data and all copies of it, and take legal action in accordance with the "
        "laws and regulations.",
    _BINDS: "This agreement takes effect when it has been signed by both parties.",
    _ORIGINALS_ABROAD:
        "This agreement is made in two counterparts (two originals) of equal legal force; the SECOND PARTY signs "
        "both originals, sends them to the FIRST PARTY and uploads a scan of them in this service.",
    _ORIGINALS_STAMPED:
        "This agreement is made in two counterparts (two originals), each bearing a Rp10.000 duty stamp (meterai) "
        "and of equal legal force; the SECOND PARTY signs both originals across the duty stamp, sends them to the "
        "FIRST PARTY and uploads a scan of them in this service.",
    _ONE_EACH: "The FIRST PARTY keeps one original and the other is returned to the SECOND PARTY.",
    "Demikian perjanjian ini ditandatangani oleh kedua pihak, di tempat dan pada tanggal yang tertulis di atas "
    "tanda tangan masing-masing.":
        "In witness whereof, the parties sign this agreement at the place and on the date written above their "
        "respective signatures.",
    "PIHAK PERTAMA": "FIRST PARTY",
    "PIHAK KEDUA": "SECOND PARTY",
    "untuk dan atas nama": "for and on behalf of",
    "Penerima data": "Data recipient",
}


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
    if doc.language not in LANGUAGES:
        raise refuse(f"bahasa '{doc.language}' tidak dikenal")
    if not doc.datasets:
        raise refuse("tidak ada set data")
    if doc.recipient.for_institution and not (doc.recipient.institution or "").strip():
        raise refuse("penanda tangan bertindak untuk instansi yang tidak disebut namanya")


def _party(rows: Sequence[tuple[str, str]], capacity: str, w: Wording) -> list[Flowable]:
    label_width = (44 if w.bilingual else 34) * mm  # two languages' labels need the room
    return [fields(rows, FRAME_WIDTH - 6 * mm, label_width=label_width), Spacer(1, 1), paragraph(capacity)]


def _numbered(texts: Sequence[str], emphasis: str = "") -> ListFlowable:
    start, end = (f"<{emphasis}>", f"</{emphasis}>") if emphasis else ("", "")
    return ListFlowable(
        [ListItem(paragraph(start + markup(text) + end), leftIndent=14) for text in texts],
        bulletType="1",
        bulletFormat="(%s)",
        bulletFontName="Helvetica",
        bulletFontSize=9,
        leftIndent=16,
    )


def _indonesian(texts: Sequence[str | Both]) -> list[str]:
    return [text.id if isinstance(text, Both) else text for text in texts]


def _article(w: Wording, number: int, heading: str, body: Sequence[Flowable],
             english: Sequence[Flowable] = ()) -> list[Flowable]:
    """"Pasal n" and its heading, centred, kept with the article's first lines; on a bilingual
    agreement the article's English translation follows it, in italics."""
    title = f"{w.label('Pasal {number}', number=str(number))}<br/>{w.label(heading)}"
    translation = [Spacer(1, 3), *english] if w.bilingual else []
    return [KeepTogether([paragraph(title, "article"), *body[:1]]), *body[1:], *translation]


def _said(w: Wording, text: str, **values: str | Both) -> tuple[Flowable, list[Flowable]]:
    """``text`` as the article's Indonesian paragraph, and its English translation (none on an
    agreement in Indonesian only)."""
    english = w.english(text, **values)
    return paragraph(w.indonesian(text, **values)), [paragraph(f"<i>{english}</i>")] if english else []


def _listed(w: Wording, lead: str, texts: Sequence[str | Both]) -> tuple[list[Flowable], list[Flowable]]:
    """A lead sentence and its numbered points, in Indonesian and, on a bilingual agreement, in English."""
    indonesian, english = _said(w, lead) if lead else (None, [])
    body = ([indonesian] if indonesian else []) + [_numbered(_indonesian(texts))]
    if not w.bilingual:
        return body, []
    points = [text.en if isinstance(text, Both) else w.english(text) for text in texts]
    return body, [*english, _numbered(points, emphasis="i")]


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


def _datasets_table(datasets: Sequence[tuple[str, tuple[str, ...] | None]], w: Wording) -> Table:
    widths = [8 * mm, 62 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    rows: list[list] = [
        [paragraph(w.stacked("No"), "cell_head"), paragraph(w.stacked("Set data"), "cell_head"),
         paragraph(w.stacked("Variabel"), "cell_head")]
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
        chosen = _variable_rows(variables) if variables else [w.label("<i>set lengkap</i> (semua variabel)")]
        first = len(rows)
        rows.append([paragraph(str(number), "cell"), paragraph(markup(name), "cell"), paragraph(chosen[0], "cell")])
        rows += [["", "", paragraph(more, "cell")] for more in chosen[1:]]
        last = len(rows) - 1
        # One data set's rows read as one entry: no rule and no gap between them.
        style.append(("LINEBELOW", (0, last), (-1, last), 0.4, RULE))
        if last > first:
            style += [("BOTTOMPADDING", (0, first), (-1, last - 1), 0), ("TOPPADDING", (0, first + 1), (-1, last), 0)]
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _provider(office: Office, w: Wording) -> list[Flowable]:
    head = f"Kepala {office.name}"
    rows = [
        (w.label("Nama"), f"<b>{or_handwritten(signer_name(office.head_name, head))}</b>"),
        (w.label("NIP"), or_handwritten(office.head_nip)),
        (w.label("Jabatan"), w.label("Kepala {office}", office=markup(office.name))),
        (w.label("Alamat"), markup(office_address(office))),
    ]
    capacity = w.stacked(
        "dalam hal ini bertindak untuk dan atas nama <b>{party}</b>, selanjutnya disebut <b>PIHAK PERTAMA</b>;",
        party=markup(office.name),
    )
    return _party(rows, capacity, w)


def _recipient(recipient: Recipient, w: Wording) -> list[Flowable]:
    identity_label = "Nomor paspor" if recipient.abroad else "NIK / nomor paspor"
    rows = [
        (w.label("Nama"), f"<b>{markup(recipient.name)}</b>"),
        (w.label(identity_label), or_handwritten(recipient.identity)),
        (w.label("Alamat"), or_handwritten(recipient.address)),
        (w.label("Telepon"), or_handwritten(recipient.phone)),
        (w.label("E-mail"), or_handwritten(recipient.email)),
    ]
    if recipient.for_institution:
        rows.append((w.label("Jabatan"), or_handwritten(None)))
        capacity = w.stacked(
            "dalam hal ini bertindak untuk dan atas nama <b>{party}</b>, selanjutnya disebut <b>PIHAK KEDUA</b>.",
            party=markup(recipient.institution),
        )
    else:
        if recipient.institution:
            rows.append((w.label("Instansi/afiliasi"), markup(recipient.institution)))
        capacity = w.stacked("dalam hal ini bertindak untuk dirinya sendiri, selanjutnya disebut <b>PIHAK KEDUA</b>.")
    return _party(rows, capacity, w)


def _closing(doc: SppdDocument, w: Wording) -> list[str | Both]:
    """Pasal 6: when the agreement binds, its two originals, and the duty stamp (or, for a signer
    abroad, what applies instead); a bilingual agreement also says which of its texts prevails."""
    texts: list[str | Both] = [w.pair(_BINDS)]
    if doc.recipient.abroad:
        texts.append(w.pair(_ORIGINALS_ABROAD))
        note = doc.foreign_signature_note or DEFAULT_FOREIGN_SIGNATURE_NOTE
        # The default is written in both languages; a configured note is printed as configured.
        texts.append(Both(note, _FOREIGN_SIGNATURE_NOTE_EN if note == DEFAULT_FOREIGN_SIGNATURE_NOTE else note))
    else:
        texts.append(w.pair(_ORIGINALS_STAMPED))
    texts.append(w.pair(_ONE_EACH))
    if w.bilingual:
        texts.append(PREVAILING_LANGUAGE)
    return texts


def _signatures(doc: SppdDocument, w: Wording) -> Table:
    office, recipient = doc.office, doc.recipient
    # Each party writes where and when it signs: the two rarely sign on the same day or in one place.
    provider = signature([f"{markup(office.city)}, {_DATE_BY_HAND}", w.label("PIHAK PERTAMA")],
                         w.indonesian("Kepala {office}", office=office.name), office.head_name, nip=office.head_nip,
                         role_en=w.english("Kepala {office}", office=office.name))
    if recipient.for_institution:
        heading = [_PLACE_AND_DATE_BY_HAND, w.label("PIHAK KEDUA"), w.label("untuk dan atas nama")]
        role, role_en = recipient.institution, None
    else:
        heading, role, role_en = [_PLACE_AND_DATE_BY_HAND, w.label("PIHAK KEDUA")], "Penerima data", \
            w.english("Penerima data")
    # A signer abroad signs on plain paper: no box asking for an Indonesian duty stamp.
    space = () if recipient.abroad else [Spacer(1, 2 * mm), _DutyStampBox(), Spacer(1, 2 * mm)]
    second = signature(heading, role, recipient.name, space=space, role_en=role_en)
    half = FRAME_WIDTH / 2
    table = Table([[provider, second]], colWidths=[half, half])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    return table


def sppd_pdf(doc: SppdDocument) -> bytes:
    """The draft data-use agreement (SPPD) for the buyer to sign, as an A4 PDF."""
    _check_sppd(doc)
    w = Wording.of(doc.language, ENGLISH)
    paid_with = w.pair(" dengan invoice {invoice}", invoice=markup(doc.invoice_number)) if doc.invoice_number else ""
    data_given, data_given_en = _said(
        w, "PIHAK PERTAMA menyerahkan kepada PIHAK KEDUA data berikut, dibayar{paid_with}:", paid_with=paid_with)
    purpose, purpose_en = _said(w, "PIHAK KEDUA menggunakan data hanya untuk: {purpose}", purpose=markup(doc.purpose))
    provider_duties, provider_duties_en = _listed(w, "PIHAK PERTAMA wajib:", PROVIDER_OBLIGATIONS)
    recipient_duties, recipient_duties_en = _listed(w, "PIHAK KEDUA wajib:", SPPD_OBLIGATIONS)
    breach, breach_en = _said(w, _BREACH)
    closing, closing_en = _listed(w, "", _closing(doc, w))
    story: list[Flowable] = [
        header(doc.office, doc.verify_url, billing_codes=False, wording=w),
        Spacer(1, 8),
        title(
            w.stacked("SURAT PERJANJIAN PENGGUNAAN DATA (SPPD) — DRAF"),
            w.stacked("Nomor {number} &nbsp;·&nbsp; Versi {version} &nbsp;·&nbsp; Status: {status} &nbsp;·&nbsp; "
                      "diterbitkan {issued}", number=markup(doc.number), version=str(doc.version),
                      status=w.pair(_SPPD_STATUSES[doc.status]), issued=w.date(doc.issued_on)),
        ),
        Spacer(1, 4),
    ]
    if doc.status == "void":
        story += [paragraph(w.stacked("SPPD ini dibatalkan dan digantikan versi baru."), "alert"), Spacer(1, 4)]
    story += [
        paragraph(w.stacked("Yang bertanda tangan di bawah ini:")),
        Spacer(1, 4),
        *_provider(doc.office, w),
        Spacer(1, 5),
        *_recipient(doc.recipient, w),
        Spacer(1, 4),
        paragraph(w.stacked(
            "PIHAK PERTAMA dan PIHAK KEDUA sepakat mengadakan perjanjian penggunaan data dengan ketentuan "
            "sebagai berikut:"
        )),
        *_article(w, 1, "Data yang Diserahkan", [data_given, Spacer(1, 3), _datasets_table(doc.datasets, w)],
                  data_given_en),
        *_article(w, 2, "Tujuan Penggunaan", [purpose], purpose_en),
        *_article(w, 3, "Kewajiban PIHAK PERTAMA", provider_duties, provider_duties_en),
        *_article(w, 4, "Kewajiban PIHAK KEDUA", recipient_duties, recipient_duties_en),
        *_article(w, 5, "Pelanggaran", [breach], breach_en),
        *_article(w, 6, "Penutup", closing, closing_en),
        Spacer(1, 8),
        KeepTogether(
            [
                paragraph(w.stacked("Demikian perjanjian ini ditandatangani oleh kedua pihak, di tempat dan pada "
                                    "tanggal yang tertulis di atas tanda tangan masing-masing.")),
                Spacer(1, 4),
                _signatures(doc, w),
            ]
        ),
    ]
    return render(
        story,
        title=f"SPPD {doc.number} (versi {doc.version})",
        author=doc.office.name,
        footer=f"{doc.number} · {w.label('versi {version}', version=str(doc.version))} · {doc.office.name}",
        watermark=VOID_WATERMARK if doc.status == "void" else None,
        wording=w,
    )
