"""Login lockouts: the rules on top of django-axes, who sees them, and lifting one at once.

django-axes counts failed logins per user name and address (the counters of a town hall share
one address, so a user name is never locked by the address alone). Two rules are ours:

- an address is stopped after OKUYAMI_ADDRESS_FAILURE_LIMIT failures across every user name
  (one address tried four passwords against every user name without any lockout);
- a lockout can be lifted at once, from /lockouts/: by the operator (any lockout) and by a
  municipality's 管理者 (their own staff's user-name lockouts), so that five wrong passwords
  typed against a colleague's name cost that colleague minutes, not half an hour.
"""

from dataclasses import dataclass
from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Model, Sum
from django.utils import timezone

from core.audit import EVERY_MUNICIPALITY, EveryMunicipality, audit
from core.models import AuditEvent, StaffMembership
from core.staff import Role, is_operator, membership_for


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, with the per-address cap across user names."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if address_failures(request.axes_ip_address, since=get_cool_off_threshold(request)) >= (
            settings.OKUYAMI_ADDRESS_FAILURE_LIMIT
        ):
            request.okuyami_address_locked = True
            return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not request.axes_locked_out:
            since = get_cool_off_threshold(request)
            if (
                address_failures(request.axes_ip_address, since=since)
                >= settings.OKUYAMI_ADDRESS_FAILURE_LIMIT
            ):
                request.axes_locked_out = True
                request.okuyami_address_locked = True


def address_failures(ip_address: str | None, *, since: datetime) -> int:
    """Failed logins from one address since `since`, whatever the user name."""
    if not ip_address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


# --- Who sees which lockouts, and lifting one ------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    """A current lockout: of a user name at an address, or (username None) of a whole address."""

    username: str | None
    ip_address: str
    failures: int
    until: datetime


def lockout_scope(user) -> Model | EveryMunicipality | None:
    """Whose lockouts the user may see and lift: every one for the operator, a 管理者's own staff's."""
    if is_operator(user):
        return EVERY_MUNICIPALITY
    membership = membership_for(user, role=Role.MANAGER)
    return membership.municipality if membership is not None else None


def _since() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def _attempts(scope: Model | EveryMunicipality):
    attempts = AccessAttempt.objects.filter(attempt_time__gte=_since())
    if not isinstance(scope, EveryMunicipality):
        staff = get_user_model().objects.filter(membership__municipality=scope)
        attempts = attempts.filter(username__in=staff.values("username"))
    return attempts


def current_lockouts(*, scope: Model | EveryMunicipality) -> list[Lockout]:
    """The lockouts in force now, user names first; a 管理者 sees only their own staff's."""
    cooloff = settings.AXES_COOLOFF_TIME
    users = (
        _attempts(scope)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username", "ip_address")
    )
    lockouts = [
        Lockout(row["username"], row["ip_address"], row["failures"], row["last"] + cooloff) for row in users
    ]
    if isinstance(scope, EveryMunicipality):
        addresses = (
            AccessAttempt.objects.filter(attempt_time__gte=_since())
            .values("ip_address")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.OKUYAMI_ADDRESS_FAILURE_LIMIT)
            .order_by("ip_address")
        )
        lockouts += [
            Lockout(None, row["ip_address"], row["failures"], row["last"] + cooloff) for row in addresses
        ]
    return lockouts


class LockoutNotFound(Exception):
    """No such lockout in force within the user's scope."""


def lockout_lift(*, user, username: str | None, ip_address: str) -> Lockout:
    """Lift one current lockout (a user name at an address, or with no user name a whole address).

    Raises LockoutNotFound outside the user's scope, as for a lockout that is not there: a
    管理者 cannot learn of another municipality's staff, nor lift an address's stop.
    """
    scope = lockout_scope(user)
    if scope is None:
        raise LockoutNotFound
    found = next(
        (
            lock
            for lock in current_lockouts(scope=scope)
            if (lock.username, lock.ip_address) == (username, ip_address)
        ),
        None,
    )
    if found is None:
        raise LockoutNotFound
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    if username is not None:
        attempts = attempts.filter(username=username)
    attempts.delete()
    _record(user=user, scope=scope, lockout=found)
    return found


def _record(*, user, scope, lockout: Lockout) -> None:
    """An audit record in the municipality of the locked user (an address belongs to none)."""
    if lockout.username is None:
        return
    municipality = scope
    if isinstance(scope, EveryMunicipality):
        membership = StaffMembership.objects.filter(user__username=lockout.username).select_related(
            "municipality"
        )
        municipality = membership[0].municipality if membership else None
    if municipality is not None:
        detail = f"ログインの一時停止を解除（{lockout.username}）"
        audit(municipality=municipality, user=user, action=AuditEvent.Action.CHANGE, detail=detail)
