"""The treasurer's bank statement: read it, and propose which open invoice each credit pays.

Three formats, told apart by their first bytes (README "Bank statement import"): CSV with a
header row, ISO 20022 camt.053 XML (read with ``defusedxml``: a DTD, and so any entity
expansion such as "billion laughs", is refused) and SWIFT MT940 (read with ``mt-940``).
Reading is all or nothing: the first line that cannot be read raises
:class:`StatementUnreadable` naming the line or element, and the caller stores nothing.

Matching is pure and indexed: the open invoices are put in dictionaries by billing code,
invoice number, order reference, transfer-proof reference and amount, so a statement of
100,000 lines against 100,000 invoices costs a few dictionary look-ups per line, never a
comparison of every line with every invoice. Nothing is matched automatically: the best
candidate is *proposed* to the treasurer, and two equally good candidates are a *tie*.

Pure module: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from babel.numbers import get_currency_precision

from sales_service.errors import N_, InvalidInput
from sales_service.money import round_rupiah


class StatementFormat(StrEnum):
    CSV = "csv"
    CAMT053 = "camt053"
    MT940 = "mt940"


class StatementUnreadable(InvalidInput):
    """A statement file that cannot be read as a whole: nothing of it is stored. The
    template names the line or element (one of the sentences below)."""


# Why a statement cannot be read (Indonesian; catalogue entries, translated where shown).
NOT_UTF8 = N_("Berkas mutasi bukan teks UTF-8 (simpan ulang sebagai CSV UTF-8).")
EMPTY = N_("Berkas mutasi kosong.")
XML_UNSAFE = N_("Berkas XML memuat DTD atau deklarasi entitas; ditolak demi keamanan.")
XML_BROKEN = N_("XML mutasi rusak pada baris {line}, kolom {column}.")
NOT_CAMT053 = N_("Dokumen XML ini bukan mutasi camt.053 (elemen {element}).")
CAMT_MISSING = N_("Entri ke-{entry} (Ntry) tidak memiliki elemen {element}.")
CAMT_BAD_VALUE = N_("Entri ke-{entry} (Ntry): nilai elemen {element} tidak sah ({value}).")
MT940_BAD_TAG = N_("Baris {line}: tag :{tag}: MT940 tidak terbaca.")
CSV_NO_HEADER = N_("Baris 1 harus berisi nama kolom; kolom wajib yang tidak ada: {columns}.")
CSV_FIELDS = N_("Baris {line}: jumlah kolom {found}, seharusnya {expected}.")
CSV_DATE = N_("Baris {line}: tanggal '{value}' tidak terbaca (gunakan YYYY-MM-DD atau DD/MM/YYYY).")
CSV_AMOUNT = N_("Baris {line}: jumlah '{value}' tidak terbaca (contoh: 1250000, 1250000.00 atau 1.250.000,00).")
CSV_DIRECTION = N_("Baris {line}: arah '{value}' tidak dikenal (C/K/CR/KREDIT atau D/DB/DEBIT).")
CSV_CURRENCY = N_("Baris {line}: mata uang '{value}' bukan kode ISO 4217 tiga huruf.")
CSV_TOO_LONG = N_("Baris {line}: kolom {column} lebih dari {limit} karakter.")

MAX_REFERENCE = 100
MAX_COUNTERPARTY = 200
MAX_ACCOUNT = 100
MAX_REMITTANCE = 2000


@dataclass(frozen=True, slots=True)
class BankLine:
    """One booked transaction as the bank reported it. Amounts are integer minor units of
    ``currency`` (ISO 4217 digits: sen for IDR, cents for USD), never negative; ``credit``
    says the direction."""

    position: int  # 1-based: CSV data row, camt.053 entry, MT940 :61: line
    account: str
    booked_on: date
    value_on: date | None
    amount_minor: int
    currency: str
    credit: bool
    reversal: bool  # the bank took back an earlier booking
    counterparty: str
    remittance: str
    bank_reference: str
    sent_minor: int | None = None  # what the sender instructed, in its currency (camt.053 InstdAmt)
    sent_currency: str | None = None

    @property
    def rupiah(self) -> int | None:
        """Whole rupiah of a rupiah line (rounded once, as all rupiah are); None in another currency."""
        if self.currency != "IDR":
            return None
        return round_rupiah(major(self.amount_minor, "IDR"))

    @property
    def matchable(self) -> bool:
        """An incoming rupiah credit may pay an invoice; debits and reversals never do."""
        return self.credit and not self.reversal and bool(self.rupiah)


def major(amount_minor: int, currency: str) -> Decimal:
    """Minor units back to the currency's own unit (for showing a non-rupiah line)."""
    return Decimal(amount_minor).scaleb(-precision(currency))


def line_keys(lines: Sequence[BankLine]) -> list[str]:
    """One key per bank transaction, the same whichever file brings it again: the account and
    the bank's reference, or, without a reference, a hash of date, direction, amount and texts.
    Identical lines within one file are told apart by their order among themselves (two equal
    transfers on one day are two transactions, and the same file again gives the same keys)."""
    seen: dict[tuple, int] = defaultdict(int)
    keys = []
    for line in lines:
        if line.bank_reference:
            identity: tuple = ("ref", line.account, line.bank_reference)
        else:
            identity = ("text", line.account, line.booked_on.isoformat(), line.credit, line.amount_minor,
                        line.currency, line.remittance, line.counterparty)
        occurrence = seen[identity]
        seen[identity] += 1
        keys.append(hashlib.sha256(repr((identity, occurrence)).encode("utf-8")).hexdigest())
    return keys


# -- reading -----------------------------------------------------------------------------------------

def detect_format(data: bytes) -> StatementFormat:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2000]
    if head.startswith(b"<"):
        return StatementFormat.CAMT053
    if head.startswith((b"{1:", b":20:")) or re.search(rb"(^|\n):20:", head) and b":25:" in head:
        return StatementFormat.MT940
    return StatementFormat.CSV


def read_statement(data: bytes) -> tuple[StatementFormat, list[BankLine]]:
    """The statement's format and its booked lines, or :class:`StatementUnreadable`."""
    if not data.strip():
        raise StatementUnreadable(EMPTY)
    kind = detect_format(data)
    reader = {StatementFormat.CSV: read_csv, StatementFormat.CAMT053: read_camt053,
              StatementFormat.MT940: read_mt940}[kind]
    return kind, reader(data)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementUnreadable(NOT_UTF8) from None


def precision(currency: str) -> int:
    """Decimals of ``currency``'s minor unit. ISO 4217 gives the rupiah two (sen) where CLDR, and
    so babel, says none; statements print sen (interest, tax), so rupiah lines are kept in sen."""
    return 2 if currency == "IDR" else get_currency_precision(currency)


def _minor(amount: Decimal, currency: str) -> int | None:
    """``amount`` in integer minor units of ``currency``; None if it has more decimals than the currency."""
    scaled = amount.scaleb(precision(currency))
    if amount < 0 or scaled != scaled.to_integral_value():
        return None
    return int(scaled)


# CSV -----------------------------------------------------------------------------------------------

# Column names: English as documented, with the Indonesian names banks print.
CSV_COLUMNS = {
    "booking_date": ("booking_date", "tanggal_pembukuan", "tanggal", "tgl_pembukuan"),
    "value_date": ("value_date", "tanggal_valuta", "tgl_valuta"),
    "amount": ("amount", "jumlah", "nominal"),
    "currency": ("currency", "mata_uang"),
    "debit_credit": ("debit_credit", "dk", "db_cr", "arah"),
    "counterparty": ("counterparty", "counterparty_name", "nama_pihak_lawan", "pengirim"),
    "remittance": ("remittance", "remittance_text", "keterangan", "berita"),
    "bank_reference": ("bank_reference", "reference", "referensi", "no_referensi"),
    "account": ("account", "rekening", "nomor_rekening"),
}
CSV_REQUIRED = ("booking_date", "amount", "debit_credit")
CREDIT_MARKS = {"C", "CR", "CRDT", "CREDIT", "K", "KR", "KREDIT"}
DEBIT_MARKS = {"D", "DB", "DR", "DBIT", "DEBIT", "DEBET"}
_AMOUNT = re.compile(r"^(?P<int>\d{1,3}(?:(?P<group>[.,])\d{3})+|\d+)(?:(?P<dec>[.,])(?P<frac>\d{1,3}))?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _column_name(raw: str) -> str:
    return re.sub(r"[\s\-/]+", "_", raw.strip().lower())


def read_csv(data: bytes) -> list[BankLine]:
    text = _text(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [_column_name(name) for name in next(rows, [])]
    where = {name: header.index(alias) for name, aliases in CSV_COLUMNS.items()
             for alias in aliases if alias in header}
    missing = [name for name in CSV_REQUIRED if name not in where]
    if missing:
        raise StatementUnreadable(CSV_NO_HEADER, columns=", ".join(missing))
    lines = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise StatementUnreadable(CSV_FIELDS, line=number, found=len(row), expected=len(header))

        def cell(name: str, row=row) -> str:
            return row[where[name]].strip() if name in where else ""

        currency = (cell("currency") or "IDR").upper()
        if not _CURRENCY.match(currency):
            raise StatementUnreadable(CSV_CURRENCY, line=number, value=cell("currency"))
        mark = cell("debit_credit").upper()
        if mark not in CREDIT_MARKS | DEBIT_MARKS:
            raise StatementUnreadable(CSV_DIRECTION, line=number, value=cell("debit_credit"))
        value_text = cell("value_date")
        lines.append(BankLine(
            position=number - 1,
            account=_limited(cell("account"), "account", MAX_ACCOUNT, number),
            booked_on=_csv_date(cell("booking_date"), number),
            value_on=_csv_date(value_text, number) if value_text else None,
            amount_minor=_csv_amount(cell("amount"), currency, number),
            currency=currency,
            credit=mark in CREDIT_MARKS,
            reversal=False,
            counterparty=_limited(cell("counterparty"), "counterparty", MAX_COUNTERPARTY, number),
            remittance=_limited(cell("remittance"), "remittance", MAX_REMITTANCE, number),
            bank_reference=_limited(cell("bank_reference"), "bank_reference", MAX_REFERENCE, number),
        ))
    return lines


def _limited(value: str, column: str, limit: int, number: int) -> str:
    if len(value) > limit:
        raise StatementUnreadable(CSV_TOO_LONG, line=number, column=column, limit=limit)
    return value


def _csv_date(value: str, number: int) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise StatementUnreadable(CSV_DATE, line=number, value=value[:40])


def _csv_amount(value: str, currency: str, number: int) -> int:
    """Plain (``1250000.00``) or grouped (``1.250.000,00``, ``1,250,000.00``, ``1.250.000``): a
    separator followed by three digits groups thousands, the last one followed by fewer is the
    decimal point; more decimals than the currency has are refused, never rounded away."""
    match = _AMOUNT.match(value.replace(" ", "").replace("\u00a0", ""))
    minor = None
    if match and not (match["group"] and match["dec"] == match["group"]):
        digits = match["int"].replace(".", "").replace(",", "")
        frac = match["frac"] or "0"
        minor = _minor(Decimal(f"{digits}.{frac}"), currency)
    if minor is None:
        raise StatementUnreadable(CSV_AMOUNT, line=number, value=value[:40])
    return minor


# camt.053 --------------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(element, name: str):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _path(element, path: str):
    """The first element along ``path`` ("A/B/C") by local names, whatever the namespace version."""
    for name in path.split("/"):
        if element is None:
            return None
        element = _child(element, name)
    return element


def _all(element, path: str) -> list:
    """Every element along ``path`` (repeated elements at any step)."""
    found = [element]
    for name in path.split("/"):
        found = [child for parent in found for child in _children(parent, name)]
    return found


def _value(element, path: str) -> str:
    found = _path(element, path)
    return (found.text or "").strip() if found is not None else ""


def read_camt053(data: bytes) -> list[BankLine]:
    import defusedxml.ElementTree as SafeTree  # noqa: N812  (the stdlib's module name, defused)
    from defusedxml import DefusedXmlException

    try:
        root = SafeTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise StatementUnreadable(XML_UNSAFE) from None
    except SafeTree.ParseError as error:
        line, column = error.position
        raise StatementUnreadable(XML_BROKEN, line=line, column=column) from None
    if _local(root.tag) != "Document" or _child(root, "BkToCstmrStmt") is None:
        first = next(iter(root), None)
        raise StatementUnreadable(NOT_CAMT053, element=_local(first.tag if first is not None else root.tag))
    lines: list[BankLine] = []
    for statement in _all(root, "BkToCstmrStmt/Stmt"):
        account = _value(statement, "Acct/Id/IBAN") or _value(statement, "Acct/Id/Othr/Id")
        for entry in _children(statement, "Ntry"):
            position = len(lines) + 1
            line = _camt_entry(entry, account[:MAX_ACCOUNT], position)
            if line is not None:
                lines.append(line)
    return lines


def _camt_entry(entry, account: str, position: int) -> BankLine | None:
    status = _value(entry, "Sts/Cd") or _value(entry, "Sts")
    if status and status != "BOOK":  # pending or information only: not yet money on the account
        return None

    def required(path: str) -> str:
        value = _value(entry, path)
        if not value:
            raise StatementUnreadable(CAMT_MISSING, entry=position, element=path)
        return value

    amount_element = _path(entry, "Amt")
    amount_text = required("Amt")
    currency = (amount_element.get("Ccy") or "").strip()
    if not _CURRENCY.match(currency):
        raise StatementUnreadable(CAMT_BAD_VALUE, entry=position, element="Amt/@Ccy", value=currency[:10])
    amount = _camt_amount(amount_text, currency, position, "Amt")
    mark = required("CdtDbtInd")
    if mark not in ("CRDT", "DBIT"):
        raise StatementUnreadable(CAMT_BAD_VALUE, entry=position, element="CdtDbtInd", value=mark[:10])
    booked = _value(entry, "BookgDt/Dt") or _value(entry, "BookgDt/DtTm")
    if not booked:
        raise StatementUnreadable(CAMT_MISSING, entry=position, element="BookgDt/Dt")
    valued = _value(entry, "ValDt/Dt") or _value(entry, "ValDt/DtTm")
    credit = mark == "CRDT"
    details = _all(entry, "NtryDtls/TxDtls")
    party = "Dbtr" if credit else "Cdtr"
    counterparty = next((name for tx in details for name in (
        _value(tx, f"RltdPties/{party}/Nm"), _value(tx, f"RltdPties/{party}/Pty/Nm"),
        _value(tx, f"RltdPties/Ultmt{party}/Nm"), _value(tx, f"RltdPties/Ultmt{party}/Pty/Nm")) if name), "")
    texts = [text for tx in details for text in (
        *(_text_of(u) for u in _all(tx, "RmtInf/Ustrd")),
        *(_text_of(r) for r in _all(tx, "RmtInf/Strd/CdtrRefInf/Ref")),
        _value(tx, "AddtlTxInf"),
        "" if _value(tx, "Refs/EndToEndId") == "NOTPROVIDED" else _value(tx, "Refs/EndToEndId"),
    ) if text]
    texts.append(_value(entry, "AddtlNtryInf"))
    reference = _value(entry, "AcctSvcrRef") or next(
        (ref for tx in details if (ref := _value(tx, "Refs/AcctSvcrRef"))), "")
    sent = next((found for tx in details if (found := _path(tx, "AmtDtls/InstdAmt/Amt")) is not None), None)
    sent_currency = (sent.get("Ccy") or "").strip().upper() if sent is not None else None
    sent_minor = None
    if sent is not None and sent_currency and _CURRENCY.match(sent_currency):
        sent_minor = _camt_amount((sent.text or "").strip(), sent_currency, position, "AmtDtls/InstdAmt/Amt")
    else:
        sent_currency = None
    return BankLine(
        position=position, account=account, booked_on=_camt_date(booked, position, "BookgDt"),
        value_on=_camt_date(valued, position, "ValDt") if valued else None,
        amount_minor=amount, currency=currency, credit=credit,
        reversal=_value(entry, "RvslInd").lower() == "true",
        counterparty=counterparty[:MAX_COUNTERPARTY], remittance=" ".join(t for t in texts if t)[:MAX_REMITTANCE],
        bank_reference=reference[:MAX_REFERENCE], sent_minor=sent_minor, sent_currency=sent_currency)


def _text_of(element) -> str:
    return (element.text or "").strip()


def _camt_amount(text: str, currency: str, position: int, element: str) -> int:
    try:
        minor = _minor(Decimal(text), currency) if re.fullmatch(r"\d+(\.\d+)?", text) else None
    except InvalidOperation:
        minor = None
    if minor is None:
        raise StatementUnreadable(CAMT_BAD_VALUE, entry=position, element=element, value=text[:40])
    return minor


def _camt_date(text: str, position: int, element: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise StatementUnreadable(CAMT_BAD_VALUE, entry=position, element=element, value=text[:40]) from None


# MT940 ---------------------------------------------------------------------------------------------

def read_mt940(data: bytes) -> list[BankLine]:
    import mt940

    text = _text(data).replace("\r\n", "\n")
    try:
        # A handle, never the text itself: mt-940 reads a str that names an existing file from disk.
        statements = mt940.parse_statements(io.StringIO(text))
    except RuntimeError as error:
        tag, value = (error.args[1], error.args[2]) if len(error.args) >= 3 else (None, "")
        raise StatementUnreadable(MT940_BAD_TAG, line=_line_of(text, str(value)),
                                  tag=getattr(tag, "id", "?")) from None
    lines: list[BankLine] = []
    for statement in statements:
        account = str(statement.data.get("account_identification") or "")[:MAX_ACCOUNT]
        for transaction in statement:
            found = transaction.data
            status = str(found.get("status") or "")
            amount = found["amount"]
            currency = str(amount.currency).upper()
            minor = _minor(abs(Decimal(amount.amount)), currency)
            if minor is None:
                raise StatementUnreadable(MT940_BAD_TAG, line=_line_of(text, ":61:", len(lines) + 1), tag="61")
            booked = found.get("entry_date") or found["date"]
            details = " ".join(str(found.get(key) or "") for key in ("transaction_details", "extra_details"))
            lines.append(BankLine(
                position=len(lines) + 1, account=account, booked_on=date(booked.year, booked.month, booked.day),
                value_on=date(found["date"].year, found["date"].month, found["date"].day),
                amount_minor=minor, currency=currency, credit=status.endswith("C"), reversal=status.startswith("R"),
                counterparty="", remittance=" ".join(details.split())[:MAX_REMITTANCE],
                bank_reference=str(found.get("bank_reference") or "").strip()[:MAX_REFERENCE]))
    return lines


def _line_of(text: str, value: str, occurrence: int = 1) -> int:
    """The 1-based line number of the ``occurrence``-th ``value`` in ``text`` (1 if not found)."""
    index = -1
    for _ in range(occurrence):
        index = text.find(value, index + 1)
        if index < 0:
            return 1
    return text.count("\n", 0, index) + 1


# -- matching -----------------------------------------------------------------------------------------

WINDOW_DAYS = 30  # a transfer is looked for in the 30 days after its invoice was issued
SHORT_TOLERANCE = Decimal("0.10")  # bank charges the payer bears: a credit up to 10% short is still "the amount"
MIN_SCORE = 40  # the least a candidate needs to be proposed (an exact amount inside the window)
MAX_PROPOSALS = 5

# Points: the strongest reference found counts, then amount and date.
POINTS = {"billing_code": 60, "invoice_number": 60, "order_reference": 50, "proof_reference": 40,
          "amount": 30, "short_amount": 15, "date": 10}


class Reason(StrEnum):
    BILLING_CODE = "billing_code"  # the invoice's billing code is in the remittance text
    INVOICE_NUMBER = "invoice_number"
    ORDER_REFERENCE = "order_reference"  # PST-YYYY-NNNNNN
    PROOF_REFERENCE = "proof_reference"  # the reference on the buyer's proof of transfer
    AMOUNT = "amount"  # exactly what is still owed
    SHORT_AMOUNT = "short_amount"  # a little less than owed: bank charges
    DATE = "date"  # booked within the window after the invoice


REFERENCE_REASONS = frozenset({Reason.BILLING_CODE, Reason.INVOICE_NUMBER, Reason.ORDER_REFERENCE,
                               Reason.PROOF_REFERENCE})
_ORDER_OF_REASONS = tuple(Reason)  # iterating an Enum class is slow; this is its order, once


class Verdict(StrEnum):
    UNMATCHED = "unmatched"
    PROPOSED = "proposed"
    TIE = "tie"


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An invoice that may still receive a transfer: what is owed and how it can be recognised."""

    invoice_id: int
    number: str
    order_reference: str
    remaining: int  # whole rupiah still owed
    issued_on: date
    billing_codes: tuple[str, ...] = ()
    proof_references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Credit:
    """An incoming rupiah credit to match. ``text`` is everything the bank says about it."""

    line_id: int
    booked_on: date
    rupiah: int
    text: str


@dataclass(frozen=True, slots=True)
class Proposal:
    invoice_id: int
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Match:
    line_id: int
    verdict: Verdict
    proposals: tuple[Proposal, ...]  # best first; on a tie the equal best ones lead


_NOT_KEY = re.compile(r"[^0-9A-Z]")


def _key(text: str) -> str:
    """Letters and digits only, upper case: "INV/927100/2026/00001," and "inv927100202600001" are one."""
    return _NOT_KEY.sub("", text.upper())


_CODE = re.compile(r"(?<!\d)\d{15}(?!\d)")
_ORDER = re.compile(r"PST[\s\-/_.]*(\d{4})[\s\-/_.]*(\d{6,})", re.IGNORECASE)
_TOKEN = re.compile(r"[^\s,;:()\[\]\"']+")
MIN_TOKEN = 6  # shorter tokens ("INV", "2026") name nothing on their own


class InvoiceIndex:
    """Open invoices indexed by everything a credit can be recognised by."""

    def __init__(self, invoices: Iterable[OpenInvoice]):
        self.by_code: dict[str, list[OpenInvoice]] = defaultdict(list)
        self.by_token: dict[str, list[tuple[Reason, OpenInvoice]]] = defaultdict(list)
        amounts: dict[int, list[tuple[int, OpenInvoice]]] = defaultdict(list)
        for invoice in invoices:
            for code in invoice.billing_codes:
                self.by_code[code].append(invoice)
            self.by_token[_key(invoice.number)].append((Reason.INVOICE_NUMBER, invoice))
            self.by_token[_key(invoice.order_reference)].append((Reason.ORDER_REFERENCE, invoice))
            for reference in invoice.proof_references:
                if len(_key(reference)) >= MIN_TOKEN:
                    self.by_token[_key(reference)].append((Reason.PROOF_REFERENCE, invoice))
            amounts[invoice.remaining].append((invoice.issued_on.toordinal(), invoice))
        # Per amount, the invoices in order of issue, to cut the date window out with two bisections.
        self.by_amount: dict[int, tuple[list[int], list[OpenInvoice]]] = {}
        for amount, pairs in amounts.items():
            pairs.sort(key=lambda pair: (pair[0], pair[1].invoice_id))
            self.by_amount[amount] = ([day for day, _ in pairs], [invoice for _, invoice in pairs])

    def referenced(self, text: str) -> dict[int, tuple[OpenInvoice, set[Reason]]]:
        """Invoices whose billing code, number, order reference or proof reference ``text`` names."""
        found: dict[int, tuple[OpenInvoice, set[Reason]]] = {}

        def add(invoice: OpenInvoice, reason: Reason) -> None:
            found.setdefault(invoice.invoice_id, (invoice, set()))[1].add(reason)

        for code in _CODE.findall(text):
            for invoice in self.by_code.get(code, ()):
                add(invoice, Reason.BILLING_CODE)
        tokens = {_key(token) for token in _TOKEN.findall(text)}
        tokens |= {f"PST{year}{number}" for year, number in _ORDER.findall(text)}
        for token in tokens:
            if len(token) >= MIN_TOKEN:
                for reason, invoice in self.by_token.get(token, ()):
                    add(invoice, reason)
        return found

    def same_amount(self, rupiah: int, booked_on: date, limit: int) -> list[OpenInvoice]:
        """Up to ``limit`` invoices owing exactly ``rupiah`` issued in the window before ``booked_on``."""
        days, invoices = self.by_amount.get(rupiah, ((), ()))
        end = booked_on.toordinal()
        start = bisect_left(days, end - WINDOW_DAYS)
        stop = bisect_right(days, end)
        return list(invoices[start:min(stop, start + limit)])

    def propose(self, credit: Credit) -> Match:
        candidates = self.referenced(credit.text)
        for invoice in self.same_amount(credit.rupiah, credit.booked_on, MAX_PROPOSALS + 1):
            candidates.setdefault(invoice.invoice_id, (invoice, set()))
        proposals = []
        for invoice, reasons in candidates.values():
            reasons = reasons | _amount_and_date(credit, invoice)
            score = max((POINTS[r] for r in reasons if r in REFERENCE_REASONS), default=0) + sum(
                POINTS[r] for r in reasons if r not in REFERENCE_REASONS)
            if score >= MIN_SCORE:
                ordered = tuple(r for r in _ORDER_OF_REASONS if r in reasons)
                proposals.append(Proposal(invoice.invoice_id, score, ordered))
        proposals.sort(key=lambda p: (-p.score, p.invoice_id))
        proposals = proposals[:MAX_PROPOSALS]
        if not proposals:
            verdict = Verdict.UNMATCHED
        elif len(proposals) > 1 and proposals[1].score == proposals[0].score:
            verdict = Verdict.TIE  # never proposed as one: the treasurer chooses
        else:
            verdict = Verdict.PROPOSED
        return Match(credit.line_id, verdict, tuple(proposals))


def _amount_and_date(credit: Credit, invoice: OpenInvoice) -> set[Reason]:
    reasons = set()
    if credit.rupiah == invoice.remaining:
        reasons.add(Reason.AMOUNT)
    elif invoice.remaining * (1 - SHORT_TOLERANCE) <= credit.rupiah < invoice.remaining:
        reasons.add(Reason.SHORT_AMOUNT)
    if invoice.issued_on <= credit.booked_on <= invoice.issued_on + timedelta(days=WINDOW_DAYS):
        reasons.add(Reason.DATE)
    return reasons


def match_credits(credits: Iterable[Credit], invoices: Iterable[OpenInvoice]) -> list[Match]:
    """Propose, for each credit, the open invoice it most likely pays (or a tie, or nothing)."""
    index = InvoiceIndex(invoices)
    return [index.propose(credit) for credit in credits]
