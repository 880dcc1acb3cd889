"""Flask extensions, created unbound and attached to the app in ``create_app``."""

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from htmx_flask import Htmx


def _public_post_limit() -> str:
    return current_app.config["PUBLIC_POST_RATE_LIMIT"]


def _not_a_public_post() -> bool:
    """The default limit applies to every POST that anonymous visitors may make (views
    marked ``@public``); signed-in pages and GETs are not counted. A view with a limit of
    its own (the login) uses that instead."""
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method != "POST" or not getattr(view, "public", False)


csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(
    key_func=get_remote_address,  # the client's address; ProxyFix makes it so behind proxies
    default_limits=[_public_post_limit],
    default_limits_exempt_when=_not_a_public_post,
)
htmx = Htmx()


@limiter.request_filter
def _not_counted() -> bool:
    """Every limit here counts POSTs only (the default one above, the login's): other requests,
    most of all the pages, skip the limiter's work altogether, and so do the posts of the payment
    network, signed instead of limited (its retries and bursts must all get through)."""
    if request.method != "POST":
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "signed_by_sender", False)
