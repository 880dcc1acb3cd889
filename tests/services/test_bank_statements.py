"""The treasurer's bank statement (issue 10, point 7): stored once, matches proposed, ties
left alone, confirmations settle and undos are audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from sales_service.accounts.models import Domicile
from sales_service.errors import Conflict, PermissionDenied
from sales_service.invoices import services as invoices
from sales_service.invoices.models import InvoiceStatus, PaymentRoute
from sales_service.orders import workflow
from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.workflow import Actor
from sales_service.payments import reconciliation
from sales_service.payments.models import (
    LineState,
    Payment,
    PaymentProblem,
    PaymentSource,
    PaymentStatus,
    StatementImport,
    StatementLine,
)
from sales_service.payments.statements import StatementUnreadable
from sales_service.roles import Role
from tests.factories import make_buyer, make_staff
from tests.services.test_invoices import SETTINGS, TODAY, accepted_order

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def treasurer(tariffs_loaded):
    return Actor(make_staff(tariffs_loaded, Role.TREASURER, full_name="Bendahara Penerimaan"))


def transfer_invoice(session, officer, gateway, tmp_path, *, abroad: bool = True):
    """An issued invoice of Rp335.000 for a buyer abroad (paid by bank transfer)."""
    buyer = make_buyer(session, domicile=Domicile.ABROAD if abroad else Domicile.INDONESIA, full_name="John Smith")
    order, _ = accepted_order(session, officer, tmp_path, buyer=buyer)
    invoice = invoices.issue_invoice(session, Actor(officer), order.id, SETTINGS, gateway, today=TODAY)
    return order, invoice


@pytest.fixture
def four(tariffs_loaded, officer, gateway, tmp_path):
    """Invoices A, B, C, D for buyers abroad, each still owing Rp335.000."""
    return [transfer_invoice(tariffs_loaded, officer, gateway, tmp_path) for _ in range(4)]


def sample(name: str, four) -> bytes:
    (order_a, invoice_a), (order_b, _invoice_b), *_ = four
    text = (DATA / name).read_text(encoding="utf-8")
    return text.replace("{invoice_a}", invoice_a.number).replace("{order_b}", order_b.reference).encode("utf-8")


def lines_by_reference(session) -> dict[str, StatementLine]:
    return {line.bank_reference or line.remittance: line
            for line in session.scalars(select(StatementLine).order_by(StatementLine.id))}


def proposed(line: StatementLine) -> list[int]:
    return [p.invoice_id for p in line.proposals]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_csv_statement_proposes_by_invoice_number_and_order_reference_and_leaves_the_tie_alone(
        tariffs_loaded, treasurer, four):
    session = tariffs_loaded
    (_, a), (_, b), (_, c), (_, d) = four
    assert a.payment_route == PaymentRoute.BANK_TRANSFER

    result = reconciliation.import_statement(session, treasurer, sample("statement.csv", four), "mutasi.csv")

    assert (result.read, result.new, result.already, result.proposed, result.ties) == (5, 5, 0, 2, 1)
    lines = lines_by_reference(session)
    by_number = lines["FT26335A001"]
    assert by_number.state == LineState.PROPOSED and proposed(by_number)[0] == a.id
    assert by_number.proposals[0].score > by_number.proposals[1].score  # the others only share the amount
    short = lines["FT26336B002"]  # Rp310.000 for a Rp335.000 invoice: bank charges
    assert short.state == LineState.PROPOSED and proposed(short) == [b.id]
    assert "short_amount" in short.proposals[0].reasons
    tie = lines["DATA PURCHASE"]  # Rp335.000, no reference: four invoices fit equally
    assert tie.state == LineState.TIE and sorted(proposed(tie)) == sorted([a.id, b.id, c.id, d.id])
    assert lines["FT26337C004"].state == LineState.UNMATCHED and lines["FT26337C004"].proposals == []
    assert lines["FT26337C005"].state == LineState.IGNORED  # a debit (the bank's fee)
    assert count(session, Payment) == 0  # nothing is matched without the treasurer


def test_importing_the_same_statement_again_adds_nothing_and_says_so(tariffs_loaded, treasurer, four):
    session = tariffs_loaded
    data = sample("statement.csv", four)
    reconciliation.import_statement(session, treasurer, data, "mutasi.csv")

    again = reconciliation.import_statement(session, treasurer, data, "mutasi-lagi.csv")

    assert (again.read, again.new, again.already) == (5, 0, 5)
    assert count(session, StatementLine) == 5
    assert count(session, StatementImport) == 2  # who imported what stays on record


def test_a_camt053_statement_proposes_the_invoice_named_in_its_remittance_and_leaves_the_tie_alone(
        tariffs_loaded, treasurer, four):
    session = tariffs_loaded
    (_, a), *_ = four

    result = reconciliation.import_statement(session, treasurer, sample("statement_camt053.xml", four), "camt.xml")

    assert (result.format, result.read, result.new, result.proposed, result.ties) == ("camt053", 3, 3, 1, 1)
    lines = lines_by_reference(session)
    first = lines["CAMT20261201001"]
    assert first.state == LineState.PROPOSED and proposed(first)[0] == a.id
    assert (first.counterparty, first.rupiah, first.sent_currency, first.sent_minor) == ("John Smith", 335_000,
                                                                                          "USD", 2150)
    assert lines["CAMT20261202002"].state == LineState.TIE
    assert lines["CAMT20261202003"].state == LineState.IGNORED
    assert "CAMT20261203004" not in lines  # pending at the bank: not booked, not stored
    again = reconciliation.import_statement(session, treasurer, sample("statement_camt053.xml", four), "camt.xml")
    assert (again.new, again.already) == (0, 3)


def test_an_mt940_statement_is_read_and_matched_the_same_way(tariffs_loaded, treasurer, four):
    session = tariffs_loaded
    (_, a), *_ = four
    result = reconciliation.import_statement(session, treasurer, sample("statement.mt940", four), "mutasi.sta")
    assert (result.format, result.new, result.proposed, result.ties) == ("mt940", 3, 1, 1)
    assert proposed(lines_by_reference(session)["MT26335A001"])[0] == a.id


def test_an_entity_expansion_camt_is_refused_and_nothing_is_stored(tariffs_loaded, treasurer):
    session = tariffs_loaded
    with pytest.raises(StatementUnreadable, match="DTD") as refused:
        reconciliation.import_statement(session, treasurer, (DATA / "billion_laughs_camt053.xml").read_bytes(), "x")
    assert refused.value.http_status == 422
    assert count(session, StatementLine) == 0 and count(session, StatementImport) == 0


def test_a_bad_line_is_named_and_nothing_of_the_file_is_stored(tariffs_loaded, treasurer, four):
    session = tariffs_loaded
    data = sample("statement.csv", four).replace(b"03/12/2026;03/12/2026;1.000.000,00",
                                                  b"03/12/2026;03/12/2026;satu juta")
    with pytest.raises(StatementUnreadable, match="Baris 5: jumlah 'satu juta'"):
        reconciliation.import_statement(session, treasurer, data, "mutasi.csv")
    assert count(session, StatementLine) == 0


def test_only_transfer_invoices_are_candidates(tariffs_loaded, treasurer, officer, gateway, tmp_path):
    session = tariffs_loaded
    _order, domestic = transfer_invoice(session, officer, gateway, tmp_path, abroad=False)
    assert domestic.payment_route == PaymentRoute.BILLING_CODE  # paid with its SIMPONI code, not by transfer
    data = f"booking_date,amount,debit_credit,remittance\n2026-12-01,335000,C,{domestic.number}\n".encode()
    reconciliation.import_statement(session, treasurer, data, "mutasi.csv")
    assert session.scalar(select(StatementLine)).state == LineState.UNMATCHED


def test_confirming_the_exact_amount_settles_the_invoice_and_moves_the_order_to_paid(tariffs_loaded, treasurer,
                                                                                     four):
    session = tariffs_loaded
    (order_a, a), *_ = four
    reconciliation.import_statement(session, treasurer, sample("statement.csv", four), "mutasi.csv")
    line = lines_by_reference(session)["FT26335A001"]

    payment = reconciliation.confirm_match(session, treasurer, line.id, invoice_id=a.id)

    assert (payment.source, payment.amount, payment.ntb, payment.invoice_id) == (
        PaymentSource.STATEMENT_LINE, 335_000, "FT26335A001", a.id)
    assert payment.status == PaymentStatus.SETTLED
    assert a.status == InvoiceStatus.PAID and order_a.status == OrderStatus.PAID
    assert line.state == LineState.MATCHED and line.payment_id == payment.id
    events = [(e.action, e.actor_name) for e in workflow.events(session, order_a.id)[-2:]]
    assert events == [("record_payment", "Bendahara Penerimaan"), ("statement_line_matched", "Bendahara Penerimaan")]
    # The tie no longer counts invoice A, which is paid.
    tie = lines_by_reference(session)["DATA PURCHASE"]
    assert a.id not in proposed(tie) and tie.state == LineState.TIE


def test_a_short_credit_leaves_the_invoice_partly_paid_and_a_top_up_settles_it(tariffs_loaded, treasurer, four):
    session = tariffs_loaded
    _, (order_b, b), *_ = four
    reconciliation.import_statement(session, treasurer, sample("statement.csv", four), "mutasi.csv")
    short = lines_by_reference(session)["FT26336B002"]

    payment = reconciliation.confirm_match(session, treasurer, short.id, invoice_id=b.id)

    assert payment.status == PaymentStatus.SETTLED and payment.amount == 310_000
    assert b.status == InvoiceStatus.ISSUED and order_b.status == OrderStatus.INVOICED  # Rp25.000 still owed
    assert workflow.events(session, order_b.id)[-1].details["remaining_after"] == 25_000
    top_up = f"booking_date,amount,debit_credit,remittance,bank_reference\n2026-12-09,25000,C,{b.number},FT9\n"
    reconciliation.import_statement(session, treasurer, top_up.encode(), "topup.csv")
    line = lines_by_reference(session)["FT9"]
    assert line.state == LineState.PROPOSED and line.proposals[0].invoice_id == b.id
    assert "amount" in line.proposals[0].reasons  # exactly the remainder
    reconciliation.confirm_match(session, treasurer, line.id, invoice_id=b.id)
    assert b.status == InvoiceStatus.PAID and order_b.status == OrderStatus.PAID


def test_more_than_owed_settles_the_invoice_and_the_surplus_waits_apart_for_a_refund(tariffs_loaded, treasurer,
                                                                                      four):
    session = tariffs_loaded
    (order_a, a), *_ = four
    reconciliation.import_statement(session, treasurer, sample("statement.csv", four), "mutasi.csv")
    big = lines_by_reference(session)["FT26337C004"]  # Rp1.000.000, matched by hand

    payment = reconciliation.confirm_match(session, treasurer, big.id, invoice_number=a.number)

    assert (payment.status, payment.amount) == (PaymentStatus.SETTLED, 335_000)
    assert a.status == InvoiceStatus.PAID and order_a.status == OrderStatus.PAID
    surplus = session.scalar(select(Payment).where(Payment.invoice_id == a.id, Payment.id != payment.id))
    assert (surplus.amount, surplus.status, surplus.problem) == (665_000, PaymentStatus.FLAGGED,
                                                                 PaymentProblem.WRONG_AMOUNT)


def test_undo_rejects_the_payment_keeps_it_and_is_on_the_timeline(tariffs_loaded, treasurer, four):
    session = tariffs_loaded
    _, (order_b, b), *_ = four
    reconciliation.import_statement(session, treasurer, sample("statement.csv", four), "mutasi.csv")
    short = lines_by_reference(session)["FT26336B002"]
    payment = reconciliation.confirm_match(session, treasurer, short.id, invoice_id=b.id)

    reconciliation.undo_match(session, treasurer, short.id, "Salah pilih invoice.")

    assert session.get(Payment, payment.id).status == PaymentStatus.REJECTED  # kept, never deleted
    assert short.state == LineState.PROPOSED and short.payment_id is None  # open again, proposed afresh
    event = workflow.events(session, order_b.id)[-1]
    assert (event.action, event.reason, event.actor_name) == ("statement_line_unmatched", "Salah pilih invoice.",
                                                              "Bendahara Penerimaan")
    assert event.details["payment_id"] == payment.id
    assert reconciliation.settled_amount(session, b.id) == 0


def test_undo_is_refused_once_the_order_has_moved_to_paid(tariffs_loaded, treasurer, four):
    session = tariffs_loaded
    (order_a, a), *_ = four
    reconciliation.import_statement(session, treasurer, sample("statement.csv", four), "mutasi.csv")
    line = lines_by_reference(session)["FT26335A001"]
    payment = reconciliation.confirm_match(session, treasurer, line.id, invoice_id=a.id)

    with pytest.raises(reconciliation.UndoWouldUnpay, match="tidak dapat dibatalkan"):
        reconciliation.undo_match(session, treasurer, line.id, "Keliru.")
    assert payment.status == PaymentStatus.SETTLED and order_a.status == OrderStatus.PAID


def test_a_line_is_matched_once_and_only_by_a_treasurer(tariffs_loaded, treasurer, officer, four):
    session = tariffs_loaded
    (_, a), (_, b), *_ = four
    reconciliation.import_statement(session, treasurer, sample("statement.csv", four), "mutasi.csv")
    line = lines_by_reference(session)["FT26335A001"]
    with pytest.raises(PermissionDenied):
        reconciliation.confirm_match(session, Actor(officer), line.id, invoice_id=a.id)
    reconciliation.confirm_match(session, treasurer, line.id, invoice_id=a.id)
    with pytest.raises(Conflict, match="sudah dicocokkan"):
        reconciliation.confirm_match(session, treasurer, line.id, invoice_id=b.id)
    debit = lines_by_reference(session)["FT26337C005"]
    with pytest.raises(reconciliation.LineNotMatchable):
        reconciliation.confirm_match(session, treasurer, debit.id, invoice_id=b.id)
    assert count(session, Payment) == 1

