"""Request-wide rules of the counter screens."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """A user still on a one-time password (create_trial) may only change it or log out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and _must_change_password(user) and not _allowed(request.path):
            if request.path.startswith("/api/"):
                message = "Change the one-time password on the password page before using the API."
                return JsonResponse({"errors": [{"field": None, "message": message}]}, status=403)
            return redirect("okuyami:password-change")
        return self.get_response(request)


def _must_change_password(user) -> bool:
    membership = getattr(user, "membership", None)
    return membership is not None and membership.must_change_password


def _allowed(path: str) -> bool:
    return path in (reverse("okuyami:password-change"), reverse("okuyami:logout")) or path.startswith(
        "/static/"
    )
