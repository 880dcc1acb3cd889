"""The revenue recap as files for the treasurer's books: CSV and XLSX (openpyxl), data in,
bytes out. Pure: no Flask, no SQLAlchemy, no queries.

Both files hold the same detail table, one row per period and tariff item (money received), per
period (refunds paid, deposits made) and per period and segment (the Rp0 register), so either
can be summed or pivoted as the books need. The XLSX adds a summary sheet per period with the
totals. Amounts are whole rupiah as integers (number cells in the XLSX); periods are ISO dates
(``2026-11-24``) or months (``2026-11``) in the CSV and date cells in the XLSX. Headers and
labels are in the visitor's language (``translate``, the caller's gettext).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font

from sales_service.errors import N_
from sales_service.pnbp.segments import SEGMENT_LABELS

if TYPE_CHECKING:  # the service's data; this module never runs a query
    from sales_service.payments.recap import ItemRow, Recap

Translate = Callable[[str], str]
Cell = str | int | date | None

KIND_RECEIVED = N_("Penerimaan")
KIND_REFUNDED = N_("Pengembalian")
KIND_DEPOSITED = N_("Setoran ke kas negara")
KIND_WAIVED = N_("Register Rp0 (nilai normal dibebaskan)")
NO_ITEM = N_("Tanpa rincian item tarif")
DETAIL_HEADER = (N_("Jenis"), N_("Periode"), N_("Kode akun"), N_("Peraturan"), N_("Kode item"),
                 N_("Uraian"), N_("Banyaknya"), N_("Jumlah (Rp)"))
SUMMARY_HEADER = (N_("Periode"), N_("Pembayaran"), N_("Diterima (Rp)"), N_("Dikembalikan (Rp)"),
                  N_("Bersih (Rp)"), N_("Disetor ke kas negara (Rp)"))
TOTAL = N_("Jumlah")
DETAIL_SHEET, SUMMARY_SHEET = N_("Rincian"), N_("Ringkasan")
AMOUNT_FORMAT = "#,##0"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def item_label(row: ItemRow, language: str, translate: Translate) -> str:
    """The tariff item as its regulation names it (in English on English pages, where the
    schedule gives an English name), else its code; money with no item says so."""
    if row.item_code is None:
        return translate(NO_ITEM)
    name = row.name_en if language == "en" else row.name_id
    return name or row.item_code


def segment_label(segment, language: str) -> str:
    indonesian, english = SEGMENT_LABELS[segment]
    return english if language == "en" else indonesian


def detail_table(recap: Recap, language: str, translate: Translate) -> Table:
    """Every figure of the recap, one row each (see the module docstring)."""
    rows: list[tuple[Cell, ...]] = []
    for row in recap.items:
        rows.append((translate(KIND_RECEIVED), row.period, row.account_code, row.regulation, row.item_code,
                     item_label(row, language, translate), row.payments, row.amount))
    for total in recap.totals:
        if total.refunded:
            rows.append((translate(KIND_REFUNDED), total.period, recap.account_code, None, None, None, None,
                         -total.refunded))
    for total in recap.totals:
        if total.deposited:
            rows.append((translate(KIND_DEPOSITED), total.period, None, None, None, None, None, total.deposited))
    for waiver in recap.waivers:
        rows.append((translate(KIND_WAIVED), waiver.period, None, None, None,
                     segment_label(waiver.segment, language), waiver.orders, waiver.waived))
    return Table(tuple(translate(h) for h in DETAIL_HEADER), rows)


def summary_table(recap: Recap, translate: Translate) -> Table:
    rows: list[tuple[Cell, ...]] = [(t.period, t.payments, t.received, t.refunded, t.net, t.deposited)
                                    for t in recap.totals]
    rows.append((translate(TOTAL), recap.payments, recap.received, recap.refunded, recap.net, recap.deposited))
    return Table(tuple(translate(h) for h in SUMMARY_HEADER), rows)


def _period_text(value: Cell, monthly: bool) -> Cell:
    if isinstance(value, date):
        return f"{value:%Y-%m}" if monthly else value.isoformat()
    return value


def recap_csv(recap: Recap, language: str, translate: Translate) -> bytes:
    """The detail table as CSV (comma-separated, UTF-8 with a byte-order mark so that
    spreadsheet programs read it as UTF-8)."""
    monthly = recap.span.granularity == "month"
    table = detail_table(recap, language, translate)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(["" if cell is None else _period_text(cell, monthly) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def recap_xlsx(recap: Recap, language: str, translate: Translate) -> bytes:
    """The detail table (sheet "Rincian") and the per-period totals (sheet "Ringkasan") as XLSX."""
    monthly = recap.span.granularity == "month"
    period_format = "yyyy-mm" if monthly else "yyyy-mm-dd"
    workbook = Workbook()
    summary = workbook.active
    summary.title = translate(SUMMARY_SHEET)
    _fill(summary, summary_table(recap, translate), period_format)
    _fill(workbook.create_sheet(translate(DETAIL_SHEET)), detail_table(recap, language, translate), period_format)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill(sheet, table: Table, period_format: str) -> None:
    sheet.append(list(table.header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = period_format
            elif isinstance(cell.value, int):
                cell.number_format = AMOUNT_FORMAT
    for column, header in zip(sheet.columns, table.header, strict=True):
        widest = max([len(header)] + [len(str(c.value)) for c in column if c.value is not None])
        sheet.column_dimensions[column[0].column_letter].width = min(60, widest + 2)
    sheet.freeze_panes = "A2"
