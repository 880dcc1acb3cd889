"""Domain errors: every rule violation the service can name.

All of them subclass :class:`DomainError`; the web layer turns them into a
page or JSON message with ``http_status`` in one place (``sales_service.web``).
This module is pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for translation where it is defined (gettext_noop); it is
    translated where it is shown. Pure, so rule modules can use it."""
    return message


class DomainError(Exception):
    """A business rule refused an action.

    ``template`` is an Indonesian sentence with ``{name}`` placeholders and
    ``params`` their values; it doubles as the translation key, so the web layer
    can show it in the buyer's language (``translated``) while the service layer
    stays free of Flask. ``message`` is the Indonesian text.
    """

    http_status = 409

    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)

    def translated(self, gettext) -> str:
        """The message in the language of ``gettext`` (a callable msgid -> text).

        Text parameters are translated too when they are catalogue entries (field
        labels and units marked with ``N_``); anything else passes unchanged."""
        params = {k: gettext(v) if isinstance(v, str) and v else v for k, v in self.params.items()}
        return gettext(self.template).format(**params)


class InvalidInput(DomainError):
    """Input that a person typed or sent is not acceptable."""

    http_status = 422


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's to see)."""

    http_status = 404


class PermissionDenied(DomainError):
    http_status = 403


class Conflict(DomainError):
    """The action clashes with the current state (e.g. a duplicate e-mail)."""

    http_status = 409
