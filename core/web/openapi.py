"""The OpenAPI schema's share of the error format: one component, documented on every operation."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

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
