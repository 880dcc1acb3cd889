"""One date style per language (issue 8, point 10): "6 Desember 2026, 19.50 WIB"."""

from datetime import UTC, date, datetime

import pytest

from sales_service.dates import clock_time, date_time, local_day, long_date


@pytest.mark.parametrize(("day", "language", "expected"), [
    (date(2026, 12, 6), "id", "6 Desember 2026"),
    (date(2026, 12, 6), "en", "6 December 2026"),
    (date(2026, 1, 1), "id", "1 Januari 2026"),
    (date(2026, 2, 28), "id", "28 Februari 2026"),
    (date(2026, 5, 21), "id", "21 Mei 2026"),
    (date(2026, 8, 17), "id", "17 Agustus 2026"),
    (date(2026, 8, 17), "en", "17 August 2026"),
    (date(2026, 3, 9), "xx", "9 Maret 2026"),  # an unknown language reads Indonesian
])
def test_long_date(day, language, expected):
    assert long_date(day, language) == expected


@pytest.mark.parametrize(("moment", "zone", "language", "expected"), [
    (datetime(2026, 12, 6, 12, 50, tzinfo=UTC), "Asia/Jakarta", "id", "6 Desember 2026, 19.50 WIB"),
    (datetime(2026, 12, 6, 12, 50, tzinfo=UTC), "Asia/Jakarta", "en", "6 December 2026, 19:50 WIB"),
    (datetime(2026, 12, 6, 12, 50), "Asia/Jakarta", "id", "6 Desember 2026, 19.50 WIB"),  # SQLite: naive UTC
    (datetime(2026, 12, 6, 17, 5, tzinfo=UTC), "Asia/Jakarta", "id", "7 Desember 2026, 00.05 WIB"),  # next day
    (datetime(2026, 12, 6, 12, 50, tzinfo=UTC), "Asia/Makassar", "id", "6 Desember 2026, 20.50 WITA"),
    (datetime(2026, 12, 6, 12, 50, tzinfo=UTC), "Asia/Jayapura", "en", "6 December 2026, 21:50 WIT"),
    (datetime(2026, 12, 1, 16, 59, tzinfo=UTC), "Asia/Jakarta", "id", "1 Desember 2026, 23.59 WIB"),
])
def test_date_time_on_the_office_clock(moment, zone, language, expected):
    assert date_time(moment, zone, language) == expected


def test_a_moment_is_shown_as_the_office_day_not_the_utc_day():
    assert local_day(datetime(2026, 12, 6, 18, 0, tzinfo=UTC), "Asia/Jakarta", "id") == "7 Desember 2026"
    with pytest.raises(TypeError):
        long_date(datetime(2026, 12, 6, 18, 0, tzinfo=UTC))


@pytest.mark.parametrize(("language", "expected"), [("id", "19.50"), ("en", "19:50")])
def test_clock_time_alone_for_lists_of_one_day(language, expected):
    assert clock_time(datetime(2026, 12, 6, 12, 50, tzinfo=UTC), "Asia/Jakarta", language) == expected
