"""Every model in one import, for Alembic and the test fixtures."""

from sales_service.accounts.models import ApiToken, User
from sales_service.catalog.models import DigitalMap, MicrodataSet, MicrodataVariable, Product, Publication
from sales_service.files.models import OrderDocument, StoredFile
from sales_service.invoices.models import (
    BillingCode,
    CorrectionRequest,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    VerificationCode,
)
from sales_service.invoices.simulator_models import SimulatedBill, SimulatedPayment
from sales_service.orders.models import (
    LeaveDay,
    Order,
    OrderEvent,
    OrderLine,
    OrderLineVariable,
    QueueCounter,
    ReturnReason,
    WalkInVisit,
)
from sales_service.orm import Base
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
    StatementImport,
    StatementLine,
    StatementProposal,
    TransferProof,
)
from sales_service.pnbp.models import TariffScheduleVersion
from sales_service.sppd.models import AbstractVersion

__all__ = [
    "ApiToken",
    "BillingCode",
    "CorrectionRequest",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "VerificationCode",
    "SimulatedBill",
    "SimulatedPayment",
    "Payment",
    "PaymentNotification",
    "PaymentResolution",
    "Refund",
    "RefundedPayment",
    "RefundStepRecord",
    "Receipt",
    "ReceiptCounter",
    "TransferProof",
    "Deposit",
    "DepositedPayment",
    "StatementImport",
    "StatementLine",
    "StatementProposal",
    "AbstractVersion",
    "LeaveDay",
    "Order",
    "OrderDocument",
    "OrderEvent",
    "OrderLine",
    "OrderLineVariable",
    "QueueCounter",
    "ReturnReason",
    "StoredFile",
    "WalkInVisit",
    "Base",
    "DigitalMap",
    "MicrodataSet",
    "MicrodataVariable",
    "Product",
    "Publication",
    "TariffScheduleVersion",
    "User",
]
