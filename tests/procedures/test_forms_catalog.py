"""A catalog with forms everywhere a catalog goes: stored (PDFs in the database, by hash),
imported and exported as a bundle by the commands, the admin and the API, recorded in the
history with its forms and fields, undone and restored. Real PDFs, a real database."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from procedures.models import ApplicationForm, CatalogRevision, FormPdf, Municipality
from procedures.selectors import catalog_for, catalog_snapshot_for
from procedures.services import municipality_delete
from tests.conftest import edit
from tests.form_builders import PDF_OF, bundle_bytes, demo_pdf, forms_document, import_with_forms
from tests.procedures.test_commands import counts, refused, run, stored, write_json

pytestmark = pytest.mark.django_db


def keyed(document: dict) -> dict[str, dict]:
    return {p["key"]: p for p in document["procedures"]}


def fresh(municipality) -> Municipality:
    return Municipality.objects.get(pk=municipality.pk)


@pytest.fixture
def forms_city(city_a):
    """船橋市 with its forms: the contract city (city_a, so bob edits it) imported again as a bundle."""
    return import_with_forms()


def write_bundle_file(tmp_path: Path, document: dict, files: dict[str, bytes], name="city.zip") -> str:
    path = tmp_path / name
    path.write_bytes(bundle_bytes(document, files))
    return str(path)


# --- Stored --------------------------------------------------------------------------------------


def test_the_pdfs_are_stored_once_each_in_the_database_named_by_their_hash(forms_city):
    pdfs = {row.sha256: bytes(row.data) for row in FormPdf.objects.filter(municipality=forms_city)}
    files = {path: demo_pdf(name) for path, name in PDF_OF.items()}
    assert pdfs == {hashlib.sha256(data).hexdigest(): data for data in files.values()}
    forms = {f.procedure.key: (f.file, f.pdf.sha256) for f in ApplicationForm.objects.select_related("pdf")}
    assert forms == {
        "seal": ("forms/seal.pdf", hashlib.sha256(files["forms/seal.pdf"]).hexdigest()),
        "kokuho_loss": ("forms/kokuho_loss.pdf", hashlib.sha256(files["forms/kokuho_loss.pdf"]).hexdigest()),
        "gentsuki": (
            "forms/juminzei_daihyo.pdf",
            hashlib.sha256(files["forms/juminzei_daihyo.pdf"]).hexdigest(),
        ),
        "pension_death": (
            "forms/kokuho_loss.pdf",
            hashlib.sha256(files["forms/kokuho_loss.pdf"]).hexdigest(),
        ),
    }
    procedures = {p.key: p for p in catalog_for(municipality=forms_city).procedures}
    assert procedures["seal"].forms[0].fields[3].value == "answer.insurance"


def test_revisions_share_the_stored_pdfs(forms_city):
    import_with_forms()
    import_with_forms()
    assert FormPdf.objects.filter(municipality=forms_city).count() == 3
    assert CatalogRevision.objects.filter(municipality=forms_city).count() == 4  # city_a, then 3 bundles


def test_a_municipality_goes_with_its_forms_and_pdfs(forms_city):
    municipality_delete(municipality=forms_city)
    assert not ApplicationForm.objects.exists() and not FormPdf.objects.exists()


# --- The commands ----------------------------------------------------------------------------------


def test_export_then_import_gives_the_same_forms_fields_and_byte_identical_pdfs(forms_city, tmp_path):
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    run("export_catalog", "122041", "-o", str(first))
    before = stored()
    stdout, _ = run("import_catalog", str(first))
    assert "no changes" in stdout and ", 4 forms" in stdout
    assert stored() == before
    run("export_catalog", "122041", "--format", "zip", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        for path, name in PDF_OF.items():
            assert archive.read(path) == demo_pdf(name)
        document = json.loads(archive.read("catalog.json"))
    assert keyed(document)["seal"]["forms"] == forms_document()[0]["procedures"][1]["forms"]


def test_a_bundle_imported_into_an_empty_database_creates_the_catalog_with_its_forms(tmp_path):
    document, files = forms_document()
    stdout, _ = run("import_catalog", write_bundle_file(tmp_path, document, files))
    assert "created the catalog of 122041" in stdout
    assert ApplicationForm.objects.count() == 4 and FormPdf.objects.count() == 3


def test_a_bundle_with_an_error_is_refused_with_its_path_and_changes_nothing(forms_city, tmp_path):
    document, files = forms_document()
    edit(document, "procedures[1].forms[0].fields[0].page", 3)
    edit(document, "procedures[2].forms[0].fields[0].value", "answer.nothing")
    files["forms/kokuho_loss.pdf"] = files["forms/seal.pdf"]
    before, numbers = stored(), counts()
    path = write_bundle_file(tmp_path, document, files)
    stderr, message = refused("import_catalog", path)
    assert f"{path}: procedures[1].forms[0].fields[0].page: page 3 is past the PDF's last page (2)" in stderr
    assert f"{path}: procedures[2].forms[0].fields[0].value: 'answer.nothing' names no question" in stderr
    assert message == f"{path}: 2 errors; nothing was imported"
    assert stored() == before and counts() == numbers


def test_a_bundle_dry_run_shows_the_form_changes_and_writes_nothing(forms_city, tmp_path):
    document, files = forms_document()
    edit(document, "procedures[1].forms[0].fields[0].x", 60)
    before = stored()
    stdout, _ = run("import_catalog", write_bundle_file(tmp_path, document, files), "--dry-run")
    assert "  procedures seal changed: 印鑑登録証の返却" in stdout
    assert "    form forms/seal.pdf p1 deceased.name: x 51.5, y 63.4, width 57, size 12 -> x 60," in stdout
    assert "dry run" in stdout and stored() == before


def test_json_export_of_a_catalog_with_forms_is_refused_pointing_to_the_bundle(forms_city):
    _, message = refused("export_catalog", "122041")
    assert message == (
        "122041 has 4 forms: a .json catalog cannot carry their PDFs; "
        "export a bundle with --format zip -o PATH.zip"
    )


def test_a_plain_json_import_replaces_the_forms_as_the_contract_says(forms_city, tmp_path, catalog_document):
    stdout, _ = run("import_catalog", write_json(tmp_path, "city.json", catalog_document()))
    assert "    forms: forms/seal.pdf -> —" in stdout
    assert not ApplicationForm.objects.exists()


def test_a_plain_json_with_forms_is_refused(forms_city, tmp_path):
    document, _ = forms_document()
    stderr, _ = refused("import_catalog", write_json(tmp_path, "city.json", document))
    assert "procedures[1].forms: a plain .json catalog may not have forms: import a bundle (.zip)" in stderr


def test_a_workbook_leaves_the_forms_out_and_importing_it_keeps_them(forms_city, tmp_path):
    workbook = tmp_path / "city.xlsx"
    _, stderr = run("export_catalog", "122041", "-o", str(workbook))
    assert "the workbook does not hold the 4 forms" in stderr
    book = load_workbook(workbook)
    assert "forms" not in book.sheetnames
    names = [cell.value for cell in book["procedures"][1]]
    row = next(r for r in book["procedures"].iter_rows(min_row=2) if r[0].value == "kokuho_loss")
    row[names.index("name")].value = "国民健康保険の資格喪失届（変更）"
    book.save(workbook)
    before = {f.procedure.key: (f.file, f.pdf_id, f.fields) for f in ApplicationForm.objects.all()}
    stdout, _ = run("import_catalog", str(workbook))
    assert "note: kokuho_loss: its forms are kept (a workbook holds no forms)" in stdout
    assert {f.procedure.key: (f.file, f.pdf_id, f.fields) for f in ApplicationForm.objects.all()} == before
    assert keyed(catalog_snapshot_for(municipality=forms_city))["kokuho_loss"]["name"].endswith("（変更）")


# --- The history -------------------------------------------------------------------------------------


def test_a_revision_keeps_each_form_with_its_pdfs_hash(forms_city):
    revision = CatalogRevision.objects.filter(municipality=forms_city).latest("pk")
    seal = keyed(revision.document)["seal"]["forms"][0]
    assert seal["sha256"] == hashlib.sha256(demo_pdf("kokuho_sosaihi")).hexdigest()


def test_the_history_shows_and_restores_a_replaced_pdf(client, bob, forms_city):
    first = CatalogRevision.objects.filter(municipality=forms_city).latest("pk")
    document, files = forms_document()
    files["forms/seal.pdf"] = demo_pdf("kokuho_loss")  # a new 様式 with the same pages
    import_with_forms(document, files)
    replaced = CatalogRevision.objects.filter(municipality=forms_city).latest("pk")
    client.force_login(bob)
    page = client.get(reverse("admin:procedures_municipality_revision", args=[forms_city.pk, replaced.pk]))
    html = page.content.decode()
    assert "<code>form forms/seal.pdf</code>" in html
    old, new = (hashlib.sha256(demo_pdf(name)).hexdigest()[:12] for name in ("kokuho_sosaihi", "kokuho_loss"))
    assert f"印鑑登録証 返還届 (PDF {old})" in html and f"印鑑登録証 返還届 (PDF {new})" in html

    url = reverse("admin:procedures_municipality_revert", args=[forms_city.pk, first.pk, "restore"])
    response = client.post(url, {"version": fresh(forms_city).catalog_version})
    assert response.status_code == 302
    seal = ApplicationForm.objects.select_related("pdf").get(procedure__key="seal")
    assert bytes(seal.pdf.data) == demo_pdf("kokuho_sosaihi")
    assert FormPdf.objects.filter(municipality=forms_city).count() == 3  # restored from storage, not copied


def test_a_form_change_is_undone_field_by_field(client, bob, forms_city):
    document, files = forms_document()
    edit(document, "procedures[1].forms[0].fields[0].x", 60)
    import_with_forms(document, files)
    change = CatalogRevision.objects.filter(municipality=forms_city).latest("pk")
    client.force_login(bob)
    url = reverse("admin:procedures_municipality_revert", args=[forms_city.pk, change.pk, "undo"])
    shown = client.get(url).content.decode()
    assert "<code>form forms/seal.pdf p1 deceased.name</code>" in shown
    assert client.post(url, {"version": fresh(forms_city).catalog_version}).status_code == 302
    assert ApplicationForm.objects.get(procedure__key="seal").fields[0]["x"] == 51.5


# --- The admin's import and export -----------------------------------------------------------------


def test_the_admin_imports_a_bundle_after_showing_its_form_changes(client, bob, forms_city):
    document, files = forms_document()
    edit(document, "procedures[2].forms[0].title", "国民健康保険 資格喪失届（令和8年様式）")
    files["forms/new.pdf"] = demo_pdf("kokuho_loss")  # named by no form: left out
    client.force_login(bob)
    url = reverse("admin:procedures_municipality_import", args=[forms_city.pk])
    upload = io.BytesIO(bundle_bytes(document, files))
    upload.name = "funabashi.zip"
    page = client.post(url, {"file": upload}).content.decode()
    assert "<code>form forms/kokuho_loss.pdf</code>" in page and "（令和8年様式）" in page
    assert "bundle: forms/new.pdf: no form names this file; it was left out" in page
    assert (
        ApplicationForm.objects.get(procedure__key="kokuho_loss").title == "国民健康保険 被保険者資格喪失届"
    )
    assert client.post(url, {"apply": "1"}).status_code == 302
    assert ApplicationForm.objects.get(procedure__key="kokuho_loss").title.endswith("（令和8年様式）")


def test_the_admin_refuses_a_broken_bundle_naming_the_problem(client, bob, forms_city):
    document, files = forms_document()
    files["forms/seal.pdf"] = b"not a pdf"
    client.force_login(bob)
    upload = io.BytesIO(bundle_bytes(document, files))
    upload.name = "funabashi.zip"
    before = stored()
    page = client.post(
        reverse("admin:procedures_municipality_import", args=[forms_city.pk]), {"file": upload}
    )
    assert "procedures[1].forms[0].file: &#x27;forms/seal.pdf&#x27;: is not a PDF" in page.content.decode()
    assert stored() == before


def test_the_admin_exports_a_bundle_and_refuses_json_for_a_catalog_with_forms(client, bob, forms_city):
    client.force_login(bob)
    response = client.get(reverse("admin:procedures_municipality_export", args=[forms_city.pk, "zip"]))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="catalog-122041.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read("forms/seal.pdf") == demo_pdf("kokuho_sosaihi")
    response = client.get(
        reverse("admin:procedures_municipality_export", args=[forms_city.pk, "json"]), follow=True
    )
    assert "申請書のあるカタログは JSON では書き出せません" in response.content.decode()


def test_another_municipalitys_editor_cannot_export_the_bundle(client, dave, forms_city):
    client.force_login(dave)
    response = client.get(reverse("admin:procedures_municipality_export", args=[forms_city.pk, "zip"]))
    assert response.status_code == 404


# --- The API ---------------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_the_api_gives_the_catalog_with_its_forms_and_the_bundle(bob, forms_city):
    client = api_for(bob)
    document = client.get("/api/v1/catalog").json()
    assert keyed(document)["seal"]["forms"][0]["file"] == "forms/seal.pdf"
    bundle = client.get("/api/v1/catalog/bundle")
    assert bundle["Content-Type"] == "application/zip"
    public = APIClient().get("/api/v1/municipalities/122041/catalog/bundle")
    assert public.content == bundle.content
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert json.loads(archive.read("catalog.json")) == document


def test_the_api_imports_a_bundle_posted_as_application_zip(bob, forms_city):
    document, files = forms_document()
    edit(document, "procedures[1].forms[0].fields[0].x", 60)
    client = api_for(bob)
    body = bundle_bytes(document, files)
    dry = client.post("/api/v1/catalog/import?dry_run=true", body, content_type="application/zip")
    assert dry.status_code == 200, dry.content
    assert dry.json()["diff"]["procedures"]["changed"] == ["seal"] and dry.json()["applied"] is False
    assert ApplicationForm.objects.get(procedure__key="seal").fields[0]["x"] == 51.5
    applied = client.post("/api/v1/catalog/import", body, content_type="application/zip")
    assert applied.json()["applied"] is True
    assert ApplicationForm.objects.get(procedure__key="seal").fields[0]["x"] == 60


def test_the_api_refuses_a_bundle_with_an_error_naming_its_path(bob, forms_city):
    document, files = forms_document()
    edit(document, "procedures[5].forms[0].fields[0].acroform", "nothing")
    response = api_for(bob).post(
        "/api/v1/catalog/import", bundle_bytes(document, files), content_type="application/zip"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "procedures[5].forms[0].fields[0].acroform",
            "message": "the PDF has no fillable field 'nothing'",
        }
    ]
    not_a_zip = api_for(bob).post("/api/v1/catalog/import", b"hello", content_type="application/zip")
    assert not_a_zip.status_code == 400
    assert not_a_zip.json()["errors"] == [{"field": "bundle", "message": "not a .zip file, or a damaged one"}]


def test_the_bundle_endpoints_need_an_editor_or_a_known_code(alice, forms_city):
    assert api_for(alice).get("/api/v1/catalog/bundle").status_code == 403
    assert APIClient().get("/api/v1/catalog/bundle").status_code in (401, 403)
    assert APIClient().get("/api/v1/municipalities/131016/catalog/bundle").status_code == 404
