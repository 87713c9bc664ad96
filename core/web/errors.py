"""The API's one error format: {"errors": [{"field": ..., "message": ...}]}, built here only."""

from django.core.exceptions import BadRequest, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.limits import MAX_BODY_BYTES, too_large_message

Errors = list[tuple[str | None, str]]

TOO_LARGE = too_large_message(MAX_BODY_BYTES)


class ApiError(exceptions.APIException):
    """An error with its own status and a list of (field, message)."""

    def __init__(self, errors: Errors, status_code: int = status.HTTP_400_BAD_REQUEST):
        self.status_code = status_code
        self.errors = errors
        super().__init__(detail="; ".join(message for _, message in errors))


def error_body(errors: Errors) -> dict:
    return {"errors": [{"field": field, "message": message} for field, message in errors]}


def error_response(errors: Errors, status_code: int) -> JsonResponse:
    """The error format outside DRF's views (middleware, error handlers)."""
    return JsonResponse(error_body(errors), status=status_code)


def where_message(error: str) -> tuple[str | None, str]:
    """'answers.insurance: not a question' -> ('answers.insurance', 'not a question')."""
    where, sep, message = error.partition(": ")
    return (where, message) if sep else (None, error)


def _flatten(detail, prefix: str | None = None) -> Errors:
    if isinstance(detail, dict):
        return [e for key, value in detail.items() for e in _flatten(value, _join(prefix, key))]
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [(prefix, str(item)) for item in detail]
        return [e for index, item in enumerate(detail) for e in _flatten(item, f"{prefix or ''}[{index}]")]
    return [(prefix, str(detail))]


def _join(prefix: str | None, key: str) -> str | None:
    if key in ("non_field_errors", "detail"):
        return prefix
    return f"{prefix}.{key}" if prefix else key


def validation_errors(exc: ValidationError) -> Errors:
    """A Django ValidationError as (field, message) pairs; field None for the whole object."""
    if hasattr(exc, "error_dict"):
        return [
            (None if field == "__all__" else field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in exc.messages]


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error an API view raises answers in the one format."""
    if isinstance(exc, ApiError):
        return Response(error_body(exc.errors), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):  # DRF read request.body past DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(error_body([(None, TOO_LARGE)]), status=413)
    if isinstance(exc, ValidationError):  # a model's or a service's own validation
        return Response(error_body(validation_errors(exc)), status=400)
    if isinstance(exc, BadRequest):  # e.g. core.web.query.InvalidQuery
        return Response(error_body([(getattr(exc, "field", None), str(exc))]), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(_flatten(response.data))
    return response
