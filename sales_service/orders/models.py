from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sales_service.clock import utcnow
from sales_service.orders.lifecycle import Channel, OrderStatus, ZeroRateClaim
from sales_service.orders.requirements import has_sample, needs_agreement
from sales_service.orm import Base, BigId, str_enum
from sales_service.pnbp.schedule import PricingRule, ProductKind
from sales_service.pnbp.segments import BuyerSegment, ZeroRatePurpose


class Order(Base):
    __tablename__ = "sales_order"
    __table_args__ = (
        CheckConstraint("(buyer_id IS NOT NULL) OR (walk_in_id IS NOT NULL)", name="has_a_buyer"),
        # The officers' queue: a status (or the open ones) in deadline order, and the overdue count.
        Index("ix_sales_order_status_sla_deadline", "status", "sla_deadline", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "order_channel"))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    walk_in_id: Mapped[int | None] = mapped_column(ForeignKey("walk_in_visit.id"))
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"), index=True)
    # Optimistic lock: two officers acting at once cannot both win (SQLAlchemy version counter).
    version: Mapped[int] = mapped_column(default=1)

    # The buyer as they were when ordering (their profile may change later).
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_institution: Mapped[str | None] = mapped_column(String(200))
    segment: Mapped[BuyerSegment] = mapped_column(str_enum(BuyerSegment, "order_segment"))
    purpose: Mapped[str] = mapped_column(Text, default="")
    commercial: Mapped[bool | None] = mapped_column()  # None: the buyer has not said yet
    zero_rate: Mapped[ZeroRateClaim] = mapped_column(str_enum(ZeroRateClaim, "zero_rate_claim"),
                                                     default=ZeroRateClaim.NONE)
    zero_rate_basis: Mapped[str | None] = mapped_column(Text)  # legal basis recorded on approval
    # An Rp0 claim names the eligible institution behind it (for a person: whose letter they
    # bring), the institution's kind and which of the four purposes it serves.
    zero_rate_institution: Mapped[str | None] = mapped_column(String(200))
    zero_rate_institution_segment: Mapped[BuyerSegment | None] = mapped_column(
        str_enum(BuyerSegment, "zero_rate_institution_segment"))
    zero_rate_purpose: Mapped[ZeroRatePurpose | None] = mapped_column(str_enum(ZeroRatePurpose, "zero_rate_purpose"))

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requirements_complete_on: Mapped[date | None] = mapped_column(Date)  # SLA day 0
    sla_budget_days: Mapped[int | None]
    # The SLA deadline while the clock runs; None before the requirements were complete, while the
    # order is with the buyer and once it is delivered or closed. Derived from the status moves and
    # the office calendar, kept current by workflow.save and office_calendar (never set elsewhere),
    # so the queue can sort and filter by it in SQL.
    sla_deadline: Mapped[date | None] = mapped_column(Date, index=True)
    # Stored with it (and None with it): the working days the order's pauses took, which with the
    # deadline tell its SLA status on any day without its status moves (sla.running_status).
    sla_paused_days: Mapped[int | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id",
                                                  cascade="all, delete-orphan")
    events: Mapped[list[OrderEvent]] = relationship(back_populates="order", order_by="OrderEvent.id")
    walk_in: Mapped[WalkInVisit | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        """The number buyers and officers quote: PST-<year>-<id>."""
        return f"PST-{self.created_at.year}-{self.id:06d}"

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def normal_total(self) -> int:
        return sum(line.normal_amount for line in self.lines)

    @property
    def kinds(self) -> set[ProductKind]:
        return {line.kind for line in self.lines}

    @property
    def is_walk_in(self) -> bool:
        return self.channel == Channel.WALK_IN

    @property
    def needs_agreement(self) -> bool:
        """Microdata or maps: an abstract before review, an SPPD before delivery."""
        return needs_agreement(self.kinds)

    @property
    def has_sample(self) -> bool:
        return has_sample(self.kinds)

    @property
    def awaiting_final_size(self) -> tuple[str, ...]:
        """The titles of the lines priced on an estimate whose extract size is not recorded yet."""
        return tuple(line.product_title for line in self.lines if line.awaiting_final_size)


class OrderLine(Base):
    """One product on an order, with the quote that priced it (a snapshot: later
    tariff or catalogue changes never alter it)."""

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount >= 0 AND normal_amount >= 0 AND unit_price >= 0", name="amounts_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    product_title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ProductKind] = mapped_column(str_enum(ProductKind, "line_kind"))
    full_set: Mapped[bool] = mapped_column(default=True)  # microdata: whole set, or chosen variables

    schedule_code: Mapped[str] = mapped_column(String(60))
    regulation: Mapped[str] = mapped_column(String(60))
    item_code: Mapped[str] = mapped_column(String(60))
    # The tariff item as the regulation names it (schedule file name_id), copied when priced.
    item_name: Mapped[str | None] = mapped_column(String(300))
    rule: Mapped[PricingRule] = mapped_column(str_enum(PricingRule, "line_rule"))
    quantity: Mapped[int] = mapped_column(BigInteger)  # pages, bytes or maps
    unit_price: Mapped[int] = mapped_column(BigInteger)
    normal_amount: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(Text)
    basis_en: Mapped[str | None] = mapped_column(Text)  # the same in English; None on lines priced before 0015
    waived: Mapped[bool] = mapped_column(default=False)
    waiver_basis: Mapped[str | None] = mapped_column(Text)
    priced_on: Mapped[date] = mapped_column(Date)

    # A variable subset is priced on an estimate until the officer records the
    # size of the prepared extract; the estimate is kept beside the final figure.
    estimated_quantity: Mapped[int | None] = mapped_column(BigInteger)
    estimated_amount: Mapped[int | None] = mapped_column(BigInteger)
    final_size_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    order: Mapped[Order] = relationship(back_populates="lines")
    variables: Mapped[list[OrderLineVariable]] = relationship(
        back_populates="line", order_by="OrderLineVariable.position", cascade="all, delete-orphan"
    )

    def display_basis(self, language: str) -> str:
        """How the line was priced, in ``language`` (Indonesian when no English was kept)."""
        return self.basis_en if language == "en" and self.basis_en else self.basis

    @property
    def awaiting_final_size(self) -> bool:
        return not self.full_set and self.final_size_set_at is None


class OrderLineVariable(Base):
    __tablename__ = "order_line_variable"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(300))
    byte_width: Mapped[int]

    line: Mapped[OrderLine] = relationship(back_populates="variables")


class OrderEvent(Base):
    """The audit trail: append-only (who, when, from, to, why). Never updated or deleted."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    from_status: Mapped[OrderStatus | None] = mapped_column(str_enum(OrderStatus, "event_from_status"))
    to_status: Mapped[OrderStatus | None] = mapped_column(str_enum(OrderStatus, "event_to_status"))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    order: Mapped[Order] = relationship(back_populates="events")
    return_reasons: Mapped[list[ReturnReason]] = relationship(back_populates="event", order_by="ReturnReason.id")


@event.listens_for(OrderEvent, "before_update")
@event.listens_for(OrderEvent, "before_delete")
def _audit_is_append_only(_mapper, _connection, target):
    raise RuntimeError(f"audit event {target.id} is append-only")


class ReturnReason(Base):
    """Why an officer returned an order: one row per document found wanting."""

    __tablename__ = "return_reason"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("order_event.id"), index=True)
    document: Mapped[str] = mapped_column(String(40))  # a Requirement value, "variables" or "other"
    reason: Mapped[str] = mapped_column(Text)

    event: Mapped[OrderEvent] = relationship(back_populates="return_reasons")


class LeaveDay(Base):
    """An office leave day set by the admin: not a working day for the SLA clock."""

    __tablename__ = "leave_day"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    note: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdentityDocument(StrEnum):
    KTP = "ktp"
    SIM = "sim"
    PASSPORT = "passport"
    KITAS = "kitas"
    STUDENT_CARD = "student_card"


class QueueCounter(Base):
    """The last queue number given at the counter on a day (taken with an atomic update)."""

    __tablename__ = "queue_counter"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class WalkInVisit(Base):
    """The guest book of the PST counter; each visit gets the day's next queue number."""

    __tablename__ = "walk_in_visit"
    __table_args__ = (UniqueConstraint("visit_date", "queue_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    visit_date: Mapped[date] = mapped_column(Date)
    queue_number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    identity_type: Mapped[IdentityDocument] = mapped_column(str_enum(IdentityDocument, "identity_document"))
    identity_number: Mapped[str] = mapped_column(String(40))
    institution: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))  # required since issue 8; older visits may lack it
    phone: Mapped[str | None] = mapped_column(String(40))
    npwp: Mapped[str | None] = mapped_column(String(16))  # digits; a company visitor's, as online companies give
    purpose: Mapped[str] = mapped_column(Text)
    segment: Mapped[BuyerSegment] = mapped_column(str_enum(BuyerSegment, "visit_segment"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)  # arrival
    # The counter's clock for the service standard's promise (served within 10 minutes of the
    # queue turn): when the officer called the number, and when the visitor had been served.
    called_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    served_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# Words compare in code point order on both databases (SQLite's BINARY is already that), so a
# prefix range ``word >= 'lest' AND word < 'lesu'`` holds whatever the server's locale.
SEARCH_WORD = String(40).with_variant(String(40, collation="C"), "postgresql")


class OrderSearchWord(Base):
    """A word under which the officers' text search finds an order (``orders.search_words``):
    from the buyer's name and institution as on the order and from its lines' product titles.
    Written by ``orders.search`` wherever those change, with the order's status copied and kept
    current on every status move, so a search reads the words of the orders in the statuses asked
    (status, then word prefix: one range of an index each) and never those of closed orders."""

    __tablename__ = "order_search_word"
    __table_args__ = (Index("ix_order_search_word_status_word", "status", "word", "order_id"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), primary_key=True)
    word: Mapped[str] = mapped_column(SEARCH_WORD, primary_key=True)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "search_word_status"))
