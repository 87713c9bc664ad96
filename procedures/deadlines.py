"""Deadlines and age at death, exactly as okuyami-catalog/1 defines them.

Pure: no Django, no clock. Dates come in as arguments.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import jpholiday

# The start of a deadline that is not a question's date.
DEATH = "death"

MAX_DAYS = 36500
MAX_MONTHS = 1200
MAX_YEARS = 100


class Unit(StrEnum):
    """The units of a deadline in okuyami-catalog/1: the one vocabulary (the model's choices too)."""

    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"

    @property
    def label(self) -> str:
        """Japanese, for the screens: 日, か月, 年."""
        return _UNIT_LABELS[self]


_UNIT_LABELS = {Unit.DAYS: "日", Unit.MONTHS: "か月", Unit.YEARS: "年"}
# The units as the format's keys (plain strings), in the format's order.
UNIT_KEYS = tuple(unit.value for unit in Unit)


# Each unit's largest amount, and its smallest: zero days is the day itself, zero months is no period.
UNIT_RANGE = {Unit.DAYS: (0, MAX_DAYS), Unit.MONTHS: (1, MAX_MONTHS), Unit.YEARS: (1, MAX_YEARS)}


@dataclass(frozen=True)
class Deadline:
    """A procedure's deadline rule: `amount` units after `start` (DEATH or a date question's key)."""

    amount: int
    unit: Unit
    start: str = DEATH

    @property
    def from_death(self) -> bool:
        return self.start == DEATH

    @property
    def days_from_death(self) -> int | None:
        """The amount when the rule is what `deadline_days` says (days from the death), else None."""
        return self.amount if self.unit == Unit.DAYS and self.from_death else None

    def date_from(self, start_date: date) -> date:
        """The deadline for a period that starts on `start_date`, moved past closed days."""
        return next_open_day(period_end(start_date, amount=self.amount, unit=self.unit))

    def wording(self, start_label: str = "亡くなった日") -> str:
        """The rule in words for a family: 「葬儀を行った日の翌日から2年」, 「亡くなった日から14日」."""
        since = "から" if self.unit == Unit.DAYS else "の翌日から"
        return f"{start_label}{since}{self.amount}{self.unit.label}"


def is_closed(day: date) -> bool:
    """Whether municipal offices are closed: weekends, national holidays, 29 Dec - 3 Jan."""
    if day.weekday() >= 5:
        return True
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return True
    # jpholiday covers 振替休日 and 国民の休日 as well as the named holidays.
    return jpholiday.is_holiday(day)


def next_open_day(day: date) -> date:
    """`day`, or the first day after it on which offices are open."""
    while is_closed(day):
        day += timedelta(days=1)
    return day


def period_end(start: date, *, amount: int, unit: Unit) -> date:
    """The last day of a period counted from `start`, before moving past closed days.

    Days: `start` plus that many days. Months and years as the Civil Code counts them
    (民法140条・143条): the period begins the day after `start` and ends the day before
    the same day of the month that many months later, or on that month's last day when
    the month has no such day.
    """
    if unit == Unit.DAYS:
        return start + timedelta(days=amount)
    months = amount * 12 if unit == Unit.YEARS else amount
    begins = start + timedelta(days=1)
    index = begins.year * 12 + begins.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if begins.day > last:
        return date(year, month, last)
    return date(year, month, begins.day) - timedelta(days=1)


def deadline_for(*, death_date: date, days: int | None) -> date | None:
    """The deadline `days` after the date of death, moved past closed days."""
    if days is None:
        return None
    return Deadline(days, Unit.DAYS).date_from(death_date)


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
