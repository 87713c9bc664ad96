"""From the records to the case document: household facts on the date of death, prefill, kana keys."""

from datetime import date

import pytest

from okuyami.forms import RELATIONS
from okuyami.residents.extract import Resident
from okuyami.residents.kana import kana_key, kana_keys, record_keys, search_key
from okuyami.residents.records import (
    NotDeceased,
    case_document,
    deceased_was_head,
    household_after,
    household_facts,
    visitor_relation,
)
from tests.okuyami.residents.conftest import (
    EXAMPLE_DOCUMENT,
    EXAMPLE_PREFILL,
    HEAD_PREFILL,
    INSURANCE_PREFILL,
)

DEATH = date(2026, 11, 20)


def resident(
    number, *, household="7001", birth=date(1950, 4, 2), relation="子", removed=None, reason="", **kw
):
    return Resident(
        line=0,
        atena_number=number,
        household=household,
        name=kw.get("name", f"見本 {number}"),
        kana=kw.get("kana", "ミホン タロウ"),
        birth_date=birth,
        sex=1,
        relation=relation,
        address="見本県みほん市中央一丁目2番3号",
        foreign=kw.get("foreign", False),
        removal_date=removed,
        removal_reason=reason,
    )


def deceased(**kw):
    return resident("101", relation=kw.pop("relation", "世帯主"), removed=DEATH, reason="死亡", **kw)


# --- Household facts on the date of death ----------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "plus_15", "under_18"),
    [
        (date(2011, 11, 20), 1, 1),  # 15 on the day itself
        (date(2011, 11, 21), 0, 1),  # 15 the day after: 14
        (date(2008, 11, 20), 1, 0),  # 18 on the day itself
        (date(2008, 11, 21), 1, 1),  # 18 the day after: 17
        (date(2026, 12, 1), 0, 1),  # born after the death, still in the household
        (date(1952, 8, 15), 1, 0),
    ],
)
def test_ages_are_counted_on_the_date_of_death(birth, plus_15, under_18):
    facts = household_facts(deceased(), [resident("102", birth=birth)])
    assert facts["household.remaining_15_plus"] == plus_15
    assert facts["household.remaining_under_18"] == under_18


@pytest.mark.parametrize(
    ("death", "plus_15"),
    [
        (date(2027, 2, 28), 0),  # born 29 Feb 2012: in a common year the birthday is 1 March
        (date(2027, 3, 1), 1),
        (date(2028, 2, 28), 1),  # 2028 is a leap year: 16 on 29 Feb, 15 since 1 March 2027
    ],
)
def test_someone_born_on_29_february_has_their_birthday_on_1_march_in_common_years(death, plus_15):
    leap_child = resident("102", birth=date(2012, 2, 29))
    died = resident("101", relation="世帯主", removed=death, reason="死亡")
    assert household_facts(died, [leap_child])["household.remaining_15_plus"] == plus_15


def test_the_head_who_died_and_the_household_after_the_death():
    people = [
        deceased(),
        resident("300", relation="妻", birth=date(1952, 8, 15)),
        resident("20", relation="子", birth=date(2010, 1, 1)),
        resident("102", relation="子", removed=date(2024, 4, 1), reason="転出"),  # moved out earlier
        resident("103", household="7002", relation="世帯主"),  # another household
    ]
    remaining = household_after(people[0], people)
    assert [p.atena_number for p in remaining] == ["20", "300"]  # 宛名番号 in numeric order
    assert household_facts(people[0], remaining) == {
        "household.head": True,
        "household.remaining": 2,
        "household.remaining_15_plus": 2,  # the wife, and the child of 16 (also under 18)
        "household.remaining_under_18": 1,
        "resident.foreign": False,
    }


def test_a_deceased_who_was_not_the_head_and_a_foreign_resident():
    facts = household_facts(deceased(relation="妻", foreign=True), [])
    assert facts == {
        "household.head": False,
        "household.remaining": 0,
        "household.remaining_15_plus": 0,
        "household.remaining_under_18": 0,
        "resident.foreign": True,
    }


def test_the_contracts_example_gives_the_contracts_case_document():
    taro = resident(
        "300000000101",
        name="見本 太郎",
        kana="ミホン タロウ",
        relation="世帯主",
        removed=DEATH,
        reason="死亡",
    )
    hanako = resident(
        "300000000102", name="見本 花子", kana="ミホン ハナコ", relation="妻", birth=date(1952, 8, 15)
    )
    ichiro = resident(
        "300000000103", name="見本 一郎", relation="子", removed=date(2024, 4, 1), reason="転出"
    )
    prefill = [
        *EXAMPLE_PREFILL,
        ("care_certified", "yes_no", (), "kaigo.certified", None),  # the records do not say: asked
    ]
    document = case_document(
        deceased=taro,
        remaining=household_after(taro, [taro, hanako, ichiro]),
        facts={"health.insurance": "koki", "seal.registered": True},
        prefill=prefill,
    )
    assert document == EXAMPLE_DOCUMENT


def test_household_facts_prefill_questions_with_and_without_values():
    prefill = [
        ("household_remaining", "number", (), "household.remaining", None),
        ("children", "yes_no", (), "household.remaining_under_18", {"0": False}),
        ("residence_card", "choice", ("japanese", "zairyu"), "resident.foreign", {"false": "japanese"}),
    ]
    one_child = case_document(
        deceased=deceased(), remaining=[resident("5", birth=date(2015, 1, 1))], facts={}, prefill=prefill
    )
    assert one_child["answers"] == {"household_remaining": 1, "residence_card": "japanese"}
    alone = case_document(deceased=deceased(foreign=True), remaining=[], facts={}, prefill=prefill)
    assert alone["answers"] == {"household_remaining": 0, "children": False}


def test_a_person_who_did_not_die_has_no_case_document():
    for person in (resident("5"), resident("6", removed=DEATH, reason="転出")):
        with pytest.raises(NotDeceased):
            case_document(deceased=person, remaining=[], facts={}, prefill=[])


# --- Kana keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ミホン タロウ", "ミホン タロウ"),
        ("ミホンタロウ", "ミホン タロウ"),  # spaces ignored
        ("ミホン　タロウ", "ミホン タロウ"),  # full-width space
        ("みほん たろう", "ミホン タロウ"),  # hiragana
        ("ﾐﾎﾝ ﾀﾛｳ", "ミホン タロウ"),  # half-width
        ("ミッコ", "ミツコ"),  # small kana
        ("シヨウタ", "ショウタ"),
        ("バイオリン", "ヴァイオリン"),  # ヴ-type variants
        ("ビビアン", "ヴィヴィアン"),
        ("ブ", "ヴ"),
        ("グエン バン", "グエン ヴァン アン"),
        ("ジョウジ", "ヂョウヂ"),
        ("スズキ", "スヅキ"),
        ("スミスジョン", "スミス・ジョン"),
    ],
)
def test_a_typed_reading_and_the_stored_one_have_the_same_key_or_a_prefix(typed, stored):
    assert kana_keys(stored)[0].startswith(search_key(typed))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("タロウ ミホン", "タロウミホン"), ("タロウ", "タロウ"), ("タロウミ", "タロウミ")],
)
def test_the_given_name_first_matches_the_second_key(typed, expected):
    family_first, given_first = kana_keys("ミホン タロウ")
    assert (family_first, given_first) == ("ミホンタロウ", "タロウミホン")
    assert search_key(typed) == expected and given_first.startswith(expected)


@pytest.mark.parametrize("typed", ["", "   ", "見本", "MIHON", "123", "ミホン1"])
def test_text_that_is_not_a_reading_has_no_key(typed):
    assert search_key(typed) is None


@pytest.mark.parametrize(
    "kana",
    [
        "ミホン タロウ",
        "グエン ヴァン アン",
        "ササキ　キヨシ",
        "スミス・ジョン",
        "ミッコ",
        "ヴィヴィアン",
        "ヷヸヹヺ ヰヱヲ",
    ],
)
def test_the_importers_fast_keys_are_the_same_keys(kana):
    assert record_keys(kana) == kana_keys(kana)
    assert record_keys(kana)[0] == kana_key(kana)


# --- The documented worked example ----------------------------------------------------------------


def test_the_worked_example_of_the_documentation(tmp_path):
    """docs/resident-extract.md's worked example, read from the document itself: the two CSV files
    give the case document it shows."""
    import json
    import re
    from pathlib import Path

    from okuyami.residents.extract import ExtractReport, read_extract

    text = (Path(__file__).resolve().parents[3] / "docs" / "resident-extract.md").read_text(encoding="utf-8")
    example = text[text.index("## Worked example") :]
    residents_csv, facts_csv = re.findall(r"```csv\n(.*?)```", example, re.S)[:2]
    expected = json.loads(re.findall(r"```json\n(.*?)```", example, re.S)[0])
    (tmp_path / "residents.csv").write_text(residents_csv, encoding="cp932")  # 髙﨑 too: CP932 holds it
    (tmp_path / "facts.csv").write_text(facts_csv, encoding="utf-8")
    report = ExtractReport()
    rows = list(read_extract(tmp_path, report=report))
    assert report.ok, report.errors
    people = [row for row in rows if isinstance(row, Resident)]
    died = next(person for person in people if person.deceased)
    facts = {
        row.fact: row.value
        for row in rows
        if not isinstance(row, Resident) and row.atena_number == died.atena_number
    }
    prefill = [
        HEAD_PREFILL,
        ("remaining", "number", (), "household.remaining_15_plus", None),
        INSURANCE_PREFILL,
        ("kaigo", "yes_no", (), "kaigo.certified", None),
    ]
    remaining = household_after(died, people)
    assert case_document(deceased=died, remaining=remaining, facts=facts, prefill=prefill) == expected
    assert household_facts(died, remaining) == {
        "household.head": True,
        "household.remaining": 6,
        "household.remaining_15_plus": 5,
        "household.remaining_under_18": 2,
        "resident.foreign": False,
    }


# --- Who comes to the counter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zokugara", "relation"),
    [
        ("妻", "配偶者"),
        ("夫（未届）", "配偶者"),
        ("子", "子"),
        ("長女", "子"),
        ("子の妻", "子の配偶者"),
        ("孫", "孫"),
        ("母", "父母"),
        ("弟", "兄弟姉妹"),
        ("妻の母", "その他の親族"),
        ("同居人", "その他"),
        ("世帯主", ""),  # cannot be: the deceased was the 世帯主
        ("内縁の妻", ""),  # not listed: the staff choose
    ],
)
def test_a_household_members_relation_to_a_deceased_head(zokugara, relation):
    assert visitor_relation(zokugara, deceased_head=True) == relation
    assert relation == "" or relation in RELATIONS
    # When the deceased was not the 世帯主, a 続柄 (to the 世帯主) does not tell.
    assert visitor_relation(zokugara, deceased_head=False) == ""


def test_the_deceased_was_head_when_no_one_left_is():
    assert deceased_was_head([{"relation": "妻"}, {"relation": "子"}])
    assert deceased_was_head([])
    assert not deceased_was_head([{"relation": "世帯主"}, {"relation": "子"}])
