"""Deadlines and age at death, exactly as okuyami-catalog/1 defines them.

Pure: no Django, no clock. Dates come in as arguments.
"""

from datetime import date, timedelta

import jpholiday


def is_closed(day: date) -> bool:
    """Whether municipal offices are closed: weekends, national holidays, 29 Dec - 3 Jan."""
    if day.weekday() >= 5:
        return True
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return True
    # jpholiday covers 振替休日 and 国民の休日 as well as the named holidays.
    return jpholiday.is_holiday(day)


def deadline_for(*, death_date: date, days: int | None) -> date | None:
    """The deadline `days` after the date of death, moved past closed days."""
    if days is None:
        return None
    day = death_date + timedelta(days=days)
    while is_closed(day):
        day += timedelta(days=1)
    return day


def age_at(*, birth_date: date | None, death_date: date) -> int | None:
    """Completed years on the date of death; the birthday itself counts.

    Someone born on 29 February has their birthday on 1 March in common years.
    """
    if birth_date is None:
        return None
    month, day = birth_date.month, birth_date.day
    if (month, day) == (2, 29) and not _is_leap(death_date.year):
        month, day = 3, 1
    had_birthday = (death_date.month, death_date.day) >= (month, day)
    return death_date.year - birth_date.year - (0 if had_birthday else 1)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
