"""Lists a page at a time: one counting query and one query for the page's rows, whatever
the size of the table. Services return a :class:`Page`; templates show it with the
``_pager.html`` macro, whose links keep the list's filters. No Flask here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from math import ceil
from typing import Generic, TypeVar

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
U = TypeVar("U")

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # a page number beyond any list; larger input is read as this


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int  # 1-based, always within 1..pages
    per_page: int
    total: int  # rows on every page together

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_row(self) -> int:
        """The 1-based position of the page's first row (0 on an empty list)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.items) - 1 if self.items else 0

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` on each side of this
        one; None where numbers are left out."""
        shown = sorted({1, self.pages, *range(max(1, self.number - around), min(self.pages, self.number + around) + 1)})
        result: list[int | None] = []
        for previous, current in zip([0, *shown], shown, strict=False):
            if current - previous > 1:
                result.append(None)
            result.append(current)
        return result

    def map(self, convert: Callable[[list[T]], list[U]]) -> Page[U]:
        """The same page with its items converted (all at once, so one query serves the page)."""
        return Page(convert(self.items), self.number, self.per_page, self.total)


def page_number(raw: str | None) -> int:
    """A page number from a query string: anything but a positive number is page 1."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return max(1, min(int(text[:7]), MAX_PAGE))


def paginate(session: Session, query: Select, *, page: int, per_page: int = PAGE_SIZE,
             values: Mapping | None = None) -> Page:
    """Page ``page`` of ``query`` (which must be ordered to a unique key, e.g. ending in the id).
    A page beyond the last shows the last one.

    ``values``: for a query built once and kept (its filters bound parameters, this their values),
    whose counting and page statements are then built once too: building a statement and its
    cache key again on every request cost as much as running it."""
    if values is None:
        count, rows = _counted(query)
    else:
        count, rows = _counted_once(query)
    total = session.scalar(count, values) or 0
    pages = max(1, ceil(total / per_page))
    number = min(max(1, page), pages)
    items = list(session.scalars(rows, {**(values or {}), "page_limit": per_page,
                                        "page_offset": (number - 1) * per_page})) if total else []
    return Page(items, number, per_page, total)


def _counted(query: Select) -> tuple[Select, Select]:
    return (select(func.count()).select_from(query.order_by(None).subquery()),
            query.limit(bindparam("page_limit")).offset(bindparam("page_offset")))


_counted_once = lru_cache(maxsize=128)(_counted)  # kept queries only: keyed by the query object
