"""Importing a catalog file, CLI and admin: a dry run shows what changes, applying is atomic."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from procedures.catalog_io import read_catalog, write_catalog
from procedures.catalog_xlsx import write_xlsx
from procedures.models import CatalogRevision, Municipality, Procedure
from tests.conftest import import_catalog
from tests.procedures.test_commands import run, stored, write_json

pytestmark = pytest.mark.django_db


def changed_document(catalog_document, edits: dict | None = None) -> dict:
    """koki_loss's deadline 14 -> 30, recent_move removed, pension_stop added (and `edits` made)."""
    document = catalog_document({"procedures[3].deadline_days": 30, **(edits or {})})
    document["procedures"] = [p for p in document["procedures"] if p["key"] != "recent_move"]
    document["procedures"].append(
        {
            "key": "pension_stop",
            "name": "年金の停止",
            "counter": "pension_office",
            "applies_if": "pension == true",
        }
    )
    return document


# --- The command line --------------------------------------------------------------------------------


def test_a_dry_run_says_what_changes_field_by_field(tmp_path, city_a, catalog_document):
    before = stored()
    stdout, _ = run(
        "import_catalog", write_json(tmp_path, "c.json", changed_document(catalog_document)), "--dry-run"
    )
    lines = stdout.splitlines()
    assert "  procedures koki_loss changed: 後期高齢者医療の資格喪失届" in lines
    assert "      deadline: 14 days from death -> 30 days from death" in lines
    assert "  procedures pension_stop added: 年金の停止" in lines
    assert "  procedures recent_move removed: 転入後の手続き" in lines
    assert lines[-1] == "dry run: the catalog is valid; nothing was changed"
    assert stored() == before


def test_a_dry_run_lists_the_catalogs_warnings(tmp_path, city_a, catalog_document):
    document = catalog_document({"procedures[1].applies_if": "age < 10 and age > 20"})
    stdout, _ = run("import_catalog", write_json(tmp_path, "c.json", document), "--dry-run")
    assert "warning: procedures 'seal': no combination of answers makes it apply" in stdout


def test_an_import_of_the_same_catalog_says_no_changes(tmp_path, city_a, catalog_document):
    stdout, _ = run("import_catalog", write_json(tmp_path, "c.json", catalog_document()), "--dry-run")
    assert "no changes" in stdout.splitlines()


def test_an_import_from_the_command_line_is_recorded(tmp_path, city_a, catalog_document):
    path = write_json(tmp_path, "c.json", changed_document(catalog_document))
    run("import_catalog", path)
    revision = CatalogRevision.objects.filter(municipality=city_a).order_by("-pk").first()
    assert (revision.action, revision.user, revision.note) == (
        "import",
        None,
        "コマンド（import_catalog）で「c.json」を取り込み",
    )


# --- The admin -------------------------------------------------------------------------------------------


def import_url(municipality) -> str:
    return reverse("admin:procedures_municipality_import", args=[municipality.pk])


def upload(client, municipality, name: str, content: bytes):
    return client.post(import_url(municipality), {"file": SimpleUploadedFile(name, content)})


def as_json(document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_the_admin_shows_the_difference_then_applies_it(client, bob, city_a, catalog_document, fmt):
    client.force_login(bob)
    document = changed_document(catalog_document)
    content = as_json(document) if fmt == "json" else write_xlsx(write_catalog(read_catalog(document)))
    before = stored()
    response = upload(client, city_a, f"catalog.{fmt}", content)
    assert response.status_code == 200
    changes = response.context["changes"]
    assert {(i.key, i.kind) for i in changes.items} == {
        ("koki_loss", "changed"),
        ("pension_stop", "added"),
        ("recent_move", "removed"),
    }
    html = response.content.decode()
    assert (
        "期限: <del>亡くなった日から14日</del> → <ins>亡くなった日から30日</ins>" in html
        and "年金の停止" in html
    )
    assert stored() == before  # only shown so far

    response = client.post(import_url(city_a), {"apply": "1"}, follow=True)
    assert response.redirect_chain[-1][1] == 302
    # The name as it was: the admin capitalises a message's first letter, and a name never starts one.
    assert f"「catalog.{fmt}」を取り込みました。" in response.content.decode()
    assert Procedure.objects.get(municipality=city_a, key="koki_loss").deadline_days == 30
    assert Procedure.objects.filter(municipality=city_a, key="pension_stop").exists()
    assert not Procedure.objects.filter(municipality=city_a, key="recent_move").exists()
    revision = CatalogRevision.objects.filter(municipality=city_a).order_by("-pk").first()
    assert (revision.user, revision.action, revision.note) == (bob, "import", f"「catalog.{fmt}」を取り込み")


def test_an_excel_file_with_errors_is_refused_with_where_and_changes_nothing(
    client, bob, city_a, catalog_document
):
    client.force_login(bob)
    workbook = load_workbook(io.BytesIO(write_xlsx(write_catalog(read_catalog(catalog_document())))))
    workbook["procedures"]["D4"] = "insurance == 'kokuhoo'"
    out = io.BytesIO()
    workbook.save(out)
    before, version = stored(), city_a.catalog_version
    response = upload(client, city_a, "catalog.xlsx", out.getvalue())
    assert response.status_code == 200
    (error,) = response.context["file_errors"]
    assert error == (
        "シート「procedures」の4行目 D列「対象となる条件」: 質問「insurance」に選択肢「kokuhoo」はありません"
        "（「kokuho」のまちがいですか？）。選択肢の値: kokuho、koki、shaho"
    )
    assert "シート「procedures」の4行目 D列「対象となる条件」" in response.content.decode()
    assert client.post(import_url(city_a), {"apply": "1"}).status_code == 302  # nothing pending
    assert stored() == before
    assert Municipality.objects.get(pk=city_a.pk).catalog_version == version


def test_another_municipalitys_catalog_is_refused(client, bob, city_a, catalog_document):
    client.force_login(bob)
    other = catalog_document(municipality={"code": "131016", "name": "千代田区", "prefecture": "東京都"})
    response = upload(client, city_a, "other.json", as_json(other))
    assert "131016" in response.context["file_errors"][0]
    client.post(import_url(city_a), {"apply": "1"})
    assert not Municipality.objects.filter(code="131016").exists()


@pytest.mark.parametrize("content", [b"{not json", b"PK\x03\x04garbage", "ÿ".encode("latin-1")])
def test_a_file_that_is_not_a_catalog_is_refused_without_a_500(client, bob, city_a, content):
    client.force_login(bob)
    response = upload(client, city_a, "broken.json", content)
    assert response.status_code == 200
    assert response.context["file_errors"]


def test_a_preview_confirmed_after_another_change_is_not_applied(client, bob, city_a, catalog_document):
    client.force_login(bob)
    upload(client, city_a, "c.json", as_json(changed_document(catalog_document)))
    other = catalog_document({"procedures[1].name": "印鑑登録証の返還"})
    import_catalog(other)  # someone else, meanwhile
    response = client.post(import_url(city_a), {"apply": "1"}, follow=True)
    assert "確認のあとにカタログが変更されました" in response.content.decode()
    assert Procedure.objects.get(municipality=city_a, key="koki_loss").deadline_days == 14
    assert Procedure.objects.get(municipality=city_a, key="seal").name == "印鑑登録証の返還"


def test_the_confirm_page_shows_the_warnings_of_the_new_catalog(client, bob, city_a, catalog_document):
    client.force_login(bob)
    document = catalog_document({"procedures[1].applies_if": "age < 10 and age > 20"})
    response = upload(client, city_a, "c.json", as_json(document))
    assert [w.key for w in response.context["warnings"]] == ["seal"]
    assert "どの回答の組み合わせでも対象になりません" in response.content.decode()


def test_exports_download_the_current_catalog(client, bob, city_a, catalog_document):
    client.force_login(bob)
    response = client.get(reverse("admin:procedures_municipality_export", args=[city_a.pk, "json"]))
    assert json.loads(response.content) == write_catalog(read_catalog(catalog_document()))
    assert 'filename="catalog-122041.json"' in response["Content-Disposition"]
    response = client.get(reverse("admin:procedures_municipality_export", args=[city_a.pk, "xlsx"]))
    assert response.content.startswith(b"PK")
    assert (
        client.get(reverse("admin:procedures_municipality_export", args=[city_a.pk, "csv"])).status_code
        == 404
    )
