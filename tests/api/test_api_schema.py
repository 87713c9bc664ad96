"""Schemathesis against our own OpenAPI schema: no 5xx, every response as documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.conftest import make_case

EXAMPLES = 12  # per operation: bounded so the suite stays quick


@pytest.fixture
def api_schema(db, city_a, alice):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    make_case(city_a)
    Token.objects.create(user=alice, key="a" * 40)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_matches_its_schema_and_never_fails(case):
    # Every response must be documented and match its schema, and none may be a 5xx.
    # Left out: whether the input rules (kana, dates, the catalog's questions) are all
    # in the schema; they are checked by the tests of each endpoint instead.
    case.call_and_validate(
        headers={"Authorization": "Token " + "a" * 40},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
