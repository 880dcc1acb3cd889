from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sales_service.clock import utcnow
from sales_service.orm import Base, BigId, str_enum
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import STAFF_ROLES, Role


class Domicile(StrEnum):
    INDONESIA = "indonesia"
    ABROAD = "abroad"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    segment: Mapped[BuyerSegment | None] = mapped_column(str_enum(BuyerSegment, "buyer_segment"))
    domicile: Mapped[Domicile | None] = mapped_column(str_enum(Domicile, "domicile"))
    institution: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500))  # printed on invoices
    npwp: Mapped[str | None] = mapped_column(String(16))
    # The language the buyer reads (``id`` or ``en``): their documents are issued in it. None: not chosen.
    language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of every session's id (``get_id``): raising it ends every session and remember-me
    # cookie issued before (logout, password change, "log out everywhere", disabling).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Failed password logins in the current window, kept in the database so that every web
    # process counts the same failures (accounts.services.LOCKOUT_*).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_failed_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # -- what Flask-Login asks of a user (written here so models need no Flask import) --
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """The id kept in the session and the remember-me cookie: ``"<id>:<generation>"``."""
        return f"{self.id}:{self.session_generation}"

    @property
    def document_language(self) -> str:
        """The language their invoice and SPPD are issued in: the one they chose, else English
        (bilingual documents) for a buyer abroad and Indonesian for everyone else."""
        if self.language is not None:
            return self.language
        return "en" if self.domicile == Domicile.ABROAD else "id"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class ApiToken(Base):
    """A bearer token for the staff JSON API; only its SHA-256 is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SegmentRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class SegmentChangeRequest(Base):
    """A buyer asks to be of another segment. The segment decides prices (Rp0, NPWP), so
    the buyer does not change it alone: an officer approves or refuses."""

    __tablename__ = "segment_change_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    from_segment: Mapped[BuyerSegment | None] = mapped_column(str_enum(BuyerSegment, "segment_request_from"))
    to_segment: Mapped[BuyerSegment] = mapped_column(str_enum(BuyerSegment, "segment_request_to"))
    institution: Mapped[str | None] = mapped_column(String(200))  # as it should read after the change
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[SegmentRequestStatus] = mapped_column(str_enum(SegmentRequestStatus, "segment_request_status"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
