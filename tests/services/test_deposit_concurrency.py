"""Two deposits of one held payment recorded at the same moment: one is recorded, the other
refused (the unique constraint on deposited_payment.payment_id decides, not an in-memory check).
Meaningful on PostgreSQL (`make test-pg`); on SQLite writers queue."""

import threading
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from sales_service.accounts.models import User
from sales_service.invoices import services as invoices
from sales_service.orders.workflow import Actor
from sales_service.payments import deposits
from sales_service.payments.models import DepositedPayment, Payment, PaymentSource, PaymentStatus
from sales_service.roles import Role
from tests.committed import run_together
from tests.factories import make_staff
from tests.services.test_invoice_concurrency import TODAY, accepted_orders, arrange, gateway

TREASURERS = 4
DAY = date(2026, 11, 26)


def test_one_payment_deposited_by_several_treasurers_at_once_is_deposited_once(committing):
    factory, committed = committing
    world = arrange(factory, committed, officers=1)
    order_id, = accepted_orders(factory, world, 1)
    with factory() as session:
        officer = session.get(User, world.officer_ids[0])
        invoice = invoices.issue_invoice(session, Actor(officer), order_id, world.settings, gateway(), today=TODAY)
        # Held money as cash leaves it: settled, not deposited (written directly: only the deposit is raced).
        payment = Payment(source=PaymentSource.CASH, amount=335_000, currency="IDR", channel="cash",
                          paid_at=datetime(2026, 11, 25, tzinfo=UTC), status=PaymentStatus.SETTLED,
                          invoice_id=invoice.id, order_id=order_id)
        session.add(payment)
        treasurers = [make_staff(session, Role.TREASURER, email=f"bendahara.race.{uuid.uuid4().hex[:8]}@example.test")
                      for _ in range(TREASURERS)]
        session.commit()
        committed.user_ids += [t.id for t in treasurers]
        payment_id, treasurer_ids = payment.id, [t.id for t in treasurers]
    all_ready = threading.Barrier(TREASURERS)

    def deposit(n: int, treasurer_id: int):
        with factory() as session:
            treasurer = session.get(User, treasurer_id)
            slip = deposits.DepositSlip(deposited_on=DAY.isoformat(), billing_code=f"8{uuid.uuid4().int % 10**14:014d}",
                                        ntpn=uuid.uuid4().hex[:16].upper(), amount="335.000")
            all_ready.wait()
            try:
                deposits.record_deposit(session, Actor(treasurer), slip, [payment_id], today=DAY,
                                        timezone="Asia/Jakarta")
                session.commit()
                return "recorded"
            except deposits.AlreadyDeposited:
                session.rollback()
                return "refused"

    outcomes = run_together(*(lambda n=n, t=t: deposit(n, t) for n, t in enumerate(treasurer_ids)))
    assert sorted(outcomes) == ["recorded"] + ["refused"] * (TREASURERS - 1), outcomes
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(DepositedPayment)
                              .where(DepositedPayment.payment_id == payment_id)) == 1
