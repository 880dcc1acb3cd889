"""The receipt (kuitansi) of the receiving treasurer: a :class:`ReceiptDocument` in, A4 PDF bytes out.

What it holds follows DOMAIN.md ("Documents"): number and fiscal year, who the money was received
from, the amount in figures and in words, what it pays for (the tariff items in the regulation's
words and the invoice number), the account code, how it was paid (billing code with NTPN and NTB,
or the transfer reference, with the payment date and bank), place and date, and the treasurer's
name, NIP and room to sign; the QR code links the verification page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from sales_service.documents.layout import (
    FRAME_WIDTH,
    INK,
    PAID_GREEN,
    RULE,
    SHADE,
    DocumentNotPrintable,
    Office,
    Stamp,
    amount_column_width,
    amount_in_words,
    fields,
    header,
    markup,
    paragraph,
    render,
    title,
    treasurer_signature,
)
from sales_service.money import format_rupiah

__all__ = ["PaymentReference", "ReceiptDocument", "ReceiptItem", "receipt_pdf"]


@dataclass(frozen=True)
class ReceiptItem:
    """One thing paid for, as the invoice priced it."""

    description: str  # what was bought: "Publikasi Tabanan Dalam Angka 2025"
    tariff_item: str  # the tariff item in the regulation's words ("Publikasi elektronik")
    regulation: str  # "PP 13/2024"
    amount: int  # whole rupiah


@dataclass(frozen=True)
class PaymentReference:
    """One payment the receipt acknowledges. ``ntpn`` for a state-treasury payment (billing code);
    ``reference`` the bank's NTB, or the transfer reference of a transfer."""

    method: str  # "Kode billing", "Transfer bank", "Tunai", as printed
    paid_on: str  # already formatted on the office's clock: "24 November 2026, 10.15 WIB"
    amount: int
    bank: str | None = None
    ntpn: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class ReceiptDocument:
    number: str
    fiscal_year: int
    issued_on: date
    office: Office
    payer_name: str
    payer_institution: str | None
    amount: int  # whole rupiah received
    items: tuple[ReceiptItem, ...]
    invoice_number: str
    order_reference: str
    billing_code: str | None  # None: paid by transfer or cash, not with a SIMPONI code
    payments: tuple[PaymentReference, ...]
    verify_url: str  # absolute URL in the QR code and printed under it
    replaces: str | None = None  # number of the voided receipt this one replaces
    replaces_reason: str | None = None  # why that one was voided


def _check_receipt(doc: ReceiptDocument) -> None:
    def refuse(reason: str) -> DocumentNotPrintable:
        return DocumentNotPrintable("Kuitansi {number} tidak dapat dicetak: {reason}.", number=doc.number,
                                    reason=reason)

    if doc.amount <= 0:
        raise refuse("jumlah harus lebih dari nol")
    if not doc.items:
        raise refuse("tidak ada yang dibayar")
    if doc.amount != sum(item.amount for item in doc.items):
        raise refuse("jumlah tidak sama dengan rincian pembayaran")
    if not doc.payments:
        raise refuse("tidak ada pembayaran yang diterima")
    if doc.amount != sum(payment.amount for payment in doc.payments):
        raise refuse("jumlah tidak sama dengan pembayaran yang diterima")
    if doc.fiscal_year != doc.issued_on.year:
        raise refuse("tahun anggaran bukan tahun tanggal kuitansi")


# Figures up to Rp999.999.999.999 stay on one line, in bold in the amount row.
_AMOUNT_WIDTH = max(amount_column_width("cell_num", bold=True), amount_column_width("total", bold=True))


def _grid(rows: list[list], widths: list[float], *, total_row: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    last = len(rows) - 1
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if total_row:
        style += [("LINEABOVE", (0, last), (-1, last), 0.8, INK), ("LINEBELOW", (0, last), (-1, last), 0.8, INK),
                  ("SPAN", (0, last), (1, last))]
    table.setStyle(TableStyle(style))
    return table


def _items(doc: ReceiptDocument) -> Table:
    widths = [7 * mm, FRAME_WIDTH - 7 * mm - _AMOUNT_WIDTH, _AMOUNT_WIDTH]
    rows: list[list] = [[paragraph("No", "cell_head"), paragraph("Uraian / item tarif", "cell_head"),
                         paragraph("Jumlah", "cell_head_num")]]
    for number, item in enumerate(doc.items, start=1):
        rows.append([
            paragraph(str(number), "cell"),
            [paragraph(markup(item.description), "cell"),
             paragraph(f"Tarif: {markup(item.tariff_item)} ({markup(item.regulation)})", "cell_small")],
            paragraph(format_rupiah(item.amount), "cell_num"),
        ])
    rows.append([paragraph("<b>Jumlah</b>", "cell"), "", paragraph(format_rupiah(doc.amount), "total")])
    return _grid(rows, widths, total_row=True)


def _payments(doc: ReceiptDocument) -> Table:
    amount = amount_column_width("cell_num")
    widths = [27 * mm, 34 * mm, 27 * mm, 0, amount]
    widths[3] = FRAME_WIDTH - sum(widths)
    heads = ("Cara", "Tanggal bayar", "Bank", "NTPN / NTB / referensi")
    rows: list[list] = [[paragraph(text, "cell_head") for text in heads] + [paragraph("Jumlah", "cell_head_num")]]
    for payment in doc.payments:
        references = []
        if payment.ntpn:
            references.append(f"NTPN <b>{markup(payment.ntpn)}</b>")
        if payment.reference:
            references.append(f"{'NTB' if payment.ntpn else 'Referensi'} {markup(payment.reference)}")
        rows.append([
            paragraph(markup(payment.method), "cell"),
            paragraph(markup(payment.paid_on), "cell"),
            paragraph(markup(payment.bank) if payment.bank else "—", "cell"),
            paragraph("<br/>".join(references) or "—", "cell"),
            paragraph(format_rupiah(payment.amount), "cell_num"),
        ])
    return _grid(rows, widths)


def _particulars(doc: ReceiptDocument) -> Table:
    payer = f"<b>{markup(doc.payer_name)}</b>"
    if doc.payer_institution:
        payer += f"<br/>{markup(doc.payer_institution)}"
    purpose = (f"Penerimaan Negara Bukan Pajak penjualan produk statistik sesuai invoice "
               f"<b>{markup(doc.invoice_number)}</b> (pesanan {markup(doc.order_reference)}), dengan rincian:")
    rows = [
        ("Sudah terima dari", payer),
        ("Uang sejumlah", f"<font size=12><b>{format_rupiah(doc.amount)}</b></font>"),
        ("Terbilang", f"<i>{amount_in_words(doc.amount)}</i>"),
        ("Untuk pembayaran", purpose),
    ]
    return fields(rows, FRAME_WIDTH, label_width=34 * mm)


def receipt_pdf(doc: ReceiptDocument) -> bytes:
    """The receipt (kuitansi) as an A4 PDF."""
    _check_receipt(doc)
    subtitle = f"Nomor <b>{markup(doc.number)}</b> &nbsp;·&nbsp; Tahun Anggaran {doc.fiscal_year}"
    story: list[Flowable] = [
        header(doc.office, doc.verify_url),
        Spacer(1, 8),
        title("KUITANSI / BUKTI PENERIMAAN", subtitle, Stamp("LUNAS", "DITERIMA", PAID_GREEN)),
        Spacer(1, 6),
    ]
    if doc.replaces:
        reason = f": {markup(doc.replaces_reason)}" if doc.replaces_reason else ""
        story += [paragraph(f"Kuitansi ini menggantikan kuitansi {markup(doc.replaces)} yang dibatalkan{reason}."),
                  Spacer(1, 4)]
    story += [
        _particulars(doc),
        Spacer(1, 4),
        _items(doc),
        Spacer(1, 3),
        paragraph(f"Kode akun: <b>{markup(doc.office.account_code)}</b>"),
        KeepTogether([
            paragraph("Pembayaran diterima", "heading"),
            *([paragraph(f"Kode billing: <b>{markup(doc.billing_code)}</b>")] if doc.billing_code else []),
            Spacer(1, 2),
            _payments(doc),
        ]),
        Spacer(1, 12),
        KeepTogether(treasurer_signature(doc.office, doc.issued_on)),
    ]
    return render(
        story,
        title=f"Kuitansi {doc.number}",
        author=doc.office.name,
        footer=f"Kuitansi {doc.number} · TA {doc.fiscal_year} · {doc.office.name}",
        watermark=None,
    )
