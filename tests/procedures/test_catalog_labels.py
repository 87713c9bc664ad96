"""Editors read Japanese: the table of names (sections, fields, workbook columns) and the errors
built in two languages, English for the API and the CLI, Japanese naming the value for screens."""

import pytest

from procedures.catalog_errors import CatalogInvalid, problem, quote
from procedures.catalog_labels import FIELD_LABELS, SECTION_LABELS, field_label, place_label
from procedures.models import Counter, Municipality, Place, Procedure, Question
from tests.conftest import build_catalog_document


@pytest.mark.parametrize(
    ("path", "place"),
    [
        (
            "procedures[3].deadline.from",
            "手続き「後期高齢者医療の資格喪失届」（koki_loss）の「期限の起算日」",
        ),
        (
            "procedures[2].documents[1]",
            "手続き「国民健康保険の資格喪失届」（kokuho_loss）の「持ち物」の2つ目",
        ),
        (
            "questions[2].choices[1].value",
            "質問「亡くなった方の健康保険は？」（insurance）の選択肢 2番目の「値」",
        ),
        (
            "questions[0].ask_if",
            "質問「亡くなった方は世帯主でしたか？」（head_of_household）の「質問する条件」",
        ),
        ("counters[1].place", "窓口「市民課」（shimin）の「場所」"),
        ("municipality.code", "市区町村の「団体コード」"),
        ("format", "「形式」"),
        ("places", "場所の一覧"),
        ("", "ファイル全体"),
        ("procedures[9].deadine_dayz", "手続き 10番目の「deadine_dayz」"),  # past the end, misspelt
    ],
)
def test_a_place_in_the_document_reads_in_japanese(path, place):
    assert place_label(path, build_catalog_document()) == place


def test_an_error_says_english_for_the_api_and_japanese_naming_the_value_for_screens():
    error = problem("procedures[2].deadline_days", "must be an integer", "は整数ではありません", value="２年")
    assert str(error) == "procedures[2].deadline_days: must be an integer"
    assert error.japanese(build_catalog_document()) == (
        "手続き「国民健康保険の資格喪失届」（kokuho_loss）の「期限の日数」: 「２年」は整数ではありません"
    )
    placed = error.at("procedures row 9 column E", "手続き 9行目 「期限の日数」列")
    assert str(placed) == "procedures row 9 column E: must be an integer"
    assert placed.japanese() == "手続き 9行目 「期限の日数」列: 「２年」は整数ではありません"


def test_catalog_invalid_keeps_english_errors_and_japanese_problems():
    exc = CatalogInvalid(
        [
            problem("format", "must be exactly ...", "は「okuyami-catalog/1」ではありません", value="v2"),
            "a: b",
        ]
    )
    assert exc.errors == ["format: must be exactly ...", "a: b"]
    assert exc.japanese() == ["「形式」: 「v2」は「okuyami-catalog/1」ではありません", "「a」: b"]


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("２年", "「２年」"),
        (14, "「14」"),
        (True, "「true」"),
        (None, "空欄"),
        ("　", "空欄"),
        ("x" * 50, "「" + "x" * 39 + "…」"),
    ],
)
def test_values_are_quoted_the_japanese_way(value, quoted):
    assert quote(value) == quoted


def test_every_section_and_field_has_a_japanese_name():
    assert set(SECTION_LABELS) >= {"places", "counters", "questions", "procedures", "choices", "municipality"}
    document = build_catalog_document()
    for section in ("places", "counters", "questions", "procedures"):
        for item in document[section]:
            for name in item:
                assert field_label(section, name) != name, f"{section}.{name} has no Japanese name"
    for name in document["municipality"]:
        assert field_label("municipality", name) != name


@pytest.mark.parametrize(
    ("model", "section", "fields"),
    [
        (Municipality, "municipality", ("code", "name", "prefecture")),
        (Place, "places", ("key", "name", "order", "outside")),
        (Counter, "counters", ("key", "name", "place", "order", "location", "phone", "hours")),
        (Question, "questions", ("key", "text", "type", "help", "ask_if", "allow_unknown")),
        (
            Procedure,
            "procedures",
            ("key", "name", "counter", "applies_if", "deadline_note", "description", "url", "order"),
        ),
    ],
)
def test_the_admin_and_the_workbook_call_a_field_by_the_same_name(model, section, fields):
    for name in fields:
        assert str(model._meta.get_field(name).verbose_name) == FIELD_LABELS[section][name], name
