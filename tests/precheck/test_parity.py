"""Home and counter agree: the same questions asked, in the same order, and the same result, for
the same answers. At home the age is given instead of a birth date; it enters the rules as the
`age` fact itself, so a rule at an age boundary decides the same way (contract: `age` is the
completed years on the date of death, the birthday itself counting)."""

import random
from datetime import date

import pytest
from django.utils import timezone

from okuyami import selectors
from okuyami.display import guide_for_display
from procedures.answer_fields import UNKNOWN
from procedures.deadlines import age_at
from procedures.evaluation import CaseInput, asked_questions, evaluate
from tests.conftest import build_catalog_document, make_case
from tests.precheck.conftest import DEATH, Family

pytestmark = pytest.mark.django_db

DIED = date.fromisoformat(DEATH)


def counter_case(municipality, birth: date, answers: dict):
    stored = {key: value for key, value in answers.items() if value is not UNKNOWN}
    unknown = [key for key, value in answers.items() if value is UNKNOWN]
    return make_case(
        municipality, deceased_birth_date=birth, death_date=DIED, answers=stored, unknown=unknown
    )


def summary(guide: dict) -> dict:
    """What the family is told: stops with procedures and deadlines, and what to confirm."""
    return {
        "stops": [
            (s["counter"], [(p["key"], p["deadline"]) for p in s["procedures"]]) for s in guide["stops"]
        ],
        "maybe": [(m["key"], m["confirm"]) for m in guide["maybe"]],
    }


def assert_same(public_city, birth: date, answers: dict) -> dict:
    family = Family(public_city.code)
    asked_at_home = family.walk(age=age_at(birth_date=birth, death_date=DIED), answers=answers)
    home_guide = family.get("result").context["guide"]
    case = counter_case(public_city, birth, asked_at_home)
    interview = selectors.interview_for(case)
    assert list(asked_at_home) == [q.key for q in interview.questions]
    counter_guide = guide_for_display(selectors.guide_for(case), today=timezone.localdate())
    assert summary(home_guide) == summary(counter_guide)
    return asked_at_home


# Born on the birthday / the day after: 75 and 74 (koki_loss: age >= 75), 65 and 64
# (kaigo_loss: age >= 65; care asked from 40 to 64), 40 and 39. 29 February: 1 March in 2026.
BOUNDARIES = [
    (date(1951, 11, 20), False),
    (date(1951, 11, 21), False),
    (date(1961, 11, 20), True),
    (date(1961, 11, 21), True),
    (date(1986, 11, 20), True),
    (date(1986, 11, 21), False),
    (date(1952, 2, 29), False),
]


@pytest.mark.parametrize(("birth", "care"), BOUNDARIES, ids=lambda v: str(v))
def test_the_age_decides_at_the_boundaries_as_a_birth_date_does(public_city, birth, care):
    answers = {
        "head_of_household": False,
        "insurance": "shaho",
        "pension": False,
        "vehicles": [],
        "care": care,
    }
    asked = assert_same(public_city, birth, answers)
    age = age_at(birth_date=birth, death_date=DIED)
    assert ("care" in asked) == (40 <= age < 65)


def test_random_answers_give_the_same_questions_and_result_at_home_and_at_the_counter(public_city):
    catalog = selectors.catalog_for(municipality=public_city)
    chance = random.Random(18)
    for _ in range(12):
        answers = {}
        for question in catalog.questions:
            if question.allow_unknown and chance.random() < 0.2:
                answers[question.key] = UNKNOWN
            elif question.type == "yes_no":
                answers[question.key] = chance.random() < 0.5
            elif question.type == "choice":
                answers[question.key] = chance.choice(question.choices).value
            elif question.type == "multi":
                answers[question.key] = [c.value for c in question.choices if chance.random() < 0.5]
            elif question.type == "number":
                answers[question.key] = chance.randint(0, 4)
            else:
                answers[question.key] = f"2026-{chance.randint(1, 11):02d}-{chance.randint(1, 28):02d}"
        birth = date(chance.randint(1930, 1990), chance.randint(1, 12), chance.randint(1, 28))
        assert_same(public_city, birth, answers)


@pytest.mark.parametrize(("age", "applies"), [(75, True), (74, False)])
def test_an_age_given_as_a_fact_applies_the_rule_exactly(contract_catalog, age, applies):
    """koki_loss: insurance == 'koki' or age >= 75; no birth date, only the age."""
    case = CaseInput(DIED, None, {"insurance": "kokuho"}, frozenset(), age=age)
    keys = [item["key"] for item in evaluate(contract_catalog, case)["applies"]]
    assert ("koki_loss" in keys) is applies


def test_a_birth_date_decides_over_a_given_age(contract_catalog):
    case = CaseInput(DIED, date(1951, 11, 21), {"insurance": "kokuho"}, frozenset(), age=90)
    assert "koki_loss" not in [item["key"] for item in evaluate(contract_catalog, case)["applies"]]


def test_without_age_or_birth_date_the_age_is_unknown(contract_catalog):
    case = CaseInput(DIED, None, {"insurance": "kokuho"}, frozenset())
    maybe = {item["key"]: item["unknown"] for item in evaluate(contract_catalog, case)["maybe"]}
    assert maybe["koki_loss"] == ["age"]
    assert "care" in [q.key for q in asked_questions(contract_catalog, case)]


def test_the_document_format_is_unchanged(contract_catalog):
    from procedures.evaluation import CaseInvalid, read_case

    with pytest.raises(CaseInvalid, match=r"deceased\.age: unknown field"):
        read_case(contract_catalog, {"deceased": {"death_date": DEATH, "age": 75}})
    assert build_catalog_document()["format"] == "okuyami-catalog/1"
