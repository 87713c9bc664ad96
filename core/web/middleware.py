from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from core.limits import MAX_BODY_BYTES, megabytes
from core.web import is_api
from core.web.errors import TOO_LARGE, error_response


class ApiEnglishMiddleware:
    """The API speaks English (the screens speak Japanese)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """A body over MAX_BODY_BYTES is refused by its Content-Length, before anything reads it:
    413 in the API's error format under /api/, a Japanese page on the screens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if content_length(request) > MAX_BODY_BYTES:
            return too_large(request)
        return self.get_response(request)


def content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large(request) -> HttpResponse:
    if is_api(request):
        return error_response([(None, TOO_LARGE)], 413)
    page = render_to_string("413.html", {"limit": megabytes(MAX_BODY_BYTES)})
    return HttpResponse(page, status=413)
