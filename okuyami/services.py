"""Writes for the counter screens and the case API. Nothing else writes cases.

Every service validates its own input and writes its own audit record (core.audit), so the
screens and the API cannot differ. The records name a case by its number and never carry the
family's personal data; a call from the API is marked （API）.
"""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.audit import audit
from core.models import AuditEvent
from okuyami.guide import AdjustmentAction
from okuyami.models import Adjustment, Case, Mark
from okuyami.selectors import guide_for, guide_procedure_keys, marks_by_key, open_procedures
from procedures.catalog import CatalogQuestion
from procedures.evaluation import read_case
from procedures.models import Municipality
from procedures.rules import QuestionType
from procedures.selectors import catalog_for

Action = AuditEvent.Action
# The fields of the reception form and the case API: declared with the personal data.
CASE_FIELDS = Case.personal_data.entered()


class Channel(StrEnum):
    """Where a request came from, as the audit log tells it."""

    SCREEN = "screen"
    API = "api"


API = Channel.API


class StaleCase(Exception):
    """The case changed since the form was shown (another counter saved first)."""


class CaseClosed(Exception):
    """The case is finalised: its answers and result can no longer change."""


class NotFinalised(Exception):
    """Only a finalised case has procedures for the counters to mark."""


class UnknownProcedure(Exception):
    """The procedure is not in the catalog (adjust) or not on the case's route (mark)."""


def _record(
    *, municipality: Municipality, user, action: str, detail: str, case: Case | None, channel: Channel
) -> None:
    suffix = "（API）" if channel == Channel.API else ""
    audit(
        municipality=municipality,
        user=user,
        action=action,
        case_id=case.pk if case else None,
        detail=f"{detail}{suffix}",
    )


def _changed(case: Case, user, detail: str, channel: Channel) -> None:
    _record(
        municipality=case.municipality,
        user=user,
        action=Action.CHANGE,
        detail=detail,
        case=case,
        channel=channel,
    )


# --- Reads: what a user was shown -------------------------------------------------------------


class Shown(StrEnum):
    """What a page or an endpoint showed of the cases, as the audit log names it."""

    CASE_LIST = "受付一覧"
    CASE = "受付の内容"
    CASE_FORM = "受付内容の変更画面"
    ANSWERS = "回答の確認"
    RESULT = "結果と順路"
    RELAY = "リレー"


def case_shown(
    *, municipality: Municipality, user, shown: Shown, case: Case | None = None, channel=Channel.SCREEN
) -> None:
    """Record that `user` was shown `shown`. The API's case list is an export (many families at once)."""
    action = Action.EXPORT if (channel == Channel.API and shown == Shown.CASE_LIST) else Action.VIEW
    _record(municipality=municipality, user=user, action=action, detail=shown, case=case, channel=channel)


def case_printed(*, case: Case, user, title: str, pdf: bool, channel=Channel.SCREEN) -> None:
    """Record a printed document: a print preview or a PDF (a PDF from the API is an export)."""
    action = Action.EXPORT if channel == Channel.API else Action.PRINT
    detail = f"{title}のPDF" if pdf else f"{title}の印刷プレビュー"
    _record(
        municipality=case.municipality, user=user, action=action, detail=detail, case=case, channel=channel
    )


# --- Writes ---------------------------------------------------------------------------------------


def _validated(case: Case) -> Case:
    """Run the model's validators (the one set of rules for a case's details); ValidationError."""
    case.full_clean(exclude=["municipality", "created_by", "finalised_by"], validate_unique=False)
    return case


def case_create(
    *,
    municipality: Municipality,
    user,
    data: dict[str, Any],
    submission=None,
    channel: Channel = Channel.SCREEN,
    record_answers: dict[str, Any] | None = None,
) -> Case:
    """A new case; the same form submitted twice (same `submission`) gives the first case back.
    `record_answers` (a case started from the municipality's records, okuyami.residents) are the
    answers the records gave: the case starts with them, and the interview does not ask them.

    Raises ValidationError (by field) when the details break the model's rules, and CaseInvalid
    when the records' answers do not fit the catalog.
    """
    if submission is not None:
        existing = Case.objects.filter(municipality=municipality, submission=submission).first()
        if existing is not None:
            return existing
    from_records = record_answers is not None
    record_answers = dict(record_answers or {})
    if record_answers:
        document = {"deceased": {"death_date": data["death_date"].isoformat()}, "answers": record_answers}
        read_case(catalog_for(municipality=municipality), document)
    case = _validated(
        Case(
            municipality=municipality,
            created_by=user,
            submission=submission,
            answers=record_answers,
            record_answers=record_answers,
            **{name: data[name] for name in CASE_FIELDS},
        )
    )
    detail = "受付を作成（住民記録より）" if from_records else "受付を作成"
    try:
        with transaction.atomic():
            case.save()
            _changed(case, user, detail, channel)
    except IntegrityError:
        # Both submissions raced past the lookup: the other one made the case.
        return Case.objects.get(municipality=municipality, submission=submission)
    return case


_REFRESHED = [field.attname for field in Case._meta.concrete_fields if field.name != "municipality"]


def _bump(case: Case, version: int | None, **changes: Any) -> None:
    """Save `changes` only if the case is still at `version`; then refresh it."""
    query = Case.objects.filter(pk=case.pk)
    if version is not None:
        query = query.filter(version=version)
    updated = query.update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    if not updated:
        raise StaleCase
    # A case never moves municipality: keep the one already loaded (selectors.case_for sets it).
    case.refresh_from_db(fields=_REFRESHED)


@transaction.atomic
def case_update(
    *, case: Case, user, data: dict[str, Any], version: int, channel: Channel = Channel.SCREEN
) -> None:
    """Change the family's details; ValidationError when they break the rules, StaleCase when
    another counter saved first."""
    changes = {name: data[name] for name in CASE_FIELDS}
    current = {field.attname: getattr(case, field.attname) for field in Case._meta.concrete_fields}
    _validated(Case(**{**current, **changes}))
    _bump(case, version, **changes)
    _changed(case, user, "受付の内容を変更", channel)


@transaction.atomic
def case_answer(
    *, case: Case, user, question: CatalogQuestion, value: Any = None, unknown: bool = False
) -> None:
    """Store one answer (or わからない) as soon as it is given (the interview, one question a page)."""
    stored = Case.objects.select_for_update().get(pk=case.pk)
    if not stored.is_open:
        raise CaseClosed
    answers = dict(stored.answers)
    unknowns = [key for key in stored.unknown if key != question.key]
    if unknown:
        answers.pop(question.key, None)
        unknowns.append(question.key)
    else:
        answers[question.key] = value
    _bump(case, None, answers=answers, unknown=unknowns)
    _changed(case, user, f"回答を保存（{question.key}）", Channel.SCREEN)


@transaction.atomic
def case_answer_page(
    *, case: Case, user, questions: Sequence[CatalogQuestion], answers: Mapping[str, Any]
) -> None:
    """Store the answers of one page of questions together (okuyami.interview: a run of yes/no
    questions); an answer None is わからない, for a question that allows it."""
    stored = Case.objects.select_for_update().get(pk=case.pk)
    if not stored.is_open:
        raise CaseClosed
    keys = [q.key for q in questions]
    given = dict(stored.answers)
    unknowns = [key for key in stored.unknown if key not in keys]
    for q in questions:
        value = answers[q.key]
        if value is None and q.allow_unknown:
            given.pop(q.key, None)
            unknowns.append(q.key)
        elif isinstance(value, bool) or q.type != QuestionType.YES_NO:
            given[q.key] = value
        else:
            raise ValueError(f"{q.key}: not an answer to a yes/no question")
    _bump(case, None, answers=given, unknown=unknowns)
    _changed(case, user, f"回答を保存（{'・'.join(keys)}）", Channel.SCREEN)


@transaction.atomic
def case_set_answers(
    *,
    case: Case,
    user,
    answers: dict[str, Any],
    unknown: list[str],
    version: int,
    channel: Channel = Channel.API,
) -> None:
    """Replace every answer at once. Raises CaseInvalid (every offending key named) when the
    answers do not fit the catalog, CaseClosed and StaleCase."""
    deceased = {"death_date": case.death_date.isoformat()}
    document = {"deceased": deceased, "answers": answers, "unknown": unknown}
    read_case(catalog_for(municipality=case.municipality), document)
    if not case.is_open:
        raise CaseClosed
    answers = {key: value for key, value in answers.items() if value is not None}  # null: no answer
    _bump(case, version, answers=answers, unknown=unknown)
    _changed(case, user, "回答を保存", channel)


@transaction.atomic
def case_adjust(
    *, case: Case, user, procedure_key: str, action: str, note: str, channel: Channel = Channel.SCREEN
) -> None:
    """Add a procedure the rules missed, drop one, or (action "") undo either."""
    if not case.is_open:
        raise CaseClosed
    if procedure_key not in {p.key for p in catalog_for(municipality=case.municipality).procedures}:
        raise UnknownProcedure(procedure_key)
    Adjustment.objects.filter(case=case, procedure_key=procedure_key).delete()
    if action:
        Adjustment.objects.create(
            case=case, procedure_key=procedure_key, action=action, note=note, created_by=user
        )
    _bump(case, None)
    verb = AdjustmentAction(action).label if action else "追加・除外の取り消し"
    _changed(case, user, f"手続きの{verb}（{procedure_key}）", channel)


@transaction.atomic
def case_finalise(*, case: Case, user, version: int, channel: Channel = Channel.SCREEN) -> None:
    """Freeze the result: later catalog edits never change what the family was told."""
    if not case.is_open:
        raise CaseClosed
    snapshot = guide_for(case)
    _bump(
        case,
        version,
        snapshot=snapshot,
        status=Case.Status.FINALISED,
        finalised_at=timezone.now(),
        finalised_by=user,
    )
    _changed(case, user, "結果を確定", channel)


@transaction.atomic
def case_mark(
    *, case: Case, user, procedure_key: str, status: str, channel: Channel = Channel.SCREEN
) -> None:
    """A counter marks a procedure 完了 / 不要 / 後日 (or "" to clear); the case closes when none is open."""
    stored = Case.objects.select_for_update().get(pk=case.pk)
    if stored.snapshot is None:
        raise NotFinalised
    if procedure_key not in guide_procedure_keys(stored.snapshot):
        raise UnknownProcedure(procedure_key)
    marks = Mark.objects.filter(case=stored, procedure_key=procedure_key)
    if status:
        # The case row is locked: no one else can add this mark meanwhile (no savepoint needed).
        if not marks.update(status=status, marked_by=user, marked_at=timezone.now()):
            Mark.objects.create(case=stored, procedure_key=procedure_key, status=status, marked_by=user)
    else:
        marks.delete()
    still_open = open_procedures(stored.snapshot, marks_by_key(stored))
    _bump(case, None, status=Case.Status.FINALISED if still_open else Case.Status.DONE)
    label = Mark.Status(status).label if status else "取り消し"
    _changed(case, user, f"窓口の処理（{procedure_key}：{label}）", channel)
