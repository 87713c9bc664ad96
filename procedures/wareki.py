"""和暦 (Japanese era) dates: written for screens and print, and read back the way families say
them. Pure: no Django.

`parse_date` reads 西暦 (2026-11-20, 2026/11/20, 2026年11月20日, 20261120) and 和暦
(昭和19年10月15日, S19.10.15, 令和元年5月1日), in full-width digits too. Every form where staff
type a date reads it through it (the counter's, the admin's preview; the API keeps to YYYY-MM-DD);
each gives its own message for the reason it raises.
"""

import re
import unicodedata
from datetime import date

# (first day, era name, letter, 西暦 of its 元年), newest first.
ERAS = (
    (date(2019, 5, 1), "令和", "R", 2019),
    (date(1989, 1, 8), "平成", "H", 1989),
    (date(1926, 12, 25), "昭和", "S", 1926),
    (date(1912, 7, 30), "大正", "T", 1912),
    # 明治 began in 1868, but Japan counts Gregorian days only from 1873-01-01 (明治6年).
    (date(1873, 1, 1), "明治", "M", 1868),
)
WEEKDAYS = "月火水木金土日"


def wareki(day: date, *, weekday: bool = False) -> str:
    """'令和8年11月20日' (with '（金）' when asked); 西暦 before 1873."""
    suffix = f"（{WEEKDAYS[day.weekday()]}）" if weekday else ""
    for start, era, _, first_year in ERAS:
        if day >= start:
            year = day.year - first_year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日{suffix}"
    return f"{day.year}年{day.month}月{day.day}日{suffix}"


def seireki(day: date, *, weekday: bool = False) -> str:
    """'2026年11月20日'."""
    suffix = f"（{WEEKDAYS[day.weekday()]}）" if weekday else ""
    return f"{day.year}年{day.month}月{day.day}日{suffix}"


# --- Reading a typed date ---------------------------------------------------------------------

ERA_BY_NAME = {name: (start, name, first) for start, name, _, first in ERAS} | {
    letter: (start, name, first) for start, name, letter, first in ERAS
}
_SEPARATOR = r"\s*(?:[./\-]|年|月)\s*"
_WESTERN = re.compile(
    rf"^(?P<year>\d{{4}}){_SEPARATOR}(?P<month>\d{{1,2}}){_SEPARATOR}(?P<day>\d{{1,2}})\s*日?$"
)
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")
_JAPANESE = re.compile(
    rf"^(?P<era>{'|'.join(ERA_BY_NAME)})\.?\s*(?P<year>元|\d{{1,2}}){_SEPARATOR}"
    rf"(?P<month>\d{{1,2}}){_SEPARATOR}(?P<day>\d{{1,2}})\s*日?$"
)
# A weekday the family or a calendar adds: 「令和8年11月20日（金）」.
_WEEKDAY = re.compile(rf"\s*\(\s*[{WEEKDAYS}]\s*\)$")


class DateNotUnderstood(Exception):
    """Why a typed date was refused. `reason`: "format" (not a date as written), "no_such_day"
    (2月30日), or "era_range" (昭和65年: the day is outside `era`; era_span(era) says its days)."""

    def __init__(self, reason: str, era: str = ""):
        super().__init__(reason)
        self.reason, self.era = reason, era


def parse_date(text: str) -> date:
    """The date `text` names, 西暦 or 和暦; raises DateNotUnderstood."""
    # NFKC: full-width digits, letters and punctuation become their ASCII forms (Ｓ１９．１０．１５).
    normal = _WEEKDAY.sub("", unicodedata.normalize("NFKC", text or "").strip()).upper()
    western = _WESTERN.match(normal) or _COMPACT.match(normal)
    if western:
        return _day(int(western["year"]), int(western["month"]), int(western["day"]))
    japanese = _JAPANESE.match(normal)
    if japanese is None:
        raise DateNotUnderstood("format")
    start, era, first_year = ERA_BY_NAME[japanese["era"]]
    era_year = 1 if japanese["year"] == "元" else int(japanese["year"])
    if era_year < 1:
        raise DateNotUnderstood("format")
    day = _day(first_year + era_year - 1, int(japanese["month"]), int(japanese["day"]))
    following = _following(start)
    if day < start or (following is not None and day >= following):
        raise DateNotUnderstood("era_range", era=era)
    return day


def _following(start: date) -> date | None:
    """The first day of the era after the one starting on `start`."""
    return next((s for s, *_ in reversed(ERAS) if s > start), None)


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateNotUnderstood("no_such_day") from None


def era_span(era: str) -> str:
    """'昭和は昭和元年12月25日から昭和64年1月7日まで' for messages."""
    start, name, _ = ERA_BY_NAME[era]
    following = _following(start)
    if following is None:
        return f"{name}は{wareki(start)}からです"
    return f"{name}は{wareki(start)}から{wareki(date.fromordinal(following.toordinal() - 1))}まで"
