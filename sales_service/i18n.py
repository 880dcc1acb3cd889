"""UI language: Indonesian first (the source strings), English for buyers abroad.

Templates and messages are written in Indonesian; ``translations/en`` holds the
English catalogue (a gettext .po file, read with Babel at start-up, so no
compile step is needed). The visitor's choice is kept in the session; a signed-in
user's is also kept on their account (``user_account.language``), where it decides
the language of their invoices and SPPDs and becomes the session's at each sign-in.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, has_request_context, session
from jinja2 import pass_context
from markupsafe import Markup

from sales_service.errors import N_  # noqa: F401  (re-exported for views and templates)

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
SOURCE_LANGUAGE = "id"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


def load_catalogue(language: str) -> NullTranslations:
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    po_path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def init_app(app: Flask) -> None:
    app.extensions["sales_translations"] = {lang: load_catalogue(lang) for lang in LANGUAGES}
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.context_processor(_page_translations)


def _page_translations() -> dict:
    """The page's ``gettext`` and ``ngettext`` (which ``_()`` and ``{% trans %}`` call), bound
    once per page to the visitor's catalogue. A page calls them tens of times; asking for the
    session's language at each call was a fifth of the officer queue's time. They do what
    Jinja's "newstyle" ones installed above do: translate, mark safe where the template
    autoescapes, then fill in the ``%(name)s`` values (so ``%%`` reads ``%``; a text with
    neither, most of them, is returned as it is: formatting a marked-safe text costs)."""
    translations = _translations()
    return {"gettext": _page_gettext(translations.gettext), "ngettext": _page_ngettext(translations.ngettext)}


def _page_gettext(translate):
    @pass_context
    def page_gettext(context, message: str, /, **params: object) -> str:  # any value name may be used
        text = translate(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % params if params or "%" in text else text

    return page_gettext


def _page_ngettext(translate):
    @pass_context
    def page_ngettext(context, singular: str, plural: str, n: int, /, **params: object) -> str:
        params.setdefault("num", n)
        text = translate(singular, plural, n)
        return (Markup(text) if context.eval_ctx.autoescape else text) % params

    return page_ngettext


def current_language() -> str:
    # Asked for every translated string of a page (tens to hundreds): the cheap checks first.
    chosen = session.get("language") if has_request_context() else None
    if chosen in LANGUAGES:
        return chosen
    language = current_app.config["DEFAULT_LANGUAGE"]
    return language if language in LANGUAGES else SOURCE_LANGUAGE


def use_language(language: str | None) -> None:
    """Show this session in ``language`` from now on (a signed-in user's stored language); an
    unknown or missing one changes nothing."""
    if language in LANGUAGES:
        session["language"] = language


def choose_language(language: str) -> None:
    """The language switch (a plain link, so any site could follow it for the visitor): the
    visitor's UI language from now on, nothing more. The language a buyer's documents are
    issued in is stored only by a form of theirs (registration, the account page). An unknown
    language is ignored."""
    if language in LANGUAGES:
        session["language"] = language


def _translations() -> NullTranslations:
    return current_app.extensions["sales_translations"][current_language()]


def gettext(message: str, **params: object) -> str:
    text = _translations().gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Called from Python with the parameters, formats; called by Jinja (no parameters),
    returns the text for Jinja's newstyle gettext to format with the template's values."""
    text = _translations().ngettext(singular, plural, n)
    if not params:
        return text
    params.setdefault("num", n)
    return text % params


def english(message: str) -> str:
    """Translate to English regardless of the visitor (used by the JSON API)."""
    return current_app.extensions["sales_translations"]["en"].gettext(message)
