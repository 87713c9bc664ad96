"""The prefill vocabulary of okuyami-catalog/1 (Prefill from the municipality's records): procedures.facts."""

import pytest

from procedures.facts import (
    DERIVED_FACTS,
    STANDARD_FACTS,
    PrefillSpec,
    answer_fits,
    fact_name_problem,
    fact_text,
    parse_fact_value,
    prefill_answer,
    prefill_answers,
    prefill_problems,
)

INSURANCE_CHOICES = ("kokuho", "koki", "shakai", "seiho", "other")


def test_the_table_is_the_contracts():
    assert {name: fact.type.value for name, fact in STANDARD_FACTS.items()} == {
        "household.head": "bool",
        "household.remaining": "integer",
        "household.remaining_15_plus": "integer",
        "household.remaining_under_18": "integer",
        "resident.foreign": "bool",
        "health.insurance": "string",
        "kaigo.certified": "bool",
        "disability.certificate": "bool",
        "seal.registered": "bool",
        "child_allowance.recipient": "bool",
        "welfare.public_assistance": "bool",
        "tax.fixed_asset": "bool",
        "tax.light_vehicle": "bool",
    }
    assert STANDARD_FACTS["health.insurance"].values == ("kokuho", "koki", "none")
    assert set(DERIVED_FACTS) == {
        "household.head",
        "household.remaining",
        "household.remaining_15_plus",
        "household.remaining_under_18",
        "resident.foreign",
    }


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("seal.registered", None),
        ("local.water_contract", None),
        ("local.a", None),
        ("local." + "a" * 64, None),
        ("local." + "a" * 65, "'local.' and a key"),
        ("local.", "'local.' and a key"),
        ("local.Water", "'local.' and a key"),
        ("local.1water", "'local.' and a key"),
        ("seal", "is not a fact of the prefill table"),
        ("health.Insurance", "is not a fact of the prefill table"),
        (3, "must be a fact name"),
    ],
)
def test_fact_names(name, problem):
    found = fact_name_problem(name)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("seal.registered", "true", True),
        ("seal.registered", "false", False),
        ("household.remaining", "0", 0),
        ("household.remaining", "12", 12),
        ("health.insurance", "none", "none"),
        ("local.water_contract", "true", True),
        ("local.plots", "-2", -2),
        ("local.plots", "007", "007"),  # not an integer as written: the text itself
        ("local.housing", "shiei", "shiei"),
    ],
)
def test_fact_values(name, text, value):
    assert parse_fact_value(name, text) == (None, value)
    assert type(parse_fact_value(name, text)[1]) is type(value)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("seal.registered", "True"),
        ("seal.registered", "1"),
        ("household.remaining", "one"),
        ("household.remaining", "1.0"),
        ("health.insurance", "kenpo"),
        ("local.x", ""),
    ],
)
def test_fact_values_of_the_wrong_type_are_refused(name, text):
    problem, value = parse_fact_value(name, text)
    assert problem and value is None


def test_fact_text_is_how_facts_csv_writes_a_value():
    assert [fact_text(v) for v in (True, False, 3, "koki")] == ["true", "false", "3", "koki"]


@pytest.mark.parametrize(
    ("question_type", "answer", "fits"),
    [
        ("yes_no", True, True),
        ("yes_no", 1, False),
        ("number", 2, True),
        ("number", -1, False),
        ("number", True, False),
        ("choice", "koki", True),
        ("choice", "none", False),
        ("multi", [], True),
        ("multi", ["koki", "kokuho"], True),
        ("multi", ["koki", "koki"], False),
        ("multi", "koki", False),
        ("date", "2026-11-20", True),
        ("date", "2026-02-30", False),
    ],
)
def test_answer_fits(question_type, answer, fits):
    assert answer_fits(question_type, INSURANCE_CHOICES, answer) is fits


# --- Prefill: with and without `values` -----------------------------------------------------------

FACTS = {
    "household.head": True,
    "household.remaining": 1,
    "health.insurance": "koki",
    "seal.registered": False,
    "tax.fixed_asset": False,
    "local.water_contract": True,
    "local.housing": "shiei",
}


@pytest.mark.parametrize(
    ("spec", "answered", "answer"),
    [
        # Without values the fact's value is the answer.
        (("head_of_household", "yes_no", (), "household.head", None), True, True),
        (("household_remaining", "number", (), "household.remaining", None), True, 1),
        (("insurance", "choice", INSURANCE_CHOICES, "health.insurance", None), True, "koki"),
        (("seal_registration", "yes_no", (), "seal.registered", None), True, False),
        (("water_contract", "yes_no", (), "local.water_contract", None), True, True),
        # A fact the records do not hold leaves the question to be asked.
        (("care_certified", "yes_no", (), "kaigo.certified", None), False, None),
        # A value that does not fit the question (a local fact's type is the records') is asked.
        (("housing", "yes_no", (), "local.housing", None), False, None),
        # With values the fact's value is looked up; one not listed is asked.
        (
            (
                "insurance",
                "choice",
                INSURANCE_CHOICES,
                "health.insurance",
                {"kokuho": "kokuho", "koki": "koki"},
            ),
            True,
            "koki",
        ),
        (("insurance", "choice", INSURANCE_CHOICES, "health.insurance", {"kokuho": "kokuho"}), False, None),
        (("real_estate", "yes_no", (), "tax.fixed_asset", {"true": True}), False, None),
        (("real_estate", "yes_no", (), "tax.fixed_asset", {"false": False}), True, False),
        (("housing", "choice", ("no", "shiei", "kenei"), "local.housing", {"shiei": "shiei"}), True, "shiei"),
        (("remaining_any", "yes_no", (), "household.remaining", {"0": False, "1": True}), True, True),
        (("disability", "multi", ("shintai", "ryoiku"), "seal.registered", {"false": []}), True, []),
    ],
)
def test_prefill_answer(spec, answered, answer):
    assert prefill_answer(PrefillSpec.of(spec), FACTS) == (answered, answer)


def test_prefill_answers_holds_only_the_questions_the_records_answer():
    specs = [
        ("head_of_household", "yes_no", (), "household.head", None),
        ("care_certified", "yes_no", (), "kaigo.certified", None),
        PrefillSpec("insurance", "choice", INSURANCE_CHOICES, "health.insurance", {"koki": "koki"}),
    ]
    assert prefill_answers(specs, FACTS) == {"head_of_household": True, "insurance": "koki"}


@pytest.mark.parametrize(
    ("question_type", "choices", "fact", "values", "problems"),
    [
        ("yes_no", (), "household.head", None, []),
        ("number", (), "household.remaining", None, []),
        ("choice", ("kokuho", "koki", "none"), "health.insurance", None, []),
        ("choice", INSURANCE_CHOICES, "health.insurance", None, []),  # 'none' is not a choice: asked
        (
            "choice",
            ("shakai", "other"),
            "health.insurance",
            None,
            [("fact", "none of them a choice of the question")],
        ),
        ("choice", INSURANCE_CHOICES, "health.insurance", {"kokuho": "kokuho", "koki": "koki"}, []),
        (
            "yes_no",
            (),
            "household.remaining",
            None,
            [("fact", "integer fact and does not answer a yes_no question")],
        ),
        (
            "number",
            (),
            "seal.registered",
            None,
            [("fact", "bool fact and does not answer a number question")],
        ),
        ("multi", ("a", "b"), "seal.registered", None, [("fact", "does not answer a multi question")]),
        ("date", (), "seal.registered", None, [("fact", "does not answer a date question")]),
        ("yes_no", (), "local.anything", None, []),
        ("multi", ("a", "b"), "local.anything", None, []),  # a local fact's type is the records'
        ("yes_no", (), "seal", None, [("fact", "is not a fact of the prefill table")]),
        ("yes_no", (), "local.Seal", None, [("fact", "'local.' and a key")]),
        ("yes_no", (), None, None, [("fact", "must be a fact name")]),
        (
            "choice",
            INSURANCE_CHOICES,
            "health.insurance",
            {"kenpo": "shakai"},
            [("values.kenpo", "'kenpo' is not a value of health.insurance")],
        ),
        (
            "choice",
            INSURANCE_CHOICES,
            "health.insurance",
            {"koki": "kouki", "kokuho": "kokuho", "none": "nashi"},
            [
                ("values.koki", "'koki' gives 'kouki', which does not fit the question"),
                ("values.none", "'none' gives 'nashi'"),
            ],
        ),
        ("yes_no", (), "tax.fixed_asset", {"true": "yes"}, [("values.true", "does not fit the question")]),
        ("yes_no", (), "tax.fixed_asset", {"1": True}, [("values.1", "write true or false")]),
        ("number", (), "household.remaining", {"two": 2}, [("values.two", "write an integer")]),
        ("yes_no", (), "tax.fixed_asset", ["true"], [("values", "must be an object")]),
        ("yes_no", (), "local.water", {"1": True}, []),
        ("yes_no", (), "local.water", {"1": 1}, [("values.1", "does not fit the question")]),
        ("multi", ("shintai", "ryoiku"), "disability.certificate", {"false": []}, []),
        (
            "multi",
            ("shintai", "ryoiku"),
            "disability.certificate",
            {"true": ["seishin"]},
            [("values.true", "")],
        ),
        ("date", (), "local.moved", {"true": "2026-02-30"}, [("values.true", "does not fit")]),
    ],
)
def test_prefill_problems_are_the_catalog_readers_check_each_with_its_place(
    question_type, choices, fact, values, problems
):
    found = prefill_problems(question_type=question_type, choices=choices, fact=fact, values=values)
    assert [problem.where for problem in found] == [where for where, _ in problems]
    for problem, (_, text) in zip(found, problems, strict=True):
        assert text in problem.message, problem.message


def test_every_prefill_message_is_in_one_table():
    from procedures.facts import PREFILL_MESSAGES, PrefillProblem

    # Each kind of problem has its text in PREFILL_MESSAGES, filled from the problem's parts.
    problem = PrefillProblem("values.koki", "answer_does_not_fit", {"key": "koki", "answer": "kouki"})
    assert problem.message == PREFILL_MESSAGES["answer_does_not_fit"].format(key="koki", answer="kouki")
