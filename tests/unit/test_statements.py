"""Reading bank statements and proposing matches (payments.statements, pure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sales_service.payments import statements
from sales_service.payments.statements import (
    BankLine,
    Credit,
    OpenInvoice,
    StatementFormat,
    StatementUnreadable,
    Verdict,
    line_keys,
    match_credits,
    read_statement,
)

DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = "booking_date;amount;debit_credit;remittance;bank_reference\n"


def csv_lines(*rows: str) -> list[BankLine]:
    return read_statement((HEADER + "\n".join(rows) + "\n").encode())[1]


@pytest.mark.parametrize("text, rupiah", [
    ("335000", 335_000), ("335000.00", 335_000), ("335000,00", 335_000), ("335.000,00", 335_000),
    ("1,250,000.00", 1_250_000), ("1.250.000", 1_250_000), ("335000.50", 335_001), ("335000.49", 335_000),
])
def test_csv_amounts_are_read_as_banks_print_them(text, rupiah):
    (line,) = csv_lines(f"2026-12-01;{text};C;x;R1")
    assert line.rupiah == rupiah and line.currency == "IDR"


@pytest.mark.parametrize("row, problem", [
    ("2026-12-01;satu juta;C;x;R1", "Baris 2: jumlah 'satu juta' tidak terbaca"),
    ("2026-12-01;1.250.000.00;C;x;R1", "Baris 2: jumlah"),
    ("2026-12-01;-5000;C;x;R1", "Baris 2: jumlah '-5000'"),
    ("2026-12-01;0,001;C;x;R1", None),  # "0,001" groups thousands: one rupiah
    ("2026-13-01;5000;C;x;R1", "Baris 2: tanggal '2026-13-01' tidak terbaca"),
    ("2026-12-01;5000;Z;x;R1", "Baris 2: arah 'Z' tidak dikenal"),
    ("2026-12-01;5000;C;x", "Baris 2: jumlah kolom 4, seharusnya 5"),
])
def test_a_bad_csv_line_is_named(row, problem):
    if problem is None:
        assert csv_lines(row)[0].rupiah == 1
        return
    with pytest.raises(StatementUnreadable) as refused:
        csv_lines(row)
    assert refused.value.message.startswith(problem)


def test_the_line_number_counts_from_the_header():
    with pytest.raises(StatementUnreadable, match="^Baris 4:"):
        csv_lines("2026-12-01;5000;C;a;R1", "2026-12-02;6000;D;b;R2", "2026-12-03;oops;C;c;R3")


def test_a_csv_without_the_required_columns_says_which_are_missing():
    with pytest.raises(StatementUnreadable, match="debit_credit"):
        read_statement(b"booking_date,amount\n2026-12-01,5000\n")


def test_indonesian_column_names_and_commas_are_understood():
    data = b"Tanggal;Jumlah;DK;Keterangan;Referensi\n01/12/2026;335.000,00;K;PST-2026-000001;X1\n"
    (line,) = read_statement(data)[1]
    assert (line.booked_on, line.rupiah, line.credit, line.remittance) == (date(2026, 12, 1), 335_000, True,
                                                                           "PST-2026-000001")


def test_a_file_that_is_not_utf8_is_refused_with_a_hint():
    with pytest.raises(StatementUnreadable, match="UTF-8"):
        read_statement(HEADER.encode() + "2026-12-01;5000;C;Caf\u00e9;R1\n".encode("cp1252"))


@pytest.mark.parametrize("data, kind", [
    (b"\xef\xbb\xbfbooking_date,amount,debit_credit\n", StatementFormat.CSV),
    (b'  <?xml version="1.0"?><Document/>', StatementFormat.CAMT053),
    (b":20:STMT\r\n:25:BANK/1\r\n:28C:1/1\r\n", StatementFormat.MT940),
    (b"{1:F01BANKIDJAXXXX0000000000}{4:\n:20:STMT\n:25:X\n", StatementFormat.MT940),
])
def test_the_format_is_told_by_the_first_bytes(data, kind):
    assert statements.detect_format(data) == kind


CAMT = """<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>ID00BANK1230001234567</IBAN></Id></Acct>
<Ntry>{entry}</Ntry>
</Stmt></BkToCstmrStmt></Document>"""
ENTRY = ("<Amt Ccy='IDR'>335000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
         "<BookgDt><Dt>2026-12-01</Dt></BookgDt><AcctSvcrRef>REF1</AcctSvcrRef>")


def test_an_older_camt053_version_is_read_the_same_way():
    (line,) = read_statement(CAMT.format(entry=ENTRY).encode())[1]
    assert (line.account, line.rupiah, line.bank_reference, line.credit) == ("ID00BANK1230001234567", 335_000,
                                                                             "REF1", True)


@pytest.mark.parametrize("entry, problem", [
    (ENTRY.replace("<CdtDbtInd>CRDT</CdtDbtInd>", ""), "Entri ke-1 (Ntry) tidak memiliki elemen CdtDbtInd."),
    (ENTRY.replace("335000.00", "3,5"), "Entri ke-1 (Ntry): nilai elemen Amt tidak sah (3,5)."),
    (ENTRY.replace("2026-12-01", "kemarin"), "Entri ke-1 (Ntry): nilai elemen BookgDt tidak sah (kemarin)."),
    (ENTRY.replace("Ccy='IDR'", "Ccy='rupiah'"), "Entri ke-1 (Ntry): nilai elemen Amt/@Ccy tidak sah (rupiah)."),
    (ENTRY + "<Broken>", "XML mutasi rusak pada baris 4"),
])
def test_a_bad_camt_entry_is_named_by_its_element(entry, problem):
    with pytest.raises(StatementUnreadable) as refused:
        read_statement(CAMT.format(entry=entry).encode())
    assert refused.value.message.startswith(problem)


def test_another_iso_message_is_not_taken_for_a_statement():
    report = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"><BkToCstmrAcctRpt/></Document>'
    with pytest.raises(StatementUnreadable, match="bukan mutasi camt.053 \\(elemen BkToCstmrAcctRpt\\)"):
        read_statement(report)


@pytest.mark.parametrize("xml", [
    (DATA / "billion_laughs_camt053.xml").read_bytes(),
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>',
    b'<?xml version="1.0"?><!DOCTYPE Document SYSTEM "http://127.0.0.1:9/camt.dtd"><Document/>',
])
def test_entity_expansion_and_external_entities_are_refused(xml):
    with pytest.raises(StatementUnreadable, match="DTD atau deklarasi entitas"):
        read_statement(xml)


def test_a_bad_mt940_line_is_named():
    data = b":20:STMT\n:25:BANK/1\n:28C:1/1\n:60F:C261130IDR1,00\n:61:26120X1201C3,00NTRFNONREF\n:86:x\n"
    with pytest.raises(StatementUnreadable, match="^Baris 5: tag :61:"):
        read_statement(data)


def test_an_mt940_that_names_a_file_is_read_as_text_not_opened(tmp_path):
    """mt-940 opens a str that names an existing file; an upload must never be read as a path."""
    secret = tmp_path / "secret.sta"
    secret.write_text(":20:S\n:25:X\n:28C:1\n:60F:C261130IDR0,00\n:61:2612011201C9,00NTRFNONREF//SECRET\n:86:s\n")
    assert read_statement(f":20:{secret}\n:25:{secret}\n".encode())[1] == []


def test_the_same_transaction_has_the_same_key_and_two_equal_transfers_are_two():
    same = "2026-12-01;335000;C;DATA;"
    first, second = line_keys(csv_lines(same, same))
    assert first != second
    assert line_keys(csv_lines(same, same)) == [first, second]  # the same file again: the same keys
    assert line_keys(csv_lines("2026-12-01;1;C;A;REF9")) == line_keys(csv_lines("2026-12-03;2;C;B;REF9"))


# -- matching ----------------------------------------------------------------------------------------------

def invoice(invoice_id: int, remaining: int = 335_000, issued_on: date = date(2026, 11, 24), **more) -> OpenInvoice:
    return OpenInvoice(invoice_id=invoice_id, number=f"INV/927100/2026/{invoice_id:05d}",
                       order_reference=f"PST-2026-{invoice_id:06d}", remaining=remaining, issued_on=issued_on,
                       **more)


def credit(text: str, rupiah: int = 335_000, booked_on: date = date(2026, 12, 1)) -> Credit:
    return Credit(1, booked_on, rupiah, text)


def verdict(text: str, invoices, **kwargs):
    (found,) = match_credits([credit(text, **kwargs)], invoices)
    return found.verdict, [p.invoice_id for p in found.proposals]


@pytest.mark.parametrize("text", [
    "PAYMENT INV/927100/2026/00002", "inv 927100/2026/00002".replace(" ", ""), "FOR ORDER PST-2026-000002",
    "PST 2026 000002 THANK YOU", "BILLING 820261124000002", "TRF REF ABC123XYZ",
])
def test_a_reference_in_the_text_proposes_its_invoice_over_others_of_the_same_amount(text):
    invoices = [invoice(1), invoice(2, billing_codes=("820261124000002",), proof_references=("ABC123XYZ",)),
                invoice(3)]
    assert verdict(text, invoices) == (Verdict.PROPOSED, [2, 1, 3])


def test_two_equally_good_candidates_are_a_tie_never_a_proposal():
    assert verdict("TRANSFER", [invoice(1), invoice(2)]) == (Verdict.TIE, [1, 2])
    assert verdict("INV/927100/2026/00001 INV/927100/2026/00002", [invoice(1), invoice(2)])[0] == Verdict.TIE


def test_one_invoice_of_the_amount_inside_the_window_is_proposed_alone():
    assert verdict("TRANSFER", [invoice(1), invoice(2, remaining=500_000)]) == (Verdict.PROPOSED, [1])


@pytest.mark.parametrize("booked_on", [date(2026, 11, 23), date(2026, 12, 25)])
def test_an_amount_alone_outside_the_window_proposes_nothing(booked_on):
    assert verdict("TRANSFER", [invoice(1)], booked_on=booked_on) == (Verdict.UNMATCHED, [])


def test_a_short_credit_with_a_reference_is_proposed_and_without_one_is_not():
    assert verdict("PST-2026-000001", [invoice(1)], rupiah=310_000) == (Verdict.PROPOSED, [1])
    assert verdict("TRANSFER", [invoice(1)], rupiah=310_000) == (Verdict.UNMATCHED, [])


def test_short_tokens_name_nothing():
    tiny = invoice(1, proof_references=("AB1",))
    assert verdict("AB1", [tiny], rupiah=1) == (Verdict.UNMATCHED, [])


def test_many_invoices_of_one_amount_yield_a_bounded_tie():
    many = [invoice(i) for i in range(1, 1001)]
    found, ids = verdict("TRANSFER", many)
    assert found == Verdict.TIE and len(ids) == statements.MAX_PROPOSALS
