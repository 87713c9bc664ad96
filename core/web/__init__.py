"""Web plumbing both apps share: the API's error format, permissions, pagination and schema hook,
the error pages (HTML, or JSON under the API), query parsing, health checks."""

# Every path under this prefix is the REST API: English, and errors as JSON.
API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)
