"""Use cases for accounts. Take a session, never commit."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from sales_service.accounts.models import (
    STAFF_ROLES,
    Domicile,
    Role,
    SegmentChangeRequest,
    SegmentRequestStatus,
    User,
)
from sales_service.accounts.npwp import normalise_npwp
from sales_service.accounts.passwords import check_password
from sales_service.clock import aware, utcnow
from sales_service.dates import LOCALES
from sales_service.errors import N_, Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from sales_service.paging import Page, paginate
from sales_service.pnbp.segments import ZERO_RATE_SEGMENTS, BuyerSegment
from sales_service.text import MAX_REASON, clean_text

log = logging.getLogger(__name__)

# Per account, on top of the per-address rate limit of the login page: this many failed
# password logins within the window lock the account's password login for the duration.
# An attacker spreading guesses over many addresses gets 10 per 15 minutes, about 1,000 a
# day, against a password that zxcvbn judges to need 10^8 guesses.
LOCKOUT_FAILURES = 10
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Compared against when the e-mail is unknown, so a wrong e-mail costs as much
# time as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class InvalidCredentials(DomainError):
    http_status = 401

    def __init__(self):
        super().__init__("E-mail atau kata sandi salah.")


class EmailTaken(Conflict):
    def __init__(self, email: str):
        super().__init__("Alamat e-mail {email} sudah terdaftar.", email=email)


class WrongCurrentPassword(InvalidInput):
    def __init__(self):
        super().__init__("Kata sandi saat ini salah.")


class PasswordsDiffer(InvalidInput):
    def __init__(self):
        super().__init__("Kedua isian kata sandi baru tidak sama.")


class RegistrationFailed(Conflict):
    """Two registrations raced for one address: said without naming it (see ``request_registration``)."""

    def __init__(self):
        super().__init__("Pendaftaran tidak dapat diproses saat ini; coba lagi.")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput("Alamat e-mail tidak sah.")
    return email


def _add_user(session: Session, user: User) -> User:
    if session.scalar(select(User.id).where(User.email == user.email)) is not None:
        raise EmailTaken(user.email)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # two registrations racing for one address; the caller rolls back
        raise EmailTaken(user.email) from exc
    return user


class FormInvalid(InvalidInput):
    """Several fields refused at once: ``errors`` holds each field's reason, so a form can
    show all of them together instead of one per attempt."""

    def __init__(self, errors: dict[str, DomainError]):
        super().__init__("Periksa kembali isian yang ditandai.")
        self.errors = errors

    def translated(self, gettext) -> str:
        return " ".join(error.translated(gettext) for error in self.errors.values())


def _refuse(errors: dict[str, DomainError]) -> None:
    """Raise what ``errors`` holds: a single reason as itself, several together."""
    if len(errors) == 1:
        raise next(iter(errors.values()))
    if errors:
        raise FormInvalid(errors)


# The languages a user reads the service in (the UI's, i18n.LANGUAGES): a buyer's invoice and SPPD
# are issued in theirs ("en": bilingual, Indonesian with English).
LANGUAGES = tuple(LOCALES)


class UnknownLanguage(InvalidInput):
    def __init__(self):
        super().__init__("Pilih bahasa Indonesia atau bahasa Inggris.")


def set_language(session: Session, user_id: int, language: str) -> User:
    """The language ``user_id`` reads: the UI's after they sign in, and the one their next invoice
    and SPPD are issued in. Documents already issued keep theirs."""
    if language not in LANGUAGES:
        raise UnknownLanguage()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    user.language = language
    session.flush()
    return user


# Segments that buy as an organisation: the name of the institution or company is required.
INSTITUTION_SEGMENTS = ZERO_RATE_SEGMENTS | {BuyerSegment.PRIVATE_COMPANY}
PROFILE_FIELDS = ("full_name", "institution", "address", "phone", "npwp")


def required_fields(segment: BuyerSegment | None) -> frozenset[str]:
    """The profile fields a buyer of ``segment`` must fill (the registration form marks them)."""
    fields = {"full_name"}
    if segment in INSTITUTION_SEGMENTS:
        fields.add("institution")
    if segment == BuyerSegment.PRIVATE_COMPANY:  # DOMAIN.md: private-sector buyers need an active NPWP
        fields.add("npwp")
    return frozenset(fields)


def _check(errors: dict[str, DomainError], field: str, check):
    try:
        return check()
    except DomainError as error:
        errors[field] = error
        return None


def _lines(text: str | None) -> str:
    """A typed address as its non-empty lines, each trimmed, joined by newlines (no CR)."""
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def clean_profile(segment: BuyerSegment | None, *, full_name: str, institution: str = "", address: str = "",
                  phone: str = "", npwp: str = "") -> tuple[dict, dict[str, DomainError]]:
    """The profile as it will be stored, and every field's reason for refusal (none: empty)."""
    errors: dict[str, DomainError] = {}
    values = {
        "full_name": _check(errors, "full_name", lambda: clean_text(full_name, N_("Nama lengkap"), max_length=200)),
        "institution": _check(errors, "institution", lambda: clean_text(
            institution, N_("Instansi"), required=False, max_length=200)) or None,
        "address": _check(errors, "address", lambda: clean_text(
            _lines(address), N_("Alamat"), required=False, max_length=500)) or None,
        "phone": _check(errors, "phone", lambda: clean_text(phone, N_("Telepon"), required=False, max_length=40))
        or None,
        "npwp": None,
    }
    if "institution" not in errors and segment in INSTITUTION_SEGMENTS and not values["institution"]:
        errors["institution"] = InvalidInput("Nama instansi atau perusahaan wajib diisi untuk segmen ini.")
    if segment == BuyerSegment.PRIVATE_COMPANY or (npwp or "").strip():
        values["npwp"] = _check(errors, "npwp", lambda: normalise_npwp(npwp))
    return values, errors


def registration_problems(*, email: str, password: str, full_name: str, segment: BuyerSegment,
                          institution: str = "", address: str = "", phone: str = "", npwp: str = "",
                          **_ignored) -> dict[str, DomainError]:
    """Every reason the registration form would be refused for, by field, without touching
    the database (whether the address has an account is never told here)."""
    values, profile_errors = clean_profile(segment, full_name=full_name, institution=institution,
                                           address=address, phone=phone, npwp=npwp)
    errors: dict[str, DomainError] = {}
    if "full_name" in profile_errors:
        errors["full_name"] = profile_errors.pop("full_name")
    email = _check(errors, "email", lambda: normalise_email(email))
    _check(errors, "password", lambda: check_password(password, email=email or "",
                                                      full_name=values["full_name"] or ""))
    errors.update(profile_errors)
    return errors


def register_buyer(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str,
    segment: BuyerSegment,
    domicile: Domicile,
    institution: str = "",
    address: str = "",
    phone: str = "",
    npwp: str = "",
    language: str | None = None,
) -> User:
    """A new buyer; ``language``: the one the registration form was read in, which their documents
    will be issued in (None: not known; ``User.document_language`` decides)."""
    _refuse(registration_problems(email=email, password=password, full_name=full_name, segment=segment,
                                  institution=institution, address=address, phone=phone, npwp=npwp))
    values, _ = clean_profile(segment, full_name=full_name, institution=institution, address=address,
                              phone=phone, npwp=npwp)
    user = User(
        email=normalise_email(email),
        password_hash=generate_password_hash(password),
        role=Role.BUYER,
        segment=segment,
        domicile=domicile,
        language=language if language in LANGUAGES else None,
        **values,
    )
    return _add_user(session, user)


def update_profile(session: Session, user_id: int, *, full_name: str, institution: str = "", address: str = "",
                   phone: str = "", npwp: str = "") -> User:
    """The buyer corrects their own name, institution, address, phone or NPWP. Later
    invoices (a reissue too) print the corrected data; issued ones keep what they printed.
    The segment is not changed here: it decides prices (``request_segment_change``)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    values, errors = clean_profile(user.segment, full_name=full_name, institution=institution, address=address,
                                   phone=phone, npwp=npwp)
    _refuse(errors)
    for field, value in values.items():
        setattr(user, field, value)
    session.flush()
    return user


# -- segment changes: asked by the buyer, decided by an officer ---------------------------------------

class SegmentRequestPending(Conflict):
    def __init__(self):
        super().__init__("Permintaan perubahan segmen Anda masih menunggu keputusan petugas.")


def pending_segment_request(session: Session, user_id: int) -> SegmentChangeRequest | None:
    return session.scalar(select(SegmentChangeRequest).where(
        SegmentChangeRequest.user_id == user_id, SegmentChangeRequest.status == SegmentRequestStatus.PENDING))


SEGMENT_DECISION_LABELS = {
    SegmentRequestStatus.APPROVED: N_("disetujui"),
    SegmentRequestStatus.REFUSED: N_("ditolak"),
}


def decided_segment_requests(session: Session, user_id: int) -> list[SegmentChangeRequest]:
    """The buyer's last decided requests, newest first, with the officer's answer."""
    query = select(SegmentChangeRequest).where(
        SegmentChangeRequest.user_id == user_id, SegmentChangeRequest.status != SegmentRequestStatus.PENDING,
    ).order_by(SegmentChangeRequest.id.desc()).limit(5)
    return list(session.scalars(query))


def request_segment_change(session: Session, user_id: int, *, segment: str, institution: str = "",
                           reason: str = "") -> SegmentChangeRequest:
    """The buyer asks to be of another segment; nothing changes until an officer approves."""
    user = session.get(User, user_id)
    if user is None or user.role != Role.BUYER:
        raise PermissionDenied("Hanya pembeli yang mempunyai segmen.")
    try:
        wanted = BuyerSegment(segment)
    except ValueError:
        raise InvalidInput("Pilih segmen pembeli yang baru.") from None
    if wanted == user.segment:
        raise InvalidInput("Segmen itu sudah segmen Anda.")
    if pending_segment_request(session, user.id) is not None:
        raise SegmentRequestPending()
    errors: dict[str, DomainError] = {}
    institution = _check(errors, "institution", lambda: clean_text(
        institution, N_("Instansi"), required=False, max_length=200)) or user.institution or ""
    if "institution" not in errors and wanted in INSTITUTION_SEGMENTS and not institution:
        errors["institution"] = InvalidInput("Nama instansi atau perusahaan wajib diisi untuk segmen ini.")
    reason = _check(errors, "reason", lambda: clean_text(reason, N_("Alasan perubahan"), max_length=MAX_REASON))
    if wanted == BuyerSegment.PRIVATE_COMPANY and not user.npwp:
        errors["npwp"] = InvalidInput("Isi dulu NPWP perusahaan di profil Anda: perusahaan swasta wajib ber-NPWP.")
    _refuse(errors)
    request = SegmentChangeRequest(user_id=user.id, from_segment=user.segment, to_segment=wanted,
                                   institution=institution or None, reason=reason,
                                   status=SegmentRequestStatus.PENDING)
    session.add(request)
    session.flush()
    return request


def pending_segment_requests(session: Session, *, limit: int = 100) -> list[tuple[SegmentChangeRequest, User]]:
    """The oldest undecided requests first, each with its buyer (the officers' list)."""
    query = (select(SegmentChangeRequest, User).join(User, User.id == SegmentChangeRequest.user_id)
             .where(SegmentChangeRequest.status == SegmentRequestStatus.PENDING)
             .order_by(SegmentChangeRequest.id).limit(limit))
    return [(request, user) for request, user in session.execute(query)]


def count_pending_segment_requests(session: Session) -> int:
    """How many segment change requests wait for an officer (for the staff home's counts)."""
    return session.scalar(select(func.count(SegmentChangeRequest.id)).where(
        SegmentChangeRequest.status == SegmentRequestStatus.PENDING)) or 0


def decide_segment_change(session: Session, request_id: int, *, approve: bool, note: str = "",
                          officer: User) -> SegmentChangeRequest:
    """An officer approves (the buyer's segment, and institution when given, change now;
    orders already submitted keep the segment they were made with) or refuses with a reason."""
    if officer.role not in (Role.OFFICER, Role.ADMIN):
        raise PermissionDenied("Hanya petugas yang memutuskan perubahan segmen.")
    request = session.get(SegmentChangeRequest, request_id)
    if request is None:
        raise NotFound("Permintaan perubahan segmen tidak ditemukan.")
    if request.status != SegmentRequestStatus.PENDING:
        raise Conflict("Permintaan ini sudah diputuskan.")
    note = clean_text(note, N_("Alasan penolakan"), required=not approve, max_length=MAX_REASON)
    buyer = session.get_one(User, request.user_id)
    if approve:
        if request.to_segment == BuyerSegment.PRIVATE_COMPANY and not buyer.npwp:
            raise Conflict("Pembeli belum mengisi NPWP; perusahaan swasta wajib ber-NPWP.")
        buyer.segment = request.to_segment
        if request.institution:
            buyer.institution = request.institution
    request.status = SegmentRequestStatus.APPROVED if approve else SegmentRequestStatus.REFUSED
    request.decision_note = note or None
    request.decided_by_id, request.decided_at = officer.id, utcnow()
    session.flush()
    return request


def create_staff(session: Session, *, email: str, password: str, full_name: str, role: Role) -> User:
    if role not in STAFF_ROLES:
        raise InvalidInput("Peran staf harus petugas, bendahara atau admin.")
    email = normalise_email(email)
    full_name = clean_text(full_name, N_("Nama lengkap"), max_length=200)
    check_password(password, email=email, full_name=full_name)
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        full_name=full_name,
        role=role,
    )
    return _add_user(session, user)


@dataclass(frozen=True)
class Registration:
    """What a registration came to, told apart only inside the service: the page says the
    same either way, so the form does not reveal who has an account."""

    user: User | None  # None: the address already had an account, nothing was created


def request_registration(session: Session, **fields) -> Registration:
    """Register a buyer, or, where the e-mail address already has an account, create
    nothing and log it. Every other refusal (weak password, bad NPWP) is raised as usual:
    it is about what was typed, not about who exists."""
    try:
        return Registration(register_buyer(session, **fields))
    except EmailTaken as taken:
        if isinstance(taken.__cause__, IntegrityError):
            raise RegistrationFailed() from taken
        existing = session.scalar(select(User.id).where(User.email == taken.params["email"]))
        log.warning("registration for an address that already has an account (user %s); nothing created",
                    existing)
        return Registration(None)


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and aware(user.locked_until) > now


def _record_failure(user: User, now: datetime) -> None:
    if user.first_failed_login_at is None or now - aware(user.first_failed_login_at) > LOCKOUT_WINDOW:
        user.failed_logins, user.first_failed_login_at = 0, now
    user.failed_logins += 1
    if user.failed_logins >= LOCKOUT_FAILURES:
        user.locked_until = now + LOCKOUT_DURATION
        user.failed_logins, user.first_failed_login_at = 0, None
        log.warning("password login of user %s locked until %s after %d failures", user.id,
                    user.locked_until.isoformat(), LOCKOUT_FAILURES)


def sign_in(session: Session, email: str, password: str, *, now: datetime | None = None) -> User | None:
    """The account for ``email`` and ``password``, or None. A failure is recorded on the
    account (the caller commits it), and a locked account answers None even to the right
    password. Every path checks one password hash, so timing tells nothing either."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or _locked(user, now):
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        _record_failure(user, now)
        return None
    if not user.active:
        return None
    user.failed_logins, user.first_failed_login_at, user.locked_until = 0, None, None
    return user


def authenticate(session: Session, email: str, password: str, *, now: datetime | None = None) -> User:
    user = sign_in(session, email, password, now=now)
    if user is None:
        raise InvalidCredentials()
    return user


def end_sessions(user: User) -> None:
    """Refuse every session and remember-me cookie issued to ``user`` so far."""
    user.session_generation += 1


def change_password(session: Session, user_id: int, *, current: str, new: str, repeated: str) -> User:
    """The signed-in user's new password; every other session of theirs ends (the caller
    signs the current one in again with the new generation)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    if not check_password_hash(user.password_hash, current or ""):
        raise WrongCurrentPassword()
    if (new or "") != (repeated or ""):
        raise PasswordsDiffer()
    check_password(new, email=user.email, full_name=user.full_name)
    user.password_hash = generate_password_hash(new)
    end_sessions(user)
    return user


def log_out_everywhere(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    end_sessions(user)
    return user


def user_for_session(session: Session, session_id: str) -> User | None:
    """The user a session id (``User.get_id``) names, if that session still stands:
    the account is active and nothing has ended its sessions since."""
    user_part, _, generation_part = (session_id or "").partition(":")
    if not (user_part.isascii() and user_part.isdigit() and generation_part.isascii()
            and generation_part.isdigit() and len(user_part) <= 19 and len(generation_part) <= 9):
        return None  # also every cookie from before session generations existed
    user = session.scalars(_user_by_id(), {"user_id": int(user_part)}).one_or_none()
    if user is None or not user.active or user.session_generation != int(generation_part):
        return None
    return user


@cache
def _user_by_id() -> Select:
    return select(User).where(User.id == bindparam("user_id"))  # built once: every signed-in request asks


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


USERS_PAGE_SIZE = 50


def list_users(session: Session, role: Role | None = None, *, text: str = "", page: int = 1,
               per_page: int = USERS_PAGE_SIZE) -> Page[User]:
    """A page of the accounts by role and name; ``text`` keeps those whose name or e-mail contains every word."""
    query = select(User).order_by(User.role, func.lower(User.full_name), User.id)
    if role is not None:
        query = query.where(User.role == role)
    for word in text.split()[:5]:
        pattern = f"%{word.lower()}%"
        query = query.where(or_(func.lower(User.full_name).like(pattern), func.lower(User.email).like(pattern)))
    return paginate(session, query, page=page, per_page=per_page)


def set_active(session: Session, user_id: int, active: bool, *, acting: User) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    if user.id == acting.id and not active:
        raise Conflict("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    user.active = active
    if not active:
        end_sessions(user)  # re-enabling must not revive the sessions it had
    return user
