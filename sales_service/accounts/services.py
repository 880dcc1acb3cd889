"""Use cases for accounts. Take a session, never commit."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from sales_service.accounts.models import STAFF_ROLES, Domicile, Role, User
from sales_service.accounts.npwp import normalise_npwp
from sales_service.accounts.passwords import check_password
from sales_service.clock import aware, utcnow
from sales_service.errors import N_, Conflict, DomainError, InvalidInput, NotFound
from sales_service.pnbp.segments import ZERO_RATE_SEGMENTS, BuyerSegment
from sales_service.text import clean_text

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


def register_buyer(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str,
    segment: BuyerSegment,
    domicile: Domicile,
    institution: str = "",
    phone: str = "",
    npwp: str = "",
) -> User:
    email = normalise_email(email)
    full_name = clean_text(full_name, N_("Nama lengkap"), max_length=200)
    check_password(password, email=email, full_name=full_name)
    institution = clean_text(institution, N_("Instansi"), required=False, max_length=200)
    phone = clean_text(phone, N_("Telepon"), required=False, max_length=40)
    needs_institution = segment in ZERO_RATE_SEGMENTS or segment == BuyerSegment.PRIVATE_COMPANY
    if needs_institution and not institution:
        raise InvalidInput("Nama instansi atau perusahaan wajib diisi untuk segmen ini.")
    npwp_digits = None
    if segment == BuyerSegment.PRIVATE_COMPANY or (npwp or "").strip():
        npwp_digits = normalise_npwp(npwp)
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        full_name=full_name,
        role=Role.BUYER,
        segment=segment,
        domicile=domicile,
        institution=institution or None,
        phone=phone or None,
        npwp=npwp_digits,
    )
    return _add_user(session, user)


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
    user = session.get(User, int(user_part))
    if user is None or not user.active or user.session_generation != int(generation_part):
        return None
    return user


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session, role: Role | None = None) -> list[User]:
    query = select(User).order_by(User.role, func.lower(User.full_name))
    if role is not None:
        query = query.where(User.role == role)
    return list(session.scalars(query))


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
