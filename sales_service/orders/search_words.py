"""What the officers' text search matches, as words. Pure module.

An order is found by the words of its buyer's name and institution (as on the order) and of
its lines' product titles, and by its number. A word is kept and typed the same way: lower
case, accents dropped, cut at anything that is neither a letter nor a digit, so "Déwi",
"DEWI" and "dewi," are one word and "Gadjah-Mada" is two. A typed word matches every stored
word it begins ("lest" finds "Lestari"), never one it sits inside ("estari" finds nothing):
an index serves a prefix, and officers type the beginning of names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

WORD_LENGTH = 40  # stored words are cut here, and typed ones alike, so a long word still matches itself
MAX_TERMS = 5  # what an officer types is read up to this many space-separated terms
_SEPARATORS = re.compile(r"[\W_]+")
# An order number as quoted (PST-2026-000123), or its digits alone (000123, 123).
_ORDER_NUMBER = re.compile(r"(?:[a-z]+-)?(?:\d{4}-)?(\d{1,12})", re.IGNORECASE)


def words(text: str | None) -> list[str]:
    """The words of a name, institution or title, in order, as the search keeps them."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return [word[:WORD_LENGTH] for word in _SEPARATORS.split(bare) if word]


def order_words(buyer_name: str | None, buyer_institution: str | None, titles: Iterable[str]) -> set[str]:
    """Every word under which an order is found."""
    found = set(words(buyer_name)) | set(words(buyer_institution))
    for title in titles:
        found.update(words(title))
    return found


@dataclass(frozen=True)
class Term:
    """One space-separated term as typed: the words it must begin (all on the same order), and
    the order id it names when it reads as an order number."""

    prefixes: tuple[str, ...]
    order_id: int | None


def terms(typed: str) -> list[Term]:
    """The terms of a search as typed; each must match for an order to be found."""
    found = []
    for raw in typed.split()[:MAX_TERMS]:
        number = _ORDER_NUMBER.fullmatch(raw)
        prefixes = tuple(dict.fromkeys(words(raw)))
        if prefixes or number:
            found.append(Term(prefixes, int(number.group(1)) if number else None))
    return found


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """The range of stored words that begin with ``prefix``: ``low <= word < high`` in code
    point order (SQLite's BINARY collation, PostgreSQL's "C")."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are not characters: step over them
        last = 0xE000
    return prefix, prefix[:-1] + chr(last)
