"""Every (status, action) pair of the lifecycle, legal and illegal, in one table."""

import itertools

import pytest

from sales_service.orders.lifecycle import (
    TRANSITIONS,
    Action,
    IllegalTransition,
    OrderStatus,
    allowed_actions,
    next_status,
)

S, A = OrderStatus, Action

LEGAL = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.ISSUE_INVOICE): S.INVOICED,
    (S.INVOICED, A.REQUEST_CORRECTION): S.CORRECTION_REQUESTED,
    (S.CORRECTION_REQUESTED, A.REISSUE): S.INVOICED,
    (S.CORRECTION_REQUESTED, A.DECLINE_CORRECTION): S.INVOICED,
    (S.INVOICED, A.RECORD_PAYMENT): S.PAID,
    (S.PAID, A.ISSUE_RECEIPT): S.RECEIPTED,
    (S.RECEIPTED, A.DELIVER): S.DELIVERED,
    (S.DELIVERED, A.REQUEST_DELIVERY_CORRECTION): S.DELIVERY_CORRECTION,
    (S.DELIVERY_CORRECTION, A.RESEND): S.DELIVERED,
    (S.DELIVERY_CORRECTION, A.DECLINE_CORRECTION): S.DELIVERED,
    (S.DELIVERED, A.COMPLETE): S.COMPLETED,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.SUBMITTED, A.CANCEL): S.CANCELLED,
    (S.RETURNED, A.CANCEL): S.CANCELLED,
    (S.ACCEPTED, A.CANCEL): S.CANCELLED,
    (S.INVOICED, A.CANCEL): S.CANCELLED,
    (S.CORRECTION_REQUESTED, A.CANCEL): S.CANCELLED,
}
ALL_PAIRS = list(itertools.product(OrderStatus, Action))


def test_the_table_is_the_lifecycle():
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize("status, action", ALL_PAIRS, ids=lambda v: v.value)
def test_every_pair_is_legal_or_refused_with_a_named_error(status, action):
    if (status, action) in LEGAL:
        assert next_status(status, action) == LEGAL[(status, action)]
        assert action in allowed_actions(status)
    else:
        with pytest.raises(IllegalTransition) as refused:
            next_status(status, action)
        assert refused.value.http_status == 409
        assert "tidak dapat diproses" in refused.value.message
        assert action not in allowed_actions(status)


@pytest.mark.parametrize("status", [S.CANCELLED, S.COMPLETED])
def test_closed_orders_accept_no_action(status):
    assert allowed_actions(status) == set()


def test_zero_rate_orders_skip_payment_and_cannot_be_paid():
    assert next_status(S.INVOICED, A.DELIVER, zero_rated=True) == S.DELIVERED
    with pytest.raises(IllegalTransition):
        next_status(S.INVOICED, A.RECORD_PAYMENT, zero_rated=True)
    with pytest.raises(IllegalTransition):
        next_status(S.INVOICED, A.DELIVER)  # a paying order is delivered only after its receipt
    assert A.DELIVER in allowed_actions(S.INVOICED, zero_rated=True)
    assert A.RECORD_PAYMENT not in allowed_actions(S.INVOICED, zero_rated=True)


def test_nothing_can_be_cancelled_once_money_may_have_moved():
    for status in (S.PAID, S.RECEIPTED, S.DELIVERED, S.DELIVERY_CORRECTION):
        with pytest.raises(IllegalTransition):
            next_status(status, A.CANCEL)


def test_the_message_names_status_and_action_in_words():
    with pytest.raises(IllegalTransition) as refused:
        next_status(S.CANCELLED, A.ACCEPT)
    assert refused.value.message == (
        "Pesanan berstatus \u201cDibatalkan\u201d tidak dapat diproses dengan tindakan \u201cpenerimaan dokumen\u201d."
    )
