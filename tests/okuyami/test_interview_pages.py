"""The interview's pages and what is left of it (okuyami/interview.py, pure)."""

import itertools
from datetime import date

import pytest

from okuyami.interview import GROUP_LIMIT, interview_pages, questions_left
from procedures.catalog_io import read_catalog
from procedures.evaluation import CaseInput, asked_questions
from tests.conftest import build_catalog_document, fixture_document

DEATH = date(2026, 11, 20)


def yes_no(key, ask_if=None):
    return {"key": key, "text": f"{key}？", "type": "yes_no", **({"ask_if": ask_if} if ask_if else {})}


def catalog_of(*questions):
    document = build_catalog_document()
    document["questions"] = list(questions)
    document["procedures"] = [
        {"key": "p", "name": "手続き", "counter": document["counters"][0]["key"], "applies_if": "true"}
    ]
    return read_catalog(document)


def pages_of(catalog, answers=None, skipped=(), birth=date(1944, 1, 3)):
    case = CaseInput(DEATH, birth, answers or {}, frozenset())
    asked = {q.key for q in asked_questions(catalog, case)}
    return [page.keys for page in interview_pages(catalog, asked=asked, skipped=skipped)]


def test_consecutive_yes_no_questions_share_a_page_and_others_stand_alone():
    catalog = catalog_of(
        yes_no("seal"),
        yes_no("card"),
        {"key": "count", "text": "何人？", "type": "number"},
        yes_no("water"),
        yes_no("dog"),
        yes_no("grave"),
        {"key": "cars", "text": "車？", "type": "multi", "choices": [{"value": "kei", "label": "軽"}]},
        yes_no("alone"),
    )
    assert pages_of(catalog) == [
        ("seal", "card"),
        ("count",),
        ("water", "dog", "grave"),
        ("cars",),
        ("alone",),
    ]


def test_a_follow_up_of_a_question_on_the_page_starts_a_new_page():
    catalog = catalog_of(
        yes_no("house"),
        yes_no("forest", "house == true"),  # reads house: asked or not by the answer on the page
        yes_no("bank"),
        yes_no("will"),
    )
    # Before house is answered its follow-up is not asked, but it would be after: the run stops
    # before it, and the interview comes back to it after the page.
    assert pages_of(catalog) == [("house",), ("bank", "will")]
    assert pages_of(catalog, {"house": True}) == [("house",), ("forest", "bank", "will")]
    assert pages_of(catalog, {"house": False}) == [("house",), ("bank", "will")]


def test_a_follow_up_of_something_before_the_page_joins_it():
    catalog = catalog_of(
        {
            "key": "insurance",
            "text": "保険？",
            "type": "choice",
            "choices": [{"value": "koki", "label": "後期"}],
        },
        yes_no("costs", 'insurance == "koki"'),
        yes_no("funeral"),
    )
    assert pages_of(catalog, {"insurance": "koki"}) == [("insurance",), ("costs", "funeral")]
    assert pages_of(catalog, {}) == [("insurance",), ("funeral",)]


def test_prefilled_questions_are_left_out_and_their_neighbours_meet():
    catalog = catalog_of(yes_no("seal"), {"key": "n", "text": "n", "type": "number"}, yes_no("card"))
    assert pages_of(catalog, {"n": 2}, skipped={"n"}) == [("seal", "card")]
    assert pages_of(catalog, {"seal": True}, skipped={"seal"}) == [("n",), ("card",)]


def test_a_long_run_is_cut_into_pages_of_the_limit():
    catalog = catalog_of(*(yes_no(f"q{i}") for i in range(GROUP_LIMIT + 3)))
    pages = pages_of(catalog)
    assert [len(page) for page in pages] == [GROUP_LIMIT, 3]


@pytest.mark.parametrize("name", ["national-template.json", "sample-city.json"])
def test_every_page_asks_exactly_what_one_question_a_page_would(name):
    """For every answer to the yes/no questions of each page, the questions asked after answering a
    page's questions together are the ones asked after answering them one by one: nothing on a page
    is a follow-up of anything else on it."""
    catalog = read_catalog(fixture_document(name))
    order = [q.key for q in catalog.questions]
    grouped = 0
    for answers in ({}, {"insurance": "shakai", "pension": "kosei", "employed": True}):
        case = CaseInput(DEATH, date(1970, 5, 5), answers, frozenset())
        asked = {q.key for q in asked_questions(catalog, case)}
        for page in interview_pages(catalog, asked=asked):
            if not page.is_group:
                continue
            grouped += 1
            between = order[order.index(page.keys[0]) : order.index(page.keys[-1]) + 1]
            for values in itertools.product((True, False), repeat=len(page.questions)):
                given = CaseInput(
                    DEATH,
                    case.birth_date,
                    {**answers, **dict(zip(page.keys, values, strict=True))},
                    frozenset(),
                )
                after = {q.key for q in asked_questions(catalog, given)}
                # Still all asked, whatever they answer, and nothing between them comes to be asked.
                assert [key for key in between if key in after] == list(page.keys)
    assert grouped >= 8


def test_what_is_left_never_grows_while_going_forward():
    catalog = read_catalog(fixture_document("sample-city.json"))
    family = {
        "head_of_household": True,
        "household_remaining": 3,
        "household_adults": 2,
        "insurance": "shakai",
        "shakai_role": "self",
        "funeral_held": True,
        "funeral_date": "2026-11-24",
        "pension": "kosei",
        "employed": True,
        "kosei_member": True,
        "survivor_spouse": True,
        "survivor_children": True,
        "real_estate": True,
    }
    answers: dict = {}
    lefts = []
    while True:
        case = CaseInput(DEATH, date(1970, 5, 5), dict(answers), frozenset())
        asked = {q.key for q in asked_questions(catalog, case)}
        pages = [p for p in interview_pages(catalog, asked=asked) if not set(p.keys) <= set(answers)]
        if not pages:
            break
        page = pages[0]
        lefts.append(questions_left(catalog, case, start=page.key, skipped=()))
        for question in page.questions:
            answers[question.key] = family.get(question.key, _any_answer(question))
    # Each page takes at least its own questions off, and follow-ups never make it jump up.
    assert all(later < earlier for earlier, later in itertools.pairwise(lefts)), lefts
    assert lefts[-1] >= 1


def _any_answer(question):
    return {"yes_no": False, "number": 0, "date": "2026-11-25", "multi": []}.get(
        question.type, question.choices[0].value if question.choices else None
    )


def test_what_is_left_counts_the_page_and_what_may_follow():
    catalog = catalog_of(
        yes_no("house"),
        yes_no("forest", "house == true"),
        yes_no("bank"),
        yes_no("kid", "age < 60"),  # settled by the age: never asked for an 82-year-old
    )
    fresh = CaseInput(DEATH, date(1944, 1, 3), {}, frozenset())
    assert questions_left(catalog, fresh, start="house", skipped=()) == 3  # forest may follow
    answered = CaseInput(DEATH, date(1944, 1, 3), {"house": False}, frozenset())
    assert questions_left(catalog, answered, start="bank", skipped=()) == 1
    prefilled = CaseInput(DEATH, date(1944, 1, 3), {"house": False}, frozenset())
    assert questions_left(catalog, prefilled, start="bank", skipped={"house"}) == 1
    assert questions_left(catalog, fresh, start=None, skipped=()) == 0
