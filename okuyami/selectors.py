"""Reads for the counter screens. Every case query is scoped here, to the user's municipality."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from okuyami.guide import AdjustmentAction, ManualChange, build_guide
from okuyami.interview import Page, interview_pages, questions_left
from okuyami.models import Case, Mark
from procedures.catalog import Catalog, CatalogQuestion
from procedures.evaluation import CaseInput, asked_questions, evaluate, normalise_answer
from procedures.models import Municipality
from procedures.selectors import catalog_for


def cases_for(municipality: Municipality) -> QuerySet[Case]:
    """The municipality's cases; an erased one (okuyami.retention) is gone for the screens and the API."""
    return Case.objects.filter(municipality=municipality, erased_at__isnull=True)


def case_for(municipality: Municipality, pk: int) -> Case:
    """The case, or 404 when it belongs to another municipality or does not exist."""
    case = get_object_or_404(cases_for(municipality), pk=pk)
    case.municipality = municipality  # the same row: spare the query
    return case


def case_input(case: Case, catalog: Catalog) -> CaseInput:
    """The case as the evaluator takes it; stored answers that no longer fit the catalog are left out."""
    answers, unknown = {}, set()
    for key, value in case.answers.items():
        question = catalog.question_by_key.get(key)
        if question is not None:
            problem, normal = normalise_answer(question, value)
            if problem is None:
                answers[key] = normal
    for key in case.unknown:
        question = catalog.question_by_key.get(key)
        if question is not None and question.allow_unknown and key not in answers:
            unknown.add(key)
    return CaseInput(case.death_date, case.deceased_birth_date, answers, frozenset(unknown))


@dataclass(frozen=True)
class Interview:
    """A case's questionnaire against the current catalog: the questions asked now, in order,
    which of them are answered (わからない counts as an answer), which the records answered
    (`prefilled`, skipped), and the pages they are asked on (okuyami.interview). The way
    through it is here, so that every screen walks it the same way."""

    catalog: Catalog
    questions: list[CatalogQuestion]
    answered: frozenset[str]
    prefilled: frozenset[str] = frozenset()
    case: CaseInput | None = None

    def index_of(self, key: str) -> int | None:
        return next((i for i, q in enumerate(self.questions) if q.key == key), None)

    def is_answered(self, question: CatalogQuestion) -> bool:
        return question.key in self.answered

    @property
    def answered_count(self) -> int:
        return sum(1 for q in self.questions if self.is_answered(q))

    @cached_property
    def pages(self) -> list[Page]:
        asked = {q.key for q in self.questions}
        return interview_pages(self.catalog, asked=asked, skipped=self.prefilled)

    def page_for(self, key: str) -> Page | None:
        """The page a question is asked on; a prefilled question (opened from the check page) alone."""
        page = next((p for p in self.pages if key in p.keys), None)
        if page is None and (index := self.index_of(key)) is not None:
            page = Page((self.questions[index],))
        return page

    def first_unanswered(self) -> CatalogQuestion | None:
        return next((q for q in self.questions if not self.is_answered(q)), None)

    def first_unanswered_page(self) -> Page | None:
        """The first page with a question still unanswered (prefilled ones are answered)."""
        return next((p for p in self.pages if not self._done(p)), None)

    def _done(self, page: Page) -> bool:
        return all(key in self.answered for key in page.keys)

    def _position(self, key: str) -> int:
        return next(i for i, q in enumerate(self.catalog.questions) if q.key == key)

    def previous(self, key: str) -> Page | None:
        """The page before the one of `key`, where its back link leads; None for the first."""
        here = self._position(key)
        earlier = [p for p in self.pages if self._position(p.keys[-1]) < here]
        return earlier[-1] if earlier else None

    def following(self, key: str, *, unanswered_only: bool = False) -> Page | None:
        """The next page after the question `key` (a question no longer asked counts as before
        every other); with `unanswered_only`, the next one with a question still unanswered."""
        here = self._position(key) if self.index_of(key) is not None else -1
        later = (p for p in self.pages if self._position(p.key) > here)
        return next((p for p in later if not (unanswered_only and self._done(p))), None)

    def left(self, page: Page | None) -> int:
        """The questions that may still be asked from `page` on, its own included (an upper bound)."""
        if page is None or self.case is None:
            return 0
        return questions_left(self.catalog, self.case, start=page.key, skipped=self.prefilled)


def interview_for(case: Case) -> Interview:
    catalog = catalog_for(municipality=case.municipality)
    parsed = case_input(case, catalog)
    answered = frozenset(case.answers) | frozenset(case.unknown)
    return Interview(catalog, asked_questions(catalog, parsed), answered, case.prefilled, parsed)


def guide_for(case: Case) -> dict[str, Any]:
    """The snapshot when finalised; otherwise the live result with the manual changes."""
    if case.snapshot is not None:
        return case.snapshot
    catalog = catalog_for(municipality=case.municipality)
    parsed = case_input(case, catalog)
    adjustments = tuple(
        ManualChange(a.procedure_key, AdjustmentAction(a.action), a.note) for a in case.adjustments.all()
    )
    return build_guide(
        catalog, evaluate(catalog, parsed), death_date=case.death_date, adjustments=adjustments, case=parsed
    )


def marks_by_key(case: Case) -> dict[str, Mark]:
    return {mark.procedure_key: mark for mark in case.marks.all()}


def guide_procedure_keys(guide: dict[str, Any] | None) -> list[str]:
    """The keys of the procedures on a guide's route, in walking order."""
    return [p["key"] for stop in (guide or {}).get("stops", []) for p in stop["procedures"]]


def open_procedures(guide: dict[str, Any], marks: dict[str, Any]) -> list[str]:
    """Procedures still to handle: not marked, or marked 後日."""
    return [
        key
        for key in guide_procedure_keys(guide)
        if key not in marks or marks[key].status == Mark.Status.LATER
    ]


def relay_cases(municipality: Municipality, *, today: date) -> QuerySet[Case]:
    """Today's cases and every case still open, newest first, with their marks."""
    from django.db.models import Q

    return (
        cases_for(municipality)
        .filter(Q(created_at__date=today) | ~Q(status=Case.Status.DONE))
        .prefetch_related("marks")
        .order_by("-created_at")
    )


def relay_board(municipality: Municipality, *, today: date, counter: str = "") -> dict[str, Any]:
    """Cases with their procedures and marks, optionally only what waits at one counter."""
    counters = catalog_for(municipality=municipality).counters
    rows = []
    for case in relay_cases(municipality, today=today):
        marks = {mark.procedure_key: mark for mark in case.marks.all()}
        stops = [
            stop
            for stop in (case.snapshot or {}).get("stops", [])
            if not counter or stop["counter"] == counter
        ]
        waiting = open_procedures({"stops": stops}, marks)
        if counter and not waiting:
            continue
        rows.append({"case": case, "stops": stops, "marks": marks, "waiting": len(waiting)})
    return {"rows": rows, "counters": counters}


def people_for(case: Case) -> dict[str, dict[str, str]]:
    """The family's details as the printed documents take them (declared on the model)."""
    people = {
        person: {printed: _as_text(getattr(case, name)) for printed, name in fields}
        for person, fields in Case.personal_data.printed().items()
    }
    # A visitor who lives with the deceased leaves their own address blank.
    people["visitor"]["address"] = people["visitor"]["address"] or people["deceased"]["address"]
    return people


def _as_text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)
