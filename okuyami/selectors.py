"""Reads for the counter screens. Every case query is scoped here, to the user's municipality."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.shortcuts import get_object_or_404

from okuyami.guide import AdjustmentAction, ManualChange, build_guide, is_outside
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
    return stored_input(
        catalog,
        answers=case.answers,
        unknown=case.unknown,
        death_date=case.death_date,
        birth_date=case.deceased_birth_date,
    )


def stored_input(
    catalog: Catalog,
    *,
    answers: dict[str, Any],
    unknown: list[str],
    death_date: date,
    birth_date: date | None = None,
    age: int | None = None,
) -> CaseInput:
    """Stored answers (JSON, as a case keeps them) as the evaluator takes them; those that no
    longer fit the catalog are left out. Also the pre-check's answers, kept in a family's browser."""
    normal, unknowns = {}, set()
    for key, value in answers.items():
        question = catalog.question_by_key.get(key)
        if question is not None:
            problem, value = normalise_answer(question, value)
            if problem is None:
                normal[key] = value
    for key in unknown:
        question = catalog.question_by_key.get(key)
        if question is not None and question.allow_unknown and key not in normal:
            unknowns.add(key)
    return CaseInput(death_date, birth_date, normal, frozenset(unknowns), age=age)


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
    return interview_of(catalog, parsed, answered=[*case.answers, *case.unknown], prefilled=case.prefilled)


def interview_of(catalog: Catalog, parsed: CaseInput, *, answered, prefilled=frozenset()) -> Interview:
    """The questionnaire for answers as the evaluator reads them; `answered`: the keys given an
    answer or わからない (the counter's case, or the pre-check's answers at home); `prefilled`: the
    keys the resident records answered (the counter's case only), skipped by the pages."""
    return Interview(
        catalog, asked_questions(catalog, parsed), frozenset(answered), frozenset(prefilled), parsed
    )


def guide_for(case: Case) -> dict[str, Any]:
    """The snapshot when finalised; otherwise the live result with the manual changes."""
    if case.snapshot is not None:
        return case.snapshot
    catalog = catalog_for(municipality=case.municipality)
    parsed = case_input(case, catalog)
    adjustments = tuple(
        ManualChange(a.procedure_key, AdjustmentAction(a.action), a.family_note)
        for a in case.adjustments.all()
    )
    return build_guide(
        catalog, evaluate(catalog, parsed), death_date=case.death_date, adjustments=adjustments, case=parsed
    )


def marks_by_key(case: Case) -> dict[str, Mark]:
    return {mark.procedure_key: mark for mark in case.marks.all()}


def guide_procedure_keys(guide: dict[str, Any] | None) -> list[str]:
    """The keys of the procedures on a guide's route, in walking order."""
    return [p["key"] for stop in (guide or {}).get("stops", []) for p in stop["procedures"]]


def markable_procedure_keys(guide: dict[str, Any] | None) -> list[str]:
    """The procedures the municipality's own counters handle (and mark); those at outside
    offices (年金事務所, 法務局 …) are guidance only."""
    return [
        p["key"]
        for stop in (guide or {}).get("stops", [])
        if not is_outside(stop)
        for p in stop["procedures"]
    ]


def open_procedures(guide: dict[str, Any], marks: dict[str, Any]) -> list[str]:
    """Procedures still to handle at the municipality's counters: not marked, or marked 後日.
    Guidance-only procedures (outside offices) never keep a case open."""
    return [
        key
        for key in markable_procedure_keys(guide)
        if key not in marks or marks[key].status == Mark.Status.LATER
    ]


@dataclass(frozen=True)
class RelayState:
    """Where a finalised case stands: FINALISED while a counter has work, DONE when none has;
    `later_since` when all that is left waits for the family (後日), from the first such mark."""

    status: str
    later_since: datetime | None


def relay_state(guide: dict[str, Any], marks: dict[str, Any]) -> RelayState:
    waiting = open_procedures(guide, marks)
    if not waiting:
        return RelayState(Case.Status.DONE, None)
    later = [marks[key].marked_at for key in waiting if key in marks]
    return RelayState(Case.Status.FINALISED, min(later) if len(later) == len(waiting) else None)


# --- Finding cases: the case list and the relay board --------------------------------------------


class CaseState(StrEnum):
    """Which cases a list shows. CURRENT is today's work: cases received today, being interviewed,
    or finalised with something left for a counter (not only 後日)."""

    CURRENT = "current"
    LATER = "later"
    OPEN = "open"
    DONE = "done"
    ALL = "all"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "current": "本日の受付と処理中",
            "later": "後日を待っている受付",
            "open": "聞き取り中",
            "done": "完了",
            "all": "すべて（取り消しを除く）",
            "cancelled": "取り消した受付",
        }[self.value]


@dataclass(frozen=True)
class CaseSearch:
    """What a clerk looks for: a 受付番号, a name or its kana (`text`), received between two days."""

    state: CaseState = CaseState.CURRENT
    text: str = ""
    since: date | None = None
    until: date | None = None


def find_cases(municipality: Municipality, search: CaseSearch, *, today: date) -> QuerySet[Case]:
    """The municipality's cases matching `search`, newest first. A cancelled case is only found
    when asked for (CANCELLED), or by its number."""
    cases = cases_for(municipality)
    status = Case.Status
    number = _case_number(search.text)
    if number is not None:
        cases = cases.filter(pk=number)
    else:
        cases = cases.exclude(status=status.CANCELLED) if search.state != CaseState.CANCELLED else cases
        cases = _by_state(cases, search.state, today)
        if search.text.strip():
            cases = _by_name(cases, search.text)
    if search.since:
        cases = cases.filter(created_at__date__gte=search.since)
    if search.until:
        cases = cases.filter(created_at__date__lte=search.until)
    return cases.order_by("-created_at", "-id")


def _by_state(cases: QuerySet[Case], state: CaseState, today: date) -> QuerySet[Case]:
    status = Case.Status
    if state == CaseState.CURRENT:
        waiting = Q(status=status.FINALISED, later_since__isnull=True)
        return cases.filter(Q(created_at__date=today) | Q(status=status.OPEN) | waiting)
    if state == CaseState.LATER:
        return cases.filter(status=status.FINALISED, later_since__isnull=False)
    if state == CaseState.OPEN:
        return cases.filter(status=status.OPEN)
    if state == CaseState.DONE:
        return cases.filter(status=status.DONE)
    if state == CaseState.CANCELLED:
        return cases.filter(status=status.CANCELLED)
    return cases


def _case_number(text: str) -> int | None:
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).removeprefix("受付")
    return int(compact) if compact.isdigit() and len(compact) < 10 else None


_KATAKANA = str.maketrans({chr(c): chr(c + 0x60) for c in range(ord("ぁ"), ord("ゖ") + 1)})
_HIRAGANA = str.maketrans({chr(c + 0x60): chr(c) for c in range(ord("ぁ"), ord("ゖ") + 1)})


def _by_name(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Part of a name or kana, the deceased's or the visitor's, spaces ignored, kana in
    either script."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    names = ("deceased_name", "deceased_kana", "visitor_name", "visitor_kana")
    spaceless = {
        f"{name}_spaceless": Replace(Replace(F(name), Value(" "), Value("")), Value("\u3000"), Value(""))
        for name in names
    }
    found = Q()
    for name in names:
        for variant in {compact, compact.translate(_KATAKANA), compact.translate(_HIRAGANA)}:
            found |= Q(**{f"{name}_spaceless__contains": variant})
    return cases.annotate(**spaceless).filter(found)


def later_count(municipality: Municipality) -> int:
    """How many finalised cases wait only for the family (後日)."""
    return cases_for(municipality).filter(status=Case.Status.FINALISED, later_since__isnull=False).count()


RELAY_PAGE_SIZE = 10


def relay_board(
    municipality: Municipality, search: CaseSearch, *, today: date, counter: str = "", page: Any = 1
) -> dict[str, Any]:
    """A page of cases with their procedures and marks; with `counter`, only cases with a procedure
    there (still waiting there, for today's work and 後日), and only that counter's procedures."""
    catalog = catalog_for(municipality=municipality)
    counters = [c for c in catalog.counters if not catalog.place_by_key[c.place].outside]
    cases = find_cases(municipality, search, today=today).prefetch_related(
        Prefetch("marks", queryset=Mark.objects.select_related("marked_by"))
    )
    if counter:
        waiting_only = search.state in (CaseState.CURRENT, CaseState.LATER)
        rows = [row for row in map(lambda c: _relay_row(c, counter), cases) if row["stops"]]
        rows = [row for row in rows if row["waiting"] or not waiting_only]
        paged = Paginator(rows, RELAY_PAGE_SIZE).get_page(page)
    else:
        paged = Paginator(cases, RELAY_PAGE_SIZE).get_page(page)
        paged.object_list = [_relay_row(case, "") for case in paged.object_list]
    return {"page": paged, "counters": counters}


def _relay_row(case: Case, counter: str) -> dict[str, Any]:
    marks = {mark.procedure_key: mark for mark in case.marks.all()}
    stops = [
        {**stop, "outside": is_outside(stop)}
        for stop in (case.snapshot or {}).get("stops", [])
        if not counter or (stop["counter"] == counter and not is_outside(stop))
    ]
    return {
        "case": case,
        "stops": stops,
        "marks": marks,
        "waiting": len(open_procedures({"stops": stops}, marks)),
    }


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
