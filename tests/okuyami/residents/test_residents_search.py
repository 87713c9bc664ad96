"""The counter's search of the records and opening a record: who may, what is found, what is audited."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from okuyami.residents.selectors import SEARCH_LIMIT, SearchCriteria
from okuyami.residents.services import (
    UNAVAILABLE,
    RecordNotDeceased,
    RecordNotFound,
    RecordsForbidden,
    RecordsUnavailable,
    SearchInvalid,
    extract_import,
    record_open,
    records_search,
)
from tests.okuyami.residents.conftest import EXAMPLE, EXAMPLE_FACTS, EXAMPLE_PREFILL, person

pytestmark = pytest.mark.django_db

# More people to find: a living 見本 born the same day as 太郎, a foreigner with ヴ, a small ッ.
OTHERS = [
    person("300000000201", household="7101", name="見本 太吉", kana="ミホン タキチ", birth="1950-04-02"),
    person(
        "300000000202",
        household="7102",
        name="NGUYEN VAN AN",
        kana="グエン ヴァン アン",
        birth="S34.06.19",
        foreign="1",
        removed="R08.11.23",
        reason="死亡",
    ),
    person("300000000203", household="7103", name="三津 光子", kana="ミッツ ミツコ", birth="1938-07-24"),
    person(
        "300000000204",
        household="7104",
        name="見本 太郎",
        kana="ミホン タロウ",
        birth="1950-04-02",
        removed="2026-03-01",
        reason="転出",
    ),
]


@pytest.fixture
def records_a(city_a, extract_dir):
    extract_import(municipality=city_a, source=extract_dir([*EXAMPLE, *OTHERS], EXAMPLE_FACTS), actor="test")
    return city_a


def numbers(result) -> list[str]:
    return [hit.atena_number for hit in result.hits]


def search(user, **criteria):
    return records_search(user=user, criteria=SearchCriteria(**criteria))


def test_a_search_lists_the_deceased_first_then_the_living_then_the_removed(records_a, alice):
    result = search(alice, kana="ミホン", birth_date=date(1950, 4, 2))
    assert numbers(result) == ["300000000101", "300000000201", "300000000204"]
    first = result.hits[0]
    assert (first.deceased, first.death_date, first.name) == (True, date(2026, 11, 20), "見本 太郎")
    assert (result.hits[1].deceased, result.hits[1].removal_date) == (False, None)
    assert (result.hits[2].removal_reason, result.hits[2].death_date) == ("転出", None)
    assert result.more is False


@pytest.mark.parametrize(
    ("kana", "found"),
    [
        ("ミホン タロウ", ["300000000101", "300000000204"]),
        ("ミホンタロウ", ["300000000101", "300000000204"]),  # spaces ignored
        ("みほん　たろう", ["300000000101", "300000000204"]),  # hiragana, full-width space
        ("ﾐﾎﾝ ﾀﾛ", ["300000000101", "300000000204"]),  # half-width, a prefix
        ("タロウ ミホン", ["300000000101", "300000000204"]),  # given name first
        ("タロ", ["300000000101", "300000000204"]),  # the given name's prefix alone
        ("ミホン タキ", ["300000000201"]),
        ("ミホン ハ", []),
    ],
)
def test_the_kana_is_a_prefix_in_either_order_ignoring_spaces_and_forms(records_a, alice, kana, found):
    assert numbers(search(alice, kana=kana, birth_date=date(1950, 4, 2))) == found


@pytest.mark.parametrize("kana", ["グエン バン", "グエン ヴァン", "バン アン", "ぐえん", "ｸﾞｴﾝ"])
def test_vu_and_bu_are_the_same_sound(records_a, alice, kana):
    assert numbers(search(alice, kana=kana, death_date=date(2026, 11, 23))) == ["300000000202"]


@pytest.mark.parametrize("kana", ["ミツツ ミツコ", "ミッツ ミッコ", "みっつ"])
def test_small_kana_are_the_full_size_letters(records_a, alice, kana):
    assert numbers(search(alice, kana=kana, birth_date=date(1938, 7, 24))) == ["300000000203"]


@pytest.mark.parametrize(
    ("criteria", "found"),
    [
        ({"atena_number": "300000000101", "kana": "ミ"}, ["300000000101"]),
        ({"atena_number": "300000000101", "birth_date": date(1950, 4, 2)}, ["300000000101"]),
        ({"birth_date": date(1950, 4, 2), "death_date": date(2026, 11, 20)}, ["300000000101"]),
        ({"kana": "ミホン", "death_date": date(2026, 11, 20)}, ["300000000101"]),
        ({"atena_number": "300000000101", "birth_date": date(1950, 4, 3)}, []),
    ],
)
def test_any_two_criteria_search(records_a, alice, criteria, found):
    assert numbers(search(alice, **criteria)) == found


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"kana": "ミホン"}, "2つ以上で検索してください"),
        ({"birth_date": date(1950, 4, 2)}, "2つ以上で検索してください"),
        ({"atena_number": "300000000101"}, "2つ以上で検索してください"),
        ({}, "2つ以上で検索してください"),
        ({"kana": "見本", "birth_date": date(1950, 4, 2)}, "カタカナかひらがなで"),
        ({"atena_number": "３００", "birth_date": date(1950, 4, 2)}, "半角数字で"),
    ],
)
def test_a_search_needs_two_criteria_no_browsing(records_a, alice, criteria, message):
    with pytest.raises(SearchInvalid, match=message):
        search(alice, **criteria)
    assert not AuditEvent.objects.filter(action="view").exists()  # nothing was searched


def test_every_search_is_audited_by_its_criteria_not_by_what_was_found(records_a, alice):
    search(alice, kana="ミホン タロウ", birth_date=date(1950, 4, 2))
    search(alice, atena_number="999", death_date=date(2026, 11, 20))
    events = AuditEvent.objects.filter(action="view").order_by("id")
    assert [(e.username, e.municipality_code, e.detail) for e in events] == [
        ("alice", "122041", "住民記録を検索（カナ・生年月日、2件）"),
        ("alice", "122041", "住民記録を検索（死亡日・宛名番号、0件）"),
    ]
    for event in events:  # no name, reading, date or number of a person
        assert not any(text in event.detail for text in ("ミホン", "見本", "1950", "2026", "999"))


def test_a_search_takes_a_fixed_number_of_queries(records_a, alice, city_a, extract_dir):
    alice.refresh_from_db()
    with CaptureQueriesContext(connection) as one:
        assert len(search(alice, kana="ミホン タキ", birth_date=date(1950, 4, 2)).hits) == 1
    many = [person(str(n), household=str(n), kana="ミホン タロウ", birth="1950-04-02") for n in range(1, 70)]
    extract_import(municipality=city_a, source=extract_dir(many), actor="test")
    alice.refresh_from_db()
    with CaptureQueriesContext(connection) as more:
        result = search(alice, kana="ミホン", birth_date=date(1950, 4, 2))
    assert (len(result.hits), result.more) == (SEARCH_LIMIT, True)
    assert len(one) == len(more) <= 5
    assert (
        AuditEvent.objects.filter(action="view").order_by("id").last().detail
        == "住民記録を検索（カナ・生年月日、50件超）"
    )


@pytest.mark.parametrize("who", ["bob", "erin", "operator"])
def test_only_counter_staff_may_search_or_open(records_a, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(RecordsForbidden):
        search(user, kana="ミホン", birth_date=date(1950, 4, 2))
    with pytest.raises(RecordsForbidden):
        record_open(user=user, atena_number="300000000101", prefill=EXAMPLE_PREFILL)
    assert not AuditEvent.objects.filter(action="view").exists()


def test_another_municipalitys_staff_never_see_these_records(records_a, charlie, city_b, extract_dir):
    with pytest.raises(RecordsUnavailable):  # city B has no extract of its own
        search(charlie, kana="ミホン", birth_date=date(1950, 4, 2))
    extract_import(municipality=city_b, source=extract_dir([person("1", household="1")]), actor="test")
    assert numbers(search(charlie, kana="ミホン", birth_date=date(1950, 4, 2))) == []
    with pytest.raises(RecordNotFound):
        record_open(user=charlie, atena_number="300000000101", prefill=EXAMPLE_PREFILL)
    with pytest.raises(RecordsForbidden):  # naming city A does not help
        record_open(
            user=charlie, municipality=records_a, atena_number="300000000101", prefill=EXAMPLE_PREFILL
        )


# --- Opening a record ------------------------------------------------------------------------------


def test_opening_a_deceased_persons_record_gives_the_case_document_and_is_audited(records_a, alice):
    document = record_open(user=alice, atena_number="300000000101", prefill=EXAMPLE_PREFILL)
    assert document["deceased"]["name"] == "見本 太郎"
    assert document["answers"] == {"head_of_household": True, "insurance": "koki"}
    assert [member["name"] for member in document["household"]] == ["見本 花子"]
    event = AuditEvent.objects.get(action="view")
    assert (event.username, event.detail) == ("alice", "住民記録を参照（宛名番号 300000000101）")


@pytest.mark.parametrize(
    ("number", "error"),
    [("300000000102", RecordNotDeceased), ("300000000103", RecordNotDeceased), ("42", RecordNotFound)],
)
def test_a_record_that_gives_no_case_is_a_domain_error_and_still_audited(records_a, alice, number, error):
    with pytest.raises(error) as raised:
        record_open(user=alice, atena_number=number, prefill=EXAMPLE_PREFILL)
    assert raised.value.message.endswith("手入力で続けてください")
    assert AuditEvent.objects.get(action="view").detail == f"住民記録を参照（宛名番号 {number}）"


def test_without_records_the_counter_is_told_to_carry_on_by_hand(alice):
    with pytest.raises(RecordsUnavailable) as raised:
        record_open(user=alice, atena_number="1", prefill=EXAMPLE_PREFILL)
    assert raised.value.message == UNAVAILABLE == "住民記録を参照できません。手入力で続けてください"
