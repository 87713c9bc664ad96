"""`deadline` and `outside` in okuyami-catalog/1: reading, errors by path, writing, round trips."""

import json
from pathlib import Path

import pytest

from procedures.catalog_io import CatalogInvalid, dumps, loads, read_catalog, write_catalog
from procedures.catalog_xlsx import read_xlsx_catalog, write_xlsx
from procedures.deadlines import Deadline, Unit
from procedures.evaluation import deadline_wording

CATALOGS = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs"
FUNERAL = {"key": "funeral_date", "text": "葬儀の日はいつですか？", "type": "date"}


def document(deadline=None, **fields):
    doc = {
        "format": "okuyami-catalog/1",
        "municipality": {"code": "122041", "name": "船橋市", "prefecture": "千葉県"},
        "places": [
            {"key": "main", "name": "本庁舎", "order": 1},
            {"key": "out", "name": "外", "order": 9, "outside": True},
        ],
        "counters": [{"key": "c", "name": "窓口", "place": "main", "order": 1}],
        "questions": [FUNERAL, {"key": "held", "text": "葬儀をしましたか？", "type": "yes_no"}],
        "procedures": [{"key": "p", "name": "手続き", "counter": "c", "applies_if": "true", **fields}],
    }
    if deadline is not None:
        doc["procedures"][0]["deadline"] = deadline
    return doc


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"deadline_days": 14}, Deadline(14, Unit.DAYS)),
        ({"deadline": {"days": 14}}, Deadline(14, Unit.DAYS)),
        ({"deadline": {"months": 3}}, Deadline(3, Unit.MONTHS)),
        ({"deadline": {"years": 2, "from": "funeral_date"}}, Deadline(2, Unit.YEARS, "funeral_date")),
        ({"deadline": {"months": 3, "from": "death"}}, Deadline(3, Unit.MONTHS)),
        ({"deadline": {"days": 0}}, Deadline(0, Unit.DAYS)),
        ({}, None),
    ],
)
def test_it_reads_every_form_of_a_deadline(fields, rule):
    assert read_catalog(document(**fields)).procedures[0].deadline == rule


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        ({"deadline_days": 14, "deadline": {"days": 14}}, "procedures[0].deadline", "not both"),
        ({"deadline": {}}, "procedures[0].deadline", "exactly one of days, months or years (found none)"),
        ({"deadline": {"days": 1, "months": 1}}, "procedures[0].deadline", "found days and months"),
        ({"deadline": {"months": 0}}, "procedures[0].deadline.months", "from 1 to 1,200"),
        ({"deadline": {"years": 101}}, "procedures[0].deadline.years", "from 1 to 100"),
        ({"deadline": {"days": 36501}}, "procedures[0].deadline.days", "from 0 to 36,500"),
        ({"deadline": {"months": "3"}}, "procedures[0].deadline.months", "must be an integer"),
        ({"deadline": {"months": True}}, "procedures[0].deadline.months", "must be an integer"),
        ({"deadline": {"years": 2, "from": "held"}}, "procedures[0].deadline.from", "is a yes_no question"),
        (
            {"deadline": {"years": 2, "from": "funeral"}},
            "procedures[0].deadline.from",
            "did you mean 'funeral_date'",
        ),
        ({"deadline": {"weeks": 2}}, "procedures[0].deadline.weeks", "unknown field"),
        ({"deadline": 3}, "procedures[0].deadline", "must be an object"),
    ],
)
def test_a_bad_deadline_is_refused_by_path(fields, where, message):
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog(document(**fields))
    assert any(e.startswith(f"{where}:") and message in e for e in caught.value.errors), caught.value.errors


def test_outside_must_be_a_boolean():
    doc = document()
    doc["places"][1]["outside"] = "yes"
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog(doc)
    assert caught.value.errors == ["places[1].outside: must be true or false"]


def test_it_writes_days_from_the_death_as_deadline_days_and_the_rest_as_deadline():
    doc = document(deadline={"years": 2, "from": "funeral_date"})
    written = write_catalog(read_catalog(doc))
    assert written["procedures"][0]["deadline"] == {"years": 2, "from": "funeral_date"}
    assert "deadline_days" not in written["procedures"][0]
    assert (
        write_catalog(read_catalog(document(deadline={"days": 14})))["procedures"][0]["deadline_days"] == 14
    )
    assert written["places"][1]["outside"] is True and "outside" not in written["places"][0]


@pytest.mark.parametrize("name", ["national-template.json", "sample-city.json"])
def test_json_and_excel_round_trips_keep_every_deadline_and_outside(name):
    catalog = read_catalog(loads((CATALOGS / name).read_bytes()))
    again = read_catalog(json.loads(dumps(write_catalog(catalog))))
    from_excel, _ = read_xlsx_catalog(write_xlsx(write_catalog(catalog)))
    for other in (again, from_excel):
        assert [(p.key, p.deadline) for p in other.procedures] == [
            (p.key, p.deadline) for p in catalog.procedures
        ]
        assert [(p.key, p.outside) for p in other.places] == [(p.key, p.outside) for p in catalog.places]
        assert write_catalog(other) == write_catalog(catalog)
    assert any(p.deadline and p.deadline.unit == Unit.MONTHS for p in catalog.procedures)
    assert any(p.deadline and not p.deadline.from_death for p in catalog.procedures)


@pytest.mark.parametrize(
    ("text", "deadline", "words"),
    [
        ("葬儀（火葬のみの場合は火葬）を行った日はいつですか？", Deadline(2, Unit.YEARS, "funeral_date"),
         "葬儀（火葬のみの場合は火葬）を行った日の翌日から2年"),
        ("転入した日は？", Deadline(3, Unit.MONTHS, "funeral_date"), "転入した日の翌日から3か月"),
        ("葬儀の日", Deadline(14, Unit.DAYS, "funeral_date"), "葬儀の日から14日"),
        ("引っ越しはいつでしたか？", Deadline(1, Unit.YEARS, "funeral_date"),
         "「引っ越しはいつでしたか？」の日の翌日から1年"),
        ("（使われない）", Deadline(3, Unit.MONTHS), "亡くなった日の翌日から3か月"),
    ],
)  # fmt: skip
def test_a_rule_in_words_names_what_it_counts_from(text, deadline, words):
    doc = document()
    doc["questions"][0]["text"] = text
    assert deadline_wording(read_catalog(doc), deadline) == words
