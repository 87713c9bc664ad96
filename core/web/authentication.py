"""API tokens that expire, and that a one-time password stops like a session."""

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from core.staff import membership_for, token_expires_at

PASSWORD_CHANGE_REQUIRED = "Change the one-time password on the password page before using the API."
EXPIRED = "the token has expired (tokens last {days} days): log in and create a new one with POST token"


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <key>`, with two rules of the session's:

    a token older than OKUYAMI_TOKEN_DAYS is refused (401) and deleted, and a user who must
    still change a one-time password is refused (403) as PasswordChangeRequiredMiddleware
    refuses their session. A password change deletes the tokens (core.staff).
    """

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        days = settings.OKUYAMI_TOKEN_DAYS
        if timezone.now() >= token_expires_at(token.created, days=days):
            token.delete()
            raise exceptions.AuthenticationFailed(EXPIRED.format(days=days))
        membership = membership_for(user)
        if membership is not None and membership.must_change_password:
            raise exceptions.PermissionDenied(PASSWORD_CHANGE_REQUIRED)
        return user, token
