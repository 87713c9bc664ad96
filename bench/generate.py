"""Generated catalogs and cases for benchmarks: realistic shapes, fixed seeds."""

import random

from procedures.catalog import code_check_digit
from procedures.catalog_io import FORMAT
from procedures.rules import QuestionType


def municipality_code(number: int) -> str:
    first_five = f"{90000 + number % 10000:05d}"
    return first_five + str(code_check_digit(first_five))


def generated_catalog(
    *, procedures: int, questions: int = 40, seed: int = 1, code: str | None = None
) -> dict:
    """An okuyami-catalog/1 document with conditions of one to four comparisons."""
    rng = random.Random(seed)
    places = [{"key": f"place_{i}", "name": f"庁舎{i}階", "order": i} for i in range(1, 6)]
    counters = [
        {"key": f"counter_{i}", "name": f"窓口{i}", "place": f"place_{i % 5 + 1}", "order": i}
        for i in range(1, 31)
    ]
    kinds = list(QuestionType)
    qs = []
    for i in range(questions):
        kind = kinds[i % len(kinds)]
        question = {"key": f"q{i}", "text": f"質問{i}", "type": kind}
        if kind.has_choices:
            question["choices"] = [{"value": f"v{j}", "label": f"選択肢{j}"} for j in range(5)]
        if i > 5 and rng.random() < 0.3:
            question["ask_if"] = _comparison(rng, qs[: i - 1])
        qs.append(question)
    procs = []
    for i in range(procedures):
        parts = [_comparison(rng, qs) for _ in range(rng.randint(1, 4))]
        condition = parts[0]
        for part in parts[1:]:
            joiner = rng.choice([" and ", " or ", " and not "])
            condition = f"({condition}){joiner}{part}" if rng.random() < 0.3 else condition + joiner + part
        procs.append(
            {
                "key": f"p{i}",
                "name": f"手続き{i}",
                "counter": f"counter_{rng.randint(1, 30)}",
                "applies_if": condition,
                "deadline_days": rng.choice([None, 14, 30, 90, 120, 300]),
                "documents": ["本人確認書類"],
                "order": rng.randint(0, 20),
            }
        )
    return {
        "format": FORMAT,
        "municipality": {
            "code": code or municipality_code(seed),
            "name": f"生成市{seed}",
            "prefecture": "見本県",
        },
        "places": places,
        "counters": counters,
        "questions": qs,
        "procedures": procs,
    }


def _comparison(rng: random.Random, questions: list[dict]) -> str:
    if rng.random() < 0.15:
        return f"age {rng.choice(['>=', '<'])} {rng.choice([40, 65, 75])}"
    question = rng.choice(questions)
    key, kind = question["key"], QuestionType(question["type"])
    if kind == QuestionType.YES_NO:
        return f"{key} == {rng.choice(['true', 'false'])}"
    if kind == QuestionType.CHOICE:
        if rng.random() < 0.5:
            return f'{key} == "v{rng.randint(0, 4)}"'
        return f'{key} in ["v{rng.randint(0, 1)}", "v{rng.randint(2, 4)}"]'
    if kind == QuestionType.MULTI:
        return f'"v{rng.randint(0, 4)}" {rng.choice(["in", "not in"])} {key}'
    if kind == QuestionType.NUMBER:
        return f"{key} {rng.choice(['>=', '<', '=='])} {rng.randint(0, 5)}"
    return f'{key} {rng.choice(["<", ">="])} "2020-0{rng.randint(1, 9)}-15"'


def generated_cases(catalog: dict, *, count: int, seed: int = 2) -> list[dict]:
    """Case documents answering most questions, some with わからない or no birth date."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        answers, unknown = {}, []
        for question in catalog["questions"]:
            roll = rng.random()
            if roll < 0.1 and question.get("allow_unknown", True):
                unknown.append(question["key"])
            elif roll < 0.85:
                answers[question["key"]] = _answer(rng, question)
        birth = (
            None
            if rng.random() < 0.05
            else f"19{rng.randint(25, 80)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        )
        cases.append(
            {
                "deceased": {
                    "birth_date": birth,
                    "death_date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                },
                "answers": answers,
                "unknown": unknown,
            }
        )
    return cases


def _answer(rng: random.Random, question: dict):
    kind = QuestionType(question["type"])
    values = [c["value"] for c in question.get("choices") or []]
    if kind == QuestionType.YES_NO:
        return rng.random() < 0.5
    if kind == QuestionType.CHOICE:
        return rng.choice(values)
    if kind == QuestionType.MULTI:
        return rng.sample(values, rng.randint(0, 3))
    if kind == QuestionType.NUMBER:
        return rng.randint(0, 6)
    return f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}"
