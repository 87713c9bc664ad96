"""Writes for the counter screens. Views call these; nothing else writes cases."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from okuyami.models import Adjustment, Case, Mark
from okuyami.selectors import guide_for, guide_procedure_keys, marks_by_key, open_procedures
from procedures.catalog import CatalogQuestion
from procedures.models import Municipality
from procedures.selectors import catalog_for


class StaleCase(Exception):
    """The case changed since the form was shown (another counter saved first)."""


class CaseClosed(Exception):
    """The case is finalised: its answers and result can no longer change."""


class NotFinalised(Exception):
    """Only a finalised case has procedures for the counters to mark."""


class UnknownProcedure(Exception):
    """The procedure is not in the catalog (adjust) or not on the case's route (mark)."""


CASE_FIELDS = (
    "deceased_name",
    "deceased_kana",
    "deceased_birth_date",
    "death_date",
    "deceased_address",
    "visitor_name",
    "visitor_kana",
    "visitor_relation",
    "visitor_phone",
    "visitor_address",
    "appointment_at",
)


def case_create(*, municipality: Municipality, user, data: dict[str, Any], submission=None) -> Case:
    """A new case; the same form submitted twice (same `submission`) gives the first case back."""
    if submission is not None:
        existing = Case.objects.filter(municipality=municipality, submission=submission).first()
        if existing is not None:
            return existing
    fields = {name: data[name] for name in CASE_FIELDS}
    try:
        with transaction.atomic():
            return Case.objects.create(
                municipality=municipality, created_by=user, submission=submission, **fields
            )
    except IntegrityError:
        # Both submissions raced past the lookup: the other one made the case.
        return Case.objects.get(municipality=municipality, submission=submission)


def _bump(case: Case, version: int | None, **changes: Any) -> None:
    """Save `changes` only if the case is still at `version`; then refresh it."""
    query = Case.objects.filter(pk=case.pk)
    if version is not None:
        query = query.filter(version=version)
    updated = query.update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    if not updated:
        raise StaleCase
    case.refresh_from_db()


def case_update(*, case: Case, data: dict[str, Any], version: int) -> None:
    _bump(case, version, **{name: data[name] for name in CASE_FIELDS})


@transaction.atomic
def case_answer(*, case: Case, question: CatalogQuestion, value: Any = None, unknown: bool = False) -> None:
    """Store one answer (or わからない) as soon as it is given."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise CaseClosed
    answers = dict(case.answers)
    unknowns = [key for key in case.unknown if key != question.key]
    if unknown:
        answers.pop(question.key, None)
        unknowns.append(question.key)
    else:
        answers[question.key] = value
    _bump(case, None, answers=answers, unknown=unknowns)


def case_adjust(*, case: Case, user, procedure_key: str, action: str, note: str) -> None:
    """Add a procedure the rules missed, drop one, or (action "") undo either."""
    if not case.is_open:
        raise CaseClosed
    if procedure_key not in {p.key for p in catalog_for(municipality=case.municipality).procedures}:
        raise UnknownProcedure(procedure_key)
    with transaction.atomic():
        Adjustment.objects.filter(case=case, procedure_key=procedure_key).delete()
        if action:
            Adjustment.objects.create(
                case=case, procedure_key=procedure_key, action=action, note=note, created_by=user
            )
        _bump(case, None)


def case_finalise(*, case: Case, user, version: int) -> None:
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


@transaction.atomic
def case_mark(*, case: Case, user, procedure_key: str, status: str) -> None:
    """A counter marks a procedure 完了 / 不要 / 後日 (or "" to clear); the case closes when none is open."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.snapshot is None:
        raise NotFinalised
    if procedure_key not in guide_procedure_keys(case.snapshot):
        raise UnknownProcedure(procedure_key)
    if status:
        Mark.objects.update_or_create(
            case=case, procedure_key=procedure_key, defaults={"status": status, "marked_by": user}
        )
    else:
        Mark.objects.filter(case=case, procedure_key=procedure_key).delete()
    still_open = open_procedures(case.snapshot, marks_by_key(case))
    _bump(case, None, status=Case.Status.FINALISED if still_open else Case.Status.DONE)


def case_set_answers(*, case: Case, answers: dict[str, Any], unknown: list[str], version: int) -> None:
    """Replace every answer at once (the API); the caller has validated them against the catalog."""
    if not case.is_open:
        raise CaseClosed
    _bump(case, version, answers=answers, unknown=unknown)
