"""The national template's corrected conditions, one situation a row (issue #13).

Each row: a situation in words, the answers, and which procedures must apply, be 要確認,
or be left out. Sources are in fixtures/README.md.
"""

import json
from pathlib import Path

import pytest

from procedures.catalog_io import read_catalog
from procedures.evaluation import evaluate, read_case

TEMPLATE = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs" / "national-template.json"

UNKNOWN = "わからない"  # answered わからない (the case's `unknown` list)

SITUATIONS = [
    (
        "65歳で退職し年金受給前に死亡、妻あり",
        {"birth_date": "1961-05-01", "death_date": "2026-11-20"},
        {
            "insurance": "kokuho",
            "pension": "none",
            "employed": False,
            "kosei_years": "over25",
            "dai1_months": 0,
            "survivor_spouse": True,
            "survivor_children": False,
        },
        {"applies": {"izoku_kosei"}, "no": {"shibo_ichijikin", "izoku_kiso"}},
    ),
    (
        "厚生年金15年・合計20年の年金受給者が死亡、妻あり（長期要件を満たさない）",
        {"birth_date": "1950-05-01", "death_date": "2026-11-20"},
        {
            "insurance": "koki",
            "pension": "both",
            "pension_kyosai": False,
            "employed": False,
            "kosei_years": "under25",
            "insured_25y": False,
            "survivor_spouse": True,
            "survivor_children": False,
        },
        {"applies": {"nenkin_death_kosei"}, "no": {"izoku_kosei"}},
    ),
    (
        "厚生年金の期間がわからない年金受給者が死亡、妻あり",
        {"birth_date": "1950-05-01", "death_date": "2026-11-20"},
        {
            "insurance": "koki",
            "pension": "both",
            "employed": False,
            "kosei_years": UNKNOWN,
            "survivor_spouse": True,
        },
        {"maybe": {"izoku_kosei"}},
    ),
    (
        "在職中に死亡、妻と高校生の子あり",
        {"birth_date": "1980-05-01", "death_date": "2026-11-20"},
        {
            "insurance": "shakai",
            "shakai_role": "self",
            "pension": "none",
            "employed": True,
            "kosei_member": True,
            "survivor_spouse": True,
            "survivor_children": True,
            "funeral_held": True,
            "burial_by_supported": True,
        },
        {
            "applies": {"izoku_kosei", "kenpo_loss", "kenpo_maisoryo", "kinmusaki_tetsuzuki"},
            "no": {"izoku_kiso", "kenpo_maisohi"},
        },
    ),
    (
        "公務員だった方の共済年金",
        {"birth_date": "1945-05-01", "death_date": "2026-11-20"},
        {"pension": "both", "pension_kyosai": True},
        {"applies": {"kyosai_nenkin", "nenkin_death_kosei"}},
    ),
    (
        "自営業だけの夫が死亡、妻と中学生の子あり（遺族基礎年金は市区町村）",
        {"birth_date": "1980-05-01", "death_date": "2026-11-20"},
        {
            "insurance": "kokuho",
            "pension": "none",
            "employed": False,
            "kosei_years": "none",
            "dai1_months": 200,
            "survivor_spouse": True,
            "survivor_children": True,
            "deceased_dai3": False,
        },
        {"applies": {"izoku_kiso"}, "no": {"izoku_kosei", "shibo_ichijikin"}},
    ),
    (
        "第3号被保険者の妻が死亡、夫と小学生の子あり（遺族基礎年金は年金事務所）",
        {"birth_date": "1985-05-01", "death_date": "2026-11-20"},
        {
            "insurance": "shakai",
            "shakai_role": "dependent",
            "pension": "none",
            "employed": False,
            "kosei_years": "none",
            "survivor_children": True,
            "deceased_dai3": True,
        },
        {"applies": {"izoku_kosei"}, "no": {"izoku_kiso", "kenpo_maisohi"}},
    ),
    (
        "国保組合（建設国保）の加入者が死亡、葬儀あり",
        {"birth_date": "1960-05-01", "death_date": "2026-11-20"},
        {"insurance": "other", "funeral_held": True, "funeral_date": "2026-11-24"},
        {"applies": {"kumiai_loss", "kumiai_sosaihi"}, "no": {"kokuho_loss", "kokuho_sosaihi"}},
    ),
    (
        "75歳以上で勤務先の健康保険と答えた（後期高齢者医療に移っている）",
        {"birth_date": "1945-05-01", "death_date": "2026-11-20"},
        {"insurance": "shakai", "shakai_role": "self", "funeral_held": True, "burial_by_supported": True},
        {"applies": {"koki_loss"}, "no": {"kenpo_loss", "kenpo_maisoryo", "kenpo_maisohi"}},
    ),
    (
        "世帯主が死亡、残ったのは妻と10歳の子だけ（世帯主変更は不要）",
        {"birth_date": "1980-05-01", "death_date": "2026-11-20"},
        {"head_of_household": True, "household_remaining": 2, "household_adults": 1},
        {"no": {"setainushi_henko"}},
    ),
    (
        "世帯主が死亡、残ったのは妻と成人の子",
        {"birth_date": "1950-05-01", "death_date": "2026-11-20"},
        {"head_of_household": True, "household_remaining": 2, "household_adults": 2},
        {"applies": {"setainushi_henko"}},
    ),
    (
        "国民年金だけ36か月以上納めた独身の方が年金を受けずに死亡、同居の兄あり（死亡一時金）",
        {"birth_date": "1975-05-01", "death_date": "2026-11-20"},
        {
            "pension": "none",
            "employed": False,
            "kosei_years": "none",
            "dai1_months": 120,
            "same_livelihood": True,
            "survivor_spouse": False,
            "survivor_children": False,
        },
        {"applies": {"shibo_ichijikin"}},
    ),
    (
        "死亡一時金の対象で、生計を同じくする家族がいるかわからない",
        {"birth_date": "1975-05-01", "death_date": "2026-11-20"},
        {
            "pension": "none",
            "employed": False,
            "kosei_years": "none",
            "dai1_months": 120,
            "same_livelihood": UNKNOWN,
            "survivor_children": False,
        },
        {"maybe": {"shibo_ichijikin"}},
    ),
    (
        "勤務先の健康保険の本人が死亡、生計を維持されていた家族はおらず友人が火葬した（埋葬費）",
        {"birth_date": "1970-05-01", "death_date": "2026-11-20"},
        {"insurance": "shakai", "shakai_role": "self", "funeral_held": True, "burial_by_supported": False},
        {"applies": {"kenpo_maisohi"}, "no": {"kenpo_maisoryo"}},
    ),
    (
        "扶養に入っていた家族が死亡、火葬のみ（家族埋葬料）",
        {"birth_date": "1990-05-01", "death_date": "2026-11-20"},
        {"insurance": "shakai", "shakai_role": "dependent", "funeral_held": True},
        {"applies": {"kenpo_maisoryo"}, "no": {"kenpo_maisohi"}},
    ),
    (
        "妻が死亡、収入の多い夫が小学生の子を一人で育てる（ひとり親支援、生計維持は問わない）",
        {"birth_date": "1985-05-01", "death_date": "2026-11-20"},
        {"survivor_spouse": False, "survivor_children": False, "single_parent": True},
        {"applies": {"hitorioya_shien"}},
    ),
    (
        "自筆の遺言書が自宅で見つかった",
        {"death_date": "2026-11-20"},
        {"will": "jihitsu"},
        {"applies": {"yuigon_kennin"}, "no": {"yuigon_hokan"}},
    ),
    (
        "相続した山林がある",
        {"death_date": "2026-11-20"},
        {"real_estate": True, "forest": True},
        {"applies": {"shinrin_todokede", "sozoku_toki", "genshoyusha"}},
    ),
]


@pytest.fixture(scope="module")
def template():
    return read_catalog(json.loads(TEMPLATE.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("situation", "deceased", "answers", "expected"), SITUATIONS, ids=[s[0] for s in SITUATIONS]
)
def test_the_template_applies_what_the_law_gives(template, situation, deceased, answers, expected):
    unknown = [key for key, value in answers.items() if value == UNKNOWN]
    answers = {key: value for key, value in answers.items() if value != UNKNOWN}
    case = {"deceased": deceased, "answers": answers, "unknown": unknown}
    result = evaluate(template, read_case(template, case))
    applies = {item["key"] for item in result["applies"]}
    maybe = {item["key"] for item in result["maybe"]}
    assert expected.get("applies", set()) <= applies, situation
    assert expected.get("maybe", set()) <= maybe, situation
    assert not expected.get("no", set()) & (applies | maybe), situation
