"""和暦 (Japanese era) dates for screens and print. Pure: no Django."""

from datetime import date

# (first day, era name); 元年 is the first year of each era.
ERAS = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1873, 1, 1), "明治"),  # the Gregorian calendar in Japan starts 1873-01-01
)
WEEKDAYS = "月火水木金土日"


def wareki(day: date, *, weekday: bool = False) -> str:
    """'令和8年11月20日' (with '（金）' when asked); 西暦 before 1873."""
    suffix = f"（{WEEKDAYS[day.weekday()]}）" if weekday else ""
    for start, era in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日{suffix}"
    return f"{day.year}年{day.month}月{day.day}日{suffix}"


def seireki(day: date, *, weekday: bool = False) -> str:
    """'2026年11月20日'."""
    suffix = f"（{WEEKDAYS[day.weekday()]}）" if weekday else ""
    return f"{day.year}年{day.month}月{day.day}日{suffix}"
