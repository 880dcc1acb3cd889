"""The service-level clock: N working days from a complete request, paused while the buyer holds the order.

The published service standard (SK Kepala BPS Kota Sorong B-206A/92710/TS.110/03/2024; SK Kepala BPS
Kabupaten Klaten 16.2/2024) promises online orders within 10 working days "after the request is clear
and requirements complete". The budget is the caller's (per product type); this module only counts.

Working days
    Monday to Friday, minus Indonesian public holidays (``holidays.Indonesia``, category ``public``),
    minus *cuti bersama*, the collective leave days the government sets for civil servants each year
    (the same library, category ``government``: e.g. 20, 23 and 24 March 2026 around Idul Fitri), minus
    the office's own leave days set by the admin. Both library categories are on by default; a
    government office is closed on cuti bersama. Names are the library's Indonesian ones
    ("Hari Raya Idul Fitri"); an office leave day is called "Cuti kantor".

Counting
    ``started`` is the office-local date on which the request became complete. It never counts:
    day 1 is the first working day after it, and the deadline is the ``budget_days``-th counted day.
    A request completed on Friday has Monday as day 1.

Pauses (order with the buyer)
    A ``Pause(start=A, end=B)`` means the officer returned the order on date A and the buyer resubmitted
    it on date B. The working days d with ``A < d <= B`` are not counted: the return day is the
    office's (the officer worked on it), the resubmission day is the buyer's (the office gets it back
    from the next working day, exactly as a new request would). So a return and resubmission on the
    same day cost nothing, and a resumed order's deadline moves by exactly the working days it spent
    with the buyer. Pauses may touch (returned again on the day it was resubmitted) but not overlap;
    an open pause (``end=None``) must be the last one.

Status on ``today``
    ``working_days_used`` counts the counted days in ``(started, today]``; it stops at the pause start
    while paused. ``working_days_left = budget_days - working_days_used``, negative once the office
    has used counted working days beyond the budget. While paused, there is no deadline (``None``),
    no days left (``None``) and nothing is overdue. Otherwise ``overdue`` means ``today > deadline``,
    so a Saturday after a Friday deadline is overdue with 0 days left. Days after the deadline during
    which the order sat with the buyer are not counted against the office either. For a delivered
    order pass the delivery date as ``today``.

All dates are ``datetime.date`` in the office's time zone; callers convert datetimes (a ``datetime``
is refused, as a comparison with a date would be wrong or fail). Holiday tables are immutable library
data, built per year on first use and cached for the process; nothing is loaded at import.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import holidays

from sales_service.orders.lifecycle import OrderStatus

OFFICE_LEAVE_NAME = "Cuti kantor"
_HOLIDAY_LANGUAGE = "id"


@lru_cache(maxsize=512)
def _library_holidays(year: int, categories: tuple[str, ...]) -> dict[date, str]:
    """Holiday names of one year; building a year costs milliseconds, so it is done once per process."""
    if not categories:
        return {}
    table = holidays.Indonesia(years=year, language=_HOLIDAY_LANGUAGE, categories=categories)
    return dict(table.items())


def _require_date(value: object, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a date in the office's time zone, not {type(value).__name__}")
    return value


class _Year:
    """One year of the calendar: names of the days off and the ordinals of the working days, sorted."""

    __slots__ = ("names", "working", "first", "last")

    def __init__(self, year: int, names: dict[date, str]):
        self.names = names
        self.first = date(year, 1, 1).toordinal()
        self.last = date(year, 12, 31).toordinal()
        days_off = {day.toordinal() for day in names}
        self.working = [
            ordinal
            for ordinal in range(self.first, self.last + 1)
            # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday.
            if (ordinal - 1) % 7 < 5 and ordinal not in days_off
        ]


class WorkingCalendar:
    """Indonesian working days for one office: weekdays minus public holidays, cuti bersama and office leave."""

    def __init__(
        self,
        leave_days: Iterable[date] = (),
        *,
        include_public_holidays: bool = True,
        include_collective_leave: bool = True,
    ):
        self._leave_days = frozenset(_require_date(day, "an office leave day") for day in leave_days)
        categories = []
        if include_public_holidays:
            categories.append(holidays.PUBLIC)
        if include_collective_leave:
            categories.append(holidays.GOVERNMENT)
        self._categories = tuple(categories)
        self._years: dict[int, _Year] = {}

    @property
    def leave_days(self) -> frozenset[date]:
        return self._leave_days

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            names = dict(_library_holidays(year, self._categories))
            for day in self._leave_days:
                if day.year == year:
                    names.setdefault(day, OFFICE_LEAVE_NAME)
            cached = self._years[year] = _Year(year, names)
        return cached

    def is_working_day(self, day: date) -> bool:
        _require_date(day, "day")
        working = self._year(day.year).working
        ordinal = day.toordinal()
        index = bisect_left(working, ordinal)
        return index < len(working) and working[index] == ordinal

    def holiday_name(self, day: date) -> str | None:
        """Why the office is closed on ``day``: the holiday's name, "Cuti kantor", or None on a plain day."""
        _require_date(day, "day")
        return self._year(day.year).names.get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself never counts."""
        _require_date(start, "start")
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        year = start.year
        index = bisect_right(self._year(year).working, start.toordinal())
        while True:
            working = self._year(year).working
            if index + n <= len(working):
                return date.fromordinal(working[index + n - 1])
            n -= len(working) - index
            year += 1
            index = 0

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days d have ``start < d <= end`` (0 when ``end <= start``)."""
        _require_date(start, "start")
        _require_date(end, "end")
        if end <= start:
            return 0
        low, high = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            working = self._year(year).working
            count += bisect_right(working, high) - bisect_right(working, low)
        return count


@dataclass(frozen=True)
class Pause:
    """The order was with the buyer: returned on ``start``, resubmitted on ``end`` (None: not yet)."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        _require_date(self.start, "a pause start")
        if self.end is not None:
            _require_date(self.end, "a pause end")
            if self.end < self.start:
                raise ValueError(f"a pause cannot end ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class SlaStatus:
    deadline: date | None
    working_days_used: int
    working_days_left: int | None
    paused: bool
    overdue: bool


def _checked_pauses(started: date, pauses: Sequence[Pause]) -> list[Pause]:
    for pause in pauses:
        if not isinstance(pause, Pause):
            raise TypeError(f"pauses must be Pause objects, not {type(pause).__name__}")
    ordered = sorted(pauses, key=lambda pause: pause.start)
    for pause in ordered:
        if pause.start < started:
            raise ValueError(f"a pause cannot start ({pause.start}) before the request was complete ({started})")
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.end is None or later.start < earlier.end:
            raise ValueError(
                f"pauses overlap: {earlier.start}..{earlier.end or 'open'} and {later.start}..{later.end or 'open'}"
            )
    return ordered


def sla_status(
    calendar: WorkingCalendar,
    *,
    started: date,
    budget_days: int,
    pauses: Sequence[Pause],
    today: date,
) -> SlaStatus:
    """Where an order stands against its service standard on ``today`` (rules in the module docstring)."""
    _require_date(started, "started")
    _require_date(today, "today")
    if isinstance(budget_days, bool) or not isinstance(budget_days, int) or budget_days < 1:
        raise ValueError(f"budget_days must be a whole number of at least 1, got {budget_days!r}")
    ordered = _checked_pauses(started, pauses)

    used = calendar.working_days_between(started, today)
    for pause in ordered:
        if pause.start >= today:
            break
        resumed = today if pause.end is None else min(pause.end, today)
        used -= calendar.working_days_between(pause.start, resumed)

    if ordered and ordered[-1].end is None:
        return SlaStatus(deadline=None, working_days_used=used, working_days_left=None, paused=True, overdue=False)

    return _running(_deadline(calendar, started, budget_days, ordered), used, budget_days, today)


def _running(deadline: date, used: int, budget_days: int, today: date) -> SlaStatus:
    """The status of a clock that runs, from its deadline and the working days used by ``today``."""
    return SlaStatus(deadline=deadline, working_days_used=used, working_days_left=budget_days - used,
                     paused=False, overdue=today > deadline)


def _deadline(calendar: WorkingCalendar, started: date, budget_days: int, pauses: list[Pause]) -> date:
    """The ``budget_days``-th counted day: walk the office's stretches between pauses."""
    remaining = budget_days
    cursor = started  # the office holds the order from the day after cursor
    for pause in pauses:
        available = calendar.working_days_between(cursor, pause.start)
        if remaining <= available:
            break  # reached before this pause; later pauses cannot move it
        remaining -= available
        cursor = pause.end  # closed pauses only: an open one makes the order paused
    return calendar.add_working_days(cursor, remaining)


# After submission the ball is in the buyer's court while the order is returned for
# correction or waits for the buyer to pay (or to check the invoice and SPPD).
BUYERS_TURN = frozenset({OrderStatus.RETURNED, OrderStatus.INVOICED})
# The clock does not run before submission nor once the order is closed or delivered.
CLOCK_STOPPED = frozenset({OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.DELIVERED,
                           OrderStatus.COMPLETED})


# The budget of an order submitted before budgets were recorded per order (the service standard's 10).
DEFAULT_BUDGET_DAYS = 10


def buyer_pauses(moves: Iterable[tuple[date, OrderStatus]], started: date) -> list[Pause]:
    """The pauses of the clock from an order's status moves (local day, new status), in
    order: each stretch the order spent in the buyer's court from ``started`` on."""
    pauses: list[Pause] = []
    open_start: date | None = None
    for day, status in moves:
        if status in BUYERS_TURN and open_start is None:
            open_start = max(day, started)
        elif status not in BUYERS_TURN and open_start is not None:
            pauses.append(Pause(open_start, max(day, open_start)))
            open_start = None
    if open_start is not None:
        pauses.append(Pause(open_start, None))
    return pauses


@dataclass(frozen=True)
class RunningClock:
    """What can be stored of an order whose clock runs, to tell its status on any later day
    without its status moves: its deadline, and the working days its (closed) pauses took."""

    deadline: date
    paused_days: int


def running_clock(
    calendar: WorkingCalendar,
    *,
    status: OrderStatus,
    started: date | None,
    budget_days: int | None,
    moves: Iterable[tuple[date, OrderStatus]],
) -> RunningClock | None:
    """The clock while the office holds the order: None before the requirements were
    complete, while it is with the buyer, and once the clock has stopped. It does not depend
    on today, so it can be stored and kept current by the status moves and leave days alone.
    ``moves`` are the order's (local day, new status) pairs, oldest first."""
    if started is None or status in CLOCK_STOPPED:
        return None
    budget = budget_days or DEFAULT_BUDGET_DAYS
    pauses = _checked_pauses(started, buyer_pauses(moves, started))
    if pauses and pauses[-1].end is None:
        return None
    return RunningClock(deadline=_deadline(calendar, started, budget, pauses),
                        paused_days=sum(calendar.working_days_between(pause.start, pause.end) for pause in pauses))


def running_deadline(
    calendar: WorkingCalendar,
    *,
    status: OrderStatus,
    started: date | None,
    budget_days: int | None,
    moves: Iterable[tuple[date, OrderStatus]],
) -> date | None:
    """The deadline of :func:`running_clock` (None where it has none)."""
    clock = running_clock(calendar, status=status, started=started, budget_days=budget_days, moves=moves)
    return clock.deadline if clock is not None else None


def running_status(calendar: WorkingCalendar, *, started: date, budget_days: int, clock: RunningClock,
                   today: date) -> SlaStatus:
    """:func:`sla_status` of an order whose clock runs, from its stored :class:`RunningClock`
    instead of its pauses: the same status on any ``today`` from its last resumption on (every
    pause has ended by then, so each took all its working days)."""
    _require_date(today, "today")
    return _running(clock.deadline, calendar.working_days_between(started, today) - clock.paused_days,
                    budget_days, today)


def stored_clock(deadline: date | None, paused_days: int | None) -> RunningClock | None:
    """The clock as stored (both parts), or None where it is not (with the buyer, stopped, or
    a deadline stored without its paused days, by code from before they were stored)."""
    if deadline is None or paused_days is None:
        return None
    return RunningClock(deadline=deadline, paused_days=paused_days)
