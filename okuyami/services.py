"""Writes for the counter screens and the case API. Nothing else writes cases.

Every service validates its own input and writes its own audit record (core.audit), so the
screens and the API cannot differ. The records name a case by its number and never carry the
family's personal data; a call from the API is marked （API）.
"""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.audit import audit
from core.models import AuditEvent
from okuyami.guide import AdjustmentAction, finalised_guide, procedure_count
from okuyami.models import Adjustment, Case, Finalisation, Mark
from okuyami.selectors import (
    guide_for,
    guide_procedure_keys,
    markable_procedure_keys,
    marks_by_key,
    relay_state,
)
from procedures.catalog import CatalogProcedure, CatalogQuestion
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


class GuidanceOnly(Exception):
    """The procedure is at an office that is not the municipality's: the counters only tell the
    family about it, so there is nothing to mark."""


class CaseCancelled(Exception):
    """The case was cancelled (取り消し): it is kept for the record and changes no more."""


class AnswerChanged(Exception):
    """The answer changed since the page was shown (another tab or counter saved one)."""

    def __init__(self, current: dict[str, Any]):
        super().__init__("the answer changed since it was shown")
        self.current = current


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
    HISTORY = "確定の履歴"
    COPY_FORM = "この受付をもとにした新しい受付の画面"
    REOPEN_FORM = "確定の取り消し画面"
    CANCEL_FORM = "受付の取り消し画面"


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
    copied_from: Case | None = None,
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
            copied_from=copied_from,
            **{name: data[name] for name in CASE_FIELDS},
        )
    )
    if copied_from is not None:
        detail = f"受付を作成（受付 {copied_from.pk} をもとに）"
    else:
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


def _open_for_changes(case: Case) -> None:
    """Answers and manual changes only while interviewing."""
    if case.is_cancelled:
        raise CaseCancelled
    if not case.is_open:
        raise CaseClosed


def _reason(reason: str, field: str = "reason") -> str:
    """A reason staff must give (cancelling, taking back a 確定): one line, at most 200 characters."""
    text = " ".join((reason or "").split())
    if not text:
        raise ValidationError({field: ValidationError("give a reason", code="required")})
    if len(text) > 200:
        raise ValidationError({field: ValidationError("at most 200 characters", code="max_length")})
    return text


@transaction.atomic
def case_update(
    *, case: Case, user, data: dict[str, Any], version: int, channel: Channel = Channel.SCREEN
) -> None:
    """Change the family's details; ValidationError when they break the rules, StaleCase when
    another counter saved first, CaseCancelled for a cancelled case."""
    if case.is_cancelled:
        raise CaseCancelled
    changes = {name: data[name] for name in CASE_FIELDS}
    current = {field.attname: getattr(case, field.attname) for field in Case._meta.concrete_fields}
    _validated(Case(**{**current, **changes}))
    _bump(case, version, **changes)
    _changed(case, user, "受付の内容を変更", channel)


def stored_answer(case: Case, key: str) -> dict[str, Any]:
    """What the case holds for question `key`, as a page carries what it showed:
    {"answer": value}, {"unknown": True}, or {} (not answered)."""
    if key in case.unknown:
        return {"unknown": True}
    if key in case.answers:
        return {"answer": case.answers[key]}
    return {}


@transaction.atomic
def case_answer(
    *,
    case: Case,
    user,
    question: CatalogQuestion,
    value: Any = None,
    unknown: bool = False,
    seen: dict[str, Any] | None = None,
) -> None:
    """Store one answer (or わからない) as soon as it is given (the interview, one question a page).

    `seen` is what the page showed for the question (stored_answer); when the answer has changed
    since (another tab saved one) and differs from this one, AnswerChanged carries the current
    answer instead of overwriting it. Without `seen` the answer is stored as given."""
    stored = _locked_open(case)
    key = question.key
    given = {key: {"unknown": True} if unknown else {"answer": value}}
    if seen is not None and (changed := _changed_since(stored, given, {key: seen})):
        raise AnswerChanged(changed[key])
    _store_answers(case, stored, given)
    _changed(case, user, f"回答を保存（{question.text}）", Channel.SCREEN)


@transaction.atomic
def case_answer_page(
    *,
    case: Case,
    user,
    questions: Sequence[CatalogQuestion],
    answers: Mapping[str, Any],
    seen: Mapping[str, dict[str, Any]] | None = None,
) -> None:
    """Store the answers of one page of questions together (okuyami.interview: a run of yes/no
    questions); an answer None is わからない, for a question that allows it.

    `seen` is what the page showed of each answer (stored_answer by key): when any answer has
    changed since (another tab saved one) and differs from this page's, nothing is stored and
    AnswerChanged carries the current answers of those questions (stored_answer by key). Without
    `seen` the answers are stored as given."""
    stored = _locked_open(case)
    given = {
        q.key: {"unknown": True} if answers[q.key] is None and q.allow_unknown else {"answer": answers[q.key]}
        for q in questions
    }
    if seen is not None and (changed := _changed_since(stored, given, seen)):
        raise AnswerChanged(changed)
    for q in questions:
        value = given[q.key].get("answer")
        if "answer" in given[q.key] and not isinstance(value, bool) and q.type == QuestionType.YES_NO:
            raise ValueError(f"{q.key}: not an answer to a yes/no question")
    _store_answers(case, stored, given)
    _changed(case, user, f"回答を保存（{'・'.join(given)}）", Channel.SCREEN)


def _locked_open(case: Case) -> Case:
    """The case as stored, locked until the transaction ends; refused unless it is interviewing."""
    stored = Case.objects.select_for_update().get(pk=case.pk)
    _open_for_changes(stored)
    return stored


def _changed_since(
    stored: Case, given: dict[str, dict[str, Any]], seen: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The answers (by key, as stored_answer gives them) saved since the page showed `seen`,
    in another tab, that differ from the ones `given` now: those are shown, not overwritten."""
    changed = {}
    for key, answer in given.items():
        current = stored_answer(stored, key)
        if current != seen.get(key, {}) and current != answer:
            changed[key] = current
    return changed


def _store_answers(case: Case, stored: Case, given: dict[str, dict[str, Any]]) -> None:
    """Store each answer `given` ({"answer": value} or {"unknown": True}, by question key) in
    place of the one `stored` holds for that question."""
    answers = dict(stored.answers)
    unknowns = [key for key in stored.unknown if key not in given]
    for key, answer in given.items():
        if answer.get("unknown"):
            answers.pop(key, None)
            unknowns.append(key)
        else:
            answers[key] = answer["answer"]
    _bump(case, None, answers=answers, unknown=unknowns)


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
    answers do not fit the catalog, CaseClosed, CaseCancelled and StaleCase."""
    deceased = {"death_date": case.death_date.isoformat()}
    document = {"deceased": deceased, "answers": answers, "unknown": unknown}
    read_case(catalog_for(municipality=case.municipality), document)
    _open_for_changes(case)
    answers = {key: value for key, value in answers.items() if value is not None}  # null: no answer
    _bump(case, version, answers=answers, unknown=unknown)
    _changed(case, user, "回答を保存", channel)


@transaction.atomic
def case_adjust(
    *,
    case: Case,
    user,
    procedure_key: str,
    action: str,
    family_note: str = "",
    staff_note: str = "",
    channel: Channel = Channel.SCREEN,
) -> CatalogProcedure:
    """Add a procedure the rules missed, drop one, or (action "") undo either. `family_note` is
    printed for the family, `staff_note` never is. Returns the procedure (its name for messages)."""
    _open_for_changes(case)
    catalog = catalog_for(municipality=case.municipality)
    procedure = next((p for p in catalog.procedures if p.key == procedure_key), None)
    if procedure is None:
        raise UnknownProcedure(procedure_key)
    Adjustment.objects.filter(case=case, procedure_key=procedure_key).delete()
    if action:
        Adjustment.objects.create(
            case=case,
            procedure_key=procedure_key,
            action=action,
            family_note=" ".join(family_note.split()),
            staff_note=" ".join(staff_note.split()),
            created_by=user,
        )
    _bump(case, None)
    verb = AdjustmentAction(action).label if action else "追加・除外の取り消し"
    _changed(case, user, f"手続きの{verb}（{procedure.name}）", channel)
    return procedure


def _relay_changes(snapshot: dict[str, Any], marks: dict[str, Mark]) -> dict[str, Any]:
    state = relay_state(snapshot, marks)
    return {"status": state.status, "later_since": state.later_since}


@transaction.atomic
def case_finalise(*, case: Case, user, version: int, channel: Channel = Channel.SCREEN) -> Finalisation:
    """Freeze the result: later catalog edits never change what the family was told. Each 確定 is
    kept (Finalisation); one after a correction is the next edition, a 訂正版. A case with nothing
    for the municipality's counters to do (only guidance) is done at once."""
    _open_for_changes(case)
    now = timezone.now()
    edition = Finalisation.objects.filter(case=case).count() + 1
    snapshot = finalised_guide(guide_for(case), edition=edition, on=timezone.localdate(now))
    _bump(
        case,
        version,
        snapshot=snapshot,
        finalised_at=now,
        finalised_by=user,
        **_relay_changes(snapshot, marks_by_key(case)),
    )
    finalisation = Finalisation.objects.create(
        case=case, edition=edition, guide=snapshot, finalised_at=now, finalised_by=user
    )
    what = "結果を確定" if edition == 1 else f"内容を修正して再確定（第{edition}版・訂正版）"
    _changed(case, user, f"{what}（手続き{procedure_count(snapshot)}件）", channel)
    return finalisation


@transaction.atomic
def case_reopen(*, case: Case, user, reason: str, version: int, channel: Channel = Channel.SCREEN) -> None:
    """確定の取り消し: the case is interviewed again to correct it. What the family was told stays
    in the history (its Finalisation, with when, by whom and why it was taken back); the relay's
    marks stay for the next 確定. Raises NotFinalised, CaseCancelled, StaleCase, ValidationError
    (no reason)."""
    if case.is_cancelled:
        raise CaseCancelled
    if not case.is_finalised:
        raise NotFinalised
    reason = _reason(reason)
    now = timezone.now()
    _bump(
        case,
        version,
        status=Case.Status.OPEN,
        snapshot=None,
        finalised_at=None,
        finalised_by=None,
        later_since=None,
    )
    latest = Finalisation.objects.filter(case=case).order_by("-edition").first()
    edition = ""
    if latest is not None:
        latest.reopened_at, latest.reopened_by, latest.reopen_reason = now, user, reason
        latest.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        edition = f"（第{latest.edition}版）"
    _changed(case, user, f"確定を取り消し{edition}", channel)


@transaction.atomic
def case_cancel(*, case: Case, user, reason: str, version: int, channel: Channel = Channel.SCREEN) -> None:
    """取り消し of a case made by mistake or twice: gone from the lists, kept (with who, when and
    why) for the audit log and the statistics. Raises CaseCancelled, StaleCase, ValidationError."""
    if case.is_cancelled:
        raise CaseCancelled
    reason = _reason(reason)
    _bump(
        case,
        version,
        status=Case.Status.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_by=user,
        cancel_reason=reason,
        later_since=None,
    )
    _changed(case, user, "受付を取り消し", channel)


def case_copy(
    *, source: Case, user, data: dict[str, Any], submission=None, channel: Channel = Channel.SCREEN
) -> Case:
    """「この受付をもとに新しい受付」: a new case with `data` (the details, as on the reception form)
    and the source's answers (with which of them the records gave) and manual changes; not its
    result, 確定 or relay marks."""
    with transaction.atomic():
        case = case_create(
            municipality=source.municipality,
            user=user,
            data=data,
            submission=submission,
            channel=channel,
            copied_from=source,
        )
        if case.answers or case.adjustments.exists():  # a double submit: the copy exists already
            return case
        Adjustment.objects.bulk_create(
            Adjustment(
                case=case,
                procedure_key=a.procedure_key,
                action=a.action,
                family_note=a.family_note,
                staff_note=a.staff_note,
                created_by=user,
            )
            for a in source.adjustments.all()
        )
        _bump(
            case,
            None,
            answers=dict(source.answers),
            unknown=list(source.unknown),
            record_answers=dict(source.record_answers),
        )
    return case


@transaction.atomic
def case_mark(
    *, case: Case, user, procedure_key: str, status: str, channel: Channel = Channel.SCREEN
) -> None:
    """A counter marks a procedure 完了 / 不要 / 後日 (or "" to clear); the case is done when no
    procedure is left for the municipality's counters. Raises NotFinalised, CaseCancelled,
    UnknownProcedure, GuidanceOnly (a procedure at an outside office)."""
    stored = Case.objects.select_for_update().get(pk=case.pk)
    if stored.is_cancelled:
        raise CaseCancelled
    if stored.snapshot is None:
        raise NotFinalised
    if procedure_key not in guide_procedure_keys(stored.snapshot):
        raise UnknownProcedure(procedure_key)
    if procedure_key not in markable_procedure_keys(stored.snapshot):
        raise GuidanceOnly(procedure_key)
    marks = Mark.objects.filter(case=stored, procedure_key=procedure_key)
    if status:
        # The case row is locked: no one else can add this mark meanwhile (no savepoint needed).
        if not marks.update(status=status, marked_by=user, marked_at=timezone.now()):
            Mark.objects.create(case=stored, procedure_key=procedure_key, status=status, marked_by=user)
    else:
        marks.delete()
    _bump(case, None, **_relay_changes(stored.snapshot, marks_by_key(stored)))
    label = Mark.Status(status).label if status else "取り消し"
    name = next(
        p["name"]
        for stop in stored.snapshot["stops"]
        for p in stop["procedures"]
        if p["key"] == procedure_key
    )
    _changed(case, user, f"窓口の処理（{name}：{label}）", channel)
