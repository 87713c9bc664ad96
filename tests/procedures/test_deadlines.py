"""Age at death and deadlines (CATALOG_FORMAT.md, "Facts a condition sees" and "Deadlines")."""

from datetime import date

import pytest

from procedures.deadlines import age_at, deadline_for, is_closed


@pytest.mark.parametrize(
    ("birth", "death", "age"),
    [
        ("1951-11-20", "2026-11-20", 75),  # the birthday itself counts
        ("1951-11-20", "2026-11-19", 74),
        ("1951-11-20", "2026-11-21", 75),
        ("1951-11-20", "2026-12-31", 75),
        ("1951-11-20", "2027-01-01", 75),
        ("1945-03-10", "2026-03-09", 80),
        ("1945-03-10", "2026-03-10", 81),
        ("2026-11-20", "2026-11-20", 0),  # died the day they were born
        ("2025-11-21", "2026-11-20", 0),
        # Born 29 February: in common years the birthday is 1 March.
        ("1948-02-29", "2026-02-28", 77),
        ("1948-02-29", "2026-03-01", 78),
        ("1948-02-29", "2028-02-28", 79),
        ("1948-02-29", "2028-02-29", 80),  # a leap year: 29 February itself
        ("1948-02-29", "2028-03-01", 80),
        ("2000-02-29", "2100-02-28", 99),  # 2100 is not a leap year
        ("2000-02-29", "2100-03-01", 100),
        # Born 28 February or 1 March: nothing special.
        ("1948-02-28", "2026-02-28", 78),
        ("1948-03-01", "2026-02-28", 77),
        ("1948-03-01", "2028-02-29", 79),
    ],
)
def test_age_is_completed_years_on_the_date_of_death(birth, death, age):
    assert age_at(birth_date=date.fromisoformat(birth), death_date=date.fromisoformat(death)) == age


def test_age_is_unknown_without_a_birth_date():
    assert age_at(birth_date=None, death_date=date(2026, 11, 20)) is None


@pytest.mark.parametrize(
    ("death", "days", "deadline"),
    [
        # The contract's own example: a Friday.
        ("2026-11-20", 14, "2026-12-04"),
        ("2026-11-20", 7, "2026-11-27"),
        ("2026-11-20", 10, "2026-11-30"),  # Monday
        # Saturday and Sunday move to Monday.
        ("2026-11-21", 14, "2026-12-07"),  # 12-05 is a Saturday
        ("2026-11-22", 14, "2026-12-07"),  # 12-06 is a Sunday
        # A national holiday on a weekday moves to the next day.
        ("2026-10-20", 14, "2026-11-04"),  # 11-03 文化の日 (Tuesday)
        ("2026-11-09", 14, "2026-11-24"),  # 11-23 勤労感謝の日 (Monday)
        ("2026-07-06", 14, "2026-07-21"),  # 07-20 海の日 (Monday)
        # Saturday, Sunday and a Monday holiday in a row.
        ("2026-07-04", 14, "2026-07-21"),  # 07-18 Sat, 19 Sun, 20 海の日
        # 振替休日: 2026-05-03 憲法記念日 is a Sunday, so 05-06 (Wednesday) is closed too.
        ("2026-04-22", 14, "2026-05-07"),  # 05-06
        ("2026-04-18", 14, "2026-05-07"),  # 05-02 Sat, 03 Sun, 04, 05, 06 holidays
        # 振替休日: 2025-11-23 勤労感謝の日 is a Sunday, so Monday 11-24 is closed.
        ("2025-11-10", 14, "2025-11-25"),
        # 国民の休日: 2026-09-22 lies between 敬老の日 (21st) and 秋分の日 (23rd).
        ("2026-09-08", 14, "2026-09-24"),  # 09-22
        ("2026-09-07", 14, "2026-09-24"),  # 09-21
        ("2026-09-09", 14, "2026-09-24"),  # 09-23
        ("2026-09-05", 14, "2026-09-24"),  # 09-19 Sat → through the 23rd
        # 年末年始: 29 December to 3 January.
        ("2026-12-15", 14, "2027-01-04"),  # 12-29 Tuesday → Monday 4 January
        ("2026-12-17", 14, "2027-01-04"),  # 12-31
        ("2026-12-20", 14, "2027-01-04"),  # 01-03 Sunday
        ("2026-12-14", 14, "2026-12-28"),  # 12-28 Monday is still open
        ("2025-12-15", 14, "2026-01-05"),  # 12-29 Monday; 2026-01-04 is a Sunday
        ("2027-12-15", 14, "2028-01-04"),  # 12-29 Wednesday; 2028-01-04 is a Tuesday
        # Counting crosses month and year ends as calendar days.
        ("2026-01-31", 30, "2026-03-02"),  # 03-02 Monday
        ("2028-02-15", 14, "2028-02-29"),  # leap day, a Tuesday
        ("2026-11-20", 365, "2027-11-22"),  # 2027-11-20 Sat, 21 Sun
        # Zero days: the day of death itself, moved only when closed.
        ("2026-11-20", 0, "2026-11-20"),
        ("2026-11-21", 0, "2026-11-24"),  # Sat, Sun, then 11-23 勤労感謝の日
        ("2026-01-01", 0, "2026-01-05"),
    ],
)
def test_the_deadline_counts_days_from_death_and_skips_closed_days(death, days, deadline):
    assert deadline_for(death_date=date.fromisoformat(death), days=days) == date.fromisoformat(deadline)


def test_there_is_no_deadline_without_deadline_days():
    assert deadline_for(death_date=date(2026, 11, 20), days=None) is None


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        ("2026-11-20", False),  # Friday
        ("2026-11-21", True),  # Saturday
        ("2026-11-22", True),  # Sunday
        ("2026-05-06", True),  # 振替休日
        ("2025-11-24", True),  # 振替休日
        ("2026-09-22", True),  # 国民の休日
        ("2026-02-11", True),  # 建国記念の日
        ("2026-02-23", True),  # 天皇誕生日
        ("2026-12-28", False),  # Monday
        ("2026-12-29", True),
        ("2026-12-30", True),
        ("2026-12-31", True),
        ("2027-01-01", True),
        ("2027-01-02", True),
        ("2027-01-03", True),
        ("2027-01-04", False),  # Monday
        ("2027-01-11", True),  # 成人の日
    ],
)
def test_offices_are_closed_on_weekends_holidays_and_new_year(day, closed):
    assert is_closed(date.fromisoformat(day)) is closed
