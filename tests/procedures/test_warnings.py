"""Catalog warnings: unreachable procedures, unread questions, empty counters and places."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from procedures.catalog_io import loads, read_catalog
from procedures.warnings import (
    EMPTY_COUNTER,
    EMPTY_PLACE,
    UNASKED_DEADLINE_START,
    UNREACHABLE,
    UNREAD_QUESTION,
    can_apply,
    catalog_warnings,
)
from tests.conftest import build_catalog_document

CATALOGS = sorted((Path(django_settings.BASE_DIR) / "fixtures" / "catalogs").glob("*.json"))


def procedure_with(condition: str):
    catalog = read_catalog(build_catalog_document({"procedures[1].applies_if": condition}))
    return catalog, next(p for p in catalog.procedures if p.key == "seal")


@pytest.mark.parametrize(
    "condition",
    [
        "false",
        "not true",
        "age < 10 and age > 20",
        "age >= 75 and age < 75",
        "insurance == 'koki' and insurance == 'kokuho'",
        "pension == true and pension == false",
        "'gentsuki' in vehicles and 'gentsuki' not in vehicles",
        'moved_in >= "2026-01-01" and moved_in < "2026-01-01"',
        "insurance not in ['kokuho', 'koki', 'shaho']",
        # care is asked only from 40 to 64: at 65 it is unanswered.
        "care == true and age >= 65",
        # household_left is asked only of a head of household.
        "household_left >= 2 and head_of_household == false",
    ],
)
def test_a_condition_no_answers_make_true_is_unreachable(condition):
    catalog, procedure = procedure_with(condition)
    assert can_apply(catalog, procedure) is False
    assert [(w.kind, w.key) for w in catalog_warnings(catalog) if w.kind == UNREACHABLE] == [
        (UNREACHABLE, "seal")
    ]


@pytest.mark.parametrize(
    "condition",
    [
        "true",
        "age >= 75",
        "insurance != 'shaho'",
        "'kei' not in vehicles",
        'moved_in > "2026-01-01" and moved_in < "2026-01-03"',
        "household_left > 3 and household_left < 5",
        "household_left == 0 and head_of_household == true",
        # Unanswered: != is true.
        "insurance != 'kokuho' and insurance != 'koki' and insurance != 'shaho'",
        # The age is unknown without a birth date, so care is asked whatever the age.
        "care == true",
        "not (pension == true) and age < 1",
    ],
)
def test_a_condition_some_answers_make_true_is_reachable(condition):
    catalog, procedure = procedure_with(condition)
    assert can_apply(catalog, procedure) is True
    assert not [w for w in catalog_warnings(catalog) if w.kind == UNREACHABLE]


def test_a_question_no_condition_reads_is_reported():
    document = build_catalog_document()
    document["questions"].append({"key": "dog", "text": "犬を飼っていましたか？", "type": "yes_no"})
    warnings = catalog_warnings(read_catalog(document))
    assert [(w.kind, w.key, w.name) for w in warnings] == [(UNREAD_QUESTION, "dog", "犬を飼っていましたか？")]
    assert warnings[0].message == "questions 'dog': no condition reads it"
    assert warnings[0].message_ja == "質問「犬を飼っていましたか？」（dog）: どの条件にも使われていません。"


def test_a_question_read_only_by_an_ask_if_is_read():
    document = build_catalog_document()
    warnings = catalog_warnings(read_catalog(document))
    assert "head_of_household" not in {w.key for w in warnings}  # also read by household_left's ask_if
    assert warnings == []


def with_funeral_deadline(applies_if: str) -> dict:
    """The contract city with a funeral date asked only when a funeral was held, and a procedure
    (葬祭費) whose deadline counts two years from that date."""
    document = build_catalog_document()
    document["questions"] += [
        {"key": "funeral_held", "text": "葬儀を行いましたか？", "type": "yes_no"},
        {"key": "funeral_date", "text": "葬儀を行った日", "type": "date", "ask_if": "funeral_held == true"},
    ]
    document["procedures"].append(
        {
            "key": "sosaihi",
            "name": "葬祭費の支給申請",
            "counter": "kokuho",
            "applies_if": applies_if,
            "deadline": {"years": 2, "from": "funeral_date"},
        }
    )
    return document


def test_a_deadline_counted_from_a_question_not_always_asked_is_reported():
    warnings = catalog_warnings(read_catalog(with_funeral_deadline("insurance == 'kokuho'")))
    assert [(w.kind, w.key) for w in warnings] == [(UNASKED_DEADLINE_START, "sosaihi")]
    assert warnings[0].message == (
        "procedures 'sosaihi': its deadline counts from a question that is not always asked when it applies"
    )
    assert "期限の起算日の質問が" in warnings[0].message_ja


def test_a_deadline_counted_from_a_question_asked_whenever_it_applies_is_not_reported():
    """Also: funeral_date is read by the deadline alone, and that counts as read."""
    document = with_funeral_deadline("insurance == 'kokuho' and funeral_held == true")
    assert catalog_warnings(read_catalog(document)) == []
    document["procedures"][-1]["deadline"] = {"years": 2, "from": "moved_in"}  # asked of everyone
    document["procedures"][-1]["applies_if"] = "true"
    assert [(w.kind, w.key) for w in catalog_warnings(read_catalog(document))] == [
        (UNREAD_QUESTION, "funeral_date")
    ]


def test_a_counter_without_procedures_and_a_place_without_counters_are_reported():
    document = build_catalog_document()
    document["places"].append({"key": "annex", "name": "別館", "order": 9})
    document["counters"].append({"key": "empty", "name": "空の窓口", "place": "main_2f", "order": 99})
    warnings = catalog_warnings(read_catalog(document))
    assert [(w.kind, w.key) for w in warnings] == [(EMPTY_COUNTER, "empty"), (EMPTY_PLACE, "annex")]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.name)
def test_the_fixture_catalogs_have_no_warnings(path):
    assert catalog_warnings(read_catalog(loads(path.read_bytes()))) == []


@pytest.mark.django_db
def test_the_municipality_page_shows_the_warnings(client, bob, imported):
    document = build_catalog_document({"procedures[1].applies_if": "age < 10 and age > 20"})
    document["questions"].append({"key": "dog", "text": "犬を飼っていましたか？", "type": "yes_no"})
    municipality = imported(document)
    client.force_login(bob)
    response = client.get(reverse("admin:procedures_municipality_change", args=[municipality.pk]))
    html = response.content.decode()
    assert "カタログの注意（2件）" in html
    assert "手続き「印鑑登録証の返却」（seal）: どの回答の組み合わせでも対象になりません。" in html
    assert "質問「犬を飼っていましたか？」（dog）: どの条件にも使われていません。" in html
