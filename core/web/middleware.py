from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from core.limits import MAX_BODY_BYTES, MAX_UPLOAD_BODY_BYTES, megabytes, too_large_message
from core.web import is_api
from core.web.errors import error_response


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
    """A body over its view's limit is refused by its Content-Length, before anything reads it:
    413 in the API's error format under /api/, a Japanese page on the screens.

    The limit is MAX_BODY_BYTES, or MAX_UPLOAD_BODY_BYTES for the views that take a catalog
    bundle or a form's PDF (`takes_uploads`). Checked once the URL is resolved and before any
    other middleware's process_view (the CSRF check reads the form), so it knows the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = view_limit(view_func)
        if content_length(request) > limit:
            return too_large(request, limit)
        return None


def takes_uploads(view):
    """Mark a view (a function, or a DRF view class) as taking a catalog bundle or a form's PDF."""
    view.max_request_bytes = MAX_UPLOAD_BODY_BYTES
    return view


def view_limit(view_func) -> int:
    """A view's body limit: MAX_UPLOAD_BODY_BYTES when it takes uploads, else MAX_BODY_BYTES
    (a DRF view's smaller `max_body_bytes` is its parser's to enforce)."""
    for holder in (view_func, getattr(view_func, "cls", None)):
        limit = getattr(holder, "max_request_bytes", None)
        if isinstance(limit, int):
            return limit
    return MAX_BODY_BYTES


def content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large(request, limit: int = MAX_BODY_BYTES) -> HttpResponse:
    if is_api(request):
        return error_response([(None, too_large_message(limit))], 413)
    page = render_to_string("413.html", {"limit": megabytes(limit)})
    return HttpResponse(page, status=413)
