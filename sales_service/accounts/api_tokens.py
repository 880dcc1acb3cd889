"""Bearer tokens for the staff JSON API. Only a token's SHA-256 is stored; the plain
value is shown once, when the admin creates it. Never commits."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from sales_service.accounts.models import ApiToken, User
from sales_service.clock import utcnow
from sales_service.errors import N_, NotFound, PermissionDenied
from sales_service.paging import Page, paginate
from sales_service.roles import Role
from sales_service.text import clean_text

TOKENS_PAGE_SIZE = 50


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, acting: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the plain value is returned once and never stored."""
    if acting.role != Role.ADMIN:
        raise PermissionDenied("Hanya admin yang dapat membuat token API.")
    name = clean_text(name, N_("Nama token"), max_length=120)
    plain = "sst_" + secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=digest(plain), prefix=plain[:12], created_by_id=acting.id)
    session.add(token)
    session.flush()
    return token, plain


def revoke_api_token(session: Session, acting: User, token_id: int) -> ApiToken:
    if acting.role != Role.ADMIN:
        raise PermissionDenied("Hanya admin yang dapat mencabut token API.")
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("Token tidak ditemukan.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()
    return token


def api_tokens(session: Session, *, page: int = 1, per_page: int = TOKENS_PAGE_SIZE) -> Page[ApiToken]:
    """A page of the tokens, newest first."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    return paginate(session, query, page=page, per_page=per_page)


def authenticate_api_token(session: Session, plain: str) -> ApiToken | None:
    """The live token with this value, its use noted; None for an unknown or revoked one."""
    if not plain:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(plain)))
    if token is None or token.revoked_at is not None:
        return None
    token.last_used_at = utcnow()
    session.flush()
    return token
