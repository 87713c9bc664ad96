"""Evaluate a case against a catalog: which procedures apply, which need checking.

Pure Python. Input and output are the case and result documents of
okuyami-catalog/1; the catalog comes compiled from `catalog_io.read_catalog`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from procedures import date_limits
from procedures.catalog import Catalog, CatalogQuestion
from procedures.deadlines import DEATH, Deadline, age_at
from procedures.rules import AGE, UNKNOWN, QuestionType, parse_date


class CaseInvalid(Exception):
    """A case document that does not fit the catalog; `errors` names each key."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class CaseInput:
    """A case as the evaluator takes it: read from a case document, or from a stored case."""

    death_date: date
    birth_date: date | None
    answers: dict[str, Any]  # question key -> normalised answer
    unknown: frozenset[str]  # answered わからない
    # The age at death in completed years, as a family gives it instead of a birth date (the
    # pre-check at home); used only without a birth date, which always decides when given.
    age: int | None = None


# --- Reading a case ---------------------------------------------------------------

# The deceased's personal fields a case document from the records may carry: never evaluated.
RECORD_FIELDS = ("name", "kana", "address")


def read_case(catalog: Catalog, document: Any) -> CaseInput:
    """Validate a case document; raise CaseInvalid naming every offending key."""
    errors: list[str] = []
    if not isinstance(document, dict):
        raise CaseInvalid(["document: must be a JSON object"])
    for name in document:
        if name not in ("deceased", "answers", "unknown", "household"):
            errors.append(f"{name}: unknown field")
    # The case document from the resident records carries the household and the deceased's name,
    # reading and address too: accepted so that document evaluates as it is, and not read here.
    if not isinstance(document.get("household", []), list | None):
        errors.append("household: must be a list of the household's members")

    deceased = document.get("deceased")
    death_date = birth_date = None
    if not isinstance(deceased, dict):
        errors.append("deceased: is required, an object with death_date (and birth_date)")
    else:
        for name in deceased:
            if name not in ("birth_date", "death_date", *RECORD_FIELDS):
                errors.append(f"deceased.{name}: unknown field")
            elif name in RECORD_FIELDS and not isinstance(deceased[name], str | None):
                errors.append(f"deceased.{name}: must be a string or null")
        death_date = parse_date(deceased.get("death_date"))
        if death_date is None:
            errors.append('deceased.death_date: is required, a date "YYYY-MM-DD"')
        elif not date_limits.in_range(death_date):  # year 9999 overflowed the deadlines: a 500
            errors.append(f"deceased.death_date: must be {date_limits.RANGE_EN}")
            death_date = None
        if deceased.get("birth_date") is not None:
            birth_date = parse_date(deceased["birth_date"])
            if birth_date is None:
                errors.append('deceased.birth_date: must be a date "YYYY-MM-DD" or null')
            elif not date_limits.in_range(birth_date):
                errors.append(f"deceased.birth_date: must be {date_limits.RANGE_EN}")
            elif death_date and birth_date > death_date:
                errors.append("deceased.birth_date: is after the date of death")

    # Absent or null means none; any other non-object is an error, not "no answers".
    answers_in = {} if document.get("answers") is None else document["answers"]
    unknown_in = [] if document.get("unknown") is None else document["unknown"]
    if not isinstance(answers_in, dict):
        errors.append("answers: must be an object of question key to answer")
        answers_in = {}
    if not isinstance(unknown_in, list):
        errors.append("unknown: must be a list of question keys")
        unknown_in = []

    answers = {}
    for key, value in answers_in.items():
        question = _question(catalog, key, f"answers.{key}", errors)
        if question is None or value is None:  # an answer null is no answer
            continue
        problem, normal = normalise_answer(question, value)
        if problem:
            errors.append(f"answers.{key}: {problem}")
        else:
            answers[key] = normal

    unknown: set[str] = set()
    for index, key in enumerate(unknown_in):
        where = f"unknown[{index}]"
        if not isinstance(key, str):
            errors.append(f"{where}: must be a question key")
            continue
        question = _question(catalog, key, f"{where} '{key}'", errors)
        if question is None:
            continue
        if key in unknown:
            errors.append(f"{where} '{key}': listed twice")
        elif answers_in.get(key) is not None:
            errors.append(f"answers.{key}: also listed in unknown; give an answer or わからない, not both")
        elif not question.allow_unknown:
            errors.append(
                f"{where} '{key}': this question does not allow わからない (allow_unknown is false)"
            )
        unknown.add(key)

    if errors:
        raise CaseInvalid(errors)
    return CaseInput(death_date, birth_date, answers, frozenset(unknown))


def _question(catalog: Catalog, key: str, where: str, errors: list[str]) -> CatalogQuestion | None:
    question = catalog.question_by_key.get(key)
    if question is None:
        close = difflib.get_close_matches(key, list(catalog.question_by_key), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        errors.append(f"{where}: not a question of this catalog{hint}")
    return question


def normalise_answer(question: CatalogQuestion, value: Any) -> tuple[str | None, Any]:
    """(problem, normalised answer) for one answer."""
    qtype = question.type
    values = [c.value for c in question.choices]
    if qtype == QuestionType.YES_NO:
        return (None, value) if isinstance(value, bool) else ("must be true or false", None)
    if qtype == QuestionType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return "must be an integer ≥ 0", None
        return None, value
    if qtype == QuestionType.DATE:
        parsed = parse_date(value)
        if parsed is None or not date_limits.in_range(parsed):  # a deadline may count from it
            return f'must be a date "YYYY-MM-DD" {date_limits.RANGE_EN}', None
        return None, parsed
    if qtype == QuestionType.CHOICE:
        if value not in values or not isinstance(value, str):
            return f"{value!r} is not one of {', '.join(values)}", None
        return None, value
    # multi
    if not isinstance(value, list):
        return f"must be a list of distinct values from {', '.join(values)}", None
    for item in value:
        if not isinstance(item, str) or item not in values:
            return f"{item!r} is not one of {', '.join(values)}", None
    if len(set(value)) != len(value):
        return "values must be distinct", None
    return None, frozenset(value)


# --- Evaluating ---------------------------------------------------------------------


def facts_for(catalog: Catalog, case: CaseInput) -> dict[str, Any]:
    """The facts conditions see: age, then each question asked, in asking order."""
    age = age_at(birth_date=case.birth_date, death_date=case.death_date) if case.birth_date else case.age
    facts: dict[str, Any] = {AGE: UNKNOWN if age is None else age}
    for question in catalog.questions:
        if question.ask_if is not None and question.ask_if.evaluate(facts) is False:
            continue  # not asked: any answer given is ignored
        if question.key in case.unknown:
            facts[question.key] = UNKNOWN
        elif question.key in case.answers:
            facts[question.key] = case.answers[question.key]
    return facts


def asked_questions(catalog: Catalog, case: CaseInput) -> list[CatalogQuestion]:
    """The questions asked for this case (ask_if true or unknown), in order."""
    facts = facts_for(catalog, case)
    return [q for q in catalog.questions if q.ask_if is None or q.ask_if.evaluate(facts) is not False]


def evaluate(catalog: Catalog, case: CaseInput) -> dict[str, Any]:
    """The result document of the contract for one case."""
    facts = facts_for(catalog, case)
    deadlines: dict[object, str | None] = {}
    reasons = _Reasons(catalog, facts)
    applies, maybe, route = [], [], []
    for procedure in catalog.procedures:
        if (value := procedure.applies_if.evaluate(facts)) is False:
            continue
        rule = procedure.deadline
        if rule not in deadlines:
            deadline = deadline_date(rule, case, facts)
            deadlines[rule] = deadline.isoformat() if deadline else None
        if value is None:
            maybe.append(
                {
                    "key": procedure.key,
                    "name": procedure.name,
                    "counter": procedure.counter,
                    "deadline": deadlines[rule],
                    "unknown": list(procedure.applies_if.unknown_facts(facts)),
                }
            )
            continue
        applies.append(
            {
                "key": procedure.key,
                "name": procedure.name,
                "counter": procedure.counter,
                "deadline": deadlines[rule],
                "documents": list(procedure.documents),
                "reasons": reasons.for_condition(procedure.applies_if),
            }
        )
        if not route or route[-1]["counter"] != procedure.counter:
            counter = catalog.counter_by_key[procedure.counter]
            route.append(
                {"counter": counter.key, "name": counter.name, "place": counter.place, "procedures": []}
            )
        route[-1]["procedures"].append(procedure.key)
    return {"municipality": catalog.municipality.code, "applies": applies, "maybe": maybe, "route": route}


def deadline_date(rule: Deadline | None, case: CaseInput, facts: dict[str, Any]) -> date | None:
    """A procedure's deadline for a case: None without a rule, or when its start date is not known.

    A start question that was not asked, not answered or answered わからない gives no date.
    """
    if rule is None:
        return None
    if rule.from_death:
        return rule.date_from(case.death_date)
    start = facts.get(rule.start)
    return rule.date_from(start) if isinstance(start, date) else None


class _Reasons:
    """Short Japanese sentences naming the answers a true condition rests on."""

    EVERYONE = "亡くなった方すべてに必要な手続きです。"

    def __init__(self, catalog: Catalog, facts: dict[str, Any]):
        self.catalog = catalog
        self.facts = facts
        self.sentences: dict[str, str] = {}

    def for_condition(self, condition) -> list[str]:
        _, names = condition.explain(self.facts)
        if not names:
            return [self.EVERYONE]
        return [self.sentence(name) for name in names]

    def sentence(self, name: str) -> str:
        if name not in self.sentences:
            self.sentences[name] = self._sentence(name)
        return self.sentences[name]

    def _sentence(self, name: str) -> str:
        value = self.facts.get(name)
        if name == AGE:
            return f"亡くなった日の年齢は{value}歳です。"
        question = self.catalog.question_by_key[name]
        if name not in self.facts:
            return f"「{question.text}」は回答されていません。"
        return f"「{question.text}」への回答は「{answer_label(question, value)}」です。"


def fact_label(catalog: Catalog, name: str) -> str:
    """What a fact is, for people: the question's text, or the age at death."""
    if name == AGE:
        return "亡くなった方の生年月日（年齢）"
    return catalog.question_by_key[name].text


def start_label(catalog: Catalog, start: str) -> str:
    """What a deadline counts from, in words: 亡くなった日, or the date question's subject."""
    if start == DEATH:
        return "亡くなった日"
    question = catalog.question_by_key.get(start)
    return start if question is None else date_subject(question.text)


def date_subject(text: str) -> str:
    """What a date question asks for, as a noun: 「葬儀を行った日はいつですか？」 -> 葬儀を行った日."""
    label = re.sub(r"(は|が)?(いつ|何日)?(です|でした)?か?[？?]?$", "", text.strip())
    return label if label.endswith("日") else f"「{text}」の日"


def deadline_wording(catalog: Catalog, deadline: Deadline) -> str:
    """A deadline rule in words: 「葬儀（火葬のみの場合は火葬）を行った日の翌日から2年」."""
    return deadline.wording(start_label(catalog, deadline.start))


def answer_label(question: CatalogQuestion, value: Any) -> str:
    """An answer as the family said it, from a normalised or a stored (JSON) value."""
    labels = {c.value: c.label for c in question.choices}
    if question.type == QuestionType.YES_NO:
        return "はい" if value else "いいえ"
    if question.type == QuestionType.MULTI:
        chosen = [c.label for c in question.choices if c.value in value]
        return "、".join(chosen) or "該当なし"
    if question.type == QuestionType.CHOICE:
        return labels.get(value, value)
    if question.type == QuestionType.DATE:
        day = parse_date(value) if isinstance(value, str) else value
        return f"{day.year}年{day.month}月{day.day}日" if day else str(value)
    return str(value)
