"""The dates a case may hold, in one place: the counter's form, the API and the evaluator ask here.

Pure Python, no clock: `today` is passed in. okuyami-catalog/1 allows a date of death from
1900-01-01 to 2200-12-31; a birth date and the answers to date questions (a funeral, a move)
keep to the same years, and an appointment is within a few years of today. Without these bounds
year 0001 and year 9999 were taken: deadlines overflowed (a 500), and an appointment in year 266
came back with the local mean time offset +09:18:59.
"""

from datetime import date

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
# An appointment is made for the coming weeks; a year back leaves room to correct an old case.
APPOINTMENT_YEARS_AHEAD = 2
APPOINTMENT_YEARS_BACK = 1


def japanese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


RANGE_EN = f"from {EARLIEST.isoformat()} to {LATEST.isoformat()}"
RANGE_JA = f"{japanese(EARLIEST)}から{japanese(LATEST)}まで"


def in_range(day: date) -> bool:
    """A date of death or birth, or a date answer, within the years the service handles."""
    return EARLIEST <= day <= LATEST


def appointment_range(today: date) -> tuple[date, date]:
    """The first and last day an appointment may be on."""
    return _years_from(today, -APPOINTMENT_YEARS_BACK), _years_from(today, APPOINTMENT_YEARS_AHEAD)


def appointment_in_range(day: date, *, today: date) -> bool:
    first, last = appointment_range(today)
    return first <= day <= last


def _years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
