"""The API's JSON parser: DRF's, with a bound on the body's size and on its nesting."""

import io

from rest_framework import exceptions, parsers, status

from core.limits import JSON_TOO_DEEP, MAX_BODY_BYTES, json_too_deep, too_large_message


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE

    def __init__(self, limit: int):
        super().__init__(too_large_message(limit))


def body_limit(view) -> int:
    """A view's own limit (`max_body_bytes`, the public endpoint's is smaller), else the site's."""
    return getattr(view, "max_body_bytes", MAX_BODY_BYTES)


class JSONParser(parsers.JSONParser):
    """Reads at most the view's body limit, and refuses JSON nested past MAX_JSON_DEPTH.

    Without the bound, `[` × 3000 made Python's parser raise RecursionError: a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = body_limit((parser_context or {}).get("view"))
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(limit)
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(JSON_TOO_DEEP) from None
        if json_too_deep(data):
            raise exceptions.ParseError(JSON_TOO_DEEP)
        return data
