"""Every hostile payload of the hardening review, sent through the real URL routing.

Each one answers a 4xx in the API's error format ({"errors": [{"field", "message"}]}), or is a
refused import (a page listing the errors, a command's `<where>: <message>` without a traceback),
and changes nothing. The test client re-raises any exception a view lets escape, so a 500 fails
here with its traceback. Markup in every field is walked in test_markup.py, tokens and lockouts
have their own modules.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from okuyami.models import Case
from procedures.catalog_io import read_catalog, write_catalog
from procedures.catalog_xlsx import write_xlsx
from procedures.models import Municipality, Procedure, Question
from procedures.services import catalog_import
from tests.conftest import CASE_DETAILS, build_catalog_document
from tests.procedures.test_admin import procedure_form, question_form

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DEEP_JSON = "[" * 3000
DEEP_INSIDE = (
    '{"deceased": {"death_date": "2026-11-20"}, "answers": {"pension": ' + "[" * 40 + "]" * 40 + "}}"
)
DEEP_CONDITIONS = {"not": "not " * 990 + "true", "parentheses": "(" * 500 + "true" + ")" * 500}
NESTED_TOO_DEEPLY = "nested too deeply (at most 32 levels of parentheses and 'not')"
NESTED_TOO_DEEPLY_JA = "かっこと not の重なりが深すぎます（32段まで）"  # as the editors' screens say it
CASE = {name: value for name, value in CASE_DETAILS.items() if name != "deceased_birth_date"}


def token_client(user=None) -> Client:
    if user is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")


def json_errors(response, status: int = 400) -> list[dict]:
    """The errors of an answer in the API's one error format; its status must be `status`."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["errors"] and body["errors"]
    assert all(set(error) == {"field", "message"} for error in body["errors"])
    return body["errors"]


def fields_of(response, status: int = 400) -> list[str | None]:
    return [error["field"] for error in json_errors(response, status)]


@pytest.fixture
def case_a(city_a, alice) -> Case:
    response = token_client(alice).post("/api/v1/cases/", CASE, content_type="application/json")
    assert response.status_code == 201
    return Case.objects.get()


@pytest.fixture
def nothing_changes(db):
    """`with nothing_changes():` fails when what a refused input must leave as it was changed
    inside the block: every catalog, every case."""
    from procedures.selectors import catalog_snapshot_for

    def snapshot():
        return (
            [catalog_snapshot_for(municipality=m) for m in Municipality.objects.order_by("code")],
            list(Case.objects.order_by("pk").values()),
        )

    @contextmanager
    def unchanged():
        before = snapshot()
        yield
        assert snapshot() == before, "a refused input changed a catalog or a case"

    return unchanged


# --- JSON nested past the limit, to every endpoint that takes a body -------------------------------


def body_endpoints(client) -> list[tuple[str, str]]:
    """(method, path template) of every operation with a request body, read from the schema."""
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]


def test_every_body_endpoint_refuses_deeply_nested_json_with_a_400(case_a, alice, bob, nothing_changes):
    with nothing_changes():
        endpoints = body_endpoints(Client())
        assert len(endpoints) >= 7  # evaluate, import, cases, case, answers, finalise, marks
        for method, template in endpoints:
            path = template.replace("{code}", "122041").replace("{id}", str(case_a.pk))
            client = token_client(bob if "/catalog" in path else alice)
            for body in (DEEP_JSON, DEEP_INSIDE):
                response = client.generic(method, path, body, content_type="application/json")
                errors = json_errors(response, 400)
                assert errors == [
                    {
                        "field": None,
                        "message": "JSON nested too deeply: at most 32 levels of objects and lists",
                    }
                ], (method, path)


# --- Dates outside their range ------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0266-05-01"])
def test_the_public_evaluate_endpoint_refuses_dates_out_of_range_naming_the_field(city_a, day):
    client = Client()
    url = "/api/v1/municipalities/122041/evaluate"
    assert fields_of(
        client.post(url, {"deceased": {"death_date": day}}, content_type="application/json")
    ) == ["deceased.death_date"]
    birth = {"deceased": {"death_date": "2026-11-20", "birth_date": day}}
    assert fields_of(client.post(url, birth, content_type="application/json")) == ["deceased.birth_date"]
    answer = {"deceased": {"death_date": "2026-11-20"}, "answers": {"moved_in": day}}
    assert fields_of(client.post(url, answer, content_type="application/json")) == ["answers.moved_in"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"death_date": "9999-12-31"}, "death_date"),
        ({"death_date": "0001-01-01"}, "death_date"),
        ({"deceased_birth_date": "0266-05-01"}, "deceased_birth_date"),
        ({"appointment_at": "0266-05-01T10:00:00"}, "appointment_at"),
        ({"appointment_at": "0001-01-01T00:00:00"}, "appointment_at"),
        ({"appointment_at": "9999-12-31T23:59:59-12:00"}, "appointment_at"),
    ],
)
def test_case_dates_out_of_range_are_refused_by_the_case_api(case_a, alice, change, field):
    client = token_client(alice)
    assert fields_of(client.post("/api/v1/cases/", {**CASE, **change}, content_type="application/json")) == [
        field
    ]
    patch = {**change, "version": case_a.version}
    assert fields_of(client.patch(f"/api/v1/cases/{case_a.pk}/", patch, content_type="application/json")) == [
        field
    ]
    case_a.refresh_from_db()
    assert case_a.version == 1 and Case.objects.count() == 1


def test_a_date_answer_out_of_range_is_refused_by_the_answers_api_and_the_question_page(case_a, alice):
    response = token_client(alice).put(
        f"/api/v1/cases/{case_a.pk}/answers",
        {"answers": {"moved_in": "9999-12-31"}, "unknown": [], "version": 1},
        content_type="application/json",
    )
    assert fields_of(response) == ["answers.moved_in"]
    screen = Client()
    screen.force_login(alice)
    page = screen.post(reverse("okuyami:question", args=[case_a.pk, "moved_in"]), {"answer": "9999-12-31"})
    assert (
        page.status_code == 200
        and "1900年1月1日から2200年12月31日までの日付を入力してください" in page.content.decode()
    )
    case_a.refresh_from_db()
    assert case_a.answers == {} and case_a.version == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("death_date", "9999-12-31", "亡くなった日は1900年1月1日から2200年12月31日までの日付"),
        ("deceased_birth_date", "0001-01-01", "生年月日は1900年1月1日から2200年12月31日までの日付"),
        ("appointment_date", "0266-05-01", "予約日は"),
    ],
)
def test_the_case_form_refuses_dates_out_of_range(client, alice, field, value, message):
    client.force_login(alice)
    response = client.post(reverse("okuyami:case-create"), {**CASE, field: value})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Case.objects.exists()


def test_the_admin_preview_refuses_a_death_in_year_9999_on_the_page(client, bob, city_a):
    client.force_login(bob)
    url = reverse("admin:procedures_municipality_preview", args=[city_a.pk])
    response = client.get(url, {"run": "1", "death_date": "9999-12-31"})
    assert response.status_code == 200
    assert "1900年1月1日から2200年12月31日までの日付を入力してください" in response.content.decode()
    assert response.context["result"] is None


# --- Bodies past the size limit --------------------------------------------------------------------------


def test_a_body_over_the_limit_answers_413_in_the_api_format(case_a, alice):
    big = b'{"deceased": {"death_date": "2026-11-20"}, "x": "' + b"a" * (7 * 1024 * 1024) + b'"}'
    for client in (token_client(alice), Client()):
        for path in (
            "/api/v1/cases/",
            f"/api/v1/cases/{case_a.pk}/answers",
            "/api/v1/municipalities/122041/evaluate",
        ):
            for content_type in ("application/json", "application/x-www-form-urlencoded", "text/plain"):
                response = client.post(path, big, content_type=content_type)
                (error,) = json_errors(response, 413)
                assert error["message"] == "the request body is larger than 6 MB; nothing was changed"
    session = Client()
    session.force_login(alice)
    (error,) = json_errors(session.post("/api/v1/cases/", big, content_type="application/json"), 413)


def test_the_public_evaluate_endpoint_takes_at_most_64_kb(city_a):
    body = b'{"deceased": {"death_date": "2026-11-20"}, "x": "' + b"a" * (65 * 1024) + b'"}'
    response = Client().post("/api/v1/municipalities/122041/evaluate", body, content_type="application/json")
    (error,) = json_errors(response, 413)
    assert error["message"] == "the request body is larger than 64 KB; nothing was changed"


def test_a_screen_answers_a_body_over_the_limit_with_a_japanese_page(client, alice, bob, city_a):
    client.force_login(alice)
    big = {"deceased_name": "a" * (7 * 1024 * 1024)}
    response = client.post(reverse("okuyami:case-create"), big)
    assert response.status_code == 413 and "送信された内容が大きすぎます" in response.content.decode()
    client.force_login(bob)
    response = client.post(reverse("okuyami:case-create"), {}, CONTENT_LENGTH=str(7 * 1024 * 1024))
    assert response.status_code == 413 and "6 MB" in response.content.decode()


def test_the_views_that_take_a_bundle_or_a_pdf_take_a_larger_body_and_name_the_files_limit(
    client, bob, city_a
):
    from core.limits import MAX_UPLOAD_BODY_BYTES
    from procedures.catalog_bundle import MAX_BUNDLE_BYTES
    from procedures.form_pdf import MAX_BYTES as MAX_PDF_BYTES

    assert MAX_PDF_BYTES < MAX_BUNDLE_BYTES < MAX_UPLOAD_BODY_BYTES - 512 * 1024  # room for the form
    client.force_login(bob)
    url = reverse("admin:procedures_municipality_import", args=[city_a.pk])
    # Past the site's 6 MB but a bundle's page: the form itself says the file's limit.
    upload = SimpleUploadedFile("catalog.json", b" " * (7 * 1024 * 1024))
    html = client.post(url, {"file": upload}).content.decode()
    assert "＊ファイルが大きすぎます（5MBまで）。" in html
    # Past what any view takes: refused by its Content-Length before it is read.
    response = client.post(url, {}, CONTENT_LENGTH=str(MAX_UPLOAD_BODY_BYTES + 1))
    assert response.status_code == 413 and "51 MB" in response.content.decode()
    procedure = Procedure.objects.filter(municipality=city_a).first()
    forms_url = reverse("admin:procedures_procedure_forms", args=[procedure.pk])
    response = client.post(forms_url, {}, CONTENT_LENGTH=str(MAX_UPLOAD_BODY_BYTES + 1))
    assert response.status_code == 413 and "51 MB" in response.content.decode()
    # The API's import takes a bundle's size, but a JSON document still only 6 MB.
    api = token_client(bob)
    big = b'{"format": "' + b"a" * (7 * 1024 * 1024) + b'"}'
    (error,) = json_errors(api.post("/api/v1/catalog/import", big, content_type="application/json"), 413)
    assert error["message"] == "the request body is larger than 6 MB; nothing was changed"
    response = api.post(
        "/api/v1/catalog/import", b"", content_type="application/zip", CONTENT_LENGTH=str(60 * 1024 * 1024)
    )
    (error,) = json_errors(response, 413)
    assert error["message"] == "the request body is larger than 51 MB; nothing was changed"


def test_form_fields_past_the_limit_without_a_content_length_limit_still_answer_413(client, alice, settings):
    # Django's own check of form fields (DATA_UPLOAD_MAX_MEMORY_SIZE), met before the middleware's.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(alice)
    response = client.post(reverse("okuyami:case-create"), {"deceased_name": "a" * 4096})
    assert response.status_code == 413 and "送信された内容が大きすぎます" in response.content.decode()


# --- Conditions nested past the limit: every path that reads a catalog -------------------------------------


def deep_document(condition: str) -> dict:
    return build_catalog_document({"procedures[0].applies_if": condition, "questions[1].ask_if": condition})


@pytest.mark.parametrize("shape", DEEP_CONDITIONS)
@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_the_import_api_refuses_deep_conditions_naming_where(bob, city_a, nothing_changes, shape, dry_run):
    with nothing_changes():
        response = token_client(bob).post(
            f"/api/v1/catalog/import?dry_run={dry_run}",
            deep_document(DEEP_CONDITIONS[shape]),
            content_type="application/json",
        )
        errors = json_errors(response)
        assert [e["field"] for e in errors] == ["questions[1].ask_if", "procedures[0].applies_if"]
        assert all(
            NESTED_TOO_DEEPLY in e["message"] and e["message"].startswith("syntax error at position")
            for e in errors
        )


@pytest.mark.parametrize("shape", DEEP_CONDITIONS)
def test_the_admin_import_lists_deep_conditions_and_changes_nothing(
    client, bob, city_a, nothing_changes, shape
):
    with nothing_changes():
        client.force_login(bob)
        upload = SimpleUploadedFile(
            "catalog.json", json.dumps(deep_document(DEEP_CONDITIONS[shape])).encode()
        )
        response = client.post(
            reverse("admin:procedures_municipality_import", args=[city_a.pk]), {"file": upload}
        )
        assert response.status_code == 200
        errors = response.context["file_errors"]
        assert [e.partition(": ")[0] for e in errors] == [
            "質問「世帯に残る方は何人ですか？」（household_left）の「質問する条件」",
            "手続き「世帯主変更届」（hoh_change）の「対象となる条件」",
        ]
        assert all(NESTED_TOO_DEEPLY_JA in e for e in errors)


@pytest.mark.parametrize("shape", DEEP_CONDITIONS)
def test_the_admin_forms_refuse_deep_conditions_on_their_fields(client, bob, city_a, nothing_changes, shape):
    with nothing_changes():
        client.force_login(bob)
        procedure = Procedure.objects.get(municipality=city_a, key="kokuho_loss")
        url = reverse("admin:procedures_procedure_change", args=[procedure.pk])
        response = client.post(url, procedure_form(procedure, applies_if=DEEP_CONDITIONS[shape]))
        assert response.status_code == 200
        assert NESTED_TOO_DEEPLY_JA in response.context["adminform"].form.errors["applies_if"][0]
        question = Question.objects.get(municipality=city_a, key="household_left")
        url = reverse("admin:procedures_question_change", args=[question.pk])
        response = client.post(url, question_form(question, ask_if=DEEP_CONDITIONS[shape]))
        assert response.status_code == 200
        assert NESTED_TOO_DEEPLY_JA in response.context["adminform"].form.errors["ask_if"][0]


@pytest.mark.parametrize("shape", DEEP_CONDITIONS)
@pytest.mark.parametrize("dry_run", [True, False])
def test_the_import_command_refuses_deep_conditions(tmp_path, city_a, nothing_changes, shape, dry_run):
    with nothing_changes():
        path = tmp_path / "deep.json"
        path.write_text(json.dumps(deep_document(DEEP_CONDITIONS[shape])), encoding="utf-8")
        stderr = io.StringIO()
        with pytest.raises(CommandError, match="2 errors; nothing was imported"):
            call_command(
                "import_catalog",
                str(path),
                *(["--dry-run"] if dry_run else []),
                stdout=io.StringIO(),
                stderr=stderr,
            )
        lines = stderr.getvalue().splitlines()
        assert [line.split(": ")[1] for line in lines] == ["questions[1].ask_if", "procedures[0].applies_if"]
        assert all(NESTED_TOO_DEEPLY in line for line in lines)


def manage(tmp_path, *args) -> subprocess.CompletedProcess:
    """A command as an operator runs it (its database is never reached: the file is refused first)."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_import_command_refuses_a_hostile_file_without_a_traceback(tmp_path):
    """One real process, for what only a process shows: a refused file ends in exit status 1 and a
    CommandError line, never a traceback. The deep condition and the zip bomb are refused through
    call_command above and below (the same command, the same CommandError); the deeply nested JSON
    is the file refused here."""
    path = tmp_path / "deep-json.json"
    path.write_text(DEEP_JSON, encoding="utf-8")
    result = manage(tmp_path, "import_catalog", str(path), "--dry-run")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "CommandError" in result.stderr, result.stderr[-500:]


# --- An Excel zip bomb ----------------------------------------------------------------------------------


def zip_bomb() -> bytes:
    """The contract city's workbook with a procedures sheet that unpacks to some 40 MB of cells."""
    data = write_xlsx(write_catalog(read_catalog(build_catalog_document())))
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(20, 1_000_000))
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet6.xml":  # the procedures sheet
                content = content.replace(b"</sheetData>", rows + b"</sheetData>")
            target.writestr(entry.filename, content)
    return out.getvalue()


def test_the_admin_refuses_a_zip_bomb_naming_the_sheet(client, bob, city_a, nothing_changes):
    with nothing_changes():
        bomb = zip_bomb()
        assert len(bomb) < 5 * 1024 * 1024  # passes the upload's own size check
        client.force_login(bob)
        upload = SimpleUploadedFile("catalog.xlsx", bomb)
        response = client.post(
            reverse("admin:procedures_municipality_import", args=[city_a.pk]), {"file": upload}
        )
        assert response.status_code == 200
        (error,) = response.context["file_errors"]
        assert error.startswith("シート「procedures」が大きすぎます")
        assert "シート「procedures」が大きすぎます" in response.content.decode()


def test_the_import_command_refuses_a_zip_bomb_naming_the_sheet(tmp_path, city_a):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb())
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 error; nothing was imported"):
        call_command("import_catalog", str(path), stdout=io.StringIO(), stderr=stderr)
    assert "bomb.xlsx: procedures: シート「procedures」が大きすぎます" in stderr.getvalue()


# --- Smaller ones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.domain)", "data:text/html,<b>x</b>", "vbscript:x"]
)
def test_a_procedure_url_other_than_https_or_http_is_refused_everywhere(
    client, bob, city_a, nothing_changes, url
):
    with nothing_changes():
        document = build_catalog_document({"procedures[0].url": url})
        response = token_client(bob).post("/api/v1/catalog/import", document, content_type="application/json")
        assert json_errors(response) == [
            {
                "field": "procedures[0].url",
                "message": "must be a web address starting with https:// or http://",
            }
        ]
        client.force_login(bob)
        procedure = Procedure.objects.get(municipality=city_a, key="kokuho_loss")
        response = client.post(
            reverse("admin:procedures_procedure_change", args=[procedure.pk]),
            procedure_form(procedure, url=url),
        )
        assert response.context["adminform"].form.errors["url"] == [
            f"＊「{url}」は https:// か http:// で始まるアドレスではありません"
        ]


def test_text_that_would_be_a_formula_leaves_the_admin_export_as_text(client, bob, city_a, catalog_document):
    catalog_import(
        catalog=read_catalog(catalog_document({"procedures[0].name": '=HYPERLINK("https://evil.example")'}))
    )
    client.force_login(bob)
    response = client.get(reverse("admin:procedures_municipality_export", args=[city_a.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content))["procedures"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("https://evil.example")' in names


@pytest.mark.parametrize(
    ("version", "status"),
    [(10**30, 400), (2**31, 400), (0, 400), (-1, 400), (True, 400), ("3", 400), (3.5, 400), (None, 428)],
)
def test_a_version_that_cannot_be_one_is_refused_not_a_500(case_a, alice, version, status):
    response = token_client(alice).post(
        f"/api/v1/cases/{case_a.pk}/finalise", {"version": version}, content_type="application/json"
    )
    assert fields_of(response, status) == ["version"]
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.OPEN


@pytest.mark.parametrize("size", ["", "null", "0", "201", "1e3", "-5", "x"])
def test_a_page_size_out_of_range_is_refused(case_a, alice, size):
    assert fields_of(token_client(alice).get("/api/v1/cases/", {"page_size": size})) == ["page_size"]


def test_another_municipalitys_delete_url_answers_404(client, dave, city_a):
    client.force_login(dave)
    response = client.get(reverse("admin:procedures_municipality_delete", args=[city_a.pk]))
    assert response.status_code == 404
