"""Use cases for accounts. Take a session, never commit."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from sales_service.accounts.models import STAFF_ROLES, Domicile, Role, User
from sales_service.accounts.npwp import normalise_npwp
from sales_service.errors import N_, Conflict, DomainError, InvalidInput, NotFound
from sales_service.pnbp.segments import ZERO_RATE_SEGMENTS, BuyerSegment
from sales_service.text import clean_text

MIN_PASSWORD_LENGTH = 8
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


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput("Alamat e-mail tidak sah.")
    return email


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput("Kata sandi minimal {n} karakter.", n=MIN_PASSWORD_LENGTH)


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
    _check_password(password)
    full_name = clean_text(full_name, N_("Nama lengkap"), max_length=200)
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
    _check_password(password)
    full_name = clean_text(full_name, N_("Nama lengkap"), max_length=200)
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        full_name=full_name,
        role=role,
    )
    return _add_user(session, user)


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise InvalidCredentials()
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        raise InvalidCredentials()
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
    return user
