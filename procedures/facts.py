"""The facts a municipality's records hold, and how a question's `prefill` turns one into an answer.

The vocabulary of okuyami-catalog/1's prefill table, declared once: the catalog reader checks a
question's `prefill` against it, the resident extract (okuyami-residents/1) checks facts.csv
against it, and the counter turns the facts of a deceased person into answers with
`prefill_answers`. Pure Python: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from procedures.messages import CodedMessage
from procedures.rules import QuestionType, parse_date

LOCAL_PREFIX = "local."
LOCAL_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
INTEGER_RE = re.compile(r"^(0|-?[1-9][0-9]*)$")


class FactType(StrEnum):
    BOOL = "bool"
    INTEGER = "integer"
    STRING = "string"


@dataclass(frozen=True)
class Fact:
    name: str
    type: FactType
    source: str  # the municipality's record it comes from, as the catalog's table says
    values: tuple[str, ...] = ()  # a string fact's allowed values
    derived: bool = False  # worked out from residents.csv, never given in facts.csv
    value_labels: tuple[str, ...] = ()  # a string fact's values in Japanese, in the same order

    def known_values(self) -> tuple[tuple[str, str], ...]:
        """(value as facts.csv writes it, Japanese label) of a fact with few values; () for an integer."""
        if self.type is FactType.BOOL:
            return (("true", "はい（記録あり）"), ("false", "いいえ（記録なし）"))
        return tuple(zip(self.values, self.value_labels or self.values, strict=True))


STANDARD_FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in (
        Fact("household.head", FactType.BOOL, "住民記録: 世帯主であった", derived=True),
        Fact("household.remaining", FactType.INTEGER, "住民記録: 世帯に残る人数", derived=True),
        Fact(
            "household.remaining_15_plus",
            FactType.INTEGER,
            "住民記録: 世帯に残る15歳以上の人数",
            derived=True,
        ),
        Fact(
            "household.remaining_under_18",
            FactType.INTEGER,
            "住民記録: 世帯に残る18歳未満の人数",
            derived=True,
        ),
        Fact("resident.foreign", FactType.BOOL, "住民記録: 外国人住民", derived=True),
        Fact(
            "health.insurance",
            FactType.STRING,
            "国民健康保険・後期高齢者医療の資格",
            values=("kokuho", "koki", "none"),
            value_labels=("国民健康保険", "後期高齢者医療", "どちらでもない"),
        ),
        Fact("kaigo.certified", FactType.BOOL, "介護保険: 要介護・要支援認定"),
        Fact("disability.certificate", FactType.BOOL, "障害者手帳"),
        Fact("seal.registered", FactType.BOOL, "印鑑登録"),
        Fact("child_allowance.recipient", FactType.BOOL, "児童手当 受給者"),
        Fact("welfare.public_assistance", FactType.BOOL, "生活保護 受給"),
        Fact("tax.fixed_asset", FactType.BOOL, "固定資産税 納税義務者"),
        Fact("tax.light_vehicle", FactType.BOOL, "軽自動車税（種別割）納税義務者"),
    )
}
DERIVED_FACTS = tuple(name for name, fact in STANDARD_FACTS.items() if fact.derived)


def prefill_document(fact: str, values: Mapping[str, Any] | None) -> dict | None:
    """A question's `prefill` as the catalog document writes it, from its stored fact (empty:
    none) and `values` (None: the fact's value is the answer)."""
    if not fact:
        return None
    return {"fact": fact, **({"values": dict(values)} if values is not None else {})}


def is_local(name: str) -> bool:
    return name.startswith(LOCAL_PREFIX)


# The catalog reader's messages about a `prefill`, in one place (English, as every catalog error):
# code -> text with {named} parts. `PrefillProblem.message` fills them in.
PREFILL_MESSAGES = {
    "not_a_name": "must be a fact name",
    "bad_local_key": (
        "'{fact}': a municipality's own fact is 'local.' and a key "
        "(lower-case letters, digits and _, starting with a letter, 64 at most)"
    ),
    "unknown_fact": "'{fact}' is not a fact of the prefill table (nor 'local.' and a key)",
    "wrong_type": "{fact} is a {fact_type} fact and does not answer a {question_type} question",
    "no_choice": "{fact} is one of {fact_values}, none of them a choice of the question",
    "values_not_object": "must be an object mapping a value of the fact to the answer it gives",
    "not_a_value": "{problem}",
    "answer_does_not_fit": "{key!r} gives {answer!r}, which does not fit the question",
}
# The same in Japanese, for the editors' screens (procedures.catalog_errors).
PREFILL_MESSAGES_JA = {
    "not_a_name": "住民記録の事実の名前にしてください",
    "bad_local_key": (
        "「{fact}」: 市区町村独自の事実は local. に続けてキー"
        "（英小文字・数字・_ で英字から始まる64文字まで）にしてください"
    ),
    "unknown_fact": "「{fact}」は住民記録の事実の表にありません（local. で始まる独自の事実でもありません）",
    "wrong_type": "{fact} は {fact_type} の事実で、回答の種類が {question_type} の質問には答えられません",
    "no_choice": "{fact} の値（{fact_values}）のどれも、この質問の選択肢にありません",
    "values_not_object": "記録の値ごとの回答（JSON のオブジェクト）にしてください",
    "not_a_value": "「{key}」は {fact} の値ではありません",
    "answer_does_not_fit": "「{key}」の回答「{answer}」は、この質問の回答になりません",
}


@dataclass(frozen=True)
class PrefillProblem(CodedMessage):
    """One problem of a question's prefill: where inside the prefill (`fact`, `values` or
    `values.<fact value>`), what kind (a key of PREFILL_MESSAGES) and the parts of its message."""

    TEXTS = {code: (text, PREFILL_MESSAGES_JA[code]) for code, text in PREFILL_MESSAGES.items()}

    where: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


def _fact_name_problem(name: object) -> PrefillProblem | None:
    if not isinstance(name, str):
        return PrefillProblem("fact", "not_a_name")
    if name in STANDARD_FACTS:
        return None
    if is_local(name):
        if LOCAL_KEY_RE.match(name[len(LOCAL_PREFIX) :]):
            return None
        return PrefillProblem("fact", "bad_local_key", {"fact": name})
    return PrefillProblem("fact", "unknown_fact", {"fact": name})


def fact_name_problem(name: object) -> str | None:
    """Why `name` is neither a fact of the table nor `local.<key>`, or None."""
    problem = _fact_name_problem(name)
    return problem.message if problem else None


def parse_fact_value(name: str, text: str) -> tuple[str | None, Any]:
    """(problem, value) for a facts.csv value of the fact `name` (a valid name).

    A standard fact's value has its type; a local fact's is a bool (`true`/`false`), an
    integer, or else the string itself.
    """
    fact = STANDARD_FACTS.get(name)
    if fact is None:
        if text in ("true", "false"):
            return None, text == "true"
        if INTEGER_RE.match(text):
            return None, int(text)
        return (None, text) if text else ("is required", None)
    if fact.type is FactType.BOOL:
        if text in ("true", "false"):
            return None, text == "true"
        return f"'{text}' is not a value of {name}: write true or false", None
    if fact.type is FactType.INTEGER:
        if INTEGER_RE.match(text):
            return None, int(text)
        return f"'{text}' is not a value of {name}: write an integer", None
    if text in fact.values:
        return None, text
    return f"'{text}' is not a value of {name}: write {', '.join(fact.values)}", None


def fact_text(value: Any) -> str:
    """A fact value as facts.csv writes it; the keys of a prefill's `values` are in this form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def answer_fits(question_type: str, choices: Iterable[str], answer: Any) -> bool:
    """Whether `answer` is a valid answer to a question of that type and choices."""
    kind = QuestionType.of(question_type)
    if kind is QuestionType.YES_NO:
        return isinstance(answer, bool)
    if kind is QuestionType.NUMBER:
        return isinstance(answer, int) and not isinstance(answer, bool) and answer >= 0
    if kind is QuestionType.CHOICE:
        return isinstance(answer, str) and answer in set(choices)
    if kind is QuestionType.MULTI:
        allowed = set(choices)
        return (
            isinstance(answer, list)
            and all(isinstance(item, str) and item in allowed for item in answer)
            and len(set(answer)) == len(answer)
        )
    if kind is QuestionType.DATE:
        return parse_date(answer) is not None
    return False


# Without `values`, the question type a fact's value answers as it is.
_FITTING_TYPES = {
    FactType.BOOL: QuestionType.YES_NO,
    FactType.INTEGER: QuestionType.NUMBER,
    FactType.STRING: QuestionType.CHOICE,
}


def prefill_problems(
    *, question_type: str, choices: Iterable[str], fact: object, values: object
) -> list[PrefillProblem]:
    """Every problem of a question's prefill (the catalog reader's check); none when it is valid.

    `values` is None when the prefill has none; anything else must be an object (a dict).
    """
    if problem := _fact_name_problem(fact):
        return [problem]
    choices = tuple(choices)
    standard = STANDARD_FACTS.get(fact)  # type: ignore[arg-type]
    if values is None:
        if standard is None:
            return []  # a local fact's type is only known from the records
        if _FITTING_TYPES[standard.type] != question_type:
            params = {"fact": fact, "fact_type": standard.type.value, "question_type": question_type}
            return [PrefillProblem("fact", "wrong_type", params)]
        # A value the choices do not declare leaves the question to be asked (prefill_answer);
        # with none declared the fact could never answer it.
        if standard.type is FactType.STRING and not set(standard.values) & set(choices):
            return [
                PrefillProblem("fact", "no_choice", {"fact": fact, "fact_values": ", ".join(standard.values)})
            ]
        return []
    if not isinstance(values, Mapping):
        return [PrefillProblem("values", "values_not_object")]
    problems = []
    for key, answer in values.items():
        where = f"values.{key}"
        if standard is not None:
            problem, _ = parse_fact_value(fact, key)  # type: ignore[arg-type]
            if problem:
                problems.append(
                    PrefillProblem(where, "not_a_value", {"problem": problem, "key": key, "fact": fact})
                )
                continue
        if not answer_fits(question_type, choices, answer):
            problems.append(PrefillProblem(where, "answer_does_not_fit", {"key": key, "answer": answer}))
    return problems


@dataclass(frozen=True)
class PrefillSpec:
    """A question's prefill: the question's key, type and choice values, the fact, and `values`."""

    key: str
    type: str
    choices: tuple[str, ...]
    fact: str
    values: Mapping[str, Any] | None = field(default=None)

    @classmethod
    def of(cls, spec: PrefillSpec | tuple) -> PrefillSpec:
        """A spec from a PrefillSpec or a plain (key, type, choices, fact, values) tuple."""
        if isinstance(spec, PrefillSpec):
            return spec
        key, question_type, choices, fact, values = spec
        return cls(key, question_type, tuple(choices or ()), fact, values)


def prefill_answer(spec: PrefillSpec, facts: Mapping[str, Any]) -> tuple[bool, Any]:
    """(answered, answer): the answer the facts give the question, if they give one.

    A fact the records do not hold, a value `values` does not list, or (without `values`)
    a value that does not fit the question leaves the question to be asked.
    """
    if spec.fact not in facts:
        return False, None
    value = facts[spec.fact]
    if spec.values is not None:
        key = fact_text(value)
        if key not in spec.values:
            return False, None
        answer = spec.values[key]
    else:
        answer = value
    if not answer_fits(spec.type, spec.choices, answer):
        return False, None
    return True, answer


def prefill_answers(specs: Iterable[PrefillSpec | tuple], facts: Mapping[str, Any]) -> dict[str, Any]:
    """Question key -> answer for every spec the facts answer, in the order given."""
    answers = {}
    for spec in specs:
        spec = PrefillSpec.of(spec)
        answered, answer = prefill_answer(spec, facts)
        if answered:
            answers[spec.key] = answer
    return answers
