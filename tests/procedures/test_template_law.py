"""The national template against the law: every legal period, every death date of five years.

The legal date is computed here independently of `procedures.deadlines`: months with
dateutil's calendar arithmetic and the Civil Code's own wording (民法140条・143条), closed
days from the `holidays` package (not jpholiday) plus weekends and 29 December – 3 January
(行政機関の休日に関する法律第1条, 国税通則法第10条第2項, 民法第142条).
"""

import json
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from dateutil.relativedelta import relativedelta

from okuyami.guide import AdjustmentAction, ManualChange, build_guide
from procedures.catalog_io import read_catalog
from procedures.evaluation import evaluate, read_case

TEMPLATE = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs" / "national-template.json"

# procedure -> (amount, unit, counted from, law and source). Where the law counts from a day
# that is never before the death (知った日, a payment day, the burial), the template counts from
# the death: its date may be earlier than the law's, never later.
LEGAL_PERIODS = {
    "setainushi_henko": (14, "days", "death", "住民基本台帳法第25条"),
    "kokuho_loss": (14, "days", "death", "国民健康保険法施行規則（資格喪失の届出）"),
    "kokuho_join": (
        14,
        "days",
        "death",
        "国民健康保険法施行規則（資格取得の届出。資格喪失日は死亡日の翌日）",
    ),
    "koki_loss": (14, "days", "death", "高齢者の医療の確保に関する法律施行規則"),
    "kaigo_loss": (14, "days", "death", "介護保険法施行規則"),
    "nenkin_death_kokumin": (
        14,
        "days",
        "death",
        "国民年金法施行規則（日本年金機構「年金を受けている方が亡くなったとき」）",
    ),
    "nenkin_death_kosei": (10, "days", "death", "厚生年金保険法施行規則（同上）"),
    "nenkin_shubetsu": (14, "days", "death", "国民年金法施行規則（種別変更の届出）"),
    "jido_teate": (15, "days", "death", "児童手当法（異動日の翌日から15日以内の申請で翌月分から支給）"),
    "zairyu_henno": (14, "days", "death", "出入国管理及び難民認定法第61条の9の3、入管特例法"),
    "inu_henko": (30, "days", "death", "狂犬病予防法施行規則（登録事項の変更）"),
    "shinrin_todokede": (
        90,
        "days",
        "death",
        "森林法第10条の7の2、森林法施行規則（林野庁「森林の土地の所有者届出制度」）",
    ),
    "kokuho_sosaihi": (2, "years", "funeral_date", "国民健康保険法第110条（葬祭を行った日の翌日から2年）"),
    "koki_sosaihi": (2, "years", "funeral_date", "高齢者の医療の確保に関する法律（時効2年）"),
    "kumiai_sosaihi": (2, "years", "funeral_date", "国民健康保険法第110条"),
    "kenpo_maisoryo": (2, "years", "death", "健康保険法（協会けんぽ: 死亡日の翌日から2年）"),
    "kenpo_maisohi": (2, "years", "death", "健康保険法（埋葬を行った日の翌日から2年。埋葬は死亡より後）"),
    "shibo_ichijikin": (2, "years", "death", "国民年金法（死亡一時金の時効2年）"),
    "mishikyu_kokumin": (
        5,
        "years",
        "death",
        "国民年金法（支払期日の翌月初日から5年。支払期日は死亡より後）",
    ),
    "mishikyu_kosei": (5, "years", "death", "厚生年金保険法（同上）"),
    "izoku_kiso": (5, "years", "death", "国民年金法（時効5年）"),
    "izoku_kosei": (5, "years", "death", "厚生年金保険法・国民年金法（時効5年）"),
    "kafu_nenkin": (5, "years", "death", "国民年金法（時効5年）"),
    "genshoyusha": (3, "months", "death", "地方税法第384条の3と条例（知った日の翌日から3か月が多い）"),
    "sozoku_hoki": (3, "months", "death", "民法第915条（知った時から3か月）"),
    "jun_kakutei": (4, "months", "death", "所得税法第124条・第125条（国税庁タックスアンサーNo.2022）"),
    "haigyo": (1, "months", "death", "所得税法第229条（事業を廃止した日から1か月）"),
    "sozokuzei": (10, "months", "death", "相続税法第27条（国税庁タックスアンサーNo.4205）"),
    "sozoku_toki": (3, "years", "death", "不動産登記法第76条の2（法務省「相続登記の申請義務化」）"),
    "rosai_izoku": (5, "years", "death", "労働者災害補償保険法第42条"),
    "rosai_sosairyo": (2, "years", "death", "労働者災害補償保険法第42条"),
    "seimei_hoken": (3, "years", "death", "保険法第95条"),
}
# In law these have no date the template could print: a note says the rule.
NO_DATE = {
    "nochi_todokede": "農地法第3条の3: 遅滞なく (10か月は目安)",
    "kenpo_loss": "健康保険法施行規則: 事業主が5日以内に届け出る (家族の義務ではない)",
    "yuigon_kennin": "民法第1004条: 遅滞なく",
    "kei_meigi": "道路運送車両法: 所有者が変わった日から15日 (遺産分割など)",
    "car_iten": "道路運送車両法: 同上",
    "kokuho_kogaku": "国民健康保険法第110条: 診療月ごとに2年",
    "koki_kogaku": "同上",
}
JAPAN = holidays.Japan(years=range(2025, 2037))


def closed(day: date) -> bool:
    return (
        day.weekday() >= 5
        or day in JAPAN
        or (day.month, day.day) >= (12, 29)
        or (day.month, day.day) <= (1, 3)
    )


def legal_date(start: date, amount: int, unit: str) -> date:
    """The law's last day: 民法140条 (the first day is not counted) and 143条, then past closed days."""
    if unit == "days":
        last = start + timedelta(days=amount)
    else:
        first = start + timedelta(days=1)
        months = amount * (12 if unit == "years" else 1)
        same_day = first + relativedelta(months=months)  # dateutil clamps to the month's end
        # Clamped: the month has no such day, so the period ends on its last day (143条ただし書).
        last = same_day if same_day.day != first.day else same_day - timedelta(days=1)
    while closed(last):
        last += timedelta(days=1)
    return last


@pytest.fixture(scope="module")
def template():
    return read_catalog(json.loads(TEMPLATE.read_text(encoding="utf-8")))


DEATHS = [
    date(2026, 1, 1) + timedelta(days=n) for n in range((date(2030, 12, 31) - date(2026, 1, 1)).days + 1)
]


def test_the_template_has_at_least_65_procedures(template):
    assert len(template.procedures) >= 65


def test_every_period_of_the_template_is_in_the_table_and_the_other_way(template):
    with_deadline = {p.key for p in template.procedures if p.deadline is not None}
    assert with_deadline == set(LEGAL_PERIODS)
    for key in NO_DATE:
        procedure = next(p for p in template.procedures if p.key == key)
        assert procedure.deadline is None and procedure.deadline_note, key


@pytest.mark.parametrize("key", sorted(LEGAL_PERIODS))
def test_the_template_states_the_legal_period(template, key):
    amount, unit, start, _law = LEGAL_PERIODS[key]
    rule = next(p for p in template.procedures if p.key == key).deadline
    assert (rule.amount, rule.unit.value, rule.start) == (amount, unit, start)


@pytest.mark.parametrize("key", sorted(LEGAL_PERIODS))
def test_the_printed_deadline_is_the_legal_date_for_every_death_in_five_years(template, key):
    """What the guide (and so every screen and print) carries, for 1,826 dates of death."""
    amount, unit, start, _law = LEGAL_PERIODS[key]
    procedure = next(p for p in template.procedures if p.key == key)
    for death in DEATHS:
        funeral = death + timedelta(days=3)
        answers = {"funeral_held": True, "funeral_date": funeral.isoformat()}
        case = read_case(template, {"deceased": {"death_date": death.isoformat()}, "answers": answers})
        guide = build_guide(
            template, {"applies": [], "maybe": []}, death_date=death, case=case, adjustments=(_add(key),)
        )
        (entry,) = [p for stop in guide["stops"] for p in stop["procedures"]]
        printed = date.fromisoformat(entry["deadline"])
        legal = legal_date(funeral if start == "funeral_date" else death, amount, unit)
        assert printed == legal, (key, death, printed, legal)
        assert procedure.deadline.date_from(funeral if start == "funeral_date" else death) == legal


def _add(key):
    return ManualChange(key, AdjustmentAction.ADD)


def test_evaluation_gives_the_legal_date_for_every_death_in_five_years(template):
    """The evaluation result (API, result screen) for 相続放棄 and 相続税, date by date."""
    for death in DEATHS:
        case = read_case(
            template,
            {
                "deceased": {"death_date": death.isoformat()},
                "answers": {"renunciation": True, "estate_large": True},
            },
        )
        result = {item["key"]: item["deadline"] for item in evaluate(template, case)["applies"]}
        assert date.fromisoformat(result["sozoku_hoki"]) == legal_date(death, 3, "months")
        assert date.fromisoformat(result["sozokuzei"]) == legal_date(death, 10, "months")


def test_without_the_funeral_date_the_sosaihi_has_no_date_and_says_its_rule(template):
    case = read_case(
        template,
        {
            "deceased": {"death_date": "2026-02-01", "birth_date": "1940-01-01"},
            "answers": {"insurance": "kokuho", "funeral_held": True},
            "unknown": ["funeral_date"],
        },
    )
    result = evaluate(template, case)
    (item,) = [i for i in result["applies"] if i["key"] == "kokuho_sosaihi"]
    assert item["deadline"] is None
    guide = build_guide(template, result, death_date=date(2026, 2, 1), case=case)
    (entry,) = [p for s in guide["stops"] for p in s["procedures"] if p["key"] == "kokuho_sosaihi"]
    assert entry["deadline"] is None
    assert entry["deadline_rule"] == "葬儀（火葬のみの場合は火葬）を行った日の翌日から2年"
