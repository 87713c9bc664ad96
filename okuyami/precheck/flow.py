"""The family's way through the questions at home: the same catalog, skip logic and わからない as
the counter's interview (okuyami.selectors.Interview), after two facts the rules need.

The date of death is asked first (deadlines count from it, and the evaluator needs it). Then the
age at death, and only when a rule of the catalog reads `age`: the age in completed years, which
the evaluator takes as the `age` fact itself (procedures.evaluation.CaseInput.age). A birth date
is never asked: the age is all the rules read, and an exact age cannot fall on the wrong side of
a boundary the way an approximate birth date could.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from okuyami.guide import build_guide
from okuyami.precheck.state import MAX_AGE_YEARS, Home
from okuyami.selectors import Interview, interview_of, stored_input
from procedures.catalog import Catalog, CatalogQuestion
from procedures.evaluation import CaseInput, evaluate
from procedures.rules import AGE, QuestionType

DEATH = "death"
# The two facts, asked with the same form and page as a catalog question.
DEATH_QUESTION = CatalogQuestion(
    key="death_date",
    text="亡くなった日はいつですか？",
    type=QuestionType.DATE,
    allow_unknown=False,
    help="手続きの期限を、この日から数えます。",
)
AGE_QUESTION = CatalogQuestion(
    key=AGE,
    text="亡くなった時の年齢（満年齢）は何歳でしたか？",
    type=QuestionType.NUMBER,
    allow_unknown=True,
    help=(
        "亡くなった日までに迎えた誕生日の数です。葬儀の「享年」は数え年（1〜2歳多い）のことがあります。"
        "年齢で決まる手続きがあるためお聞きします。生年月日はお聞きしません。"
    ),
)


@dataclass(frozen=True)
class Step:
    """One page of the questions: the date of death, the age, or a catalog question (`key`)."""

    kind: str  # DEATH, AGE or "question"
    key: str = ""

    @property
    def question_key(self) -> str:
        return self.key if self.kind == "question" else ""


DEATH_STEP, AGE_STEP = Step(DEATH), Step(AGE)


def reads_age(catalog: Catalog) -> bool:
    """Whether any rule of the catalog (a question's ask_if, a procedure's applies_if) reads `age`."""
    conditions = [q.ask_if for q in catalog.questions if q.ask_if] + [
        p.applies_if for p in catalog.procedures
    ]
    return any(AGE in condition.names for condition in conditions)


@dataclass(frozen=True)
class Flow:
    """Where a family is in the pre-check: the catalog's questions against its answers so far."""

    catalog: Catalog
    home: Home

    @cached_property
    def asks_age(self) -> bool:
        return reads_age(self.catalog)

    @cached_property
    def parsed(self) -> CaseInput | None:
        """The answers as the evaluator reads them; None until the date of death is given."""
        home = self.home
        if home.death_date is None:
            return None
        return stored_input(
            self.catalog,
            answers=home.answers,
            unknown=list(home.unknown),
            death_date=home.death_date,
            age=home.age if self.asks_age else None,
        )

    @cached_property
    def interview(self) -> Interview | None:
        if self.parsed is None:
            return None
        return interview_of(self.catalog, self.parsed, answered=[*self.home.answers, *self.home.unknown])

    @property
    def steps(self) -> list[Step]:
        steps = [DEATH_STEP, *([AGE_STEP] if self.asks_age else [])]
        return steps + [Step("question", q.key) for q in (self.interview.questions if self.interview else ())]

    def is_done(self, step: Step) -> bool:
        if step.kind == DEATH:
            return self.home.death_date is not None
        if step.kind == AGE:
            return self.home.age_answered
        return self.interview is not None and step.key in self.interview.answered

    def question(self, step: Step) -> CatalogQuestion | None:
        """The question a step asks; None for a catalog question not asked with these answers."""
        if step.kind == DEATH:
            return DEATH_QUESTION
        if step.kind == AGE:
            return AGE_QUESTION if self.asks_age else None
        if self.interview is None or self.interview.index_of(step.key) is None:
            return None
        return self.catalog.question_by_key[step.key]

    def number(self, step: Step) -> int:
        return self.steps.index(step) + 1

    def first_open(self) -> Step | None:
        """The first step without an answer; None when every one has one."""
        return next((step for step in self.steps if not self.is_done(step)), None)

    def after(self, step: Step, *, unanswered_only: bool = False) -> Step | None:
        """The step after `step` with the answers as they are now (only those still without an
        answer, coming from the check page); None: on to the check page."""
        steps = self.steps
        later = steps[steps.index(step) + 1 :] if step in steps else steps
        return next((s for s in later if not (unanswered_only and self.is_done(s))), None)

    def before(self, step: Step) -> Step | None:
        """Where the back link leads; None: the first page."""
        steps = self.steps
        index = steps.index(step) if step in steps else 0
        return steps[index - 1] if index else None

    def answered_value(self, step: Step) -> tuple[Any, bool]:
        """(stored answer or None, answered わからない) for the step's form."""
        home = self.home
        if step.kind == DEATH:
            return (home.death_date.isoformat() if home.death_date else None), False
        if step.kind == AGE:
            return home.age, home.age_unknown
        return home.answers.get(step.key), step.key in home.unknown

    def guide(self) -> dict[str, Any]:
        """The family's guide (okuyami.guide) for the answers so far; needs the date of death."""
        assert self.parsed is not None
        parsed = self.parsed
        return build_guide(
            self.catalog, evaluate(self.catalog, parsed), death_date=parsed.death_date, case=parsed
        )

    def given(self) -> tuple[dict[str, Any], list[str]]:
        """The answers and わからない of the questions asked now, as a case stores them: what a
        受付コード holds (answers of questions no longer asked, or that no longer fit, are left out)."""
        if self.interview is None:
            return {}, []
        asked = [q.key for q in self.interview.questions]
        answers = {key: self.home.answers[key] for key in asked if key in self.parsed.answers}
        unknown = [key for key in asked if key in self.parsed.unknown]
        return answers, unknown


def age_problem(age: int) -> str | None:
    """A Japanese message when an age cannot be a person's age at death."""
    if age > MAX_AGE_YEARS:
        return f"年齢は{MAX_AGE_YEARS}歳までの数で入力してください。"
    return None
