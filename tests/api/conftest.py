"""The API's fuzzing fixture: a case of city A and a token for each of its three roles."""

import pytest
import schemathesis
from rest_framework.authtoken.models import Token

from tests.api.fuzzing import ROLES
from tests.conftest import make_case


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
