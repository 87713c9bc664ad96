"""Request-wide rules of the counter screens."""

from django.shortcuts import redirect
from django.urls import reverse

from core.staff import membership_for
from core.web import is_api
from core.web.authentication import PASSWORD_CHANGE_REQUIRED
from core.web.errors import error_response


class PasswordChangeRequiredMiddleware:
    """A user still on a one-time password (create_trial) may only change it or log out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and _must_change_password(user) and not _allowed(request.path):
            if is_api(request):
                return error_response([(None, PASSWORD_CHANGE_REQUIRED)], 403)
            return redirect("okuyami:password-change")
        return self.get_response(request)


def _must_change_password(user) -> bool:
    membership = membership_for(user)
    return membership is not None and membership.must_change_password


def _allowed(path: str) -> bool:
    return path in (reverse("okuyami:password-change"), reverse("okuyami:logout")) or path.startswith(
        "/static/"
    )
