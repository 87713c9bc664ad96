"""The dates a case may hold (procedures.date_limits): one table for every caller."""

from datetime import date

import pytest

from procedures.date_limits import appointment_in_range, appointment_range, in_range


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(1, 1, 1), False),
        (date(266, 5, 1), False),
        (date(1899, 12, 31), False),
        (date(1900, 1, 1), True),
        (date(2026, 11, 20), True),
        (date(2200, 12, 31), True),
        (date(2201, 1, 1), False),
        (date(9999, 12, 31), False),
    ],
)
def test_a_case_date_is_from_1900_to_2200(day, expected):
    assert in_range(day) is expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 20), (date(2025, 11, 20), date(2028, 11, 20))),
        (date(2028, 2, 29), (date(2027, 2, 28), date(2030, 2, 28))),
    ],
)
def test_an_appointment_is_from_a_year_back_to_two_years_ahead(today, expected):
    assert appointment_range(today) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(266, 11, 20), False),
        (date(2025, 11, 19), False),
        (date(2025, 11, 20), True),
        (date(2026, 11, 21), True),
        (date(2028, 11, 20), True),
        (date(2028, 11, 21), False),
    ],
)
def test_an_appointment_far_from_today_is_refused(day, expected):
    assert appointment_in_range(day, today=date(2026, 11, 20)) is expected
