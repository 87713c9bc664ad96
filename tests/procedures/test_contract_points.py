"""The points where okuyami-catalog/1 was tightened (two independent evaluators found it silent or
ambiguous), one test each, read from CATALOG_FORMAT.md as it now stands."""

import pytest

from procedures.catalog_io import CatalogInvalid, read_catalog
from procedures.evaluation import CaseInvalid, evaluate, read_case
from tests.conftest import build_catalog_document

DEATH = {"death_date": "2026-11-20"}


def errors_of(document) -> list[str]:
    with pytest.raises(CatalogInvalid) as refused:
        read_catalog(document)
    return refused.value.errors


def case_errors(catalog, case) -> list[str]:
    with pytest.raises(CaseInvalid) as refused:
        read_case(catalog, case)
    return refused.value.errors


def tied_catalog() -> dict:
    """Places, counters and procedures whose orders tie, listed against their keys' order."""
    yes = {"key": "x", "text": "x?", "type": "yes_no"}
    return {
        "format": "okuyami-catalog/1",
        "municipality": {"code": "122041", "name": "船橋市", "prefecture": "千葉県"},
        "places": [
            {"key": "place_b", "name": "B", "order": 1},
            {"key": "place_a", "name": "A", "order": 1},
            {"key": "place_first", "name": "F", "order": 0},
        ],
        "counters": [
            {"key": "counter_b", "name": "b", "place": "place_a", "order": 5},
            {"key": "counter_a", "name": "a", "place": "place_a", "order": 5},
            {"key": "counter_z", "name": "z", "place": "place_b", "order": 0},
            {"key": "counter_y", "name": "y", "place": "place_first", "order": 9},
        ],
        "questions": [yes],
        "procedures": [
            {"key": "p_b", "name": "p", "counter": "counter_b", "applies_if": "true"},
            {"key": "p_a", "name": "p", "counter": "counter_b", "applies_if": "true"},
            {"key": "q_a2", "name": "q", "counter": "counter_a", "applies_if": "x == true", "order": 2},
            {"key": "q_a1", "name": "q", "counter": "counter_a", "applies_if": "true", "order": 1},
            {"key": "r_z", "name": "r", "counter": "counter_z", "applies_if": "x == true"},
            {"key": "s_y", "name": "s", "counter": "counter_y", "applies_if": "true"},
        ],
    }


# --- Route order when orders tie -------------------------------------------------------------


def test_applies_and_route_follow_place_order_place_key_counter_order_counter_key_procedure_order_key():
    catalog = read_catalog(tied_catalog())
    result = evaluate(catalog, read_case(catalog, {"deceased": DEATH, "answers": {"x": True}}))
    # place_first (0); then place_a before place_b (both 1, by key); in place_a counter_a before
    # counter_b (both 5, by key); inside a counter by order, then key.
    assert [p["key"] for p in result["applies"]] == ["s_y", "q_a1", "q_a2", "p_a", "p_b", "r_z"]
    assert [(stop["counter"], stop["procedures"]) for stop in result["route"]] == [
        ("counter_y", ["s_y"]),
        ("counter_a", ["q_a1", "q_a2"]),
        ("counter_b", ["p_a", "p_b"]),
        ("counter_z", ["r_z"]),
    ]


def test_maybe_is_in_the_same_route_order_and_each_counter_is_in_the_route_once():
    catalog = read_catalog(tied_catalog())
    result = evaluate(catalog, read_case(catalog, {"deceased": DEATH, "unknown": ["x"]}))
    assert [p["key"] for p in result["maybe"]] == ["q_a2", "r_z"]
    counters = [stop["counter"] for stop in result["route"]]
    assert counters == ["counter_y", "counter_a", "counter_b"] == list(dict.fromkeys(counters))


# --- maybe[].unknown: only the facts that would settle the condition --------------------------


def test_maybe_unknown_lists_only_the_facts_whose_answer_would_settle_the_condition():
    # The contract's own example: pension and head unknown, remaining 2.
    document = build_catalog_document()
    document["questions"] = [
        {"key": "pension", "text": "年金？", "type": "yes_no"},
        {"key": "head", "text": "世帯主？", "type": "yes_no"},
        {"key": "remaining", "text": "残る人数？", "type": "number"},
    ]
    for question in document["questions"]:
        question.pop("ask_if", None)
    document["procedures"] = [
        {
            "key": "example",
            "name": "例",
            "counter": "shimin",
            "applies_if": "pension == true and (head == false or remaining >= 1)",
        }
    ]
    catalog = read_catalog(document)
    case = {"deceased": DEATH, "answers": {"remaining": 2}, "unknown": ["pension", "head"]}
    (maybe,) = evaluate(catalog, read_case(catalog, case))["maybe"]
    assert maybe["unknown"] == ["pension"]


# --- An answer null is no answer ------------------------------------------------------------


def test_an_answer_null_is_the_same_as_no_answer(contract_catalog):
    with_null = {"deceased": DEATH, "answers": {"head_of_household": None, "insurance": None}}
    without = {"deceased": DEATH}
    assert read_case(contract_catalog, with_null) == read_case(contract_catalog, without)
    assert evaluate(contract_catalog, read_case(contract_catalog, with_null)) == evaluate(
        contract_catalog, read_case(contract_catalog, without)
    )


def test_a_null_answer_and_wakaranai_for_the_same_key_is_not_both(contract_catalog):
    case = read_case(
        contract_catalog, {"deceased": DEATH, "answers": {"pension": None}, "unknown": ["pension"]}
    )
    assert case.unknown == frozenset({"pension"}) and "pension" not in case.answers


def test_a_null_answer_for_a_key_that_is_not_a_question_is_still_an_error(contract_catalog):
    errors = case_errors(contract_catalog, {"deceased": DEATH, "answers": {"nope": None}})
    assert errors == ["answers.nope: not a question of this catalog"]


# --- No question keyed age ---------------------------------------------------------------------


def test_no_question_may_be_keyed_age(catalog_document):
    assert "questions[0].key: 'age' is the built-in age at death; choose another key" in errors_of(
        catalog_document({"questions[0].key": "age"})
    )


# --- Required strings may not be blank -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "blank"),
    [
        ("municipality.name", " "),
        ("municipality.prefecture", "\u3000"),
        ("places[0].name", ""),
        ("counters[0].name", "\t"),
        ("questions[0].text", "\u3000 "),
        ("questions[2].choices[0].label", " "),
        ("procedures[0].name", "\n"),
        ("procedures[0].documents[0]", "\u3000"),
    ],
)
def test_required_strings_may_not_be_empty_or_only_white_space(catalog_document, path, blank):
    assert any(
        error.startswith(f"{path}: must be a non-empty string")
        for error in errors_of(catalog_document({path: blank}))
    )


def test_white_space_is_ascii_and_u3000_only_so_a_no_break_space_is_not_blank(catalog_document):
    # The contract's white space, the same as between the tokens of a condition.
    catalog = read_catalog(catalog_document({"places[0].name": "\u00a0"}))
    assert "\u00a0" in [place.name for place in catalog.places]


# --- String literals have no escapes; white space ------------------------------------------------


def test_a_backslash_in_a_string_literal_is_an_ordinary_character(catalog_document):
    # Before, "ko\\ki" silently matched the choice koki.
    errors = errors_of(catalog_document({"procedures[3].applies_if": 'insurance == "ko\\ki"'}))
    assert errors == [
        "procedures[3].applies_if: 'insurance' has no choice 'ko\\ki' (did you mean 'koki'?); "
        "its choices are kokuho, koki, shaho"
    ]


def test_white_space_between_tokens_may_be_ascii_or_ideographic(catalog_document):
    source = "insurance\u3000==\u3000'koki'\u3000or\tage >=\u300075"
    catalog = read_catalog(catalog_document({"procedures[3].applies_if": source}))
    result = evaluate(catalog, read_case(catalog, {"deceased": DEATH, "answers": {"insurance": "koki"}}))
    assert "koki_loss" in [p["key"] for p in result["applies"]]
    assert (
        "unexpected character '\\xa0'"
        in errors_of(catalog_document({"procedures[3].applies_if": "insurance ==\u00a0'koki'"}))[0]
    )


# --- deadline_days at most 36,500 ------------------------------------------------------------------


@pytest.mark.parametrize(("days", "refused"), [(36500, False), (36501, True)])
def test_deadline_days_is_at_most_36500(catalog_document, days, refused):
    document = catalog_document({"procedures[0].deadline_days": days})
    if refused:
        assert errors_of(document) == ["procedures[0].deadline_days: must be at most 36500 (100 years)"]
    else:
        catalog = read_catalog(document)
        # The latest date of death with the longest deadline still has a date.
        result = evaluate(
            catalog,
            read_case(
                catalog,
                {
                    "deceased": {"death_date": "2200-12-31"},
                    "answers": {"head_of_household": True, "household_left": 2},
                },
            ),
        )
        assert result["applies"][0]["deadline"] == "2300-12-07"


# --- unknown listing a key twice is an error ---------------------------------------------------------


def test_unknown_listing_a_key_twice_is_an_error(contract_catalog):
    errors = case_errors(contract_catalog, {"deceased": DEATH, "unknown": ["pension", "pension"]})
    assert errors == ["unknown[1] 'pension': listed twice"]


# --- death_date from 1900-01-01 to 2200-12-31 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("death", "accepted"),
    [
        ("1899-12-31", False),
        ("1900-01-01", True),
        ("2200-12-31", True),
        ("2201-01-01", False),
        ("9999-12-31", False),
        ("0001-01-01", False),
    ],
)
def test_the_date_of_death_is_from_1900_to_2200(contract_catalog, death, accepted):
    case = {"deceased": {"death_date": death}}
    if accepted:
        assert read_case(contract_catalog, case).death_date.isoformat() == death
    else:
        assert case_errors(contract_catalog, case) == [
            "deceased.death_date: must be from 1900-01-01 to 2200-12-31"
        ]
