"""Role checks for views: every non-public route says who may call it."""

from __future__ import annotations

from functools import wraps

from flask import abort, jsonify, request
from flask_login import current_user, login_required

from sales_service import db
from sales_service.accounts import api_tokens
from sales_service.roles import Role


def roles_required(*roles: Role):
    """Only signed-in users holding one of ``roles``: anonymous visitors are sent
    to the login page, others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator


staff_required = roles_required(Role.OFFICER, Role.TREASURER, Role.ADMIN)
admin_required = roles_required(Role.ADMIN)
officer_required = roles_required(Role.OFFICER, Role.ADMIN)
buyer_required = roles_required(Role.BUYER)


def public(view):
    """Mark a view as open to anonymous visitors (checked by the route-audit test)."""
    view.public = True
    return view


signed_in = roles_required(*Role)


def bearer_token_required(view):
    """Staff API: ``Authorization: Bearer <token>`` issued by the admin; no cookies, no
    CSRF. The token's use is noted in the request's transaction, which the view commits."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = api_tokens.authenticate_api_token(db.session(), value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            response = jsonify(error="Missing, unknown or revoked API token.")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="sales_service"'
            return response
        return view(*args, **kwargs)

    wrapper.public = True  # authenticated by its token, not by the login session
    return wrapper
