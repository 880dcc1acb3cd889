"""The invoice (tagihan PNBP): an :class:`InvoiceDocument` in, A4 PDF bytes out; in Indonesian, or
bilingual (Indonesian with English) for a buyer who reads English (``language="en"``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from sales_service import dates
from sales_service.documents.layout import (
    FRAME_WIDTH,
    INK,
    LANGUAGES,
    PAID_GREEN,
    RULE,
    SHADE,
    VOID_WATERMARK,
    Both,
    DocumentNotPrintable,
    Office,
    Stamp,
    Wording,
    amount_column_width,
    fields,
    format_npwp,
    header,
    long_date,
    markup,
    paragraph,
    render,
    title,
    treasurer_signature,
)
from sales_service.money import format_rupiah

__all__ = ["ENGLISH", "BankDetails", "DocumentLine", "InvoiceDocument", "invoice_pdf"]


@dataclass(frozen=True)
class DocumentLine:
    description: str
    regulation: str  # "PP 13/2024"
    item_code: str
    # How the normal amount was reached, the way the rule works, in Indonesian: "1 MB pertama Rp20.000
    # + 6.512.345 byte × Rp20/1.000 byte", "50 halaman pertama Rp50.000 + 2 × 50 halaman berikutnya
    # @ Rp15.000", "1 peta × Rp30.000". Printed as the calculation; there is no single unit price
    # to print beside a byte or page count (it would read as a price per byte).
    basis: str
    quantity: str  # already formatted with its unit: "7.512.345 byte", "120 halaman", "1 peta"
    amount: int  # charged: 0 when waived
    normal_amount: int
    waived: bool
    item_name: str | None = None  # the tariff item in the regulation's words; None on old lines
    # For a bilingual invoice: the same in English where it is known (the schedule's name_en, the
    # catalogue's English title, the line's basis_en); None prints the Indonesian alone.
    item_name_en: str | None = None
    description_en: str | None = None
    basis_en: str | None = None  # "first 1 MB Rp20.000 + 6,512,345 bytes × Rp20/1,000 bytes"
    quantity_en: str | None = None  # "7,512,345 bytes"


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
    buyer_address: str | None = None  # as on the buyer's profile when the invoice was issued
    # Bank transfers (buyers abroad): the last day to pay, where to upload the proof of transfer
    # (the buyer's order page) and the rule that bank charges are the payer's, as the schedule that
    # priced the invoice cites it ("PP 7/2015 Pasal 3"); None: cite no article.
    valid_until: date | None = None
    order_url: str | None = None
    bank_charges_basis: str | None = None
    # "en": issued bilingual for a buyer who reads English (layout.LANGUAGES); the billing code's
    # expiry then also in English style ("1 December 2026, 23:59 WITA").
    language: str = "id"
    billing_expires_at_en: str | None = None


# Every fixed text of the invoice with its English, for the bilingual invoice (layout.Wording).
ENGLISH = {
    "Nomor": "Number",
    "Versi": "Version",
    "Versi {version}": "Version {version}",
    "Versi {version}, menggantikan {replaces}": "Version {version}, replacing {replaces}",
    "versi {version}": "version {version}",
    "Tanggal terbit": "Date of issue",
    "Jatuh tempo": "Due date",
    "Berlaku sampai": "Valid until",
    "Referensi pesanan": "Order reference",
    "Status": "Status",
    "Diterbitkan": "Issued",
    "BATAL (VOID)": "BATAL (VOID)",
    "LUNAS": "PAID",
    "Kepada (wajib bayar)": "To (payer)",
    "No": "No",
    "Uraian / item tarif": "Description / tariff item",
    "Perhitungan": "Calculation",
    "Jumlah": "Amount",
    "<b>Total</b>": "<b>Total</b>",
    "Tarif: {item} ({regulation})": "Tariff: {item} ({regulation})",
    "tarif normal": "normal tariff",
    "<b>Terbilang:</b> <i>{words}</i>": "<b>In words:</b> {words}",
    "Kode akun": "Account code",
    "Pembayaran": "Payment",
    "<b>Tarif Rp0</b> — {basis}; tidak ada pembayaran.": "<b>Rp0 tariff</b> — {basis}; nothing to pay.",
    "Jangan membayar berdasarkan invoice ini; gunakan invoice versi terbaru.":
        "Do not pay on this invoice; use its latest version.",
    "kode billing {code}": "billing code {code}",
    "transfer bank": "bank transfer",
    "Tagihan ini telah dibayar lunas ({paid_with}).": "This invoice has been paid in full ({paid_with}).",
    ", berlaku sampai {expires}": ", valid until {expires}",
    "Kode billing: <b>{code}</b>{expiry}; bayar di bank/pos persepsi, ATM, internet banking atau EDC; "
    "simpan bukti dengan NTPN.":
        "Billing code: <b>{code}</b>{expiry}; pay at a collecting bank or post office (bank/pos persepsi), "
        "an ATM, internet banking or EDC; keep the receipt with its NTPN (state revenue transaction number).",
    "Bendahara Penerimaan": "Receiving Treasurer",
    "Penerimaan Negara Bukan Pajak — penjualan produk statistik":
        "Non-tax state revenue (PNBP) — sale of statistical products",
    "Invoice ini dibatalkan dan digantikan versi baru.": "This invoice is void and replaced by a new version.",
}


_INVOICE_STATUSES = {"issued": "Diterbitkan", "void": "BATAL (VOID)", "paid": "LUNAS"}


def _check_invoice(doc: InvoiceDocument) -> None:
    def refuse(reason: str) -> DocumentNotPrintable:
        return DocumentNotPrintable("Invoice {number} tidak dapat dicetak: {reason}.", number=doc.number, reason=reason)

    if doc.status not in _INVOICE_STATUSES:
        raise refuse(f"status '{doc.status}' tidak dikenal")
    if doc.language not in LANGUAGES:
        raise refuse(f"bahasa '{doc.language}' tidak dikenal")
    if not doc.lines:
        raise refuse("tidak ada baris tagihan")
    if doc.total != sum(line.amount for line in doc.lines):
        raise refuse("total tidak sama dengan jumlah baris")
    if doc.total == 0 and not doc.zero_rate_basis:
        raise refuse("tagihan Rp0 tanpa dasar hukum tarif Rp0")
    if doc.total > 0 and doc.status == "issued" and not (doc.billing_code or doc.bank):
        raise refuse("tidak ada kode billing maupun instruksi transfer")


def _version_text(doc: InvoiceDocument, w: Wording) -> str:
    if doc.replaces:
        return w.label("Versi {version}, menggantikan {replaces}", version=str(doc.version),
                       replaces=markup(doc.replaces))
    return w.label("Versi {version}", version=str(doc.version))


def _invoice_meta(doc: InvoiceDocument, w: Wording) -> Table:
    half = FRAME_WIDTH / 2
    rows = [
        (w.label("Nomor"), f"<b>{markup(doc.number)}</b>"),
        (w.label("Versi"), _version_text(doc, w)),
        (w.label("Tanggal terbit"), w.inline(w.date(doc.issued_on))),
    ]
    if doc.due_on is not None:
        rows.append((w.label("Jatuh tempo"), w.inline(w.date(doc.due_on))))
    if doc.valid_until is not None:
        until = doc.valid_until  # in both languages for every buyer who pays by transfer; the label says
        english = long_date(until, "en")  # "Valid until" itself on a bilingual invoice
        rows.append((w.label("Berlaku sampai"), f"<b>{long_date(until)}</b> "
                     + (f"({english})" if w.bilingual else f"(valid until {english})")))
    rows += [(w.label("Referensi pesanan"), markup(doc.order_reference)),
             (w.label("Status"), w.label(_INVOICE_STATUSES[doc.status]))]

    buyer = [paragraph(w.label("Kepada (wajib bayar)"), "label"), paragraph(f"<b>{markup(doc.buyer_name)}</b>")]
    if doc.buyer_institution:
        buyer.append(paragraph(markup(doc.buyer_institution)))
    if doc.buyer_address:
        buyer.append(paragraph(markup(doc.buyer_address).replace("\n", "<br/>")))
    if doc.buyer_npwp:
        buyer.append(paragraph(f"NPWP {markup(format_npwp(doc.buyer_npwp))}"))
    # A box of its own, so it is as tall as the buyer's details, not as the left column.
    buyer_box = Table(
        [[buyer]],
        colWidths=[half],
        style=[
            ("BOX", (0, 0), (-1, -1), 0.5, RULE),
            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ],
    )
    return Table(
        [[fields(rows, half - 4 * mm), buyer_box]],
        colWidths=[half, half],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _amount_cell(line: DocumentLine, w: Wording) -> list[Paragraph]:
    if not line.waived:
        return [paragraph(format_rupiah(line.amount), "cell_num")]
    return [
        paragraph(f"<b>{format_rupiah(line.amount)}</b>", "cell_num"),
        paragraph(f"({w.label('tarif normal')} {format_rupiah(line.normal_amount)})", "cell_num"),
    ]


# The amount column is wide enough for Rp999.999.999.999 on one line: in bold (a waived line's Rp0
# and the total row's figure, in its larger type) and with the bracket of "(tarif normal Rp…)" after it.
_AMOUNT_WIDTH = max(
    amount_column_width("cell_num", bold=True),
    amount_column_width("cell_num", after=")"),
    amount_column_width("total", bold=True),
)


def _item_cell(line: DocumentLine, w: Wording) -> list[Paragraph]:
    """What was bought, and the tariff item that priced it in the regulation's words."""
    item = markup(line.item_name) if line.item_name else markup(line.item_code)
    item_en = markup(line.item_name_en) if line.item_name_en else None
    description = Both.of(markup(line.description), markup(line.description_en) if line.description_en else None)
    return [
        paragraph(w.beneath(description), "cell"),
        paragraph(w.stacked("Tarif: {item} ({regulation})", item=Both(item, item_en or item),
                            regulation=markup(line.regulation)), "cell_small"),
    ]


def _steps(quantity: str, basis: str, emphasis: str = "") -> list[Paragraph]:
    steps = [step.strip() for step in basis.split(" + ") if step.strip()]
    start, end = (f"<{emphasis}>", f"</{emphasis}>") if emphasis else ("", "")
    cell = []
    if not steps or not steps[0].startswith(quantity):  # "1 peta × Rp30.000" says it already
        cell.append(paragraph(f"{start}<b>{markup(quantity)}</b>{end}", "cell"))
    cell += [paragraph(start + ("+ " if n else "") + markup(step) + end, "cell") for n, step in enumerate(steps)]
    return cell


def _calculation_cell(line: DocumentLine, w: Wording) -> list[Paragraph]:
    """The quantity, then the rule's steps one per line: "1 MB pertama Rp20.000" / "+ 6.512.345 byte
    × Rp20/1.000 byte". Never a lone unit price beside a byte or page count. On a bilingual invoice
    the same in English beneath, in italics, where the line kept it (lines priced before 0015 did not)."""
    cell = _steps(line.quantity, line.basis)
    english = w.in_english(Both.of(line.basis, line.basis_en))
    if english:
        cell += _steps(line.quantity_en or line.quantity, english, emphasis="i")
    return cell


def _invoice_lines(doc: InvoiceDocument, w: Wording) -> Table:
    widths = [7 * mm, 0, 62 * mm, _AMOUNT_WIDTH]
    widths[1] = FRAME_WIDTH - sum(widths)
    head = [
        paragraph(w.stacked("No"), "cell_head"),
        paragraph(w.stacked("Uraian / item tarif"), "cell_head"),
        paragraph(w.stacked("Perhitungan"), "cell_head"),
        paragraph(w.stacked("Jumlah"), "cell_head_num"),
    ]
    rows: list[list] = [head]
    for number, line in enumerate(doc.lines, start=1):
        rows.append([paragraph(str(number), "cell"), _item_cell(line, w), _calculation_cell(line, w),
                     _amount_cell(line, w)])
    rows.append(["", paragraph(w.stacked("<b>Total</b>"), "cell"), "", paragraph(format_rupiah(doc.total), "total")])
    last = len(rows) - 1
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, 1), (-1, last - 1), 0.25, RULE),
                ("LINEABOVE", (0, last), (-1, last), 0.8, INK),
                ("LINEBELOW", (0, last), (-1, last), 0.8, INK),
                ("SPAN", (1, last), (2, last)),
                ("VALIGN", (0, last), (-1, last), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _payment_instructions(doc: InvoiceDocument, w: Wording) -> list[Flowable]:
    if doc.total == 0:
        return [paragraph(w.stacked("<b>Tarif Rp0</b> — {basis}; tidak ada pembayaran.",
                                    basis=markup(doc.zero_rate_basis)))]
    if doc.status == "void":
        # A voided invoice's billing code must not be paid: the new version carries the valid one.
        return [paragraph(w.stacked("Jangan membayar berdasarkan invoice ini; gunakan invoice versi terbaru."))]
    if doc.status == "paid":
        paid_with = w.pair("kode billing {code}", code=markup(doc.billing_code)) if doc.billing_code \
            else w.pair("transfer bank")
        return [paragraph(w.stacked("Tagihan ini telah dibayar lunas ({paid_with}).", paid_with=paid_with))]
    parts: list[Flowable] = []
    if doc.billing_code:
        expires = Both(markup(doc.billing_expires_at), markup(doc.billing_expires_at_en or doc.billing_expires_at)) \
            if doc.billing_expires_at else None
        expiry = w.pair(", berlaku sampai {expires}", expires=expires) if expires else ""
        parts.append(
            paragraph(
                w.stacked("Kode billing: <b>{code}</b>{expiry}; bayar di bank/pos persepsi, ATM, internet banking atau "
                          "EDC; simpan bukti dengan NTPN.", code=markup(doc.billing_code), expiry=expiry)
            )
        )
    if doc.bank:
        bank = doc.bank
        parts.append(
            fields(
                [
                    ("Bank / Bank", markup(bank.bank_name)),
                    ("Atas nama / Account name", markup(bank.account_name)),
                    ("No. rekening / Account no.", f"<b>{markup(bank.account_number)}</b>"),
                    ("SWIFT", f"<b>{markup(bank.swift)}</b>"),
                    ("Referensi / Reference", f"<b>{markup(bank.reference)}</b>"),
                ],
                FRAME_WIDTH,
                label_width=44 * mm,
            )
        )
        parts.append(Spacer(1, 3))
        parts += _transfer_steps(doc, bank)
    return parts


def _transfer_steps(doc: InvoiceDocument, bank: BankDetails) -> list[Flowable]:
    """What a buyer abroad does, in Indonesian and English: pay by the validity date, bear the bank
    charges (citing the schedule that priced the invoice), and upload the proof in the service."""
    amount = format_rupiah(doc.total)
    amount_en = format_rupiah(doc.total, dates.locale_of("en"))  # "Rp50,000" in the English sentence
    reference = markup(bank.reference)
    by_id = f" paling lambat {long_date(doc.valid_until)}" if doc.valid_until else ""
    by_en = f" by {long_date(doc.valid_until, 'en')}" if doc.valid_until else ""
    basis = f" ({markup(doc.bank_charges_basis)})" if doc.bank_charges_basis else ""
    steps_id = [
        f"Transfer sejumlah {amount}{by_id} ke rekening di atas dan cantumkan referensi {reference} "
        f"pada berita transfer. Biaya bank ditanggung pembayar{basis}.",
    ]
    steps_en = [
        f"Please transfer {amount_en} (Indonesian rupiah){by_en} to the account above, reference: {reference}. "
        f"All bank charges are borne by the payer{basis}.",
    ]
    if doc.order_url:
        link = f'<link href="{markup(doc.order_url)}"><u>{markup(doc.order_url)}</u></link>'
        steps_id.append(f"Setelah transfer, unggah bukti transfer pada halaman pesanan Anda di layanan ini: {link}")
        steps_en.append(f"After the transfer, upload the proof of transfer on your order page in this service: {link}")
    return [
        *(paragraph(text) for text in steps_id),
        Spacer(1, 2),
        *(paragraph(f"<i>{text}</i>") for text in steps_en),
    ]


def invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice (tagihan PNBP) as an A4 PDF."""
    _check_invoice(doc)
    w = Wording.of(doc.language, ENGLISH)
    stamp = Stamp("LUNAS", "PAID", PAID_GREEN) if doc.status == "paid" else None
    story: list[Flowable] = [
        header(doc.office, doc.verify_url, wording=w),
        Spacer(1, 8),
        title("INVOICE / TAGIHAN PNBP", w.stacked("Penerimaan Negara Bukan Pajak — penjualan produk statistik"), stamp),
        Spacer(1, 4),
    ]
    if doc.status == "void":
        story += [paragraph(w.stacked("Invoice ini dibatalkan dan digantikan versi baru."), "alert"), Spacer(1, 4)]
    story += [
        _invoice_meta(doc, w),
        Spacer(1, 10),
        _invoice_lines(doc, w),
        Spacer(1, 5),
        paragraph(w.stacked("<b>Terbilang:</b> <i>{words}</i>", words=w.amount_in_words(doc.total))),
        Spacer(1, 2),
        paragraph(f"{w.label('Kode akun')}: {markup(doc.office.account_code)}", "small"),
        KeepTogether([paragraph(w.label("Pembayaran"), "heading"), *_payment_instructions(doc, w)]),
        Spacer(1, 12),
        KeepTogether(treasurer_signature(doc.office, doc.issued_on, w)),
    ]
    return render(
        story,
        title=f"Invoice {doc.number} (versi {doc.version})",
        author=doc.office.name,
        footer=f"{doc.number} · {w.label('versi {version}', version=str(doc.version))} · {doc.office.name}",
        watermark=VOID_WATERMARK if doc.status == "void" else None,
        wording=w,
    )
