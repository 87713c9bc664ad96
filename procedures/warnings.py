"""Catalog warnings: things that are valid but almost certainly a mistake. Pure Python.

- a procedure that no combination of answers makes apply: its condition is decided
  by enumerating the finite domain of every fact it reads (and of the facts that
  decide whether those questions are asked at all): yes/no, the choice values the
  conditions name (and one they do not), subsets of the multi values they name,
  unanswered, わからない, and numbers, ages and dates just below, at and above each
  literal they are compared with;
- a question that no condition reads (nor any deadline counts from);
- a deadline counted from a date question that some answers leave unasked while the
  procedure applies: the family is then given no date;
- a counter with no procedures, a place with no counters.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from procedures.catalog import Catalog, CatalogProcedure, CatalogQuestion
from procedures.catalog_labels import SECTION_LABELS
from procedures.rules import (
    AGE,
    UNKNOWN,
    And,
    Compare,
    Condition,
    ListLiteral,
    Literal,
    Name,
    Node,
    Not,
    Or,
    QuestionType,
    parse_date,
)

UNREACHABLE = "unreachable_procedure"
UNREAD_QUESTION = "unread_question"
EMPTY_COUNTER = "empty_counter"
EMPTY_PLACE = "empty_place"
UNASKED_DEADLINE_START = "unasked_deadline_start"
# Beyond this many combinations a condition is not enumerated (and not reported).
MAX_COMBINATIONS = 200_000

MESSAGES = {
    UNREACHABLE: ("no combination of answers makes it apply", "どの回答の組み合わせでも対象になりません"),
    UNREAD_QUESTION: ("no condition reads it", "どの条件にも使われていません"),
    EMPTY_COUNTER: ("has no procedures", "手続きがひとつもありません"),
    EMPTY_PLACE: ("has no counters", "窓口がひとつもありません"),
    UNASKED_DEADLINE_START: (
        "its deadline counts from a question that is not always asked when it applies",
        "期限の起算日の質問が、この手続きが対象になるときに質問されないことがあります（期限の日付が出ません）",
    ),
}


@dataclass(frozen=True)
class CatalogWarning:
    kind: str
    section: str
    key: str
    name: str

    @property
    def message(self) -> str:
        """English, for the command line."""
        return f"{self.section} '{self.key}': {MESSAGES[self.kind][0]}"

    @property
    def message_ja(self) -> str:
        """Japanese, for the admin screens."""
        return f"{SECTION_LABELS[self.section]}「{self.name}」（{self.key}）: {MESSAGES[self.kind][1]}。"


def catalog_warnings(catalog: Catalog) -> list[CatalogWarning]:
    warnings = [
        CatalogWarning(UNREACHABLE, "procedures", p.key, p.name)
        for p in catalog.procedures
        if can_apply(catalog, p) is False
    ]
    read = {name for p in catalog.procedures for name in p.applies_if.names}
    read |= {name for q in catalog.questions if q.ask_if for name in q.ask_if.names}
    read |= {p.deadline.start for p in catalog.procedures if p.deadline and not p.deadline.from_death}
    warnings += [
        CatalogWarning(UNASKED_DEADLINE_START, "procedures", p.key, p.name)
        for p in catalog.procedures
        if p.deadline and not p.deadline.from_death and deadline_start_may_be_unasked(catalog, p)
    ]
    warnings += [
        CatalogWarning(UNREAD_QUESTION, "questions", q.key, q.text)
        for q in catalog.questions
        if q.key not in read
    ]
    used_counters = {p.counter for p in catalog.procedures}
    warnings += [
        CatalogWarning(EMPTY_COUNTER, "counters", c.key, c.name)
        for c in catalog.counters
        if c.key not in used_counters
    ]
    used_places = {c.place for c in catalog.counters}
    warnings += [
        CatalogWarning(EMPTY_PLACE, "places", p.key, p.name)
        for p in catalog.places
        if p.key not in used_places
    ]
    return warnings


def can_apply(catalog: Catalog, procedure: CatalogProcedure) -> bool | None:
    """Whether some answers make the procedure apply; None when there are too many to try."""
    applies_if = procedure.applies_if
    return _some_answers(catalog, [applies_if], lambda facts: applies_if.evaluate(facts) is True)


def deadline_start_may_be_unasked(catalog: Catalog, procedure: CatalogProcedure) -> bool | None:
    """Whether some answers make the procedure apply while its deadline's start question is not asked."""
    ask_if = catalog.question_by_key[procedure.deadline.start].ask_if
    if ask_if is None:
        return False
    applies_if = procedure.applies_if
    return _some_answers(
        catalog,
        [applies_if, ask_if],
        lambda facts: applies_if.evaluate(facts) is True and ask_if.evaluate(facts) is False,
    )


def _some_answers(catalog: Catalog, read: list[Condition], test) -> bool | None:
    """Whether some answers to the questions `read` names make `test(facts)` true; None: too many."""
    questions = _closure(catalog, *read)
    conditions = [*read, *(q.ask_if for q in questions if q.ask_if)]
    literals = _literals(conditions)
    names = ([AGE] if AGE in literals or _reads_age(conditions) else []) + [q.key for q in questions]
    domains = [_domain(name, catalog.question_by_key.get(name), literals.get(name, set())) for name in names]
    size = 1
    for domain in domains:
        size *= len(domain)
    if size > MAX_COMBINATIONS:
        return None
    for values in itertools.product(*domains):
        assignment = dict(zip(names, values, strict=True))
        if test(_facts(questions, assignment)):
            return True
    return False


_MISSING = object()  # unanswered, or not asked


def _facts(questions: list[CatalogQuestion], assignment: dict) -> dict:
    """The facts the evaluator would see: a question whose ask_if is false counts as unanswered."""
    facts = {AGE: assignment[AGE]} if AGE in assignment else {}
    for question in questions:
        if question.ask_if is not None and question.ask_if.evaluate(facts) is False:
            continue
        value = assignment[question.key]
        if value is not _MISSING:
            facts[question.key] = value
    return facts


def _closure(catalog: Catalog, *conditions: Condition) -> list[CatalogQuestion]:
    """The questions the conditions read and those their ask_if read, in asking order."""
    wanted: set[str] = set()
    pending = [name for condition in conditions for name in condition.names if name != AGE]
    while pending:
        key = pending.pop()
        if key in wanted:
            continue
        wanted.add(key)
        ask_if = catalog.question_by_key[key].ask_if
        if ask_if:
            pending.extend(name for name in ask_if.names if name != AGE)
    return [q for q in catalog.questions if q.key in wanted]


def _reads_age(conditions: list[Condition]) -> bool:
    return any(AGE in c.names for c in conditions)


def _literals(conditions: list[Condition]) -> dict[str, set]:
    """The literal values each name is compared with; names compared with each other share theirs."""
    found: dict[str, set] = {}
    links: list[tuple[str, str]] = []
    for condition in conditions:
        for compare in _compares(condition.tree):
            sides = (compare.left, compare.right)
            named = [side.key for side in sides if isinstance(side, Name)]
            if len(named) == 2:
                links.append((named[0], named[1]))
                continue
            for name, other in ((compare.left, compare.right), (compare.right, compare.left)):
                if isinstance(name, Name):
                    items = other.items if isinstance(other, ListLiteral) else (other,)
                    found.setdefault(name.key, set()).update(i.value for i in items if isinstance(i, Literal))
    for _ in links:  # enough rounds to share along any chain
        for a, b in links:
            merged = found.setdefault(a, set()) | found.setdefault(b, set())
            found[a], found[b] = set(merged), set(merged)
    return found


def _compares(node: Node) -> Iterator[Compare]:
    if isinstance(node, Compare):
        yield node
    elif isinstance(node, Not):
        yield from _compares(node.operand)
    elif isinstance(node, And | Or):
        for operand in node.operands:
            yield from _compares(operand)


def _domain(name: str, question: CatalogQuestion | None, literals: set) -> list:
    if question is None:  # age: never unanswered, unknown without a birth date
        return [UNKNOWN, *_numbers(literals)]
    extra = [_MISSING] + ([UNKNOWN] if question.allow_unknown else [])
    values = [c.value for c in question.choices]
    if question.type == QuestionType.YES_NO:
        return [True, False, *extra]
    if question.type == QuestionType.CHOICE:
        named = [v for v in values if v in literals]
        other = [v for v in values if v not in literals][:1]
        return [*named, *other, *extra]
    if question.type == QuestionType.MULTI:
        named = [v for v in values if v in literals]
        subsets = itertools.chain.from_iterable(
            itertools.combinations(named, n) for n in range(len(named) + 1)
        )
        return [frozenset(s) for s in subsets] + extra
    if question.type == QuestionType.NUMBER:
        return [*_numbers(literals), *extra]
    return [*_dates(literals), *extra]


def _numbers(literals: set) -> list[int]:
    points = {0, 1, 2}
    for value in literals:
        if isinstance(value, int) and not isinstance(value, bool):
            points |= {value - 1, value, value + 1}
    return sorted(p for p in points if p >= 0)


def _dates(literals: set) -> list[date]:
    points = {date(1900, 1, 1), date(1900, 1, 2), date(1900, 1, 3)}
    for value in literals:
        parsed = parse_date(value)
        if parsed is not None:
            points.add(parsed)
            for step in (-1, 1):
                with contextlib.suppress(OverflowError):  # 0001-01-01 or 9999-12-31
                    points.add(parsed + timedelta(days=step))
    return sorted(points)
