"""PNBP refunds step by step (issue 10, point 8): the payer's request, the office's decision, payment
by the KPPN; each with its day and reference, in order, audited and on the order's timeline."""

from datetime import date

import pytest

from sales_service.errors import InvalidInput
from sales_service.orders import workflow
from sales_service.orders.workflow import Actor
from sales_service.payments import refunds, resolutions
from sales_service.payments.permissions import TreasurersOnly
from sales_service.payments.refund_steps import (
    RefundClosed,
    RefundStatus,
    RefundStep,
    StepBeforePrevious,
    StepInFuture,
    StepOutOfOrder,
)
from sales_service.roles import Role
from tests.factories import make_staff
from tests.services.test_payment_resolutions import (  # noqa: F401  (fixtures)
    TOTAL,
    invoiced,
    notify,
    treasurer,
)

TODAY = date(2026, 11, 29)


@pytest.fixture
def double_paid(tariffs_loaded, invoiced, treasurer):  # noqa: F811
    """A refund of a whole double payment, waiting for the payer's request."""
    session = tariffs_loaded
    order, invoice = invoiced()
    notify(session, invoice.current_code.code)
    second = notify(session, invoice.current_code.code)
    resolution = resolutions.resolve(session, treasurer, second.id, "refund", note="Dibayar dua kali.")
    return order, resolution.refund_id


def step(session, actor, refund_id, which, day="2026-11-25", reference="S-01/2026", decision="", note=""):
    return refunds.record_step(session, actor, refund_id, which, refunds.StepTyped(
        happened_on=day, reference=reference, decision=decision, note=note), today=TODAY)


def test_request_decision_and_payment_close_the_refund(tariffs_loaded, double_paid, treasurer):  # noqa: F811
    session = tariffs_loaded
    order, refund_id = double_paid

    step(session, treasurer, refund_id, "request", "2026-11-25", "001/PT-X/XI/2026")
    step(session, treasurer, refund_id, "decision", "2026-11-26", "KEP-12/BPS/2026", decision="approve",
         note="Disetujui kepala kantor.")
    refund = step(session, treasurer, refund_id, "payment", "2026-11-28", "SP2D 261128000123")

    assert refund.status == RefundStatus.PAID
    view = refunds.refund_view(session, refund_id)
    assert [(s.record.step, s.record.happened_on, s.record.reference, s.recorded_by) for s in view.steps] == [
        (RefundStep.REQUEST, date(2026, 11, 25), "001/PT-X/XI/2026", "Bendahara Satu"),
        (RefundStep.DECISION, date(2026, 11, 26), "KEP-12/BPS/2026", "Bendahara Satu"),
        (RefundStep.PAYMENT, date(2026, 11, 28), "SP2D 261128000123", "Bendahara Satu"),
    ]
    assert view.steps[1].record.approved is True and view.next_step is None
    events = [e for e in workflow.events(session, order.id) if e.action.startswith("refund_")]
    assert [e.action for e in events] == ["refund_request", "refund_decision", "refund_payment"]
    assert events[1].reason == "Disetujui kepala kantor." and events[2].details["reference"] == "SP2D 261128000123"
    assert refunds.status_counts(session)[RefundStatus.PAID] == 1
    assert refunds.refund_list(session).total == 0 and refunds.refund_list(session, closed=True).total == 1


def test_a_refused_refund_is_closed(tariffs_loaded, double_paid, treasurer):  # noqa: F811
    session = tariffs_loaded
    _order, refund_id = double_paid
    step(session, treasurer, refund_id, "request")
    refund = step(session, treasurer, refund_id, "decision", decision="refuse", reference="KEP-13/BPS/2026")
    assert refund.status == RefundStatus.REFUSED
    with pytest.raises(RefundClosed):
        step(session, treasurer, refund_id, "payment", reference="SP2D 1")


def test_no_step_skips_the_one_before(tariffs_loaded, double_paid, treasurer):  # noqa: F811
    session = tariffs_loaded
    _order, refund_id = double_paid
    with pytest.raises(StepOutOfOrder):
        step(session, treasurer, refund_id, "payment")
    with pytest.raises(StepOutOfOrder):
        step(session, treasurer, refund_id, "decision", decision="approve")
    step(session, treasurer, refund_id, "request")
    with pytest.raises(StepOutOfOrder):
        step(session, treasurer, refund_id, "request")  # recorded once
    assert refunds.refund_view(session, refund_id).next_step == RefundStep.DECISION


def test_a_step_is_dated_not_before_the_one_it_follows_nor_after_today(tariffs_loaded, double_paid,
                                                                        treasurer):  # noqa: F811
    session = tariffs_loaded
    _order, refund_id = double_paid
    with pytest.raises(InvalidInput):  # entries.past_day refuses tomorrow before the rule is asked
        step(session, treasurer, refund_id, "request", day="2026-11-30")
    step(session, treasurer, refund_id, "request", day="2026-11-25")
    with pytest.raises(StepBeforePrevious):
        step(session, treasurer, refund_id, "decision", day="2026-11-24", decision="approve")
    assert issubclass(StepInFuture, InvalidInput)


def test_a_step_needs_its_reference_and_the_decision_its_outcome(tariffs_loaded, double_paid,
                                                                 treasurer):  # noqa: F811
    session = tariffs_loaded
    _order, refund_id = double_paid
    with pytest.raises(InvalidInput, match="Nomor surat permohonan"):
        step(session, treasurer, refund_id, "request", reference=" ")
    step(session, treasurer, refund_id, "request")
    with pytest.raises(InvalidInput, match="disetujui atau ditolak"):
        step(session, treasurer, refund_id, "decision", decision="")
    assert refunds.refund_view(session, refund_id).refund.status == RefundStatus.REQUESTED


def test_only_the_treasurer_records_a_step(tariffs_loaded, double_paid):
    session = tariffs_loaded
    _order, refund_id = double_paid
    officer_actor = Actor(make_staff(session, Role.OFFICER))
    with pytest.raises(TreasurersOnly):
        step(session, officer_actor, refund_id, "request")


def test_the_refund_of_a_double_payment_returns_it_whole(tariffs_loaded, double_paid):
    session = tariffs_loaded
    order, refund_id = double_paid
    view = refunds.refund_view(session, refund_id)
    assert view.refund.amount == TOTAL and [i.amount for i in view.refund.items] == [TOTAL]
    assert view.order.id == order.id and view.opened_by == "Bendahara Satu"
    assert [r.id for r in refunds.refunds_of_order(session, order.id)] == [refund_id]
