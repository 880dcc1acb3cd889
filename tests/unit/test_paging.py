"""Page arithmetic and page numbers from a query string (``paging``), and the running SLA
deadline that lists sort by (``orders.sla.running_deadline``)."""

from datetime import date

import pytest

from sales_service.orders.lifecycle import OrderStatus
from sales_service.orders.sla import Pause, WorkingCalendar, running_deadline, sla_status
from sales_service.paging import Page, page_number


@pytest.mark.parametrize(("number", "total", "expected"), [
    pytest.param(1, 0, [1], id="empty list: one page"),
    pytest.param(1, 25, [1], id="exactly one page"),
    pytest.param(1, 26, [1, 2], id="one more row: two pages"),
    pytest.param(1, 250, [1, 2, 3, None, 10], id="first of ten"),
    pytest.param(5, 250, [1, None, 3, 4, 5, 6, 7, None, 10], id="middle"),
    pytest.param(4, 250, [1, 2, 3, 4, 5, 6, None, 10], id="no gap of a single page"),
    pytest.param(10, 250, [1, None, 8, 9, 10], id="last"),
])
def test_page_links_show_the_ends_and_the_neighbourhood(number, total, expected):
    assert Page([], number, 25, total).numbers() == expected


@pytest.mark.parametrize(("number", "rows", "total", "first", "last", "previous", "following"), [
    (1, 25, 60, 1, 25, False, True),
    (3, 10, 60, 51, 60, True, False),
    (1, 0, 0, 0, 0, False, False),
])
def test_a_page_knows_where_it_stands(number, rows, total, first, last, previous, following):
    page = Page(list(range(rows)), number, 25, total)
    assert (page.first_row, page.last_row, page.has_previous, page.has_next) == (first, last, previous, following)


@pytest.mark.parametrize(("raw", "expected"), [
    (None, 1), ("", 1), ("2", 2), (" 7 ", 7), ("0", 1), ("-3", 1), ("abc", 1), ("٣", 1), ("2.5", 1),
    ("99999999999999999999", 1_000_000),
])
def test_a_page_number_from_the_query_string_is_never_an_error(raw, expected):
    assert page_number(raw) == expected


def test_mapping_a_page_keeps_its_place():
    page = Page([1, 2], 2, 2, 5).map(lambda items: [str(item) for item in items])
    assert (page.items, page.number, page.pages) == (["1", "2"], 2, 3)


CAL = WorkingCalendar()  # November 2026 has no Indonesian holiday
S = OrderStatus


@pytest.mark.parametrize(("status", "moves", "expected"), [
    pytest.param(S.SUBMITTED, [(date(2026, 11, 6), S.SUBMITTED)], date(2026, 11, 20), id="running"),
    pytest.param(S.RETURNED, [(date(2026, 11, 6), S.SUBMITTED), (date(2026, 11, 9), S.RETURNED)], None,
                 id="with the buyer"),
    pytest.param(S.SUBMITTED, [(date(2026, 11, 6), S.SUBMITTED), (date(2026, 11, 9), S.RETURNED),
                               (date(2026, 11, 12), S.SUBMITTED)], date(2026, 11, 25),
                 id="back from the buyer: three working days later"),
    pytest.param(S.CORRECTION_REQUESTED, [(date(2026, 11, 6), S.SUBMITTED), (date(2026, 11, 10), S.ACCEPTED),
                                          (date(2026, 11, 11), S.INVOICED),
                                          (date(2026, 11, 13), S.CORRECTION_REQUESTED)], date(2026, 11, 24),
                 id="invoice disputed: the office's turn again after two days with the buyer"),
    pytest.param(S.DELIVERED, [(date(2026, 11, 6), S.SUBMITTED)], None, id="delivered: stopped"),
    pytest.param(S.CANCELLED, [(date(2026, 11, 6), S.SUBMITTED)], None, id="cancelled: stopped"),
])
def test_the_running_deadline(status, moves, expected):
    assert running_deadline(CAL, status=status, started=date(2026, 11, 6), budget_days=10, moves=moves) == expected


def test_no_deadline_before_the_requirements_are_complete():
    assert running_deadline(CAL, status=S.SUBMITTED, started=None, budget_days=None, moves=[]) is None


def test_the_running_deadline_is_the_one_the_status_shows_on_any_day():
    pauses = [Pause(date(2026, 11, 9), date(2026, 11, 12))]
    moves = [(date(2026, 11, 6), S.SUBMITTED), (date(2026, 11, 9), S.RETURNED), (date(2026, 11, 12), S.SUBMITTED)]
    stored = running_deadline(CAL, status=S.SUBMITTED, started=date(2026, 11, 6), budget_days=10, moves=moves)
    for today in (date(2026, 11, 12), date(2026, 11, 25), date(2027, 1, 4)):
        assert sla_status(CAL, started=date(2026, 11, 6), budget_days=10, pauses=pauses, today=today).deadline == stored
