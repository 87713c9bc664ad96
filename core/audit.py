"""The audit log: who viewed, printed, exported, changed or erased a case, and who changed a catalog.

One service writes (`audit`), one selector reads (`audit_events_for`), and one rule says who
may read (`audit_scope`): a municipality's 管理者 its own log, the operator (superuser) every
municipality's. Records are append-only (`AuditEvent.save` refuses updates). Callers pass a
detail without personal data: a case is named by its number, never by a name or address.
"""

from django.db.models import Model, QuerySet
from django.utils import timezone

from core.models import AuditEvent
from core.staff import Role, is_operator, membership_for

DETAIL_LENGTH = AuditEvent._meta.get_field("detail").max_length


def audit(
    *,
    municipality: Model,
    action: str,
    user=None,
    case_id: int | None = None,
    detail: str = "",
    actor: str = "",
) -> AuditEvent:
    """Record one action. `actor` names who acted when no user did (a command run from cron)."""
    user = user if getattr(user, "pk", None) is not None else None
    return AuditEvent.objects.create(
        municipality=municipality,
        municipality_code=municipality.code,
        user=user,
        username=user.get_username() if user else actor,
        action=action,
        case_id=case_id,
        detail=detail[:DETAIL_LENGTH],
        at=timezone.now(),
    )


class EveryMunicipality:
    """The operator's scope: every municipality's records."""


EVERY_MUNICIPALITY = EveryMunicipality()


def audit_scope(user) -> Model | EveryMunicipality | None:
    """Whose log the user may read: the 管理者's municipality, every one for the operator, else None."""
    if is_operator(user):
        return EVERY_MUNICIPALITY
    membership = membership_for(user, role=Role.MANAGER)
    return membership.municipality if membership is not None else None


def audit_events_for(
    *,
    scope: Model | EveryMunicipality,
    municipality_code: str = "",
    action: str = "",
    case_id: int | None = None,
    username: str = "",
) -> QuerySet[AuditEvent]:
    """The records in the scope, newest first, narrowed by the filters given."""
    events = AuditEvent.objects.all()
    if not isinstance(scope, EveryMunicipality):
        events = events.filter(municipality=scope)
    elif municipality_code:
        events = events.filter(municipality_code=municipality_code)
    if action:
        events = events.filter(action=action)
    if case_id is not None:
        events = events.filter(case_id=case_id)
    if username:
        events = events.filter(username=username)
    return events.order_by("-at", "-id")
