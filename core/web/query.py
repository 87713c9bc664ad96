"""Query-string parameters, read the same way by the screens and the API."""

from django.core.exceptions import BadRequest

TRUE = ("1", "true", "yes")
FALSE = ("0", "false", "no")


class InvalidQuery(BadRequest):
    """A query parameter with a value it cannot take: 400 (in the API's format under /api/)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def query_bool(params, name: str) -> bool:
    """A yes/no parameter: 1/true/yes or 0/false/no in any case; absent is no.

    Anything else, an empty value included (`?large=`), is refused rather than read as no: a
    mistyped `dry_run` must not apply, and the schema says the parameter is a boolean.
    """
    if name not in params:
        return False
    value = params[name].strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise InvalidQuery(name, f"must be true or false (1 or 0), not {params.get(name)!r}")
