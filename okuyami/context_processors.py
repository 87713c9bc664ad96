"""What every screen's layout needs: the sandbox banner and the menu for the user's role."""

from django.conf import settings

from procedures.models import StaffMembership


def okuyami(request) -> dict:
    user = getattr(request, "user", None)
    membership = getattr(user, "membership", None) if user is not None and user.is_authenticated else None
    role = membership.role if membership is not None else None
    superuser = bool(user is not None and user.is_authenticated and user.is_superuser)
    return {
        "sandbox": settings.OKUYAMI_SANDBOX,
        "menu": {
            "counter": role == StaffMembership.Role.COUNTER,
            "statistics": membership is not None or superuser,
            "audit": role == StaffMembership.Role.MANAGER or superuser,
        },
    }
