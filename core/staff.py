"""Who a user is here: their municipality and role. The one selector every screen, API and rule asks.

Also the few writes to staff accounts (membership, one-time passwords).
"""

from datetime import datetime, timedelta

from core.models import StaffMembership

Role = StaffMembership.Role


def membership_for(user, *, role: str | None = None) -> StaffMembership | None:
    """The active user's membership (municipality and role), or None.

    None for an anonymous or inactive user, a user of no municipality (the operator
    may be one), and, with `role`, a member with another role.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        membership = user.membership
    except StaffMembership.DoesNotExist:
        return None
    if role is not None and membership.role != role:
        return None
    return membership


def is_operator(user) -> bool:
    """The operator: an active superuser, who sees every municipality."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def staff_membership_set(*, user, municipality, role: str) -> StaffMembership:
    """Give a user one role in one municipality. Editors use the admin, so they are staff; 窓口 are not."""
    membership, _ = StaffMembership.objects.update_or_create(
        user=user, defaults={"municipality": municipality, "role": role}
    )
    is_staff = role == Role.EDITOR or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    return membership


def staff_password_set(*, user, password: str, one_time: bool) -> None:
    """Set a staff password; a one-time one (create_trial) must be replaced at the next login."""
    user.set_password(password)
    user.save(update_fields=["password"])
    StaffMembership.objects.filter(user=user).update(must_change_password=one_time)


def staff_password_changed(*, user) -> None:
    """The user chose their own password: the one-time password is spent."""
    StaffMembership.objects.filter(user=user, must_change_password=True).update(must_change_password=False)


# --- API tokens: they end with the password, and after OKUYAMI_TOKEN_DAYS ---------------------------


def api_tokens_revoke(*, user) -> int:
    """Delete every API token of the user; how many there were."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def token_expires_at(created: datetime, *, days: int) -> datetime:
    return created + timedelta(days=days)


class ApiTokensEndWithThePassword:
    """A password change revokes the user's API tokens, whoever makes it and wherever.

    Listed in AUTH_PASSWORD_VALIDATORS because `password_changed` is the one hook Django calls
    after every password change: the password page, the operator in the admin, `changepassword`,
    a one-time password from create_trial. It refuses no password; its help text tells the user.
    """

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke(user=user)

    def get_help_text(self) -> str:
        return "パスワードを変更すると、このアカウントの API トークンは無効になります。"
