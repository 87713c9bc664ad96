"""Evaluating a case on the contract-city catalog (CATALOG_FORMAT.md, "Evaluating a case").

Route order there: places main_1f (1), main_2f (2), outside (9) although the file lists
outside first; counters shimin (10) and kokuho (20) on main_1f, zeimu on main_2f,
pension_office outside; procedures by order, then key.
"""

import pytest

from procedures.evaluation import CaseInvalid, evaluate, facts_for, read_case
from procedures.rules import UNKNOWN
from tests.conftest import case_input

# 81 on the day of death (born 10 March 1945, died 20 November 2026, a Friday).
EVERYTHING = case_input(pension=True, moved_in="2026-02-01")

# No birth date: age is unknown, so care (asked from 40 to 64) is asked.
UNSURE = {
    "deceased": {"death_date": "2026-11-20"},
    "answers": {"head_of_household": False, "vehicles": []},
    "unknown": ["insurance", "pension"],
}


def result_of(catalog, case: dict) -> dict:
    return evaluate(catalog, read_case(catalog, case))


def keys(entries: list[dict]) -> list[str]:
    return [entry["key"] for entry in entries]


def test_it_lists_what_applies_in_route_order(contract_catalog):
    result = result_of(contract_catalog, EVERYTHING)
    assert result["municipality"] == "122041"
    # shimin: hoh_change (order 1), seal (2), recent_move (3); kokuho: kaigo_loss and
    # koki_loss (order 0, by key; kokuho_loss is for 国保 only); zeimu: gentsuki;
    # outside: pension_death.
    assert keys(result["applies"]) == [
        "hoh_change",
        "seal",
        "recent_move",
        "kaigo_loss",
        "koki_loss",
        "gentsuki",
        "pension_death",
    ]
    assert result["maybe"] == []


def test_the_route_walks_places_then_counters_with_their_applying_procedures(contract_catalog):
    assert result_of(contract_catalog, EVERYTHING)["route"] == [
        {
            "counter": "shimin",
            "name": "市民課",
            "place": "main_1f",
            "procedures": ["hoh_change", "seal", "recent_move"],
        },
        {
            "counter": "kokuho",
            "name": "国民健康保険課",
            "place": "main_1f",
            "procedures": ["kaigo_loss", "koki_loss"],
        },
        {"counter": "zeimu", "name": "市民税課", "place": "main_2f", "procedures": ["gentsuki"]},
        {
            "counter": "pension_office",
            "name": "年金事務所",
            "place": "outside",
            "procedures": ["pension_death"],
        },
    ]


def test_an_applying_procedure_carries_its_deadline_documents_and_reasons(contract_catalog):
    applies = {entry["key"]: entry for entry in result_of(contract_catalog, EVERYTHING)["applies"]}
    koki = applies["koki_loss"]
    assert set(koki) == {"key", "name", "counter", "deadline", "documents", "reasons"}
    assert (koki["name"], koki["counter"], koki["deadline"]) == (
        "後期高齢者医療の資格喪失届",
        "kokuho",
        "2026-12-04",
    )
    assert koki["documents"] == ["資格確認書"]
    assert any("後期高齢者医療" in reason for reason in koki["reasons"])
    assert applies["seal"]["deadline"] is None
    assert applies["seal"]["documents"] == []
    assert applies["hoh_change"]["documents"] == ["届出人の本人確認書類"]
    for entry in applies.values():
        assert entry["reasons"]
        assert all(isinstance(reason, str) and reason for reason in entry["reasons"])


def test_maybe_lists_the_unknown_facts_its_condition_read(contract_catalog):
    result = result_of(contract_catalog, UNSURE)
    # seal is for everyone; no_vehicle_note: no kei and no gentsuki among no vehicles.
    assert keys(result["applies"]) == ["seal", "no_vehicle_note"]
    maybe = {entry["key"]: entry for entry in result["maybe"]}
    assert keys(result["maybe"]) == ["kaigo_loss", "koki_loss", "kokuho_loss", "pension_death"]
    assert maybe["kaigo_loss"]["unknown"] == ["age"]  # care was asked but not answered: null
    assert sorted(maybe["koki_loss"]["unknown"]) == ["age", "insurance"]
    assert maybe["kokuho_loss"]["unknown"] == ["insurance"]
    assert maybe["pension_death"] == {
        "key": "pension_death",
        "name": "年金受給権者死亡届",
        "counter": "pension_office",
        "deadline": "2026-12-04",
        "unknown": ["pension"],
    }


def test_maybe_procedures_are_not_on_the_route(contract_catalog):
    assert result_of(contract_catalog, UNSURE)["route"] == [
        {"counter": "shimin", "name": "市民課", "place": "main_1f", "procedures": ["seal"]},
        {"counter": "zeimu", "name": "市民税課", "place": "main_2f", "procedures": ["no_vehicle_note"]},
    ]


@pytest.mark.parametrize(
    ("death_date", "deadline"),
    [
        ("2026-11-20", "2026-12-04"),
        ("2026-11-21", "2026-12-07"),  # 12-05 is a Saturday
        ("2026-12-15", "2027-01-04"),  # 12-29 is in 年末年始
        ("2026-04-22", "2026-05-07"),  # 05-06 is a 振替休日
    ],
)
def test_deadlines_count_from_the_date_of_death(contract_catalog, death_date, deadline):
    case = {"deceased": {"death_date": death_date}, "answers": {"pension": True}}
    (pension,) = [e for e in result_of(contract_catalog, case)["applies"] if e["key"] == "pension_death"]
    assert pension["deadline"] == deadline


# --- ask_if -------------------------------------------------------------------------------------


def test_a_question_whose_ask_if_is_false_is_not_asked_and_its_answer_ignored(contract_catalog):
    # 30 years old: care is asked from 40 to 64 only, so its answer does not count.
    case = {"deceased": {"birth_date": "1996-01-01", "death_date": "2026-11-20"}, "answers": {"care": True}}
    parsed = read_case(contract_catalog, case)
    assert "care" not in facts_for(contract_catalog, parsed)
    assert "kaigo_loss" not in keys(evaluate(contract_catalog, parsed)["applies"])
    # At 50 the same answer counts.
    case["deceased"]["birth_date"] = "1976-01-01"
    assert "kaigo_loss" in keys(result_of(contract_catalog, case)["applies"])


def test_an_ignored_wakaranai_counts_as_unanswered(contract_catalog):
    case = {"deceased": {"birth_date": "1996-01-01", "death_date": "2026-11-20"}, "unknown": ["care"]}
    result = result_of(contract_catalog, case)
    assert "kaigo_loss" not in keys(result["applies"]) + keys(result["maybe"])


def test_an_answer_depending_on_an_unasked_question_is_ignored(contract_catalog):
    # household_left is asked only of a head of household.
    case = {
        "deceased": {"death_date": "2026-11-20"},
        "answers": {"head_of_household": False, "household_left": 3},
    }
    facts = facts_for(contract_catalog, read_case(contract_catalog, case))
    assert facts["head_of_household"] is False
    assert "household_left" not in facts


def test_a_question_whose_ask_if_is_unknown_is_asked(contract_catalog):
    # No birth date: "age >= 40 and age < 65" is unknown, so care is asked and its yes counts.
    case = {"deceased": {"death_date": "2026-11-20"}, "answers": {"care": True}}
    parsed = read_case(contract_catalog, case)
    assert facts_for(contract_catalog, parsed)["care"] is True
    assert "kaigo_loss" in keys(evaluate(contract_catalog, parsed)["applies"])


def test_without_a_birth_date_age_is_unknown_and_age_rules_are_maybe(contract_catalog):
    case = {"deceased": {"death_date": "2026-11-20"}, "answers": {"care": False, "insurance": "kokuho"}}
    parsed = read_case(contract_catalog, case)
    assert facts_for(contract_catalog, parsed)["age"] is UNKNOWN
    maybe = {entry["key"]: entry["unknown"] for entry in evaluate(contract_catalog, parsed)["maybe"]}
    assert maybe == {"kaigo_loss": ["age"], "koki_loss": ["age"]}


@pytest.mark.parametrize(
    ("birth_date", "applies"),
    [
        ("1951-11-20", True),  # 75 on the day of death, a birthday
        ("1951-11-21", False),  # 74
    ],
)
def test_age_counts_the_birthday_itself(contract_catalog, birth_date, applies):
    case = {
        "deceased": {"birth_date": birth_date, "death_date": "2026-11-20"},
        "answers": {"insurance": "shaho"},
    }
    assert ("koki_loss" in keys(result_of(contract_catalog, case)["applies"])) is applies


def test_facts_hold_normalised_answers(contract_catalog):
    facts = facts_for(contract_catalog, read_case(contract_catalog, EVERYTHING))
    assert facts["age"] == 81
    assert facts["vehicles"] == frozenset({"gentsuki"})
    assert facts["moved_in"].isoformat() == "2026-02-01"


def test_the_same_catalog_evaluates_many_cases_independently(contract_catalog):
    first = result_of(contract_catalog, EVERYTHING)
    result_of(contract_catalog, UNSURE)
    assert result_of(contract_catalog, EVERYTHING) == first


# --- Case errors ----------------------------------------------------------------------------

DEATH = {"death_date": "2026-11-20"}


def errors_of(catalog, case) -> list[str]:
    with pytest.raises(CaseInvalid) as caught:
        read_case(catalog, case)
    return caught.value.errors


@pytest.mark.parametrize(
    ("case", "key"),
    [
        # not a question of this catalog
        ({"deceased": DEATH, "answers": {"insurence": "koki"}}, "insurence"),
        ({"deceased": DEATH, "unknown": ["pensoin"]}, "pensoin"),
        ({"deceased": DEATH, "answers": {"age": 80}}, "age"),
        # wrong type, for each type
        ({"deceased": DEATH, "answers": {"head_of_household": "yes"}}, "head_of_household"),
        ({"deceased": DEATH, "answers": {"head_of_household": 1}}, "head_of_household"),
        ({"deceased": DEATH, "answers": {"household_left": "2"}}, "household_left"),
        ({"deceased": DEATH, "answers": {"household_left": -1}}, "household_left"),
        ({"deceased": DEATH, "answers": {"household_left": 1.5}}, "household_left"),
        ({"deceased": DEATH, "answers": {"household_left": True}}, "household_left"),
        ({"deceased": DEATH, "answers": {"insurance": 1}}, "insurance"),
        ({"deceased": DEATH, "answers": {"insurance": ["koki"]}}, "insurance"),
        ({"deceased": DEATH, "answers": {"vehicles": "gentsuki"}}, "vehicles"),
        ({"deceased": DEATH, "answers": {"vehicles": [1]}}, "vehicles"),
        ({"deceased": DEATH, "answers": {"moved_in": "2026/02/01"}}, "moved_in"),
        ({"deceased": DEATH, "answers": {"moved_in": "2026-02-30"}}, "moved_in"),
        ({"deceased": DEATH, "answers": {"moved_in": 20260201}}, "moved_in"),
        # outside the question's choices
        ({"deceased": DEATH, "answers": {"insurance": "kokuhoo"}}, "insurance"),
        ({"deceased": DEATH, "answers": {"insurance": "国民健康保険"}}, "insurance"),
        ({"deceased": DEATH, "answers": {"vehicles": ["gentsuki", "jidosha"]}}, "vehicles"),
        # multi with a value twice
        ({"deceased": DEATH, "answers": {"vehicles": ["kei", "kei"]}}, "vehicles"),
        # answered and わからない at once
        ({"deceased": DEATH, "answers": {"pension": True}, "unknown": ["pension"]}, "pension"),
        # わからない where allow_unknown is false
        ({"deceased": DEATH, "unknown": ["head_of_household"]}, "head_of_household"),
        # the deceased
        ({"deceased": {"birth_date": "1945-03-10"}}, "death_date"),
        ({"deceased": {"death_date": "2026-11-31"}}, "death_date"),
        ({"deceased": {"death_date": None}}, "death_date"),
        ({"answers": {}}, "deceased"),
        ({"deceased": {"birth_date": "2026-11-21", "death_date": "2026-11-20"}}, "birth_date"),
        ({"deceased": {"birth_date": "1945/03/10", "death_date": "2026-11-20"}}, "birth_date"),
        ({"deceased": {**DEATH, "name": 1}}, "name"),  # the records' name is taken, as a string
        ({"deceased": {**DEATH, "phone": "047"}}, "phone"),
        # unknown top-level fields
        ({"deceased": DEATH, "answer": {"pension": True}}, "answer"),
        ({"deceased": DEATH, "municipality": "122041"}, "municipality"),
    ],
)
def test_a_case_error_names_the_key(contract_catalog, case, key):
    errors = errors_of(contract_catalog, case)
    assert any(key in error.partition(": ")[0] for error in errors), errors


@pytest.mark.parametrize("vehicles", [[], ["kei"], ["gentsuki", "kei"]])
def test_a_multi_answer_may_be_any_set_of_distinct_values(contract_catalog, vehicles):
    case = {"deceased": DEATH, "answers": {"vehicles": vehicles}}
    assert read_case(contract_catalog, case).answers["vehicles"] == frozenset(vehicles)


def test_a_case_reports_every_error_together(contract_catalog):
    case = {
        "deceased": {"birth_date": "2027-01-01", "death_date": "2026-11-20"},
        "answers": {"insurance": "kokuhoo", "vehicles": ["kei", "kei"], "pension": True},
        "unknown": ["pension", "head_of_household"],
    }
    errors = errors_of(contract_catalog, case)
    for key in ("birth_date", "insurance", "vehicles", "pension", "head_of_household"):
        assert any(key in error for error in errors), (key, errors)


@pytest.mark.parametrize("document", [[], "case", None])
def test_a_case_must_be_an_object(contract_catalog, document):
    assert errors_of(contract_catalog, document)


def test_a_birth_date_may_be_null_or_the_day_of_death(contract_catalog):
    assert read_case(contract_catalog, {"deceased": {"birth_date": None, **DEATH}}).birth_date is None
    same_day = read_case(contract_catalog, {"deceased": {"birth_date": "2026-11-20", **DEATH}})
    assert facts_for(contract_catalog, same_day)["age"] == 0


@pytest.mark.parametrize(
    ("field", "value"), [("answers", []), ("answers", 0), ("answers", False), ("unknown", {})]
)
def test_it_refuses_answers_or_unknown_of_the_wrong_shape(contract_catalog, field, value):
    with pytest.raises(CaseInvalid) as refused:
        read_case(contract_catalog, {"deceased": {"death_date": "2026-11-20"}, field: value})
    assert refused.value.errors[0].startswith(f"{field}: must be")
