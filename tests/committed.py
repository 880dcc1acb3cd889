"""Support for tests that need real commits on several connections at once
(concurrency): the data they commit is recorded and deleted again afterwards, and
jobs run together in threads.

The shared ``session`` fixture rolls back one connection, so it cannot show two
transactions meeting. Other tests count microdata sets, queue numbers of the day
and "new" tariff loads, hence the careful cleanup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from sales_service.accounts.models import User
from sales_service.catalog.models import DigitalMap, MicrodataSet, MicrodataVariable, Product, Publication
from sales_service.files.models import OrderDocument, StoredFile
from sales_service.invoices.models import BillingCode, Invoice, InvoiceCounter, InvoiceLine, VerificationCode
from sales_service.invoices.simulator_models import SimulatedBill
from sales_service.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderLineVariable,
    QueueCounter,
    ReturnReason,
    WalkInVisit,
)
from sales_service.payments.models import (
    Deposit,
    DepositedPayment,
    Payment,
    PaymentNotification,
    PaymentResolution,
    Receipt,
    ReceiptCounter,
    Refund,
    RefundedPayment,
    RefundStepRecord,
    TransferProof,
)
from sales_service.pnbp.models import TariffScheduleVersion
from sales_service.sppd.models import AbstractVersion

WAIT_S = 20  # a thread stuck longer than this is a deadlock, not a slow machine


@dataclass
class Committed:
    """What a test committed, so it can be deleted again."""

    user_ids: list[int] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    tariff_versions: list[tuple[str, int]] = field(default_factory=list)
    walk_in_days: list[date] = field(default_factory=list)
    office_codes: list[str] = field(default_factory=list)
    webhook_ids: list[str] = field(default_factory=list)


@pytest.fixture
def committing(engine) -> Iterator[tuple[sessionmaker[Session], Committed]]:
    """Sessions that really commit, each on its own pooled connection."""
    committed = Committed()
    yield sessionmaker(bind=engine, expire_on_commit=False), committed
    delete_committed(engine, committed)


def delete_committed(engine, committed: Committed) -> None:
    """Core deletes in foreign-key order (the ORM refuses to delete audit events, by design)."""
    users, products, offices = committed.user_ids, committed.product_ids, committed.office_codes
    with engine.begin() as connection:
        def ids(query) -> list[int]:
            return list(connection.scalars(query))

        visits = ids(select(WalkInVisit.id).where(WalkInVisit.officer_id.in_(users)))
        orders = ids(select(Order.id).where(Order.buyer_id.in_(users) | Order.walk_in_id.in_(visits)))
        invoices = ids(select(Invoice.id).where(Invoice.order_id.in_(orders) | Invoice.office_code.in_(offices)))
        events = ids(select(OrderEvent.id).where(OrderEvent.order_id.in_(orders)))
        lines = ids(select(OrderLine.id).where(OrderLine.order_id.in_(orders)))
        files = ids(select(StoredFile.id).where(StoredFile.uploaded_by_id.in_(users)))
        deposits = ids(select(Deposit.id).where(Deposit.recorded_by_id.in_(users)))
        refunds = ids(select(Refund.id).where(Refund.opened_by_id.in_(users)))
        statements = [
            delete(InvoiceLine).where(InvoiceLine.invoice_id.in_(invoices)),
            delete(BillingCode).where(BillingCode.invoice_id.in_(invoices)),
            delete(PaymentNotification).where(PaymentNotification.webhook_id.in_(committed.webhook_ids)),
            delete(DepositedPayment).where(DepositedPayment.deposit_id.in_(deposits)),
            delete(Deposit).where(Deposit.id.in_(deposits)),
            delete(RefundStepRecord).where(RefundStepRecord.refund_id.in_(refunds)),
            delete(PaymentResolution).where(PaymentResolution.resolved_by_id.in_(users)),
            delete(RefundedPayment).where(RefundedPayment.refund_id.in_(refunds)),
            delete(Refund).where(Refund.id.in_(refunds)),
            delete(Receipt).where(Receipt.invoice_id.in_(invoices)),
            delete(ReceiptCounter).where(ReceiptCounter.office_code.in_(offices)),
            delete(Payment).where(Payment.invoice_id.in_(invoices)),
            delete(TransferProof).where(TransferProof.order_id.in_(orders)),
            delete(VerificationCode).where(VerificationCode.invoice_id.in_(invoices)),
            delete(Invoice).where(Invoice.id.in_(invoices)),
            delete(InvoiceCounter).where(InvoiceCounter.office_code.in_(offices)),
            # The simulator's bills name the invoice number, which carries the office code;
            # a bill a rolled-back issuer left behind (a bug) is deleted as well.
            *(delete(SimulatedBill).where(SimulatedBill.invoice_number.startswith(f"INV/{office}/"))
              for office in offices),
            delete(ReturnReason).where(ReturnReason.event_id.in_(events)),
            delete(OrderEvent).where(OrderEvent.id.in_(events)),
            delete(AbstractVersion).where(AbstractVersion.order_id.in_(orders)),
            delete(OrderDocument).where(OrderDocument.order_id.in_(orders)),
            delete(StoredFile).where(StoredFile.id.in_(files)),
            delete(OrderLineVariable).where(OrderLineVariable.line_id.in_(lines)),
            delete(OrderLine).where(OrderLine.id.in_(lines)),
            delete(Order).where(Order.id.in_(orders)),
            delete(WalkInVisit).where(WalkInVisit.id.in_(visits)),
            delete(QueueCounter).where(QueueCounter.day.in_(committed.walk_in_days)),
            delete(MicrodataVariable).where(MicrodataVariable.dataset_id.in_(products)),
            delete(MicrodataSet).where(MicrodataSet.id.in_(products)),
            delete(Publication).where(Publication.id.in_(products)),
            delete(DigitalMap).where(DigitalMap.id.in_(products)),
            delete(Product).where(Product.id.in_(products)),
            delete(User).where(User.id.in_(users)),
        ]
        for statement in statements:
            connection.execute(statement)
        for code, version in committed.tariff_versions:
            connection.execute(delete(TariffScheduleVersion).where(
                TariffScheduleVersion.code == code, TariffScheduleVersion.version == version))


def run_together(*jobs: Callable[[], object]) -> list[object]:
    """Run each job in its own thread; return each one's result or the exception it raised."""
    outcomes: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            outcomes[index] = job()
        except BaseException as exc:  # handed to the test to judge
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, job), name=f"officer-{i + 1}") for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_S)
    assert not any(thread.is_alive() for thread in threads), "an officer's request never finished (deadlock?)"
    return outcomes
