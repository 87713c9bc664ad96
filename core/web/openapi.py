"""The OpenAPI schema's share of the error format: one component, documented on every operation."""

from datetime import date

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from core.web.fields import BoundedDateField, BoundedDateTimeField

ERROR_RESPONSES = {
    "400": "Bad input: each error names the offending field.",
    "401": "No or invalid credentials (Token or session).",
    "403": "This account's role may not use this endpoint.",
    "404": "No such resource for this account (another municipality's ids are never visible).",
    "409": "Conflict: the resource changed since the version sent, or it is closed.",
    "413": "The request body is too large (6 MB; the public evaluate endpoint 64 KB).",
    "428": "The version last read is required (If-Match or `version`).",
    "429": "Too many requests: try again later.",
}

# For `extend_schema(responses=...)` where an operation names an error status itself.
ErrorSerializer = inline_serializer(
    "Errors",
    {
        "errors": serializers.ListField(
            child=inline_serializer(
                "Error",
                {"field": serializers.CharField(allow_null=True), "message": serializers.CharField()},
            )
        )
    },
)


def add_error_responses(result, generator, request, public):
    """A drf-spectacular postprocessing hook: every operation documents the error format for
    every error status it may answer."""
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


# `extend_schema(extensions={VERSION_REQUIRED: True})` on a write that needs the version last read.
VERSION_REQUIRED = "x-version-required"
VERSION = {
    "type": "integer",
    "minimum": 1,
    "maximum": 2**31 - 1,
    "description": "The version last read (its ETag); an If-Match header may carry it instead.",
}


def require_version(result, generator, request, public):
    """A drf-spectacular postprocessing hook: the writes marked VERSION_REQUIRED say in their body
    schema that `version` is required (the API answers 428 without it), as the code enforces."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not operation.pop(VERSION_REQUIRED, False):
                continue
            content = operation.setdefault("requestBody", {"content": {}})["content"]
            for media_type in ("application/json",):
                body = content.setdefault(media_type, {}).setdefault("schema", {"type": "object"})
                if "$ref" in body:  # the operation's own component (a PATCH's Patched… one)
                    body = schemas[body["$ref"].rsplit("/", 1)[1]]
                body.setdefault("properties", {})["version"] = VERSION
                body["required"] = sorted({*body.get("required", []), "version"})
            for other in [name for name in content if name != "application/json"]:
                del content[other]
            operation["requestBody"]["required"] = True
    return result


# --- Date ranges in the schema: a pattern that matches exactly the days from `first` to `last` ---


def date_pattern(first: date, last: date) -> str:
    """A regular expression (ECMA and Python alike) matching "YYYY-MM-DD" exactly from `first` to `last`.

    JSON Schema has no date bounds, so a range is written as a pattern over the digits; months
    have 31 days here, and `format: date` refuses the days that do not exist.
    """
    return f"^(?:{_digits_range((first.year, first.month, first.day), (last.year, last.month, last.day))})$"


_FIELDS = ((4, 0, 9999), (2, 1, 12), (2, 1, 31))  # width, least, most of year, month, day


def _digits_range(low: tuple[int, ...], high: tuple[int, ...], fields=_FIELDS) -> str:
    """Every "-"-joined tuple of zero-padded numbers from `low` to `high`, in order."""
    width, rest = fields[0][0], fields[1:]
    if not rest:
        return _number_range(low[0], high[0], width)
    lowest, highest = tuple(f[1] for f in rest), tuple(f[2] for f in rest)
    pad = f"{{:0{width}d}}"
    if low[0] == high[0]:
        return pad.format(low[0]) + "-(?:" + _digits_range(low[1:], high[1:], rest) + ")"
    parts = [pad.format(low[0]) + "-(?:" + _digits_range(low[1:], highest, rest) + ")"]
    if high[0] - low[0] > 1:
        middle = _number_range(low[0] + 1, high[0] - 1, width)
        parts.append(f"(?:{middle})-(?:" + _digits_range(lowest, highest, rest) + ")")
    parts.append(pad.format(high[0]) + "-(?:" + _digits_range(lowest, high[1:], rest) + ")")
    return "|".join(parts)


def _number_range(low: int, high: int, width: int) -> str:
    """The zero-padded `width`-digit numbers from `low` to `high`."""
    if width == 1:
        return str(low) if low == high else f"[{low}-{high}]"
    unit = 10 ** (width - 1)
    (low_head, low_tail), (high_head, high_tail) = divmod(low, unit), divmod(high, unit)
    if low_head == high_head:
        return f"{low_head}(?:{_number_range(low_tail, high_tail, width - 1)})"
    parts = [f"{low_head}(?:{_number_range(low_tail, unit - 1, width - 1)})"]
    if high_head - low_head > 1:
        parts.append(f"{_number_range(low_head + 1, high_head - 1, 1)}[0-9]{{{width - 1}}}")
    parts.append(f"{high_head}(?:{_number_range(0, high_tail, width - 1)})")
    return "|".join(parts)


class BoundedDateExtension(OpenApiSerializerFieldExtension):
    target_class = BoundedDateField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {**build_basic_type(OpenApiTypes.DATE), "pattern": date_pattern(*self.target.bounds())}


class BoundedDateTimeExtension(OpenApiSerializerFieldExtension):
    target_class = BoundedDateTimeField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        pattern = date_pattern(*self.target.bounds()).removesuffix("$") + "T"
        return {**build_basic_type(OpenApiTypes.DATETIME), "pattern": pattern}
