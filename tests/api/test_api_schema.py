"""Schemathesis against our own OpenAPI schema: no 5xx, every response as documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from procedures.date_limits import in_range
from procedures.rules import parse_date
from tests.conftest import make_case

EXAMPLES = 12  # per operation: bounded so the suite stays quick
ROLES = {"counter": "a" * 40, "editor": "b" * 40, "manager": "c" * 40}
# What these accept depends on the catalog (its question keys, answer types and references), which
# no JSON Schema of the API can state: schema-valid input may be refused there, with a 400 naming
# the key. Every other operation accepts all that its schema allows.
CATALOG_DEPENDENT = {
    "POST /api/v1/municipalities/{code}/evaluate",
    "PUT /api/v1/cases/{id}/answers",
    "POST /api/v1/catalog/import",
}


@pytest.fixture
def api_schema(db, city_a, alice, bob, erin):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    make_case(city_a)
    for user, key in zip((alice, bob, erin), ROLES.values(), strict=True):
        Token.objects.create(user=user, key=key)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
# derandomize: the same examples on every run, so CI fails only when the code changes; the two
# findings random runs made (an empty `?large=`, reopen/cancel's version) are fixed and tested.
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_matches_its_schema_and_never_fails(case):
    # Each generated request as each role: 窓口, 編集者 and 管理者 meet different endpoints.
    born_before_death(case)
    excluded = [positive_data_acceptance] if case.operation.label in CATALOG_DEPENDENT else []
    for key in ROLES.values():
        case.call_and_validate(headers={"Authorization": f"Token {key}"}, excluded_checks=excluded)


def born_before_death(case) -> None:
    """The one rule between two fields, which a schema cannot state: born before death (the case of
    the fixture died on 2026-11-20). A generated birth after a valid death is moved onto it, so that
    the other rules are what the checks try; a later birth is refused with a 400 naming the field."""
    body = case.body if isinstance(case.body, dict) else {}
    if not case.operation.path.startswith("/api/v1/cases/"):
        return
    birth, death = (
        parse_date(body.get("deceased_birth_date")),
        parse_date(body.get("death_date", "2026-11-20")),
    )
    if birth and death and in_range(birth) and in_range(death) and birth > death:
        body["deceased_birth_date"] = death.isoformat()
