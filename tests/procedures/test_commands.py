"""The catalog commands: import_catalog, export_catalog, evaluate, load_demo; the fixture catalogs."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.models import StaffMembership
from procedures.catalog_io import CatalogInvalid, loads, read_catalog, write_catalog
from procedures.models import ApplicationForm, Municipality, Procedure, Question
from procedures.selectors import CATALOG_PATH, catalog_document_for
from tests.conftest import case_input

CATALOGS = Path(django_settings.BASE_DIR) / "fixtures" / "catalogs"
FIXTURE_CATALOGS = sorted(CATALOGS.glob("*.json"))


def run(*args) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def refused(*args) -> tuple[str, str]:
    """stderr and the CommandError message of a command that must refuse."""
    stderr = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=StringIO(), stderr=stderr)
    return stderr.getvalue(), str(caught.value)


def write_json(directory: Path, name: str, document) -> str:
    path = directory / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CATALOG_PATH}


def stored() -> dict[str, dict]:
    """Everything the database holds of every catalog, without ids: each municipality's catalog
    as the stored document (its items in their stored order)."""
    return {
        municipality.code: catalog_document_for(municipality=municipality)
        for municipality in Municipality.objects.order_by("code")
    }


# --- import_catalog -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_catalog_stores_the_whole_catalog(tmp_path, catalog_document):
    stdout, _ = run("import_catalog", write_json(tmp_path, "city.json", catalog_document()))
    assert "122041" in stdout
    municipality = Municipality.objects.get(code="122041")
    assert (municipality.name, municipality.prefecture) == ("船橋市", "千葉県")
    assert counts() == {
        "Municipality": 1,
        "Place": 3,
        "Counter": 4,
        "Question": 7,
        "Choice": 5,
        "Procedure": 9,
        "Document": 4,
        "ApplicationForm": 0,  # a plain .json catalog has no forms
        "FormPdf": 0,
    }
    kokuho_loss = Procedure.objects.get(key="kokuho_loss")
    assert kokuho_loss.applies_if == 'insurance == "kokuho"'
    assert kokuho_loss.counter.key == "kokuho"
    assert list(kokuho_loss.documents.values_list("text", flat=True)) == [
        "資格確認書",
        "届出人の本人確認書類",
    ]
    in_file_order = [question["key"] for question in catalog_document()["questions"]]
    assert list(Question.objects.order_by("position").values_list("key", flat=True)) == in_file_order
    assert Question.objects.get(key="care").ask_if == "age >= 40 and age < 65"
    assert municipality.catalog_version >= 1


@pytest.mark.django_db
def test_import_catalog_replaces_the_stored_catalog(tmp_path, catalog_document, imported):
    before = imported().catalog_version
    document = catalog_document({"procedures[1].name": "印鑑登録証の返還"})
    document["procedures"] = [p for p in document["procedures"] if p["key"] != "recent_move"]
    stdout, _ = run("import_catalog", write_json(tmp_path, "city.json", document))
    assert "seal" in stdout
    assert "recent_move" in stdout
    assert Municipality.objects.count() == 1
    assert Procedure.objects.get(key="seal").name == "印鑑登録証の返還"
    assert not Procedure.objects.filter(key="recent_move").exists()
    assert Municipality.objects.get(code="122041").catalog_version > before


@pytest.mark.django_db
def test_import_catalog_dry_run_writes_nothing(tmp_path, catalog_document):
    run("import_catalog", write_json(tmp_path, "city.json", catalog_document()), "--dry-run")
    assert set(counts().values()) == {0}


@pytest.mark.django_db
def test_import_catalog_dry_run_shows_the_changes_and_keeps_the_stored_catalog(
    tmp_path, catalog_document, imported
):
    version = imported().catalog_version
    before = stored()
    path = write_json(tmp_path, "city.json", catalog_document({"procedures[1].name": "印鑑登録証の返還"}))
    stdout, _ = run("import_catalog", path, "--dry-run")
    assert "seal" in stdout
    assert stored() == before
    assert Municipality.objects.get(code="122041").catalog_version == version


def invalid_document(catalog_document) -> dict:
    """Five errors, all in leaves of the catalog so that none hides another."""
    return catalog_document(
        {
            "extra": 1,
            "procedures[0].documents": ["", "届出人の本人確認書類"],
            "procedures[3].applies_if": "insurence == 'koki'",
            "procedures[4].deadline_days": -1,
            "procedures[8].order": True,
        }
    )


@pytest.mark.django_db
def test_import_catalog_reports_every_error_with_the_file_and_imports_nothing(tmp_path, catalog_document):
    document = invalid_document(catalog_document)
    path = write_json(tmp_path, "city.json", document)
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog(document)
    stderr, message = refused("import_catalog", path)
    assert stderr.splitlines() == [f"{path}: {error}" for error in caught.value.errors]
    assert (
        f"{path}: procedures[3].applies_if: unknown question 'insurence' (did you mean 'insurance'?)"
        in stderr
    )
    assert len(caught.value.errors) == 5
    assert path in message
    assert set(counts().values()) == {0}


@pytest.mark.django_db
def test_an_invalid_catalog_leaves_the_stored_one_untouched(tmp_path, catalog_document, imported):
    version = imported().catalog_version
    before, before_counts = stored(), counts()
    stderr, _ = refused(
        "import_catalog", write_json(tmp_path, "city.json", invalid_document(catalog_document))
    )
    assert "procedures[4].deadline_days" in stderr
    assert counts() == before_counts
    assert stored() == before
    assert Municipality.objects.get(code="122041").catalog_version == version


@pytest.mark.django_db
def test_import_catalog_names_a_missing_file(tmp_path):
    path = str(tmp_path / "nowhere.json")
    _, message = refused("import_catalog", path)
    assert path in message
    assert "no such file" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{\n  "format": tru\n}', "line 2 column 13"),
        ('{"format": "okuyami-catalog/1", "format": "okuyami-catalog/1"}', "format: field given twice"),
    ],
)
def test_import_catalog_refuses_text_that_is_not_one_json_document(tmp_path, text, fragment):
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    _, message = refused("import_catalog", str(path))
    assert message.startswith(f"{path}: ")
    assert fragment in message
    assert set(counts().values()) == {0}


# --- export_catalog -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_catalog_prints_the_catalog(catalog_document, imported):
    imported()
    stdout, _ = run("export_catalog", "122041")
    assert json.loads(stdout) == write_catalog(read_catalog(catalog_document()))


@pytest.mark.django_db
def test_export_catalog_writes_a_file_with_o(tmp_path, imported):
    imported()
    printed, _ = run("export_catalog", "122041")
    target = tmp_path / "out.json"
    stdout, _ = run("export_catalog", "122041", "-o", str(target))
    assert stdout == ""
    assert target.read_text(encoding="utf-8") == printed


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["131016", "12345", "122042"])
def test_export_catalog_refuses_a_code_without_a_catalog(code, imported):
    imported()
    _, message = refused("export_catalog", code)
    assert code in message


def catalog_sources():
    return [Path(__file__).parents[1] / "data" / "contract-city.json", *FIXTURE_CATALOGS]


@pytest.mark.django_db
@pytest.mark.parametrize("source", catalog_sources(), ids=lambda path: path.name)
def test_import_export_import_is_lossless(tmp_path, source):
    run("import_catalog", str(source))
    first_export, _ = run("export_catalog", loads(source.read_bytes())["municipality"]["code"])
    first_stored = stored()
    exported = tmp_path / "exported.json"
    exported.write_text(first_export, encoding="utf-8")
    run("import_catalog", str(exported))
    second_export, _ = run("export_catalog", json.loads(first_export)["municipality"]["code"])
    assert second_export == first_export
    assert stored() == first_stored
    assert read_catalog(json.loads(first_export)) == read_catalog(loads(source.read_bytes()))


@pytest.mark.django_db
@pytest.mark.parametrize("source", FIXTURE_CATALOGS or [None], ids=lambda path: path.name if path else "none")
def test_exporting_an_imported_fixture_gives_its_bytes_back(source):
    assert source is not None, f"no catalogs in {CATALOGS}"
    # fixtures/README.md: the fixtures are listed in walking order, as export writes them.
    run("import_catalog", str(source))
    exported, _ = run("export_catalog", loads(source.read_bytes())["municipality"]["code"])
    assert exported == source.read_text(encoding="utf-8")


# --- evaluate --------------------------------------------------------------------------------------

CASE = case_input(household_left=1, unknown=["pension"])


@pytest.mark.django_db
def test_evaluate_prints_the_result_document(tmp_path, imported):
    imported()
    stdout, _ = run("evaluate", "122041", write_json(tmp_path, "case.json", CASE))
    result = json.loads(stdout)
    assert set(result) == {"municipality", "applies", "maybe", "route"}
    assert result["municipality"] == "122041"
    # 81 years old; one person left in the household, so no 世帯主変更.
    assert [entry["key"] for entry in result["applies"]] == ["seal", "kaigo_loss", "koki_loss", "gentsuki"]
    assert result["maybe"] == [
        {
            "key": "pension_death",
            "name": "年金受給権者死亡届",
            "counter": "pension_office",
            "deadline": "2026-12-04",
            "unknown": ["pension"],
        }
    ]
    assert [(stop["counter"], stop["procedures"]) for stop in result["route"]] == [
        ("shimin", ["seal"]),
        ("kokuho", ["kaigo_loss", "koki_loss"]),
        ("zeimu", ["gentsuki"]),
    ]


@pytest.mark.django_db
def test_evaluate_sees_a_newly_imported_catalog(tmp_path, catalog_document, imported):
    imported()
    case = write_json(tmp_path, "case.json", CASE)
    run("evaluate", "122041", case)
    run(
        "import_catalog",
        write_json(tmp_path, "city.json", catalog_document({"procedures[1].applies_if": "false"})),
    )
    result = json.loads(run("evaluate", "122041", case)[0])
    assert "seal" not in [entry["key"] for entry in result["applies"]]


@pytest.mark.django_db
def test_evaluate_refuses_a_bad_case_naming_each_key(tmp_path, imported):
    imported()
    case = {
        "deceased": {"death_date": "2026-11-20"},
        "answers": {"insurance": "kokuhoo", "pension": True},
        "unknown": ["pension", "head_of_household"],
    }
    path = write_json(tmp_path, "case.json", case)
    stderr, message = refused("evaluate", "122041", path)
    lines = stderr.splitlines()
    for key in ("insurance", "pension", "head_of_household"):
        assert any(line.startswith(f"{path}: ") and key in line for line in lines), (key, lines)
    assert path in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "fragment"), [("131016", "no municipality with code 131016"), ("12345", "12345")]
)
def test_evaluate_names_an_unknown_municipality(tmp_path, imported, code, fragment):
    imported()
    _, message = refused("evaluate", code, write_json(tmp_path, "case.json", CASE))
    assert fragment in message


@pytest.mark.django_db
def test_evaluate_names_a_missing_case_file(tmp_path, imported):
    imported()
    path = str(tmp_path / "nowhere.json")
    _, message = refused("evaluate", "122041", path)
    assert path in message


# --- load_demo ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    _, message = refused("load_demo")
    assert "DJANGO_DEBUG" in message
    assert set(counts().values()) == {0}
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_load_demo_is_idempotent(settings):
    settings.DEBUG = True
    run("load_demo")
    first_counts, first_stored = counts(), stored()
    run("load_demo")
    assert counts() == first_counts
    assert stored() == first_stored
    assert get_user_model().objects.filter(username__startswith="demo-").count() == 3
    run("load_demo", "--reset")
    assert counts() == first_counts
    assert stored() == first_stored


@pytest.mark.django_db
def test_load_demo_loads_every_fixture_and_the_demo_logins(settings):
    settings.DEBUG = True
    run("load_demo")
    codes = {loads(path.read_bytes())["municipality"]["code"] for path in FIXTURE_CATALOGS}
    assert set(Municipality.objects.values_list("code", flat=True)) == codes
    sample_city = loads((CATALOGS / "sample-city.json").read_bytes())["municipality"]["code"]
    logins = (("demo-counter", "counter"), ("demo-editor", "editor"), ("demo-manager", "manager"))
    for username, role in logins:
        user = get_user_model().objects.get(username=username)
        assert user.check_password("okuyami-demo")
        membership = StaffMembership.objects.get(user=user)
        assert (membership.municipality.code, membership.role) == (sample_city, role)
    # The demo forms on their procedures (fixtures/forms/<procedure key>.json), the PDFs as drawn.
    forms = ApplicationForm.objects.filter(procedure__municipality__code=sample_city).select_related("pdf")
    assert {form.procedure.key: form.file for form in forms} == {
        "kokuho_loss": "forms/kokuho_loss.pdf",
        "kokuho_sosaihi": "forms/kokuho_sosaihi.pdf",
        "juminzei_daihyo": "forms/juminzei_daihyo.pdf",
    }
    for form in forms:
        drawn = Path(django_settings.BASE_DIR) / "fixtures" / form.file
        assert bytes(form.pdf.data) == drawn.read_bytes()
        assert form.fields == json.loads(drawn.with_suffix(".json").read_text(encoding="utf-8"))["fields"]


@pytest.mark.django_db
def test_the_demo_manager_sees_the_audit_log_of_the_sample_city(settings, client):
    settings.DEBUG = True
    run("load_demo")
    assert client.login(username="demo-manager", password="okuyami-demo")
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/audit/"
    assert "操作記録：みほん市" in response.content.decode()


# --- The fixture catalogs -------------------------------------------------------------------------


def test_the_fixture_catalogs_are_there():
    assert {path.name for path in FIXTURE_CATALOGS} >= {"national-template.json", "sample-city.json"}


# An empty glob must fail, not pass with no cases: the sentinel None stands in for "no files".
@pytest.mark.parametrize("path", FIXTURE_CATALOGS or [None], ids=lambda path: path.name if path else "none")
def test_every_fixture_catalog_is_valid(path):
    assert path is not None, f"no catalogs in {CATALOGS}"
    catalog = read_catalog(loads(path.read_bytes()))
    assert catalog.questions
    assert catalog.procedures
    if path.name == "national-template.json":
        assert len(catalog.questions) >= 20
        assert len(catalog.procedures) >= 35
