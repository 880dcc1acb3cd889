"""Eight treasurers resolving one flagged payment at the same moment resolve it once (issue 10,
point 8): the payment's row lock and the unique resolution per payment decide, not an in-memory
check. Meaningful on PostgreSQL (`make test-pg`); on SQLite writers queue."""

import threading
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from sales_service.accounts.models import User
from sales_service.invoices import services as invoices
from sales_service.orders.workflow import Actor
from sales_service.payments import resolutions
from sales_service.payments import services as payments
from sales_service.payments.models import Payment, PaymentResolution, PaymentStatus, Refund, RefundedPayment
from sales_service.payments.notifications import BillingPaid
from sales_service.payments.resolution_rules import AlreadyResolved
from sales_service.roles import Role
from tests.committed import run_together
from tests.factories import make_staff
from tests.services.test_invoice_concurrency import TODAY, accepted_orders, arrange, gateway

TREASURERS = 8


def test_eight_treasurers_resolving_one_payment_at_once_resolve_it_once(committing):
    factory, committed = committing
    world = arrange(factory, committed, officers=1)
    order_id, = accepted_orders(factory, world, 1)
    with factory() as session:
        officer = session.get(User, world.officer_ids[0])
        invoice = invoices.issue_invoice(session, Actor(officer), order_id, world.settings, gateway(), today=TODAY)
        over = payments.record_billing_payment(session, BillingPaid(
            billing_code=invoice.current_code.code, amount=400_000, currency="IDR",
            ntpn=uuid.uuid4().hex[:16].upper(), ntb="1", bank="BANK X", channel="teller",
            paid_at=datetime(2026, 11, 24, 5, 0, tzinfo=UTC)))
        treasurers = [make_staff(session, Role.TREASURER, email=f"bendahara.race.{uuid.uuid4().hex[:8]}@example.test")
                      for _ in range(TREASURERS)]
        session.commit()
        payment_id, treasurer_ids = over.id, [t.id for t in treasurers]
    committed.user_ids += treasurer_ids
    all_ready = threading.Barrier(TREASURERS)

    def resolver(treasurer_id: int, what: str):
        def act():
            with factory() as session:
                actor = Actor(session.get(User, treasurer_id))
                all_ready.wait()
                try:
                    resolutions.resolve(session, actor, payment_id, what, note=f"Diselesaikan oleh {treasurer_id}.")
                    session.commit()
                    return what
                except AlreadyResolved:
                    session.rollback()
                    return "already resolved"
        return act

    actions = ["refund", "reject"] * (TREASURERS // 2)
    outcomes = run_together(*(resolver(t, what) for t, what in zip(treasurer_ids, actions, strict=True)))

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert outcomes.count("already resolved") == TREASURERS - 1
    with factory() as session:
        assert session.scalar(select(func.count(PaymentResolution.id))
                              .where(PaymentResolution.payment_id == payment_id)) == 1
        refunded = session.scalar(select(func.count(RefundedPayment.id))
                                  .where(RefundedPayment.payment_id == payment_id))
        status = session.scalar(select(Payment.status).where(Payment.id == payment_id))
        winner = next(o for o in outcomes if o != "already resolved")
        if winner == "refund":
            assert refunded == 1 and status == PaymentStatus.SETTLED
            assert session.scalar(select(Refund.amount).join(RefundedPayment).where(
                RefundedPayment.payment_id == payment_id)) == 65_000
        else:
            assert refunded == 0 and status == PaymentStatus.REJECTED
