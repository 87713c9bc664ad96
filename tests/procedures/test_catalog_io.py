"""Reading, validating and writing okuyami-catalog/1 (CATALOG_FORMAT.md, "Document")."""

import json

import pytest

from procedures.catalog import municipality_code_error
from procedures.catalog_changes import catalog_changes
from procedures.catalog_io import CatalogInvalid, loads, read_catalog, write_catalog


def catalog_diff(old, new) -> dict:
    """The keys added, changed and removed per section between two compiled catalogs."""
    return catalog_changes(write_catalog(old) if old else None, write_catalog(new)).summary()


def errors_of(document) -> list[str]:
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog(document)
    return caught.value.errors


def loads_errors(text: str | bytes) -> list[str]:
    """What loads() reports for a catalog file's text that it refuses."""
    with pytest.raises(CatalogInvalid) as caught:
        loads(text)
    return caught.value.errors


def the_error_at(errors: list[str], where: str) -> str:
    """The message of the one error reported at `where` ("<where>: <message>")."""
    found = [error[len(where) + 2 :] for error in errors if error.startswith(f"{where}: ")]
    assert found, f"no error at {where}: {errors}"
    return found[0]


def test_the_contract_city_catalog_is_valid(contract_catalog):
    assert contract_catalog.municipality.code == "122041"
    assert len(contract_catalog.places) == 3
    assert len(contract_catalog.counters) == 4
    assert len(contract_catalog.questions) == 7
    assert len(contract_catalog.procedures) == 9


# --- Municipality codes -------------------------------------------------------------------


# Check digits by the contract's rule, worked by hand: 1·6+2·5+2·4+0·3+4·2 = 32, r = 10,
# (11-10) mod 10 = 1 → 122041. 11000: sum 11, r = 0 → 1. 20000: sum 12, r = 1 → 0.
@pytest.mark.parametrize("code", ["122041", "131016", "011002", "110001", "200000"])
def test_it_accepts_municipality_codes_with_a_valid_check_digit(code):
    assert municipality_code_error(code) is None


@pytest.mark.parametrize(
    "code",
    [
        "122040",
        "122042",
        "131010",
        "011001",
        "110000",
        "200001",
        "12204",
        "1220410",
        "12204a",
        "１２２０４１",
        "",
    ],
)
def test_it_rejects_municipality_codes_that_are_not_six_digits_with_a_check_digit(code, catalog_document):
    assert municipality_code_error(code) is not None
    errors = errors_of(catalog_document({"municipality.code": code}))
    assert the_error_at(errors, "municipality.code")


def test_it_names_the_check_digit_it_expected():
    assert "check digit" in municipality_code_error("122042")


@pytest.mark.parametrize("code", [122041, None, ["122041"]])
def test_it_rejects_a_municipality_code_that_is_not_a_string(code, catalog_document):
    assert the_error_at(errors_of(catalog_document({"municipality.code": code})), "municipality.code")


# --- One error of each kind, at its place ------------------------------------------------------
# Indices into tests/data/contract-city.json: places outside, main_1f, main_2f; counters
# pension_office, shimin, kokuho, zeimu; questions head_of_household, household_left,
# insurance, pension, vehicles, care, moved_in; procedures hoh_change, seal, kokuho_loss,
# koki_loss, kaigo_loss, gentsuki, no_vehicle_note, pension_death, recent_move.

CATALOG_ERRORS = [
    # format
    ({"format": "okuyami-catalog/2"}, "format", "okuyami-catalog/1"),
    ({"format": "okuyami-catalog/1 "}, "format", "okuyami-catalog/1"),
    ({"format": ...}, "format", "required"),
    ({"format": None}, "format", ""),
    # municipality
    ({"municipality.name": ""}, "municipality.name", "non-empty"),
    ({"municipality.name": "  "}, "municipality.name", "non-empty"),
    ({"municipality.prefecture": ...}, "municipality.prefecture", "required"),
    ({"municipality.prefecture": 12}, "municipality.prefecture", "string"),
    ({"municipality": None}, "municipality", "object"),
    ({"municipality": ...}, "municipality", "required"),
    # missing required fields
    ({"places[1].name": ...}, "places[1].name", "required"),
    ({"places[1].order": ...}, "places[1].order", "required"),
    ({"places[1].order": None}, "places[1].order", "integer"),
    ({"counters[1].order": ...}, "counters[1].order", "required"),
    ({"counters[1].place": ...}, "counters[1].place", "required"),
    ({"questions[0].text": ...}, "questions[0].text", "required"),
    ({"questions[0].type": ...}, "questions[0].type", "required"),
    ({"questions[0].key": ...}, "questions[0].key", "required"),
    ({"procedures[1].applies_if": ...}, "procedures[1].applies_if", "required"),
    ({"procedures[1].applies_if": None}, "procedures[1].applies_if", ""),
    ({"procedures[1].counter": ...}, "procedures[1].counter", "required"),
    ({"procedures[1].name": ""}, "procedures[1].name", "non-empty"),
    ({"questions": ...}, "questions", "required"),
    ({"places": "main_1f"}, "places", "list"),
    ({"procedures": {}}, "procedures", "list"),
    ({"counters[2]": "kokuho"}, "counters[2]", "object"),
    # unknown fields, anywhere
    ({"extra": 1}, "extra", "unknown field"),
    ({"municipality.mayor": "…"}, "municipality.mayor", "unknown field"),
    ({"places[0].floor": 1}, "places[0].floor", "unknown field"),
    ({"counters[0].fax": "047"}, "counters[0].fax", "unknown field"),
    ({"questions[2].choices[0].color": "red"}, "questions[2].choices[0].color", "unknown field"),
    ({"procedures[0].deadline_day": 14}, "procedures[0].deadline_day", "did you mean 'deadline_days'?"),
    ({"questions[0].allowUnknown": False}, "questions[0].allowUnknown", "did you mean 'allow_unknown'?"),
    # keys
    ({"places[0].key": "Outside"}, "places[0].key", "'Outside'"),
    ({"counters[1].key": "1st"}, "counters[1].key", "'1st'"),
    ({"questions[0].key": "head-of-household"}, "questions[0].key", "'head-of-household'"),
    ({"procedures[1].key": ""}, "procedures[1].key", "^[a-z][a-z0-9_]{0,63}$"),
    ({"procedures[1].key": "a" * 65}, "procedures[1].key", "^[a-z][a-z0-9_]{0,63}$"),
    ({"procedures[1].key": "しんせい"}, "procedures[1].key", "^[a-z][a-z0-9_]{0,63}$"),
    ({"procedures[1].key": 5}, "procedures[1].key", "^[a-z][a-z0-9_]{0,63}$"),
    ({"questions[2].choices[0].value": "Kokuho"}, "questions[2].choices[0].value", "'Kokuho'"),
    ({"places[2].key": "outside"}, "places[2].key", "duplicate key 'outside'"),
    ({"counters[3].key": "shimin"}, "counters[3].key", "duplicate key 'shimin'"),
    ({"questions[6].key": "pension"}, "questions[6].key", "duplicate key 'pension'"),
    ({"procedures[8].key": "seal"}, "procedures[8].key", "duplicate key 'seal'"),
    # references
    ({"counters[1].place": "main_3f"}, "counters[1].place", "unknown place 'main_3f'"),
    (
        {"procedures[0].counter": "shimn"},
        "procedures[0].counter",
        "unknown counter 'shimn' (did you mean 'shimin'?)",
    ),
    ({"procedures[0].counter": "main_1f"}, "procedures[0].counter", "unknown counter 'main_1f'"),
    ({"counters[1].place": ["main_1f"]}, "counters[1].place", "unknown place"),
    ({"procedures[0].counter": {"key": "shimin"}}, "procedures[0].counter", "unknown counter"),
    # question types and choices
    ({"questions[0].type": "boolean"}, "questions[0].type", "'boolean'"),
    ({"questions[0].type": "yes-no"}, "questions[0].type", "'yes-no'"),
    ({"questions[2].choices": ...}, "questions[2].choices", "non-empty"),
    ({"questions[2].choices": []}, "questions[2].choices", "non-empty"),
    ({"questions[4].choices": None}, "questions[4].choices", "non-empty"),
    ({"questions[0].choices": [{"value": "yes", "label": "はい"}]}, "questions[0].choices", "not allowed"),
    ({"questions[1].choices": [{"value": "one", "label": "1人"}]}, "questions[1].choices", "not allowed"),
    ({"questions[6].choices": [{"value": "today", "label": "今日"}]}, "questions[6].choices", "not allowed"),
    (
        {"questions[2].choices[1].value": "kokuho"},
        "questions[2].choices[1].value",
        "duplicate value 'kokuho'",
    ),
    ({"questions[2].choices[0].label": ""}, "questions[2].choices[0].label", "non-empty"),
    ({"questions[2].choices[0].value": ...}, "questions[2].choices[0].value", "required"),
    ({"questions[2].choices[0]": "kokuho"}, "questions[2].choices[0]", "object"),
    ({"questions[0].allow_unknown": "yes"}, "questions[0].allow_unknown", "true or false"),
    ({"questions[0].allow_unknown": 0}, "questions[0].allow_unknown", "true or false"),
    ({"questions[2].help": False}, "questions[2].help", "string"),
    # ask_if: age and earlier questions only
    ({"questions[1].ask_if": 'insurance == "koki"'}, "questions[1].ask_if", "'insurance'"),
    ({"questions[1].ask_if": "household_left >= 1"}, "questions[1].ask_if", "'household_left'"),
    ({"questions[0].ask_if": "moved_in >= '2026-01-01'"}, "questions[0].ask_if", "'moved_in'"),
    ({"questions[5].ask_if": "age >= 40 &&"}, "questions[5].ask_if", "position 11"),
    ({"questions[5].ask_if": "agee >= 40"}, "questions[5].ask_if", "unknown question 'agee'"),
    ({"questions[5].ask_if": 40}, "questions[5].ask_if", "string"),
    # applies_if
    (
        {"procedures[2].applies_if": 'insurance == "kokuhoo"'},
        "procedures[2].applies_if",
        "no choice 'kokuhoo'",
    ),
    (
        {"procedures[2].applies_if": 'insurance in ["kokuho", "x"]'},
        "procedures[2].applies_if",
        "no choice 'x'",
    ),
    (
        {"procedures[5].applies_if": '"jidosha" in vehicles'},
        "procedures[5].applies_if",
        "no choice 'jidosha'",
    ),
    ({"procedures[1].applies_if": ""}, "procedures[1].applies_if", "empty condition"),
    ({"procedures[0].applies_if": "head_of_household"}, "procedures[0].applies_if", "bare name"),
    ({"procedures[7].applies_if": "pension == 1"}, "procedures[7].applies_if", "wrong type"),
    ({"procedures[7].applies_if": "pension > false"}, "procedures[7].applies_if", "'>'"),
    ({"procedures[8].applies_if": 'moved_in >= "2026-13-01"'}, "procedures[8].applies_if", '"2026-13-01"'),
    ({"procedures[5].applies_if": 'vehicles == "kei"'}, "procedures[5].applies_if", "multi"),
    ({"procedures[2].applies_if": 'insurance in "kokuho"'}, "procedures[2].applies_if", "list"),
    ({"procedures[1].applies_if": True}, "procedures[1].applies_if", "string"),
    # deadlines
    ({"procedures[0].deadline_days": -1}, "procedures[0].deadline_days", "0"),
    ({"procedures[0].deadline_days": "14"}, "procedures[0].deadline_days", "integer"),
    ({"procedures[0].deadline_days": 14.5}, "procedures[0].deadline_days", "integer"),
    ({"procedures[0].deadline_days": True}, "procedures[0].deadline_days", "integer"),
    ({"procedures[0].deadline_note": 14}, "procedures[0].deadline_note", "string"),
    # documents
    ({"procedures[2].documents": ["資格確認書", ""]}, "procedures[2].documents[1]", "non-empty"),
    ({"procedures[2].documents": ["  "]}, "procedures[2].documents[0]", "non-empty"),
    ({"procedures[2].documents": [1]}, "procedures[2].documents[0]", "non-empty string"),
    ({"procedures[2].documents": "資格確認書"}, "procedures[2].documents", "list"),
    # integers are not booleans, strings or floats
    ({"places[0].order": True}, "places[0].order", "integer"),
    ({"counters[0].order": False}, "counters[0].order", "integer"),
    ({"procedures[0].order": True}, "procedures[0].order", "integer"),
    ({"places[0].order": "1"}, "places[0].order", "integer"),
    ({"counters[0].order": 1.0}, "counters[0].order", "integer"),
    # optional strings are strings
    ({"counters[0].phone": 470000001}, "counters[0].phone", "string"),
    ({"procedures[7].url": ["https://www.nenkin.go.jp/"]}, "procedures[7].url", "string"),
]


@pytest.mark.parametrize(("edits", "where", "fragment"), CATALOG_ERRORS)
def test_each_catalog_error_names_its_place(edits, where, fragment, catalog_document):
    message = the_error_at(errors_of(catalog_document(edits)), where)
    assert fragment in message


def test_an_applies_if_error_reads_where_colon_message(catalog_document):
    errors = errors_of(catalog_document({"procedures[3].applies_if": "insurence == 'koki' or age >= 75"}))
    assert errors == ["procedures[3].applies_if: unknown question 'insurence' (did you mean 'insurance'?)"]


def test_an_ask_if_naming_a_later_question_says_so(catalog_document):
    errors = errors_of(catalog_document({"questions[1].ask_if": 'insurance == "koki"'}))
    assert "before" in the_error_at(errors, "questions[1].ask_if")


def test_an_ask_if_may_read_age_and_earlier_questions(catalog_document):
    document = catalog_document({"questions[6].ask_if": "age >= 20 and head_of_household == true"})
    assert read_catalog(document).question_by_key["moved_in"].ask_if.names == ("age", "head_of_household")


def test_it_reports_several_errors_together(catalog_document):
    document = catalog_document(
        {
            "format": "okuyami-catalog/0",
            "municipality.code": "122042",
            "counters[0].fax": "047",
            "questions[2].choices[1].value": "kokuho",
            "procedures[3].applies_if": "agee >= 75",
            "procedures[4].deadline_days": -14,
        }
    )
    errors = errors_of(document)
    for where in (
        "format",
        "municipality.code",
        "counters[0].fax",
        "questions[2].choices[1].value",
        "procedures[3].applies_if",
        "procedures[4].deadline_days",
    ):
        assert the_error_at(errors, where)
    assert str(CatalogInvalid(errors)) == "\n".join(errors)


@pytest.mark.parametrize("document", [[], "okuyami-catalog/1", None, 1])
def test_it_rejects_a_document_that_is_not_an_object(document):
    assert the_error_at(errors_of(document), "document")


def test_a_key_may_repeat_across_sections(catalog_document):
    # Keys are unique within their own list only: a counter, a question and a choice all called kokuho.
    catalog = read_catalog(
        catalog_document({"questions[3].key": "kokuho", "procedures[7].applies_if": "kokuho == true"})
    )
    assert catalog.question_by_key["kokuho"].type == "yes_no"
    assert catalog.counter_by_key["kokuho"].name == "国民健康保険課"


# --- Optional fields ----------------------------------------------------------------------

OPTIONAL = {
    "counters": ("location", "phone", "hours"),
    "questions": ("help", "ask_if", "allow_unknown"),
    "procedures": ("deadline_days", "deadline_note", "documents", "description", "url", "order"),
}


def with_optional_fields(document: dict, value: object) -> dict:
    """Every optional field set to null (value None) or left out (value ...)."""
    for section, names in OPTIONAL.items():
        for item in document[section]:
            for name in names:
                if value is ...:
                    item.pop(name, None)
                else:
                    item[name] = value
    for question in document["questions"]:
        if question["type"] not in ("choice", "multi"):
            if value is ...:
                question.pop("choices", None)
            else:
                question["choices"] = value
    return document


def test_optional_fields_may_be_absent_or_null_alike(catalog_document):
    absent = read_catalog(with_optional_fields(catalog_document(), ...))
    null = read_catalog(with_optional_fields(catalog_document(), None))
    assert write_catalog(absent) == write_catalog(null)
    question = null.question_by_key["head_of_household"]
    assert (question.ask_if, question.allow_unknown, question.help) == (None, True, None)
    procedure = next(p for p in null.procedures if p.key == "kokuho_loss")
    assert (procedure.deadline_days, procedure.documents, procedure.order) == (None, (), 0)
    assert null.counter_by_key["shimin"].location is None


def test_allow_unknown_defaults_to_true_and_keeps_false(contract_catalog):
    assert contract_catalog.question_by_key["pension"].allow_unknown is True
    assert contract_catalog.question_by_key["head_of_household"].allow_unknown is False


def test_deadline_days_may_be_zero(catalog_document):
    catalog = read_catalog(catalog_document({"procedures[1].deadline_days": 0}))
    assert next(p for p in catalog.procedures if p.key == "seal").deadline_days == 0


# --- Writing --------------------------------------------------------------------------------


def test_writing_what_was_read_is_a_fixpoint(catalog_document):
    first = write_catalog(read_catalog(catalog_document()))
    second = write_catalog(read_catalog(json.loads(json.dumps(first))))
    assert first == second
    assert first["format"] == "okuyami-catalog/1"


def test_writing_keeps_every_field_that_was_read(catalog_document):
    document = catalog_document(
        {
            "questions[0].help": "住民票で確認できます",
            "procedures[1].description": "印鑑登録証を返します",
            "procedures[1].deadline_days": 0,
            "procedures[1].deadline_note": "すぐに",
            "procedures[1].documents": ["印鑑登録証"],
        }
    )
    written = write_catalog(read_catalog(document))
    assert read_catalog(written) == read_catalog(document)
    assert written["municipality"] == document["municipality"]
    question = next(q for q in written["questions"] if q["key"] == "head_of_household")
    assert (question["help"], question["allow_unknown"]) == ("住民票で確認できます", False)
    seal = next(p for p in written["procedures"] if p["key"] == "seal")
    assert seal == {
        "key": "seal",
        "name": "印鑑登録証の返却",
        "counter": "shimin",
        "applies_if": "true",
        "deadline_days": 0,
        "deadline_note": "すぐに",
        "documents": ["印鑑登録証"],
        "description": "印鑑登録証を返します",
        "order": 2,
    }
    shimin = next(c for c in written["counters"] if c["key"] == "shimin")
    assert shimin == document["counters"][1]


def test_the_written_catalog_reads_back_with_no_differences(contract_catalog):
    again = read_catalog(write_catalog(contract_catalog))
    diff = catalog_diff(contract_catalog, again)
    assert all(change == {"added": [], "changed": [], "removed": []} for change in diff.values())


def test_catalog_diff_lists_keys_added_changed_and_removed(catalog_document, contract_catalog):
    document = catalog_document({"procedures[1].name": "印鑑登録証の返還"})
    document["procedures"] = [p for p in document["procedures"] if p["key"] != "recent_move"]
    document["places"].append({"key": "annex", "name": "別館", "order": 3})
    diff = catalog_diff(contract_catalog, read_catalog(document))
    assert diff["procedures"] == {"added": [], "changed": ["seal"], "removed": ["recent_move"]}
    assert diff["places"] == {"added": ["annex"], "changed": [], "removed": []}
    in_file_order = [question["key"] for question in catalog_document()["questions"]]
    assert catalog_diff(None, contract_catalog)["questions"]["added"] == in_file_order


# --- JSON text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"format": "okuyami-catalog/1", "format": "okuyami-catalog/1"}', "format"),
        ('{"places": [{"key": "a", "name": "A", "key": "b", "order": 1}]}', "key"),
        ('{"municipality": {"code": "122041", "code": "131016"}}', "code"),
    ],
)
def test_loads_refuses_a_field_given_twice(text, field):
    (error,) = loads_errors(text)
    assert error.startswith(f"{field}: ")
    assert "twice" in error


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ('{\n  "format": tru\n}', "line 2 column 13"),
        ("", "line 1 column 1"),
        ('{"format": "okuyami-catalog/1"', "line 1 column 31"),
        ('{\n\n  "places": [1 2]\n}', "line 3 column 16"),
    ],
)
def test_loads_reports_invalid_json_with_line_and_column(text, position):
    (error,) = loads_errors(text)
    assert "not valid JSON" in error
    assert position in error


def test_loads_refuses_text_that_is_not_utf8():
    assert "UTF-8" in loads_errors(b'{"format": "\xff"}')[0]


def test_loads_reads_utf8_bytes(catalog_document):
    text = json.dumps(catalog_document(), ensure_ascii=False).encode("utf-8")
    assert loads(text) == catalog_document()


def test_it_refuses_a_question_keyed_age(catalog_document):
    errors = errors_of(catalog_document({"questions[0].key": "age"}))
    assert "questions[0].key: 'age' is the built-in age at death; choose another key" in errors


def test_it_refuses_an_absurd_deadline(catalog_document):
    errors = errors_of(catalog_document({"procedures[0].deadline_days": 3_000_000}))
    assert errors == ["procedures[0].deadline_days: must be at most 36500 (100 years)"]


def test_it_refuses_json_that_is_not_utf8():
    text = '{"format": "okuyami-catalog/1"}'
    assert loads_errors(text.encode("utf-16")) == ["not valid JSON: the file is not UTF-8"]


def test_an_item_without_a_key_is_reported_and_references_to_it_do_not_crash(catalog_document):
    # A counter with no key was kept, and a procedure's unknown counter then met None in difflib.
    errors = errors_of(catalog_document({"counters[0].key": ..., "procedures[0].counter": "nowhere"}))
    assert "counters[0].key: is required" in errors
    assert any(e.startswith("procedures[0].counter: unknown counter 'nowhere'") for e in errors)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://www.city.funabashi.lg.jp/", False),
        ("HTTP://example.jp/a?b=c", False),
        ("javascript:alert(1)", True),
        ("JavaScript:alert(1)", True),
        ("data:text/html,<script>alert(1)</script>", True),
        ("//example.jp/", True),
        ("https://", True),
        ("https://example.jp/ with space", True),
        ("ftp://example.jp/", True),
    ],
)
def test_a_procedure_url_is_https_or_http_only(catalog_document, url, refused):
    document = catalog_document({"procedures[0].url": url})
    if refused:
        assert errors_of(document) == [
            "procedures[0].url: must be a web address starting with https:// or http://"
        ]
    else:
        assert url in [p.url for p in read_catalog(document).procedures]


def test_a_json_file_over_5_mb_is_refused_before_it_is_parsed():
    assert loads_errors(b" " * (5 * 1024 * 1024 + 1)) == ["file: larger than 5 MB"]
