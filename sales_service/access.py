"""Role checks for views: every non-public route says who may call it."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

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
