"""The way through a case's questions: the pages of the interview and what is left of it.

Pure Python (the catalog and the case as the evaluator takes them; no Django).

**Pages.** The interview asks the questions in the catalog's order, one a page, except:

- a question the municipality's records answered (a prefill, unchanged by the staff) is not
  asked: it is shown on the check page as 「住民記録より」 and can be opened from there;
- a *run* of two or more consecutive yes/no questions is asked on one page, 「当てはまるものを
  すべて」 with a わからない per row, as long as no question of the run is a *follow-up* of
  another one in it, and no question between two of them is either.

A *follow-up* of a question is a question whose `ask_if` names it: whether it is asked depends on
that answer. The rule is what makes one page safe. Every question of a run is asked whatever the
others on the page answer (none reads another), and a question between two of them that is not
asked now (or is prefilled) stays so whatever they answer; so the page holds exactly the questions
the one-a-page interview would ask, in the same order, and after it the interview goes on with the
next question as it would have. A follow-up of a run's question comes after the run (an `ask_if`
reads only earlier questions) and is asked or not by the answers given on the page. The runs are
made from the questions asked now with the answers as they are (prefilled ones taken out), so
two yes/no questions with a prefilled one between them are one run. A run holds at most
`GROUP_LIMIT` questions, so that a page stays short enough to read.

**What is left.** The progress line counts the questions still to come, this page's included,
as an upper bound that never grows while the staff goes forward: a question is counted when it
may still be asked, its `ask_if` evaluated with every answer before this page as given, the
records' answers as given, and every other answer from this page on unknown (三値: unknown is
"may be asked"). Answering can only turn unknown into true or false, so the count falls by at
least the questions of each page answered; it rises only when an earlier answer is changed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from procedures.catalog import Catalog, CatalogQuestion
from procedures.deadlines import age_at
from procedures.evaluation import CaseInput
from procedures.rules import AGE, UNKNOWN, QuestionType

GROUP_LIMIT = 8


@dataclass(frozen=True)
class Page:
    """One page of the interview: one question, or a run of yes/no questions asked together."""

    questions: tuple[CatalogQuestion, ...]

    @property
    def key(self) -> str:
        """The page's address: its first question's key."""
        return self.questions[0].key

    @property
    def is_group(self) -> bool:
        return len(self.questions) > 1

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


def interview_pages(catalog: Catalog, *, asked: Collection[str], skipped: Collection[str] = ()) -> list[Page]:
    """The pages of the questions `asked` now, in the catalog's order, without the `skipped` ones
    (prefilled from the records): runs of yes/no questions together (above), the rest alone."""
    pages: list[Page] = []
    run: list[CatalogQuestion] = []

    def close_run() -> None:
        pages.extend(Page(tuple(run[i : i + GROUP_LIMIT])) for i in range(0, len(run), GROUP_LIMIT))
        run.clear()

    for question in catalog.questions:
        follows_run = question.ask_if is not None and any(q.key in question.ask_if.names for q in run)
        if question.key in skipped or (question.key not in asked and not follows_run):
            continue  # answered by the records, or not asked whatever the run answers
        if follows_run or question.key not in asked or question.type != QuestionType.YES_NO:
            close_run()
        if question.key not in asked:
            continue
        if question.type == QuestionType.YES_NO:
            run.append(question)
        else:
            pages.append(Page((question,)))
    close_run()
    return pages


def questions_left(catalog: Catalog, case: CaseInput, *, start: str | None, skipped: Collection[str]) -> int:
    """How many questions may still be asked from the page starting at `start` (None: none
    left) on, this page's included, the prefilled ones (`skipped`, answered) left out."""
    if start is None:
        return 0
    age = age_at(birth_date=case.birth_date, death_date=case.death_date)
    facts: dict[str, Any] = {AGE: UNKNOWN if age is None else age}
    ahead = False
    left = 0
    for question in catalog.questions:
        ahead = ahead or question.key == start
        if question.ask_if is not None and question.ask_if.evaluate(facts) is False:
            continue  # not asked, whatever is still to come
        if question.key in skipped:
            facts[question.key] = case.answers.get(question.key)
            continue
        if ahead:
            left += 1
            facts[question.key] = UNKNOWN
        elif question.key in case.unknown:
            facts[question.key] = UNKNOWN
        elif question.key in case.answers:
            facts[question.key] = case.answers[question.key]
    return left
