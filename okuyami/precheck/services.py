"""Writes of the pre-check: issuing a 受付コード, loading one into a new case at the counter,
deleting expired ones, and a municipality's public page settings.

A code is issued to an anonymous family: nothing is audited then (there is no one to name, and the
code holds nothing about anyone). Loading one is a counter user's act on a case: audited.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit
from core.models import AuditEvent
from okuyami import services as case_services
from okuyami.models import Case
from okuyami.precheck import limits
from okuyami.precheck.codes import new_code
from okuyami.precheck.flow import Flow
from okuyami.precheck.models import PrecheckCode
from okuyami.precheck.selectors import CodeUsed, code_for_counter, fitting_answers
from procedures.deadlines import age_at
from procedures.models import PRECHECK_FIELDS, Municipality
from procedures.selectors import catalog_for

PUBLIC_PAGE_FIELDS = PRECHECK_FIELDS


def code_days() -> int:
    return settings.OKUYAMI_PRECHECK_DAYS


def code_issue(*, municipality: Municipality, flow: Flow, replacing: str = "", now: datetime | None = None):
    """A new 受付コード holding the family's answers (those of the questions asked), the date of
    death and the age. The code it replaces (the same browser's earlier one), if still unused, is
    deleted: one family, one live code."""
    now = now or timezone.now()
    answers, unknown = flow.given()
    facts = {
        "municipality": municipality,
        "death_date": flow.home.death_date,
        "age": flow.home.age if flow.asks_age else None,
        "answers": answers,
        "unknown": unknown,
        "created_at": now,
        "expires_at": now + timedelta(days=code_days()),
    }
    with transaction.atomic():
        if replacing:
            code_withdraw(municipality=municipality, code=replacing)
        for _ in range(5):  # a collision among 24**9 codes is rare; never loop for ever
            try:
                with transaction.atomic():
                    return PrecheckCode.objects.create(code=new_code(), **facts)
            except IntegrityError:
                continue
    raise RuntimeError("five code collisions in a row: the code space is exhausted")


def code_withdraw(*, municipality: Municipality, code: str) -> None:
    """Delete the family's code when their answers change after it was issued (unless used)."""
    PrecheckCode.objects.filter(municipality=municipality, code=code, used_at__isnull=True).delete()


@dataclass(frozen=True)
class Loaded:
    """A case made from a code: how many answers came with it, and the family's age when the
    birth date entered at the counter gives another (for staff to ask about)."""

    case: Case
    answers: int
    age_differs: tuple[int, int] | None = None  # (given at home, from the birth date)


@transaction.atomic
def case_create_from_code(
    *, municipality: Municipality, user, code: str, data: dict[str, Any], submission=None
) -> Loaded:
    """A new case with the family's details (`data`, as for services.case_create) and the answers
    the code holds; the code is used up. Raises selectors.CodeNotFound / CodeExpired / CodeUsed
    (a double submit of the same form gives its case back), ValidationError from the details."""
    try:
        row = code_for_counter(municipality=municipality, text=code, lock=True)
    except CodeUsed as used:
        made = Case.objects.filter(municipality=municipality, submission=submission).first()
        if submission is not None and made is not None and used.row.case_id == made.pk:
            return Loaded(made, len(used.row.answers) + len(used.row.unknown))
        raise
    case = case_services.case_create(municipality=municipality, user=user, data=data, submission=submission)
    answers, unknown = fitting_answers(catalog_for(municipality=municipality), row)
    case_services.case_set_answers(
        case=case,
        user=user,
        answers=answers,
        unknown=unknown,
        version=case.version,
        channel=case_services.Channel.SCREEN,
    )
    PrecheckCode.objects.filter(pk=row.pk).update(used_at=timezone.now(), case=case)
    audit(
        municipality=municipality,
        user=user,
        action=AuditEvent.Action.CHANGE,
        case_id=case.pk,
        detail=f"事前確認の受付コードから回答を読み込み（{len(answers) + len(unknown)}問）",
    )
    return Loaded(case, len(answers) + len(unknown), _age_differs(row.age, case))


def _age_differs(age: int | None, case: Case) -> tuple[int, int] | None:
    counted = age_at(birth_date=case.deceased_birth_date, death_date=case.death_date)
    if age is None or counted is None or counted == age:
        return None
    return age, counted


def codes_purge(*, now: datetime | None = None) -> int:
    """Delete every code past its expiry, used or not, and the rate-limit windows that ended; the
    number of codes deleted (purge_cases runs this)."""
    now = now or timezone.now()
    deleted, _ = PrecheckCode.objects.filter(expires_at__lte=now).delete()
    limits.windows_purge(now=now.timestamp())
    return deleted


def public_page_set(*, municipality: Municipality, user, changed: list[str]) -> None:
    """Save the public page settings already set on `municipality` (checked by the model's own
    rules: ValidationError) and record who changed what."""
    others = [f.name for f in Municipality._meta.fields if f.name not in PUBLIC_PAGE_FIELDS]
    municipality.full_clean(exclude=others, validate_unique=False)
    municipality.save(update_fields=[*PUBLIC_PAGE_FIELDS, "updated_at"])
    if changed:
        state = "公開" if municipality.precheck_enabled else "非公開"
        names = "・".join(str(Municipality._meta.get_field(name).verbose_name) for name in changed)
        audit(
            municipality=municipality,
            user=user,
            action=AuditEvent.Action.CHANGE,
            detail=f"ご家族向けの事前確認ページの設定を変更（{state}）：{names}",
        )
