"""The SLA clock: Indonesian working days, cuti bersama, office leave, and pauses while the buyer holds the order.

Holiday facts below are what ``holidays.Indonesia`` lists (Indonesian names). Around Idul Fitri 2026:
Wed 18 Mar cuti bersama Nyepi, Thu 19 Mar Nyepi, Fri 20 Mar cuti bersama Idul Fitri, Sat 21 and Sun
22 Mar Idul Fitri (1 and 2 Syawal 1447 H), Mon 23 and Tue 24 Mar cuti bersama Idul Fitri, Fri 3 Apr
Good Friday. Year end: Thu 24 Dec 2026 cuti bersama Natal, Fri 25 Dec Natal, Fri 1 Jan 2027 New Year,
Tue 5 Jan 2027 Isra Mikraj; Thu 25 Dec 2025 Natal, Fri 26 Dec 2025 cuti bersama, Thu 1 Jan 2026.
November 2026 has no holidays, so it carries the plain scenarios (Fridays: 6, 13, 20, 27 Nov).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.sla import (
    OFFICE_LEAVE_NAME,
    Pause,
    SlaStatus,
    WorkingCalendar,
    buyer_pauses,
    running_clock,
    running_status,
    sla_status,
)

CALENDAR = WorkingCalendar()
D = date

# Requests complete on Friday 6 November 2026; with 10 working days the plain deadline is Friday 20 November.
NOV_START = D(2026, 11, 6)
NOV_DEADLINE = D(2026, 11, 20)


@pytest.mark.parametrize(
    ("started", "budget", "deadline"),
    [
        pytest.param(D(2026, 11, 6), 1, D(2026, 11, 9), id="friday start: monday is day 1"),
        pytest.param(D(2026, 11, 7), 1, D(2026, 11, 9), id="saturday start: monday is day 1"),
        pytest.param(D(2026, 11, 6), 10, D(2026, 11, 20), id="friday start: ten days is friday fortnight"),
        pytest.param(D(2026, 11, 2), 10, D(2026, 11, 16), id="monday start: start day never counts"),
        pytest.param(D(2026, 11, 6), 5, D(2026, 11, 13), id="five-day product type"),
        pytest.param(D(2026, 3, 13), 10, D(2026, 4, 6), id="idul fitri 2026: 18-24 mar closed, good friday 3 apr"),
        pytest.param(D(2026, 3, 17), 1, D(2026, 3, 25), id="completed before lebaran: day 1 is wed 25 mar"),
        pytest.param(D(2026, 3, 19), 3, D(2026, 3, 27), id="completed on nyepi"),
        pytest.param(D(2026, 12, 23), 1, D(2026, 12, 28), id="christmas 2026: 24 cuti bersama, 25 natal"),
        pytest.param(D(2026, 12, 18), 10, D(2027, 1, 7), id="over new year 2027 and isra mikraj 5 jan"),
        pytest.param(D(2025, 12, 24), 1, D(2025, 12, 29), id="christmas 2025: 25 natal, 26 cuti bersama"),
        pytest.param(D(2025, 12, 31), 1, D(2026, 1, 2), id="new year 2026 is a thursday"),
    ],
)
def test_deadline_is_the_budgeth_working_day_after_the_request_was_complete(started, budget, deadline):
    status = sla_status(CALENDAR, started=started, budget_days=budget, pauses=[], today=started)
    assert status.deadline == deadline
    assert CALENDAR.add_working_days(started, budget) == deadline
    assert CALENDAR.working_days_between(started, deadline) == budget


@pytest.mark.parametrize(
    ("public", "collective", "deadline"),
    [
        pytest.param(True, True, D(2026, 4, 6), id="default: public holidays and cuti bersama"),
        pytest.param(True, False, D(2026, 3, 30), id="without cuti bersama: only nyepi 19 mar and 3 apr off"),
        pytest.param(False, False, D(2026, 3, 27), id="weekdays only"),
    ],
)
def test_idul_fitri_2026_cuti_bersama_are_days_off_by_default(public, collective, deadline):
    calendar = WorkingCalendar(include_public_holidays=public, include_collective_leave=collective)
    assert calendar.add_working_days(D(2026, 3, 13), 10) == deadline


@pytest.mark.parametrize(
    ("leave_days", "deadline"),
    [
        pytest.param([], D(2026, 11, 20), id="no office leave"),
        pytest.param([D(2026, 11, 11)], D(2026, 11, 23), id="leave on wednesday pushes to monday"),
        pytest.param([D(2026, 11, 11), D(2026, 11, 20)], D(2026, 11, 24), id="two leave days"),
        pytest.param([D(2026, 11, 14)], D(2026, 11, 20), id="leave on a saturday changes nothing"),
        pytest.param([D(2026, 11, 23)], D(2026, 11, 20), id="leave after the deadline changes nothing"),
    ],
)
def test_office_leave_days_are_not_working_days(leave_days, deadline):
    calendar = WorkingCalendar(leave_days)
    assert calendar.add_working_days(NOV_START, 10) == deadline


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2026, 3, 21), "Hari Raya Idul Fitri"),
        (D(2026, 3, 22), "Hari kedua dari Hari Raya Idul Fitri"),
        (D(2026, 3, 20), "Cuti Bersama Hari Raya Idul Fitri"),
        (D(2026, 3, 23), "Cuti Bersama Hari Raya Idul Fitri"),
        (D(2026, 3, 19), "Hari Suci Nyepi"),
        (D(2026, 12, 25), "Hari Raya Natal"),
        (D(2027, 1, 1), "Tahun Baru Masehi"),
        (D(2026, 11, 11), OFFICE_LEAVE_NAME),
        (D(2026, 11, 12), None),
        (D(2026, 11, 14), None),
    ],
)
def test_holiday_name_says_why_the_office_is_closed(day, name):
    calendar = WorkingCalendar([D(2026, 11, 11)])
    assert calendar.holiday_name(day) == name
    assert calendar.is_working_day(day) is (name is None and day.weekday() < 5)


def test_office_leave_is_called_cuti_kantor():
    assert OFFICE_LEAVE_NAME == "Cuti kantor"


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (D(2026, 11, 6), D(2026, 11, 9), 1),
        (D(2026, 11, 7), D(2026, 11, 8), 0),
        (D(2026, 11, 6), D(2026, 11, 6), 0),
        (D(2026, 11, 9), D(2026, 11, 6), 0),
        (D(2026, 3, 17), D(2026, 3, 25), 1),
        (D(2026, 12, 18), D(2027, 1, 7), 10),
        # 261 weekdays in 2026, minus 13 public holidays and 8 cuti bersama falling on weekdays.
        (D(2025, 12, 31), D(2026, 12, 31), 240),
    ],
)
def test_working_days_between_counts_after_start_up_to_end(start, end, count):
    assert CALENDAR.working_days_between(start, end) == count


def test_working_days_between_matches_day_by_day_count_over_two_years():
    start = D(2025, 1, 1)
    expected = sum(CALENDAR.is_working_day(start + timedelta(days=i)) for i in range(1, 731))
    assert CALENDAR.working_days_between(start, start + timedelta(days=730)) == expected


@pytest.mark.parametrize(
    ("pauses", "days_with_buyer", "deadline"),
    [
        pytest.param([], 0, D(2026, 11, 20), id="no pause"),
        pytest.param([Pause(D(2026, 11, 10), D(2026, 11, 12))], 2, D(2026, 11, 24),
                     id="returned tue, resubmitted thu: wed and thu are the buyer's"),
        pytest.param([Pause(D(2026, 11, 10), D(2026, 11, 10))], 0, D(2026, 11, 20),
                     id="returned and resubmitted the same day costs nothing"),
        pytest.param([Pause(D(2026, 11, 13), D(2026, 11, 16))], 1, D(2026, 11, 23),
                     id="over a weekend: only monday is the buyer's"),
        pytest.param([Pause(D(2026, 11, 6), D(2026, 11, 9))], 1, D(2026, 11, 23),
                     id="returned on the day it became complete"),
        pytest.param([Pause(D(2026, 11, 10), D(2026, 11, 12)), Pause(D(2026, 11, 17), D(2026, 11, 19))], 4,
                     D(2026, 11, 26), id="two pauses"),
        pytest.param([Pause(D(2026, 11, 17), D(2026, 11, 19)), Pause(D(2026, 11, 10), D(2026, 11, 12))], 4,
                     D(2026, 11, 26), id="two pauses given out of order"),
        pytest.param([Pause(D(2026, 11, 10), D(2026, 11, 12)), Pause(D(2026, 11, 12), D(2026, 11, 13))], 3,
                     D(2026, 11, 25), id="returned again on the resubmission day"),
        pytest.param([Pause(D(2026, 11, 20), D(2026, 11, 23))], 0, D(2026, 11, 20),
                     id="returned on the deadline day: deadline already reached"),
    ],
)
def test_a_pause_moves_the_deadline_by_the_working_days_spent_with_the_buyer(pauses, days_with_buyer, deadline):
    status = sla_status(CALENDAR, started=NOV_START, budget_days=10, pauses=pauses, today=D(2026, 11, 6))
    assert status.deadline == deadline
    assert CALENDAR.working_days_between(NOV_DEADLINE, deadline) == days_with_buyer


def test_a_pause_over_idul_fitri_charges_only_the_buyers_working_days():
    # Returned Tue 17 Mar, resubmitted Thu 26 Mar 2026: of the days in between only 25 and 26 Mar were
    # working days, so the deadline moves from Mon 6 Apr by two working days.
    pause = Pause(D(2026, 3, 17), D(2026, 3, 26))
    status = sla_status(CALENDAR, started=D(2026, 3, 13), budget_days=10, pauses=[pause], today=D(2026, 3, 27))
    assert status == SlaStatus(deadline=D(2026, 4, 8), working_days_used=3, working_days_left=7,
                               paused=False, overdue=False)


@pytest.mark.parametrize(
    ("pauses", "today", "expected"),
    [
        pytest.param([], NOV_START, SlaStatus(NOV_DEADLINE, 0, 10, False, False), id="on the day it became complete"),
        pytest.param([], D(2026, 11, 12), SlaStatus(NOV_DEADLINE, 4, 6, False, False), id="in progress"),
        pytest.param([], D(2026, 11, 20), SlaStatus(NOV_DEADLINE, 10, 0, False, False), id="deadline day: not late"),
        pytest.param([], D(2026, 11, 21), SlaStatus(NOV_DEADLINE, 10, 0, False, True),
                     id="saturday after a friday deadline: overdue, no working day lost yet"),
        pytest.param([], D(2026, 11, 24), SlaStatus(NOV_DEADLINE, 12, -2, False, True),
                     id="overdue by two working days"),
        pytest.param([Pause(D(2026, 11, 11), None)], D(2026, 11, 18), SlaStatus(None, 3, None, True, False),
                     id="with the buyer: clock frozen at the return day"),
        pytest.param([Pause(D(2026, 11, 11), None)], D(2026, 11, 11), SlaStatus(None, 3, None, True, False),
                     id="returned today"),
        pytest.param([Pause(D(2026, 11, 23), None)], D(2026, 11, 30), SlaStatus(None, 11, None, True, False),
                     id="with the buyer after the deadline: not shown overdue"),
        pytest.param([Pause(D(2026, 11, 10), D(2026, 11, 12))], D(2026, 11, 13),
                     SlaStatus(D(2026, 11, 24), 3, 7, False, False), id="resumed: mon, tue, fri used"),
        pytest.param([Pause(D(2026, 11, 10), D(2026, 11, 12)), Pause(D(2026, 11, 16), None)], D(2026, 11, 19),
                     SlaStatus(None, 4, None, True, False), id="second pause still open"),
        pytest.param([Pause(D(2026, 11, 24), D(2026, 11, 26))], D(2026, 11, 27),
                     SlaStatus(NOV_DEADLINE, 13, -3, False, True),
                     id="returned after the deadline: days with the buyer not counted as late"),
    ],
)
def test_status_on_a_given_day(pauses, today, expected):
    assert sla_status(CALENDAR, started=NOV_START, budget_days=10, pauses=pauses, today=today) == expected


@pytest.mark.parametrize(
    ("budget", "pauses"),
    [
        pytest.param(0, [], id="zero budget"),
        pytest.param(-3, [], id="negative budget"),
        pytest.param(True, [], id="boolean budget"),
        pytest.param(10, [Pause(D(2026, 11, 5), D(2026, 11, 9))], id="pause before the request was complete"),
        pytest.param(10, [Pause(D(2026, 11, 10), D(2026, 11, 13)), Pause(D(2026, 11, 12), D(2026, 11, 16))],
                     id="overlapping pauses"),
        pytest.param(10, [Pause(D(2026, 11, 10), None), Pause(D(2026, 11, 12), D(2026, 11, 13))],
                     id="a pause after one still open"),
        pytest.param(10, [Pause(D(2026, 11, 10), None), Pause(D(2026, 11, 12), None)], id="two open pauses"),
    ],
)
def test_invalid_sla_inputs_are_refused(budget, pauses):
    with pytest.raises(ValueError):
        sla_status(CALENDAR, started=NOV_START, budget_days=budget, pauses=pauses, today=D(2026, 11, 20))


def test_a_pause_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        Pause(D(2026, 11, 12), D(2026, 11, 10))


@pytest.mark.parametrize("n", [0, -1])
def test_add_working_days_needs_at_least_one_day(n):
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(NOV_START, n)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CALENDAR.is_working_day(datetime(2026, 11, 9, 10, 0)),
        lambda: WorkingCalendar([datetime(2026, 11, 11, 0, 0)]),
        lambda: Pause(datetime(2026, 11, 10, 9, 0), None),
        lambda: sla_status(CALENDAR, started=datetime(2026, 11, 6, 16, 0), budget_days=10, pauses=[],
                           today=D(2026, 11, 9)),
    ],
    ids=["is_working_day", "leave day", "pause", "started"],
)
def test_datetimes_are_refused_so_callers_convert_to_the_office_date(call):
    with pytest.raises(TypeError, match="time zone"):
        call()


# Cross-check against the rule written out day by day, over random orders in 2025-2027.
_starts = st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 6, 30))
_gaps = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 15)), max_size=3)


def _counted_days(started, pauses, until):
    """The rule spelled out: working days after ``started`` up to ``until`` not with the buyer."""
    day, counted = started, []
    while day < until:
        day += timedelta(days=1)
        with_buyer = any(p.start < day and (p.end is None or day <= p.end) for p in pauses)
        if CALENDAR.is_working_day(day) and not with_buyer:
            counted.append(day)
    return counted


@given(started=_starts, budget=st.integers(1, 30), gaps=_gaps, today_offset=st.integers(0, 90))
def test_status_matches_the_rule_counted_day_by_day(started, budget, gaps, today_offset):
    pauses, cursor = [], started
    for before, length in gaps:
        start = cursor + timedelta(days=before)
        pauses.append(Pause(start, start + timedelta(days=length)))
        cursor = start + timedelta(days=length)
    today = started + timedelta(days=today_offset)

    status = sla_status(CALENDAR, started=started, budget_days=budget, pauses=pauses, today=today)

    counted = _counted_days(started, pauses, started + timedelta(days=400))
    assert status.deadline == counted[budget - 1]
    assert status.working_days_used == len(_counted_days(started, pauses, today))
    assert status.overdue is (today > status.deadline)


_to_buyer = st.sampled_from([OrderStatus.RETURNED, OrderStatus.INVOICED])
_back = st.sampled_from([OrderStatus.SUBMITTED, OrderStatus.PAID, OrderStatus.CORRECTION_REQUESTED])


@given(started=_starts, budget=st.integers(1, 30), gaps=_gaps, today_offset=st.integers(0, 90),
       leave=st.lists(st.integers(1, 120), max_size=4), turns=st.lists(st.tuples(_to_buyer, _back), min_size=3,
                                                                         max_size=3))
def test_the_stored_clock_tells_the_status_the_status_moves_tell(started, budget, gaps, today_offset, leave, turns):
    """What the queue shows from an order's stored clock (deadline and paused working days) is what
    its status moves say, on any day after its last resumption, whatever office leave there is."""
    calendar = WorkingCalendar([started + timedelta(days=n) for n in leave])
    moves, cursor = [(started, OrderStatus.SUBMITTED)], started
    for (before, length), (to_buyer, back) in zip(gaps, turns, strict=False):  # with the buyer, then back
        start = cursor + timedelta(days=before)
        cursor = start + timedelta(days=length)
        moves += [(start, to_buyer), (cursor, back)]
    today = cursor + timedelta(days=today_offset)

    clock = running_clock(calendar, status=OrderStatus.ACCEPTED, started=started, budget_days=budget, moves=moves)
    from_moves = sla_status(calendar, started=started, budget_days=budget, pauses=buyer_pauses(moves, started),
                            today=today)

    assert running_status(calendar, started=started, budget_days=budget, clock=clock, today=today) == from_moves


def test_an_order_with_the_buyer_or_stopped_has_no_running_clock():
    moves = [(NOV_START, OrderStatus.SUBMITTED), (D(2026, 11, 10), OrderStatus.RETURNED)]
    assert running_clock(CALENDAR, status=OrderStatus.RETURNED, started=NOV_START, budget_days=10, moves=moves) is None
    assert running_clock(CALENDAR, status=OrderStatus.DELIVERED, started=NOV_START, budget_days=10,
                         moves=moves[:1]) is None
    resumed = running_clock(CALENDAR, status=OrderStatus.SUBMITTED, started=NOV_START, budget_days=10,
                            moves=[*moves, (D(2026, 11, 12), OrderStatus.SUBMITTED)])
    # With the buyer from Tuesday 10 to Thursday 12: Wednesday and Thursday not counted.
    assert (resumed.deadline, resumed.paused_days) == (D(2026, 11, 24), 2)
