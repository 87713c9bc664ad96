"""The trial (お試し) sandbox: trial municipalities handed out with one command, expired and wiped.

Everything here refuses to run unless OKUYAMI_SANDBOX=1 (`SandboxOff`), so a production
database can never be wiped by a stray cron line. Every function is safe to repeat.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.staff import Role, staff_membership_set, staff_password_set
from okuyami.models import Case
from okuyami.residents.sample import SAMPLE_EXTRACT
from okuyami.residents.services import extract_erase, extract_import
from procedures.catalog import municipality_code_error, prefecture_of
from procedures.models import Municipality
from procedures.services import municipality_create, municipality_delete

TRIAL_ROLES = (("editor", Role.EDITOR), ("counter", Role.COUNTER))
# No 0/O, 1/l/I: the password is read off a printout and typed at a counter.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class SandboxOff(Exception):
    """OKUYAMI_SANDBOX is not 1: trial and reset commands do nothing."""


class TrialInvalid(Exception):
    """The trial cannot be created as asked (bad code, code or login already there)."""


@dataclass(frozen=True)
class Login:
    """A login handed out with a trial; the password is shown once and must be changed."""

    username: str
    role: Role
    password: str


@dataclass(frozen=True)
class Trial:
    """A trial instance as created: its own municipality, when it is removed, its logins."""

    municipality: Municipality
    expires_at: datetime
    logins: tuple[Login, ...]


def require_sandbox() -> None:
    if not settings.OKUYAMI_SANDBOX:
        raise SandboxOff


def one_time_password() -> str:
    """12 unambiguous characters in three groups, e.g. 'k7mq-x3vd-9pza'."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def trial_username(code: str, suffix: str) -> str:
    return f"trial-{code}-{suffix}"


def trial_create(*, code: str, name: str, days: int, now: datetime | None = None) -> Trial:
    """A municipality copied from the national template, with an editor and a counter login
    and the sample city's fictitious resident extract.

    Their passwords are one-time: the first login must replace them.
    """
    require_sandbox()
    if days < 1:
        raise TrialInvalid("the trial must last at least one day")
    if problem := municipality_code_error(code):
        raise TrialInvalid(f"municipality code {code!r}: {problem}")
    if Municipality.objects.filter(code=code).exists():
        raise TrialInvalid(f"a municipality with code {code} already exists")
    users = get_user_model().objects
    taken = [trial_username(code, suffix) for suffix, _ in TRIAL_ROLES]
    if users.filter(username__in=taken).exists():
        raise TrialInvalid(f"the logins of a trial {code} already exist")
    expires_at = (now or timezone.now()) + timedelta(days=days)
    with transaction.atomic():
        municipality = municipality_create(
            code=code, name=name, prefecture=prefecture_of(code), from_template=True
        )
        # A trial shows the families' pre-check too (okuyami.precheck), on from the start.
        Municipality.objects.filter(pk=municipality.pk).update(
            trial_expires_at=expires_at, precheck_enabled=True
        )
        municipality.refresh_from_db()
        extract_import(municipality=municipality, source=SAMPLE_EXTRACT, actor="create_trial")
        logins = []
        for suffix, role in TRIAL_ROLES:
            user = users.create_user(trial_username(code, suffix))
            staff_membership_set(user=user, municipality=municipality, role=role)
            password = one_time_password()
            staff_password_set(user=user, password=password, one_time=True)
            logins.append(Login(user.username, role, password))
    return Trial(municipality, expires_at, tuple(logins))


@transaction.atomic
def municipality_remove(*, municipality: Municipality) -> None:
    """A trial municipality gone whole: its cases, logins, resident extract and catalog. Its audit
    records stay."""
    Case.objects.filter(municipality=municipality).delete()
    extract_erase(municipality=municipality, reason="お試しの終了", actor="expire_trials")
    get_user_model().objects.filter(membership__municipality=municipality).delete()
    municipality_delete(municipality=municipality)


def trials_expire(*, now: datetime | None = None) -> list[str]:
    """Remove every trial past its end; the codes removed (none on a second run)."""
    require_sandbox()
    expired = Municipality.objects.filter(trial_expires_at__lte=now or timezone.now()).order_by("code")
    removed = []
    for municipality in expired:
        municipality_remove(municipality=municipality)
        removed.append(municipality.code)
    return removed


@dataclass(frozen=True)
class Reset:
    cases: int
    trials: list[str]


def sandbox_reset(*, now: datetime | None = None) -> Reset:
    """Wipe every case and the expired trials, and load the fictitious resident extract again into
    the trials left (as a municipality's nightly extract would). The caller reloads the demo (load_demo).
    """
    require_sandbox()
    with transaction.atomic():
        cases = Case.objects.count()
        Case.objects.all().delete()
    expired = trials_expire(now=now)
    for municipality in Municipality.objects.filter(trial_expires_at__isnull=False):
        extract_import(municipality=municipality, source=SAMPLE_EXTRACT, actor="reset_sandbox")
    return Reset(cases=cases, trials=expired)
