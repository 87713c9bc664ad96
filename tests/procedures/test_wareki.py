"""和暦: written for screens and print, and read back as families and staff type them."""

from datetime import date

import pytest

from procedures.wareki import DateNotUnderstood, era_span, parse_date, seireki, wareki

# Era boundaries (元号法 and its 政令: 昭和 from 1926-12-25, 平成 from 1989-01-08, 令和 from 2019-05-01).


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1944-10-15", date(1944, 10, 15)),
        ("1944/10/15", date(1944, 10, 15)),
        ("1944.10.15", date(1944, 10, 15)),
        ("1944年10月15日", date(1944, 10, 15)),
        ("19441015", date(1944, 10, 15)),
        ("１９４４－１０－１５", date(1944, 10, 15)),
        ("S19.10.15", date(1944, 10, 15)),
        ("s19.10.15", date(1944, 10, 15)),
        ("S.19.10.15", date(1944, 10, 15)),
        ("Ｓ１９．１０．１５", date(1944, 10, 15)),
        ("S19/10/15", date(1944, 10, 15)),
        ("昭和19年10月15日", date(1944, 10, 15)),
        ("昭和１９年１０月１５日", date(1944, 10, 15)),
        (" 昭和 19 年 10 月 15 日 ", date(1944, 10, 15)),
        ("昭和19.10.15", date(1944, 10, 15)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("令和8年11月20日（金）", date(2026, 11, 20)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("H1.1.8", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("大正3年4月1日", date(1914, 4, 1)),
        ("T15.12.24", date(1926, 12, 24)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("M6.1.1", date(1873, 1, 1)),
    ],
)
def test_it_reads_seireki_and_wareki_as_typed(typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason", "era"),
    [
        ("", "format", ""),
        ("昭和", "format", ""),
        ("きのう", "format", ""),
        ("19/10/15", "format", ""),
        ("X19.10.15", "format", ""),
        ("昭和0年1月1日", "format", ""),
        ("2026-02-30", "no_such_day", ""),
        ("令和7年2月29日", "no_such_day", ""),
        ("2026-13-01", "no_such_day", ""),
        ("平成31年5月1日", "era_range", "平成"),
        ("昭和64年1月8日", "era_range", "昭和"),
        ("昭和元年12月24日", "era_range", "昭和"),
        ("S65.1.1", "era_range", "昭和"),
        ("明治5年12月1日", "era_range", "明治"),
        ("H32.1.1", "era_range", "平成"),
    ],
)
def test_it_refuses_what_is_not_a_day_with_the_reason(typed, reason, era):
    with pytest.raises(DateNotUnderstood) as refused:
        parse_date(typed)
    assert (refused.value.reason, refused.value.era) == (reason, era)


def test_an_era_span_names_its_first_and_last_day():
    assert era_span("平成") == "平成は平成元年1月8日から平成31年4月30日まで"
    assert era_span("令和") == "令和は令和元年5月1日からです"


@pytest.mark.parametrize(
    "day",
    [
        date(1873, 1, 1),
        date(1912, 7, 29),
        date(1926, 12, 25),
        date(1944, 10, 15),
        date(1989, 1, 7),
        date(2019, 5, 1),
        date(2026, 11, 20),
    ],
)
def test_what_is_written_reads_back(day):
    assert parse_date(wareki(day)) == day
    assert parse_date(wareki(day, weekday=True)) == day
    assert parse_date(seireki(day)) == day
