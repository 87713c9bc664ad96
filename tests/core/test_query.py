"""Yes/no query parameters, read one way by the screens and the API."""

import pytest
from django.http import QueryDict

from core.web.query import InvalidQuery, query_bool


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", False), ("x=1", True), ("x=TRUE", True), ("x=yes", True), ("x=0", False), ("x=no", False)],
)
def test_it_reads_yes_and_no(query, expected):
    assert query_bool(QueryDict(query), "x") is expected


@pytest.mark.parametrize("query", ["x=ture", "x=2", "x=on", "x=", "x=%20"])
def test_it_refuses_anything_else_naming_the_parameter(query):
    with pytest.raises(InvalidQuery) as refused:
        query_bool(QueryDict(query), "x")
    assert refused.value.field == "x"
