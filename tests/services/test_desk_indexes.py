"""The treasurer's lists stay fast at 100,000 payments (issue 10, point 10): each page is read
through an index that both filters and orders it, never by sorting the whole table. Checked on
SQLite's query plan, which names the index and any sort it needs (PostgreSQL's planner prefers a
sequential scan on the near-empty test tables, so its plan proves nothing there)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sales_service.payments import desk, resolutions
from sales_service.payments.models import Payment, PaymentProblem, PaymentStatus


@pytest.fixture
def plan(session):
    if session.bind.dialect.name != "sqlite":
        pytest.skip("query plans are read on SQLite")

    def explain(query) -> list[str]:
        sql = str(query.compile(session.bind, compile_kwargs={"literal_binds": True}))
        return [row[-1] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    return explain


def flagged(problem: PaymentProblem | None = None):
    return resolutions.flagged_payments(problem).limit(50)


@pytest.mark.parametrize(("query", "index"), [
    (flagged(), "ix_payment_status_recorded_at_id"),
    (flagged(PaymentProblem.WRONG_AMOUNT), "ix_payment_status_problem_recorded_at"),
    (select(Payment.problem, func.count(Payment.id)).where(Payment.status == PaymentStatus.FLAGGED)
     .group_by(Payment.problem), "ix_payment_status_problem_recorded_at"),
], ids=["exceptions queue", "exceptions of one problem", "count per problem"])
def test_the_exceptions_queue_reads_an_index_and_sorts_nothing(plan, query, index):
    steps = plan(query)
    assert any(index in step for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps
    assert not any(step.startswith("SCAN payment") for step in steps), steps


def test_paid_invoices_without_a_receipt_are_read_through_the_invoice_status_index(plan):
    from sales_service.invoices.models import Invoice

    steps = plan(select(Invoice).where(*desk.without_receipt()).order_by(Invoice.id).limit(50))
    assert any("ix_invoice_status_id" in step for step in steps), steps
    assert not any("TEMP B-TREE" in step or step.startswith("SCAN invoice") for step in steps), steps
