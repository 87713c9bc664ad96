"""The number of SQL queries of every counter page and every API endpoint, pinned.

The README promises at most 15 queries a page at any number of municipalities (the benchmark
times them against 1,741); here each count is pinned, so a change that adds a query per row or
per procedure fails at once and names the page. Each is measured on its second request: the
first compiles the catalog into the per-process cache, as a server's first request does.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from okuyami import services
from tests.conftest import build_catalog_document, make_case

pytestmark = pytest.mark.django_db

PAGE_LIMIT = 15
ANSWERS = {"head_of_household": True, "household_left": 1, "insurance": "koki", "vehicles": ["kei"]}


@pytest.fixture
def open_case(city_a):
    return make_case(city_a, answers=ANSWERS, unknown=["pension"])


@pytest.fixture
def finalised_case(city_a, alice):
    case = make_case(city_a, answers=ANSWERS)
    services.case_finalise(case=case, user=alice, version=case.version)
    services.case_mark(case=case, user=alice, procedure_key="seal", status="done")
    return case


def counted(request) -> int:
    """The queries of the second of two identical requests (the first warms the catalog cache)."""
    request()
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    return len(queries)


# (page, expected queries): the counter screens of a 窓口 user.
SCREENS = [
    ("okuyami:case-list", (), 11),
    ("okuyami:case-create", (), 7),
    ("okuyami:case-detail", ("open",), 10),
    ("okuyami:case-detail", ("finalised",), 10),
    ("okuyami:case-edit", ("open",), 9),
    ("okuyami:case-copy", ("finalised",), 9),
    ("okuyami:case-cancel", ("open",), 9),
    ("okuyami:reopen", ("finalised",), 9),
    ("okuyami:case-edition", ("finalised", 1), 10),
    ("okuyami:questions", ("open",), 8),
    ("okuyami:question", ("open", "insurance"), 8),
    ("okuyami:question", ("finalised", "insurance"), 8),
    ("okuyami:answers", ("open",), 9),
    ("okuyami:result", ("open",), 12),
    ("okuyami:result", ("finalised",), 11),
    ("okuyami:relay", (), 12),
    ("okuyami:print-preview", ("finalised", "checklist"), 9),
    ("okuyami:statistics", (), 11),
    ("okuyami:password-change", (), 6),
]


@pytest.mark.parametrize(("name", "args", "expected"), SCREENS, ids=lambda v: str(v))
def test_each_counter_screen_makes_its_pinned_number_of_queries(
    client, alice, open_case, finalised_case, name, args, expected
):
    cases = {"open": open_case.pk, "finalised": finalised_case.pk}
    url = reverse(name, args=[cases.get(arg, arg) for arg in args])
    client.force_login(alice)
    count = counted(lambda: client.get(url))
    assert count <= PAGE_LIMIT
    assert count == expected


# The lists searched: by name (a case of another day), by a range of days, by counter, and paged.
SEARCHES = [
    ("okuyami:case-list", "?q=フナバシ&state=all&since=R8.1.1&until=2099-12-31", 11),
    ("okuyami:case-list", "?state=later&page=2", 10),
    ("okuyami:relay", "?q=船橋&state=all", 12),
    ("okuyami:relay", "?counter=shimin", 11),
]


@pytest.mark.parametrize(("name", "query", "expected"), SEARCHES, ids=lambda v: str(v))
def test_the_searched_lists_make_their_pinned_number_of_queries(
    client, alice, open_case, finalised_case, name, query, expected
):
    for _ in range(25):  # more than a page of cases
        make_case(open_case.municipality)
    client.force_login(alice)
    count = counted(lambda: client.get(reverse(name) + query))
    assert count <= PAGE_LIMIT
    assert count == expected


def test_the_audit_log_makes_its_pinned_number_of_queries(client, erin, finalised_case):
    client.force_login(erin)
    assert counted(lambda: client.get(reverse("okuyami:audit-log"))) == 9


# (method, path, body, expected queries) for the API; {open} and {finalised} are case ids.
COUNTER_API = [
    ("get", "/api/v1/cases/", None, 6),
    ("get", "/api/v1/cases/{open}/", None, 5),
    ("patch", "/api/v1/cases/{open}/", {"visitor_phone": "047-000-0001"}, 10),
    ("get", "/api/v1/cases/{open}/answers", None, 5),
    ("put", "/api/v1/cases/{open}/answers", {"answers": ANSWERS, "unknown": []}, 10),
    ("get", "/api/v1/cases/{open}/result", None, 6),
    ("get", "/api/v1/cases/{finalised}/result", None, 5),
    ("get", "/api/v1/cases/{finalised}/marks", None, 5),
    ("post", "/api/v1/cases/{finalised}/marks", {"procedure": "seal", "status": "later"}, 13),
    ("get", "/api/v1/cases/{finalised}/route.pdf", None, 5),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), COUNTER_API, ids=lambda v: str(v))
def test_each_case_endpoint_makes_its_pinned_number_of_queries(
    alice, open_case, finalised_case, method, path, body, expected
):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    url = path.format(open=open_case.pk, finalised=finalised_case.pk)

    def call():
        data = body
        if method in ("patch", "put"):
            data = {**body, "version": open_case.__class__.objects.get(pk=open_case.pk).version}
        return getattr(client, method)(url, data, format="json")

    count = counted(call)
    assert count <= PAGE_LIMIT
    assert count == expected


PUBLIC_API = [
    ("get", "/api/v1/municipalities/", None, 2),
    ("get", "/api/v1/municipalities/122041/catalog", None, 1),
    ("post", "/api/v1/municipalities/122041/evaluate", {"deceased": {"death_date": "2026-11-20"}}, 1),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), PUBLIC_API, ids=lambda v: str(v))
def test_each_public_endpoint_makes_its_pinned_number_of_queries(city_a, method, path, body, expected):
    client = APIClient()
    assert counted(lambda: getattr(client, method)(path, body, format="json")) == expected


def test_the_editors_catalog_endpoints_make_their_pinned_number_of_queries(bob):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bob).key}")
    assert counted(lambda: client.get("/api/v1/catalog")) == 3
    document = build_catalog_document()
    # 10: the stored catalog's forms are read with it (one query, none for the PDFs when there are none)
    assert counted(lambda: client.post("/api/v1/catalog/import?dry_run=1", document, format="json")) == 10


def test_answering_a_question_makes_its_pinned_number_of_queries(client, alice, open_case):
    client.force_login(alice)
    url = reverse("okuyami:question", args=[open_case.pk, "insurance"])
    assert counted(lambda: client.post(url, {"answer": "kokuho"})) == 14


def once(request) -> int:
    """The queries of one request (the catalog cache is warm: a page of the case was shown)."""
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    return len(queries)


def test_correcting_and_cancelling_make_their_pinned_number_of_queries(client, alice, finalised_case):
    client.force_login(alice)
    pk = finalised_case.pk
    client.get(reverse("okuyami:result", args=[pk]))
    version = lambda: finalised_case.__class__.objects.get(pk=pk).version  # noqa: E731
    reopen = {"reason": "ご家族から追加の申し出", "version": version()}
    assert once(lambda: client.post(reverse("okuyami:reopen", args=[pk]), reopen)) == 15
    finalise = {"version": version()}
    assert once(lambda: client.post(reverse("okuyami:finalise", args=[pk]), finalise)) == 17
    cancel = {"reason": "二重に受付", "version": version()}
    assert once(lambda: client.post(reverse("okuyami:case-cancel", args=[pk]), cancel)) == 13
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    other = make_case(finalised_case.municipality, answers=ANSWERS)
    services.case_finalise(case=other, user=alice, version=other.version)
    body = {"reason": "追加の申し出", "version": version_of(other)}
    assert once(lambda: api.post(f"/api/v1/cases/{other.pk}/reopen", body, format="json")) == 11
    body = {"reason": "二重に受付", "version": version_of(other)}
    assert once(lambda: api.post(f"/api/v1/cases/{other.pk}/cancel", body, format="json")) == 9


def version_of(case) -> int:
    return case.__class__.objects.get(pk=case.pk).version
