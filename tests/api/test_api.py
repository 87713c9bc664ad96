"""The REST API: contract, errors, permissions per endpoint, conflicts, tokens."""

import io
import json
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from okuyami.models import Case, Mark
from tests.conftest import build_catalog_document, case_input
from tests.okuyami.conftest import smallest_text

pytestmark = pytest.mark.django_db

CASE_IN = case_input(birth_date="1951-11-20", unknown=["pension"])
NEW_CASE = {
    "deceased_name": "船橋 太郎",
    "deceased_kana": "フナバシ タロウ",
    "deceased_birth_date": "1951-11-20",
    "death_date": "2026-11-20",
    "deceased_address": "千葉県船橋市湊町2-10-25",
    "visitor_name": "船橋 花子",
    "visitor_kana": "フナバシ ハナコ",
    "visitor_relation": "配偶者",
    "visitor_phone": "047-000-0000",
}


def api_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def case_a(alice):
    response = api_for(alice).post("/api/v1/cases/", NEW_CASE, format="json")
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()["id"])


# --- Public ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["evaluate", "evaluate/"])
def test_evaluate_equals_the_evaluate_command(city_a, tmp_path, path):
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(CASE_IN), encoding="utf-8")
    out = io.StringIO()
    call_command("evaluate", "122041", str(case_file), stdout=out)
    response = APIClient().post(f"/api/v1/municipalities/122041/{path}", CASE_IN, format="json")
    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())
    assert [p["key"] for p in response.json()["maybe"]] == ["pension_death"]


def test_the_public_catalog_and_evaluate_carry_deadlines_in_months_and_outside_places(imported, client):
    """The sample city: 相続放棄 3か月 (2026-02-01 -> 2026-05-01), 葬祭費 2年 from the funeral date."""
    sample_city = Path(django_settings.BASE_DIR) / "fixtures" / "catalogs" / "sample-city.json"
    sample = json.loads(sample_city.read_text(encoding="utf-8"))
    imported(sample)
    catalog = APIClient().get("/api/v1/municipalities/999903/catalog").json()
    procedures = {p["key"]: p for p in catalog["procedures"]}
    assert procedures["sozoku_hoki"]["deadline"] == {"months": 3}
    assert procedures["kokuho_sosaihi"]["deadline"] == {"years": 2, "from": "funeral_date"}
    assert procedures["kokuho_loss"]["deadline_days"] == 14 and "deadline" not in procedures["kokuho_loss"]
    assert [p["key"] for p in catalog["places"] if p.get("outside")] == [
        p["key"] for p in sample["places"] if p.get("outside")
    ]
    case = {
        "deceased": {"death_date": "2026-02-01", "birth_date": "1940-01-01"},
        "answers": {"renunciation": True, "insurance": "kokuho", "funeral_held": True},
        "unknown": ["funeral_date"],
    }
    result = APIClient().post("/api/v1/municipalities/999903/evaluate", case, format="json").json()
    deadlines = {p["key"]: p["deadline"] for p in result["applies"]}
    assert deadlines["sozoku_hoki"] == "2026-05-01"
    assert deadlines["kokuho_sosaihi"] is None  # counted from a date the family does not know yet
    schema = client.get("/api/v1/schema/").content.decode()
    assert "Deadline:" in schema and "months:" in schema and "outside:" in schema


def test_bad_cases_answer_400_naming_each_key(city_a):
    bad = {"deceased": {"death_date": "2026-11-20"}, "answers": {"insurance": "kokuhoo", "nope": 1}}
    response = APIClient().post("/api/v1/municipalities/122041/evaluate", bad, format="json")
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["answers.insurance", "answers.nope"]
    assert "kokuhoo" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"', "{}"])
def test_evaluate_never_500s_on_junk(city_a, body):
    response = APIClient().post(
        "/api/v1/municipalities/122041/evaluate", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_public_lists_and_catalogs_need_no_login_and_hold_no_personal_data(city_a, case_a):
    listing = APIClient().get("/api/v1/municipalities/").json()
    assert listing["results"] == [{"code": "122041", "name": "船橋市", "prefecture": "千葉県"}]
    catalog = APIClient().get("/api/v1/municipalities/122041/catalog")
    assert catalog.status_code == 200 and catalog.json()["format"] == "okuyami-catalog/1"
    assert "船橋 太郎" not in catalog.content.decode()
    assert APIClient().get("/api/v1/municipalities/999999/catalog").status_code == 404


def test_the_api_speaks_english_and_has_one_error_format(city_a):
    response = APIClient().get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"field": None, "message": "Authentication credentials were not provided."}]
    }


def test_public_endpoints_are_throttled(city_a, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public": "3/minute"}}
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    api_settings.reload()
    ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        codes = [APIClient().get("/api/v1/municipalities/").status_code for _ in range(5)]
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
        api_settings.reload()
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()
    assert codes == [200, 200, 200, 429, 429]


# --- Permission matrix: anonymous, token of city A, token of city B ----------------------

CASE_ENDPOINTS = [
    ("get", "/api/v1/cases/{pk}/", None),
    ("patch", "/api/v1/cases/{pk}/", {"visitor_phone": "047-999-9999", "version": 1}),
    ("get", "/api/v1/cases/{pk}/answers", None),
    ("put", "/api/v1/cases/{pk}/answers", {"answers": {"insurance": "kokuho"}, "unknown": [], "version": 1}),
    ("get", "/api/v1/cases/{pk}/result", None),
    ("post", "/api/v1/cases/{pk}/finalise", {"version": 1}),
    ("get", "/api/v1/cases/{pk}/marks", None),
    ("post", "/api/v1/cases/{pk}/marks", {"procedure": "seal", "status": "done"}),
    ("get", "/api/v1/cases/{pk}/checklist.pdf", None),
    ("get", "/api/v1/cases/{pk}/route.pdf", None),
    ("get", "/api/v1/cases/{pk}/application.pdf", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CASE_ENDPOINTS)
def test_case_endpoints_refuse_anonymous_and_hide_city_a_from_city_b(case_a, charlie, method, path, body):
    url = path.format(pk=case_a.pk)
    before = Case.objects.values().get(pk=case_a.pk)
    assert getattr(APIClient(), method)(url, body, format="json").status_code == 401
    response = getattr(api_for(charlie), method)(url, body, format="json")
    assert response.status_code == 404
    assert "船橋" not in response.content.decode()
    assert Case.objects.values().get(pk=case_a.pk) == before and not Mark.objects.exists()


@pytest.mark.parametrize(("method", "path", "body"), CASE_ENDPOINTS)
def test_case_endpoints_work_for_city_a(case_a, alice, method, path, body):
    if "marks" in path and method == "post":
        api_for(alice).post(f"/api/v1/cases/{case_a.pk}/finalise", {"version": 1}, format="json")
    client = APIClient()
    client.force_authenticate(alice)
    response = getattr(client, method)(path.format(pk=case_a.pk), body, format="json")
    assert response.status_code == 200, response.content
    if path.endswith(".pdf"):
        assert response.content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"


def test_every_document_comes_in_large_print(case_a, alice):
    client = api_for(alice)
    for document in ("checklist", "route", "application"):
        response = client.get(f"/api/v1/cases/{case_a.pk}/{document}.pdf?large=1")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert smallest_text(response.content)[0] >= 12.6 - 0.01, document
    assert smallest_text(client.get(f"/api/v1/cases/{case_a.pk}/route.pdf").content)[0] >= 9.0 - 0.01
    refused = client.get(f"/api/v1/cases/{case_a.pk}/route.pdf?large=big")
    assert refused.status_code == 400 and "large" in refused.content.decode()


def test_case_lists_are_scoped_paginated_and_filtered(case_a, alice, charlie):
    assert api_for(charlie).get("/api/v1/cases/").json()["count"] == 0
    client = api_for(alice)
    listing = client.get("/api/v1/cases/").json()
    assert listing["count"] == 1 and listing["results"][0]["deceased_name"] == "船橋 太郎"
    assert client.get("/api/v1/cases/?status=finalised").json()["count"] == 0
    assert client.get("/api/v1/cases/?status=bogus").status_code == 400
    assert client.get("/api/v1/cases/?created_on=2001-01-01").json()["count"] == 0
    assert client.get("/api/v1/cases/?created_on=yesterday").status_code == 400


def test_an_editor_token_cannot_use_case_endpoints(case_a, bob):
    assert api_for(bob).get(f"/api/v1/cases/{case_a.pk}/").status_code == 403
    assert api_for(bob).get("/api/v1/cases/").status_code == 403


def test_creating_a_case_validates_like_the_screens(alice):
    bad = {**NEW_CASE, "deceased_kana": "Funabashi", "death_date": "2999-01-01"}
    response = api_for(alice).post("/api/v1/cases/", bad, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"deceased_kana", "death_date"}
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"death_date": "9999-12-31"}, "death_date", "must be from 1900-01-01 to 2200-12-31"),
        ({"death_date": "0001-01-01"}, "death_date", "must be from 1900-01-01 to 2200-12-31"),
        ({"deceased_birth_date": "0266-05-01"}, "deceased_birth_date", "must be from 1900-01-01"),
        # Year 266 came back with the local mean time offset +09:18:59; a naive year 1 was a 500.
        ({"appointment_at": "0266-05-01T10:00:00"}, "appointment_at", "must be from "),
        ({"appointment_at": "0001-01-01T00:00:00"}, "appointment_at", "out of range"),
        ({"appointment_at": "9999-12-31T23:59:59+09:00"}, "appointment_at", "must be from "),
    ],
)
def test_case_dates_outside_their_range_are_refused_naming_the_field(alice, changes, field, message):
    response = api_for(alice).post("/api/v1/cases/", {**NEW_CASE, **changes}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert message in response.json()["errors"][0]["message"]
    assert not Case.objects.exists()


def test_an_appointment_in_the_coming_weeks_is_kept_in_japan_time(alice):
    response = api_for(alice).post(
        "/api/v1/cases/", {**NEW_CASE, "appointment_at": "2026-12-01T10:30:00"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["appointment_at"] == "2026-12-01T10:30:00+09:00"


# --- Answers, result, finalise, marks ----------------------------------------------------


def test_answers_are_validated_against_the_catalog(case_a, alice):
    client = api_for(alice)
    bad = {"answers": {"insurance": "kokuhoo"}, "unknown": ["head_of_household"], "version": 1}
    response = client.put(f"/api/v1/cases/{case_a.pk}/answers", bad, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [
        "answers.insurance",
        "unknown[0] 'head_of_household'",
    ]
    good = {"answers": {"insurance": "koki", "vehicles": ["gentsuki"]}, "unknown": ["pension"], "version": 1}
    response = client.put(f"/api/v1/cases/{case_a.pk}/answers", good, format="json")
    assert response.status_code == 200 and response["ETag"] == '"2"'
    result = client.get(f"/api/v1/cases/{case_a.pk}/result").json()
    keys = [p["key"] for stop in result["stops"] for p in stop["procedures"]]
    assert "koki_loss" in keys and "gentsuki" in keys
    assert [m["key"] for m in result["maybe"]] == ["pension_death"]


def test_two_counters_editing_one_case_get_a_409_not_a_silent_overwrite(case_a, alice):
    first, second = api_for(alice), APIClient()
    second.force_authenticate(alice)
    etag = first.get(f"/api/v1/cases/{case_a.pk}/")["ETag"]
    ok = first.patch(
        f"/api/v1/cases/{case_a.pk}/", {"visitor_phone": "047-111-1111"}, format="json", HTTP_IF_MATCH=etag
    )
    assert ok.status_code == 200
    late = second.patch(
        f"/api/v1/cases/{case_a.pk}/", {"visitor_phone": "047-222-2222"}, format="json", HTTP_IF_MATCH=etag
    )
    assert late.status_code == 409
    assert late.json()["errors"][0]["field"] == "version"
    assert Case.objects.get().visitor_phone == "047-111-1111"
    missing = second.patch(f"/api/v1/cases/{case_a.pk}/", {"visitor_phone": "047-333-3333"}, format="json")
    assert missing.status_code == 428


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_with_the_same_version_let_exactly_one_win(alice, city_a):
    case_id = api_for(alice).post("/api/v1/cases/", NEW_CASE, format="json").json()["id"]
    token = Token.objects.get(user=alice).key
    results = []

    def update(phone):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        body = {"answers": {"insurance": "kokuho"}, "unknown": [], "version": 1}
        results.append(client.put(f"/api/v1/cases/{case_id}/answers", body, format="json").status_code)
        connection.close()

    threads = [threading.Thread(target=update, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409, 409, 409]
    assert Case.objects.get(pk=case_id).version == 2


def test_finalise_then_mark_and_refuse_changes(case_a, alice):
    client = api_for(alice)
    client.put(
        f"/api/v1/cases/{case_a.pk}/answers",
        {"answers": {"insurance": "koki"}, "unknown": [], "version": 1},
        format="json",
    )
    finalised = client.post(f"/api/v1/cases/{case_a.pk}/finalise", {"version": 2}, format="json")
    assert finalised.status_code == 200 and finalised.json()["status"] == "finalised"
    again = client.put(
        f"/api/v1/cases/{case_a.pk}/answers", {"answers": {}, "unknown": [], "version": 3}, format="json"
    )
    assert again.status_code == 409
    assert (
        client.post(
            f"/api/v1/cases/{case_a.pk}/marks", {"procedure": "kokuho_loss", "status": "done"}, format="json"
        ).status_code
        == 400
    )
    marks = client.post(
        f"/api/v1/cases/{case_a.pk}/marks", {"procedure": "seal", "status": "done"}, format="json"
    )
    assert marks.status_code == 200
    assert marks.json()[0]["procedure"] == "seal" and marks.json()[0]["marked_by"] == "alice"


# --- Tokens and catalog import/export --------------------------------------------------


def test_a_user_creates_and_revokes_their_token(alice, city_a):
    session = APIClient()
    session.force_login(alice)
    token = session.post("/api/v1/token").json()["token"]
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert with_token.get("/api/v1/cases/").status_code == 200
    assert with_token.delete("/api/v1/token").status_code == 204
    assert with_token.get("/api/v1/cases/").status_code == 401


def test_editors_export_and_import_their_own_catalog_with_a_dry_run(bob, dave_or_none=None):
    client = api_for(bob)
    exported = client.get("/api/v1/catalog").json()
    assert exported["municipality"]["code"] == "122041"
    changed = build_catalog_document({"procedures[1].name": "印鑑登録証の返還"})
    dry = client.post("/api/v1/catalog/import?dry_run=true", changed, format="json")
    assert dry.status_code == 200 and dry.json() == {
        "applied": False,
        "diff": {
            "places": {"added": [], "changed": [], "removed": []},
            "counters": {"added": [], "changed": [], "removed": []},
            "questions": {"added": [], "changed": [], "removed": []},
            "procedures": {"added": [], "changed": ["seal"], "removed": []},
        },
        "warnings": [],
    }
    assert client.get("/api/v1/catalog").json() == exported
    assert client.post("/api/v1/catalog/import", changed, format="json").json()["applied"] is True
    names = [p["name"] for p in client.get("/api/v1/catalog").json()["procedures"]]
    assert "印鑑登録証の返還" in names


def test_an_editor_cannot_import_another_municipalitys_catalog(bob, city_b):
    other = build_catalog_document(
        municipality={"code": "131016", "name": "千代田区", "prefecture": "東京都"}
    )
    other["procedures"] = other["procedures"][:1]
    response = api_for(bob).post("/api/v1/catalog/import", other, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "municipality.code"
    assert (
        APIClient().get("/api/v1/municipalities/131016/catalog").json()["procedures"] != other["procedures"]
    )


def test_an_invalid_catalog_is_refused_with_every_error(bob):
    bad = build_catalog_document(
        {"procedures[2].applies_if": 'insurance == "kokuhoo"', "procedures[0].counter": "x"}
    )
    response = api_for(bob).post("/api/v1/catalog/import", bad, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [
        "procedures[0].counter",
        "procedures[2].applies_if",
    ]


@pytest.mark.parametrize(
    ("who", "method", "path"),
    [
        ("alice", "get", "/api/v1/catalog"),
        ("alice", "post", "/api/v1/catalog/import"),
        (None, "get", "/api/v1/catalog"),
    ],
)
def test_catalog_endpoints_are_for_editors_only(request, bob, who, method, path):
    client = api_for(request.getfixturevalue(who)) if who else APIClient()
    response = getattr(client, method)(path, {}, format="json")
    assert response.status_code == (403 if who else 401)


def test_the_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs and "cdn" not in docs.lower()


def test_evaluate_reuses_the_compiled_catalog_until_the_catalog_changes(city_a):
    from procedures.selectors import catalog_for_code
    from procedures.services import catalog_touch

    first = catalog_for_code("122041")
    assert catalog_for_code("122041") is first
    catalog_touch(municipality=city_a)
    assert catalog_for_code("122041") is not first
    assert catalog_for_code("999999") is None


@pytest.mark.parametrize("flag", ["ture", "2", "dry"])
def test_a_mistyped_dry_run_is_refused_and_imports_nothing(bob, flag):
    client = api_for(bob)
    exported = client.get("/api/v1/catalog").json()
    changed = build_catalog_document({"procedures[1].name": "印鑑登録証の返還"})
    response = client.post(f"/api/v1/catalog/import?dry_run={flag}", changed, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "dry_run", "message": f"must be true or false (1 or 0), not '{flag}'"}
    ]
    assert client.get("/api/v1/catalog").json() == exported


def test_a_birth_after_the_death_is_refused_in_english_on_create_and_patch(alice, case_a):
    client = api_for(alice)
    bad = {**NEW_CASE, "deceased_birth_date": "2026-11-21"}
    created = client.post("/api/v1/cases/", bad, format="json")
    assert created.status_code == 400
    assert created.json()["errors"] == [
        {"field": "deceased_birth_date", "message": "must not be after the date of death"}
    ]
    patched = client.patch(
        f"/api/v1/cases/{case_a.pk}/", {"death_date": "1950-01-01", "version": case_a.version}, format="json"
    )
    assert patched.status_code == 400
    assert patched.json()["errors"][0]["field"] == "deceased_birth_date"
    assert Case.objects.count() == 1 and Case.objects.get().death_date.isoformat() == "2026-11-20"
