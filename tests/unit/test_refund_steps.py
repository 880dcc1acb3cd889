"""The PNBP refund procedure's order: request, decision, payment by the KPPN; closed after a
refusal or a payment (payments.refund_steps)."""

from datetime import date

import pytest

from sales_service.payments.refund_steps import (
    RefundClosed,
    RefundStatus,
    RefundStep,
    StepBeforePrevious,
    StepInFuture,
    StepOutOfOrder,
    date_refusal,
    is_open,
    next_step,
    refusal,
    status_after,
)

S, T = RefundStatus, RefundStep

# Every step against every status: the one step each status waits for is allowed, the rest refused.
ORDER = [
    (S.AWAITING_REQUEST, T.REQUEST, None),
    (S.AWAITING_REQUEST, T.DECISION, StepOutOfOrder),
    (S.AWAITING_REQUEST, T.PAYMENT, StepOutOfOrder),
    (S.REQUESTED, T.REQUEST, StepOutOfOrder),
    (S.REQUESTED, T.DECISION, None),
    (S.REQUESTED, T.PAYMENT, StepOutOfOrder),
    (S.APPROVED, T.REQUEST, StepOutOfOrder),
    (S.APPROVED, T.DECISION, StepOutOfOrder),
    (S.APPROVED, T.PAYMENT, None),
    (S.REFUSED, T.REQUEST, RefundClosed),
    (S.REFUSED, T.DECISION, RefundClosed),
    (S.REFUSED, T.PAYMENT, RefundClosed),
    (S.PAID, T.REQUEST, RefundClosed),
    (S.PAID, T.DECISION, RefundClosed),
    (S.PAID, T.PAYMENT, RefundClosed),
]


@pytest.mark.parametrize(("status", "step", "refused_with"), ORDER)
def test_steps_go_in_their_one_order(status, step, refused_with):
    error = refusal(step, status)
    if refused_with is None:
        assert error is None
    else:
        assert isinstance(error, refused_with)


def test_every_status_and_step_pair_is_in_the_table():
    assert {(status, step) for status, step, _ in ORDER} == {(s, t) for s in S for t in T}


def test_an_out_of_order_step_names_the_step_that_comes_next():
    error = refusal(T.PAYMENT, S.AWAITING_REQUEST)
    assert "Permohonan pembayar" in error.message and "Pembayaran oleh KPPN" in error.message


@pytest.mark.parametrize(("step", "approved", "after"), [
    (T.REQUEST, None, S.REQUESTED),
    (T.DECISION, True, S.APPROVED),
    (T.DECISION, False, S.REFUSED),
    (T.PAYMENT, None, S.PAID),
])
def test_where_a_refund_stands_after_each_step(step, approved, after):
    assert status_after(step, approved=approved) == after


def test_a_decision_says_approved_or_refused():
    with pytest.raises(Exception, match="disetujui atau ditolak"):
        status_after(T.DECISION)


@pytest.mark.parametrize(("status", "waits_for", "open_"), [
    (S.AWAITING_REQUEST, T.REQUEST, True),
    (S.REQUESTED, T.DECISION, True),
    (S.APPROVED, T.PAYMENT, True),
    (S.REFUSED, None, False),
    (S.PAID, None, False),
])
def test_open_refunds_wait_for_a_step_closed_ones_for_none(status, waits_for, open_):
    assert next_step(status) == waits_for and is_open(status) == open_


TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(("step", "day", "previous", "refused_with"), [
    (T.REQUEST, date(2026, 11, 1), None, None),
    (T.REQUEST, date(2026, 11, 30), None, StepInFuture),
    (T.DECISION, date(2026, 11, 10), date(2026, 11, 10), None),  # the same day is fine
    (T.DECISION, date(2026, 11, 9), date(2026, 11, 10), StepBeforePrevious),
    (T.PAYMENT, date(2026, 11, 20), date(2026, 11, 10), None),
    (T.PAYMENT, date(2026, 11, 5), date(2026, 11, 10), StepBeforePrevious),
    (T.PAYMENT, TODAY, date(2026, 11, 10), None),
])
def test_no_step_is_dated_before_the_one_it_follows_or_after_today(step, day, previous, refused_with):
    error = date_refusal(step, day, previous_day=previous, today=TODAY)
    if refused_with is None:
        assert error is None
    else:
        assert isinstance(error, refused_with)


def test_a_step_dated_too_early_names_the_step_before_it():
    error = date_refusal(T.PAYMENT, date(2026, 11, 5), previous_day=date(2026, 11, 10), today=TODAY)
    assert "Keputusan kantor" in error.message
