"""What every endpoint of /api/v1/ shares: one error format, English, roles, pagination."""

from django.http import Http404
from django.utils import translation
from rest_framework import exceptions, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from procedures.models import StaffMembership


class ApiError(exceptions.APIException):
    """An error with its own status and a list of (field, message)."""

    def __init__(self, errors: list[tuple[str | None, str]], status_code: int = status.HTTP_400_BAD_REQUEST):
        self.status_code = status_code
        self.errors = errors
        super().__init__(detail="; ".join(message for _, message in errors))


def where_message(error: str) -> tuple[str | None, str]:
    """'answers.insurance: not a question' -> ('answers.insurance', 'not a question')."""
    where, sep, message = error.partition(": ")
    return (where, message) if sep else (None, error)


def _flatten(detail, prefix: str | None = None) -> list[dict]:
    if isinstance(detail, dict):
        return [e for key, value in detail.items() for e in _flatten(value, _join(prefix, key))]
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": prefix, "message": str(item)} for item in detail]
        return [e for index, item in enumerate(detail) for e in _flatten(item, f"{prefix or ''}[{index}]")]
    return [{"field": prefix, "message": str(detail)}]


def _join(prefix: str | None, key: str) -> str | None:
    if key in ("non_field_errors", "detail"):
        return prefix
    return f"{prefix}.{key}" if prefix else key


def api_exception_handler(exc, context):
    """Every error answers {"errors": [{"field": ..., "message": ...}]}."""
    if isinstance(exc, ApiError):
        body = {"errors": [{"field": field, "message": message} for field, message in exc.errors]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": _flatten(response.data)}
    return response


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ApiEnglishMiddleware:
    """The API speaks English (the screens speak Japanese)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


class HasRole(permissions.BasePermission):
    """Authenticated staff of a municipality with the view's `required_role`."""

    message = "This account may not use this endpoint."

    def has_permission(self, request, view):
        membership = getattr(request.user, "membership", None) if request.user.is_authenticated else None
        if membership is None or membership.role != view.required_role:
            return False
        request.municipality = membership.municipality
        return True


class CounterRole(HasRole):
    message = "Only counter staff (窓口) may use the case endpoints."


class EditorRole(HasRole):
    message = "Only catalog editors (編集者) may import or export the catalog."


COUNTER = StaffMembership.Role.COUNTER
EDITOR = StaffMembership.Role.EDITOR


ERROR_RESPONSES = {
    "400": "Bad input: each error names the offending field.",
    "401": "No or invalid credentials (Token or session).",
    "403": "This account's role may not use this endpoint.",
    "404": "No such resource for this account (another municipality's ids are never visible).",
    "409": "Conflict: the resource changed since the version sent, or it is closed.",
    "428": "The version last read is required (If-Match or `version`).",
    "429": "Too many requests: try again later.",
}


def add_error_responses(result, generator, request, public):
    """Every operation documents the one error format for every error status it may answer."""
    result.setdefault("components", {}).setdefault("schemas", {})["ApiErrors"] = {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {
                        "field": {"type": "string", "nullable": True},
                        "message": {"type": "string"},
                    },
                },
            }
        },
    }
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrors"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description, "content": body})
    return result


def api_not_found(request, exception=None):
    """404 for any /api/ path that matches no endpoint, in the API's error format."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "message": "Not found."}]}, status=404)
    return page_not_found(request, exception)


def caused_by_database(exc: BaseException | None) -> bool:
    """Whether a database error is the exception or anywhere in its chain.

    A database outage can surface as another exception: the session middleware
    turns a failed session save into SessionInterrupted (a 400), for example.
    """
    from django.db import DatabaseError

    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DatabaseError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def api_server_error(request):
    """500, or 503 when the database is unreachable: JSON under /api/, a Japanese page elsewhere.

    Django calls this while handling the exception, so sys.exc_info() names it. Neither
    page touches the database (no user, no session), so both render during an outage.
    """
    import sys

    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string

    unavailable = caused_by_database(sys.exc_info()[1])
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        message = (
            "The database is unavailable; nothing was changed. Try again in a few seconds."
            if unavailable
            else "Internal error; nothing was changed. Try again later."
        )
        response = JsonResponse({"errors": [{"field": None, "message": message}]}, status=status)
    else:
        response = HttpResponse(render_to_string("503.html" if unavailable else "500.html"), status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response


def api_bad_request(request, exception):
    """400, unless a database outage is behind it: then the same 503 as api_server_error."""
    from django.views.defaults import bad_request

    if caused_by_database(exception):
        return api_server_error(request)
    return bad_request(request, exception)
