"""What every screen's layout needs: the sandbox banner and the menu for the user's role."""

from django.conf import settings

from core.staff import Role, is_operator, membership_for


def okuyami(request) -> dict:
    user = getattr(request, "user", None)
    membership = membership_for(user)
    role = membership.role if membership is not None else None
    operator = is_operator(user)
    return {
        "sandbox": settings.OKUYAMI_SANDBOX,
        # On a one-time password only the password page opens: the menu would lead nowhere.
        "password_first": membership is not None and membership.must_change_password,
        "menu": {
            "counter": role == Role.COUNTER,
            "statistics": membership is not None or operator,
            "audit": role == Role.MANAGER or operator,
            "records_import": role == Role.MANAGER or operator,
            "lockouts": role == Role.MANAGER or operator,
        },
    }
