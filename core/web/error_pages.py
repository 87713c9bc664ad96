"""Django's handler400/404/500: a Japanese page for the screens, the error format under /api/.

A database outage behind any of them answers 503 with Retry-After, rendered without
touching the database (no user, no session), so the pages still come up during it.
"""

import sys

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from core.web import is_api
from core.web.errors import error_response
from core.web.middleware import too_large
from core.web.outage import caused_by_database

UNAVAILABLE = "The database is unavailable; nothing was changed. Try again in a few seconds."
INTERNAL = "Internal error; nothing was changed. Try again later."


def bad_request(request, exception):
    """400, unless a database outage is behind it: then the same 503 as `server_error`."""
    if caused_by_database(exception):
        return server_error(request)
    if isinstance(exception, RequestDataTooBig):  # form fields past DATA_UPLOAD_MAX_MEMORY_SIZE
        return too_large(request)
    if is_api(request):
        return error_response([(getattr(exception, "field", None), str(exception) or "Bad request.")], 400)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    """404: the page, or for any /api/ path that matches no endpoint the error format."""
    if is_api(request):
        return error_response([(None, "Not found.")], 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500, or 503 when the database is unreachable.

    Django calls this while handling the exception, so sys.exc_info() names it.
    """
    unavailable = caused_by_database(sys.exc_info()[1])
    status = 503 if unavailable else 500
    if is_api(request):
        response = error_response([(None, UNAVAILABLE if unavailable else INTERNAL)], status)
    else:
        response = HttpResponse(render_to_string("503.html" if unavailable else "500.html"), status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response
