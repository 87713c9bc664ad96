"""Age at death and deadlines (CATALOG_FORMAT.md, "Facts a condition sees" and "Deadlines")."""

from datetime import date

import pytest

from procedures.deadlines import Deadline, Unit, age_at, deadline_for, is_closed, period_end


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


# --- Months and years, as the Civil Code counts them (民法140条・143条) ---------------


@pytest.mark.parametrize(
    ("start", "amount", "unit", "legal_end", "deadline"),
    [
        # The contract's worked table.
        ("2026-11-20", 3, Unit.MONTHS, "2027-02-20", "2027-02-22"),  # Saturday → Monday
        ("2026-02-01", 3, Unit.MONTHS, "2026-05-01", "2026-05-01"),  # Friday, before Golden Week
        ("2027-02-28", 1, Unit.MONTHS, "2027-03-31", "2027-03-31"),  # begins 1 March: the month's end
        ("2026-11-30", 3, Unit.MONTHS, "2027-02-28", "2027-03-01"),  # Sunday → Monday
        ("2027-01-30", 1, Unit.MONTHS, "2027-02-28", "2027-03-01"),  # no 31 February
        # Month ends: the period ends the day before the same day, or on the month's last day.
        ("2026-01-31", 1, Unit.MONTHS, "2026-02-28", "2026-03-02"),  # begins 1 Feb; 02-28 Saturday
        ("2026-03-30", 1, Unit.MONTHS, "2026-04-30", "2026-04-30"),  # begins 31 March; no 31 April
        ("2026-03-29", 1, Unit.MONTHS, "2026-04-29", "2026-04-30"),  # 04-29 昭和の日
        ("2026-08-30", 1, Unit.MONTHS, "2026-09-30", "2026-09-30"),  # begins 31 August
        ("2026-05-31", 4, Unit.MONTHS, "2026-09-30", "2026-09-30"),  # begins 1 June: end of September
        ("2026-06-15", 10, Unit.MONTHS, "2027-04-15", "2027-04-15"),
        ("2026-12-31", 1, Unit.MONTHS, "2027-01-31", "2027-02-01"),  # begins 1 January; 01-31 Sunday
        ("2026-12-31", 12, Unit.MONTHS, "2027-12-31", "2028-01-04"),  # 年末年始
        # 29 February.
        ("2028-01-30", 1, Unit.MONTHS, "2028-02-29", "2028-02-29"),  # leap year: 31 Jan → 29 Feb
        ("2028-01-28", 1, Unit.MONTHS, "2028-02-28", "2028-02-28"),
        ("2028-02-28", 1, Unit.MONTHS, "2028-03-28", "2028-03-28"),  # begins 29 February
        ("2028-02-29", 1, Unit.MONTHS, "2028-03-31", "2028-03-31"),  # begins 1 March
        ("2027-02-28", 1, Unit.YEARS, "2028-02-29", "2028-02-29"),  # begins 1 March 2027
        ("2028-02-28", 1, Unit.YEARS, "2029-02-28", "2029-02-28"),  # begins 29 Feb 2028; 2029 has none
        ("2028-02-28", 2, Unit.YEARS, "2030-02-28", "2030-02-28"),
        ("2028-02-28", 4, Unit.YEARS, "2032-02-28", "2032-03-01"),  # begins 29 Feb; 2032-02-28 Sat… 29 Sun
        ("2028-02-29", 1, Unit.YEARS, "2029-02-28", "2029-02-28"),  # begins 1 March 2028
        # Years are twelve months.
        ("2026-02-01", 2, Unit.YEARS, "2028-02-01", "2028-02-01"),
        ("2026-05-10", 5, Unit.YEARS, "2031-05-10", "2031-05-12"),  # Saturday → Monday
        ("2026-04-01", 3, Unit.YEARS, "2029-04-01", "2029-04-02"),  # Sunday
        ("2026-11-20", 1, Unit.YEARS, "2027-11-20", "2027-11-22"),
        # 年末年始 (29 December – 3 January).
        ("2026-09-29", 3, Unit.MONTHS, "2026-12-29", "2027-01-04"),
        ("2026-10-02", 3, Unit.MONTHS, "2027-01-02", "2027-01-04"),
        ("2027-10-03", 3, Unit.MONTHS, "2028-01-03", "2028-01-04"),
        ("2026-02-28", 10, Unit.MONTHS, "2026-12-31", "2027-01-04"),  # begins 1 March: end of December
        ("2026-09-27", 3, Unit.MONTHS, "2026-12-27", "2026-12-28"),  # Sunday; Monday 28th is still open
        # Golden Week.
        ("2026-02-02", 3, Unit.MONTHS, "2026-05-02", "2026-05-07"),  # Sat, Sun 憲法記念日, 4, 5, 振替休日 6
        ("2026-01-29", 3, Unit.MONTHS, "2026-04-29", "2026-04-30"),  # 昭和の日
        ("2027-01-03", 4, Unit.MONTHS, "2027-05-03", "2027-05-06"),  # 3, 4, 5 holidays
        # 振替休日.
        ("2026-01-06", 4, Unit.MONTHS, "2026-05-06", "2026-05-07"),  # 憲法記念日 fell on a Sunday
        ("2025-08-24", 3, Unit.MONTHS, "2025-11-24", "2025-11-25"),  # 勤労感謝の日 fell on a Sunday
        ("2027-01-23", 1, Unit.MONTHS, "2027-02-23", "2027-02-24"),  # 天皇誕生日, a Tuesday
        # 国民の休日: 2026-09-22 lies between 敬老の日 and 秋分の日.
        ("2026-06-22", 3, Unit.MONTHS, "2026-09-22", "2026-09-24"),
        ("2026-08-21", 1, Unit.MONTHS, "2026-09-21", "2026-09-24"),
        # Days are unchanged: the start date plus that many days.
        ("2026-02-01", 90, Unit.DAYS, "2026-05-02", "2026-05-07"),  # why 3か月 must not be 90 days
        ("2026-11-20", 14, Unit.DAYS, "2026-12-04", "2026-12-04"),
        ("2026-11-20", 0, Unit.DAYS, "2026-11-20", "2026-11-20"),
    ],
)
def test_months_and_years_count_as_the_civil_code_does(start, amount, unit, legal_end, deadline):
    start_date = date.fromisoformat(start)
    assert period_end(start_date, amount=amount, unit=unit) == date.fromisoformat(legal_end)
    assert Deadline(amount, unit).date_from(start_date) == date.fromisoformat(deadline)


def test_a_year_is_twelve_months():
    for day in range(0, 800, 7):
        start = date.fromordinal(date(2026, 1, 1).toordinal() + day)
        for years in (1, 2, 3, 5, 10):
            assert period_end(start, amount=years, unit=Unit.YEARS) == period_end(
                start, amount=12 * years, unit=Unit.MONTHS
            )


@pytest.mark.parametrize(
    ("deadline", "label", "wording"),
    [
        (Deadline(2, Unit.YEARS, "funeral_date"), "葬儀を行った日", "葬儀を行った日の翌日から2年"),
        (Deadline(3, Unit.MONTHS), "亡くなった日", "亡くなった日の翌日から3か月"),
        (Deadline(14, Unit.DAYS), "亡くなった日", "亡くなった日から14日"),
    ],
)
def test_a_rule_is_worded_for_the_family(deadline, label, wording):
    assert deadline.wording(label) == wording
