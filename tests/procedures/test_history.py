"""Every catalog change is recorded (who, when, what); its diff can be seen and it can be reverted."""

import pytest
from django.urls import reverse

from procedures.catalog_changes import catalog_changes, undo_change
from procedures.catalog_io import read_catalog, write_catalog
from procedures.models import CatalogRevision, Municipality, Procedure
from procedures.selectors import catalog_snapshot_for
from tests.conftest import import_catalog
from tests.procedures.test_admin import procedure_form
from tests.procedures.test_commands import stored

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:procedures_{obj._meta.model_name}_change", args=[obj.pk])


def revert_url(revision, mode: str) -> str:
    return reverse("admin:procedures_municipality_revert", args=[revision.municipality_id, revision.pk, mode])


def edit_procedure(client, key: str, municipality, **changes):
    procedure = Procedure.objects.get(municipality=municipality, key=key)
    response = client.post(change_url(procedure), procedure_form(procedure, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return CatalogRevision.objects.filter(municipality=municipality).order_by("-pk").first()


def latest(municipality) -> CatalogRevision:
    return CatalogRevision.objects.filter(municipality=municipality).order_by("-pk").first()


def fresh(municipality) -> Municipality:
    return Municipality.objects.get(pk=municipality.pk)


# --- Recording -------------------------------------------------------------------------------------------


def test_an_import_is_recorded_with_the_whole_catalog(city_a, catalog_document):
    (revision,) = CatalogRevision.objects.filter(municipality=city_a)
    assert revision.action == CatalogRevision.Action.IMPORT
    assert revision.user is None
    assert revision.catalog_version == city_a.catalog_version
    assert revision.document == write_catalog(read_catalog(catalog_document()))


def test_an_admin_edit_is_recorded_with_who_and_what(client, bob, city_a):
    client.force_login(bob)
    revision = edit_procedure(client, "kokuho_loss", city_a, deadline_days=7)
    assert (revision.user, revision.username, revision.action) == (bob, "bob", CatalogRevision.Action.EDIT)
    assert "kokuho_loss" in revision.note
    assert revision.catalog_version == fresh(city_a).catalog_version
    entry = next(p for p in revision.document["procedures"] if p["key"] == "kokuho_loss")
    assert entry["deadline_days"] == 7


def test_a_delete_in_the_admin_is_recorded(client, bob, city_a):
    client.force_login(bob)
    procedure = Procedure.objects.get(municipality=city_a, key="recent_move")
    url = reverse("admin:procedures_procedure_delete", args=[procedure.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    revision = latest(city_a)
    assert "recent_move" in revision.note and "削除" in revision.note
    assert "recent_move" not in {p["key"] for p in revision.document["procedures"]}


def test_the_history_page_lists_changes_newest_first(client, bob, city_a):
    client.force_login(bob)
    edit_procedure(client, "seal", city_a, name="印鑑登録証の返還")
    response = client.get(reverse("admin:procedures_municipality_revisions", args=[city_a.pk]))
    revisions = list(response.context["page"])
    assert [r.action for r in revisions] == [CatalogRevision.Action.EDIT, CatalogRevision.Action.IMPORT]
    html = response.content.decode()
    assert "bob" in html and "（コマンド）" in html


def test_the_diff_view_shows_what_changed_field_by_field(client, bob, city_a):
    client.force_login(bob)
    revision = edit_procedure(client, "kokuho_loss", city_a, deadline_days=7, name="国保の資格喪失届")
    response = client.get(reverse("admin:procedures_municipality_revision", args=[city_a.pk, revision.pk]))
    (item,) = response.context["changes"].items
    assert (item.section, item.key, item.kind) == ("procedures", "kokuho_loss", "changed")
    assert sorted((f.name, f.before_text, f.after_text) for f in item.fields) == [
        ("deadline", "14 days from death", "7 days from death"),
        ("name", "国民健康保険の資格喪失届", "国保の資格喪失届"),
    ]
    html = response.content.decode()
    assert "<del>14 days from death</del>" in html and "<ins>7 days from death</ins>" in html


# --- Reverting ----------------------------------------------------------------------------------------------


def test_undoing_one_change_keeps_the_later_ones(client, bob, city_a):
    client.force_login(bob)
    first = edit_procedure(client, "kokuho_loss", city_a, deadline_days=7)
    edit_procedure(client, "seal", city_a, name="印鑑登録証の返還")
    page = client.get(revert_url(first, "undo"))
    assert page.status_code == 200
    assert [(i.key, i.kind) for i in page.context["changes"].items] == [("kokuho_loss", "changed")]
    assert Procedure.objects.get(municipality=city_a, key="kokuho_loss").deadline_days == 7  # only shown
    response = client.post(revert_url(first, "undo"), {"version": fresh(city_a).catalog_version})
    assert response.status_code == 302
    assert Procedure.objects.get(municipality=city_a, key="kokuho_loss").deadline_days == 14
    assert Procedure.objects.get(municipality=city_a, key="seal").name == "印鑑登録証の返還"
    revision = latest(city_a)
    assert (revision.action, revision.user) == (CatalogRevision.Action.REVERT, bob)
    assert f"版{first.catalog_version}" in revision.note


def test_undoing_a_deletion_brings_the_procedure_back_with_its_documents(client, bob, city_a):
    client.force_login(bob)
    procedure = Procedure.objects.get(municipality=city_a, key="kokuho_loss")
    client.post(reverse("admin:procedures_procedure_delete", args=[procedure.pk]), {"post": "yes"})
    deletion = latest(city_a)
    client.post(revert_url(deletion, "undo"), {"version": fresh(city_a).catalog_version})
    restored = Procedure.objects.get(municipality=city_a, key="kokuho_loss")
    assert list(restored.documents.values_list("text", flat=True)) == ["資格確認書", "届出人の本人確認書類"]


def test_an_undo_that_later_changes_overlap_is_refused(client, bob, city_a):
    client.force_login(bob)
    first = edit_procedure(client, "kokuho_loss", city_a, deadline_days=7)
    edit_procedure(client, "kokuho_loss", city_a, deadline_days=10)
    page = client.get(revert_url(first, "undo"))
    assert page.context["conflicts"] == ["手続き「kokuho_loss」"]
    assert "取り消せません" in page.content.decode()
    version = fresh(city_a).catalog_version
    client.post(revert_url(first, "undo"), {"version": version})
    assert Procedure.objects.get(municipality=city_a, key="kokuho_loss").deadline_days == 10
    assert fresh(city_a).catalog_version == version


def test_an_undo_that_would_break_the_catalog_is_refused(client, bob, city_a, catalog_document):
    document = catalog_document()
    document["questions"].append({"key": "dog", "text": "犬を飼っていましたか？", "type": "yes_no"})
    import_catalog(document)
    added_question = latest(city_a)
    client.force_login(bob)
    edit_procedure(client, "seal", city_a, applies_if="dog == true")
    page = client.get(revert_url(added_question, "undo"))
    assert any("unknown question 'dog'" in error for error in page.context["catalog_errors"])
    before = stored()
    client.post(revert_url(added_question, "undo"), {"version": fresh(city_a).catalog_version})
    assert stored() == before


def test_restoring_a_revision_brings_the_whole_catalog_back(client, bob, city_a, catalog_document):
    client.force_login(bob)
    initial = latest(city_a)
    edit_procedure(client, "kokuho_loss", city_a, deadline_days=7)
    edit_procedure(client, "seal", city_a, name="印鑑登録証の返還")
    response = client.post(revert_url(initial, "restore"), {"version": fresh(city_a).catalog_version})
    assert response.status_code == 302
    assert catalog_snapshot_for(municipality=city_a) == write_catalog(read_catalog(catalog_document()))


def test_a_revert_confirmed_after_another_change_is_refused(client, bob, city_a):
    client.force_login(bob)
    first = edit_procedure(client, "kokuho_loss", city_a, deadline_days=7)
    stale = fresh(city_a).catalog_version
    edit_procedure(client, "seal", city_a, name="印鑑登録証の返還")
    response = client.post(revert_url(first, "undo"), {"version": stale}, follow=True)
    assert "もう一度" in response.content.decode()
    assert Procedure.objects.get(municipality=city_a, key="kokuho_loss").deadline_days == 7


@pytest.mark.parametrize("version", ["", "abc"])
def test_a_revert_with_a_bad_version_changes_nothing(client, bob, city_a, version):
    client.force_login(bob)
    first = edit_procedure(client, "kokuho_loss", city_a, deadline_days=7)
    response = client.post(revert_url(first, "undo"), {"version": version})
    assert response.status_code == 302
    assert Procedure.objects.get(municipality=city_a, key="kokuho_loss").deadline_days == 7


def test_an_undo_and_a_restore_say_what_was_done_in_good_japanese(client, bob, city_a):
    """「取り消しました」, not 「取り消ししました」 (issue #15, item 11)."""
    client.force_login(bob)
    initial = latest(city_a)
    first = edit_procedure(client, "kokuho_loss", city_a, deadline_days=7)
    undone = client.post(revert_url(first, "undo"), {"version": fresh(city_a).catalog_version}, follow=True)
    html = undone.content.decode()
    assert f"版{first.catalog_version}の変更を取り消しました。" in html and "取り消しし" not in html
    version = fresh(city_a).catalog_version
    restored = client.post(revert_url(initial, "restore"), {"version": version}, follow=True)
    assert f"版{initial.catalog_version}の状態に復元しました。" in restored.content.decode()


def test_the_first_revision_cannot_be_undone_and_modes_are_checked(client, bob, city_a):
    client.force_login(bob)
    initial = latest(city_a)
    assert client.get(revert_url(initial, "undo")).status_code == 404
    assert client.get(revert_url(initial, "explode")).status_code == 404


def test_an_editor_cannot_revert_another_municipalitys_history(client, dave, city_a):
    client.force_login(dave)
    revision = latest(city_a)
    assert client.post(revert_url(revision, "restore"), {"version": 1}).status_code == 404


# --- The diff and undo functions (pure) ---------------------------------------------------------------------


def test_catalog_changes_name_added_changed_and_removed_items(catalog_document):
    before = write_catalog(read_catalog(catalog_document()))
    document = catalog_document(
        {"procedures[3].deadline_days": 30, "questions[2].choices[2].label": "社会保険"}
    )
    document["procedures"] = [p for p in document["procedures"] if p["key"] != "recent_move"]
    document["procedures"].append(
        {"key": "extra", "name": "追加の手続き", "counter": "shimin", "applies_if": "true"}
    )
    changes = catalog_changes(before, write_catalog(read_catalog(document)))
    summary = {
        (i.section, i.key, i.kind): {f.name: (f.before, f.after) for f in i.fields} for i in changes.items
    }
    assert summary == {
        ("procedures", "koki_loss", "changed"): {"deadline": ({"days": 14}, {"days": 30})},
        ("procedures", "extra", "added"): {},
        ("procedures", "recent_move", "removed"): {},
        ("questions", "insurance", "changed"): {
            "choices": (
                before["questions"][2]["choices"],
                [*before["questions"][2]["choices"][:2], {"value": "shaho", "label": "社会保険"}],
            )
        },
    }
    assert "procedures koki_loss changed: 後期高齢者医療の資格喪失届" in changes.lines()
    assert "    deadline: 14 days from death -> 30 days from death" in changes.lines()


def test_identical_catalogs_have_no_changes(catalog_document):
    document = write_catalog(read_catalog(catalog_document()))
    assert not catalog_changes(document, document)


def test_undo_change_restores_a_removed_item_where_it_was(catalog_document):
    before = write_catalog(read_catalog(catalog_document()))
    after = {**before, "questions": [q for q in before["questions"] if q["key"] != "pension"]}
    after["procedures"] = [p for p in before["procedures"] if p["key"] != "pension_death"]
    undone, conflicts = undo_change(after, before, after)
    assert conflicts == []
    assert [q["key"] for q in undone["questions"]] == [q["key"] for q in before["questions"]]
    assert read_catalog(undone) == read_catalog(before)


def test_a_revert_lets_an_unrelated_error_through_instead_of_calling_it_a_late_change(
    client, bob, city_a, monkeypatch
):
    from procedures import admin_views

    def broken(**kwargs):
        raise ValueError("an unrelated bug")

    client.force_login(bob)
    first = edit_procedure(client, "kokuho_loss", city_a, deadline_days=7)
    monkeypatch.setattr(admin_views, "catalog_import", broken)
    with pytest.raises(ValueError, match="an unrelated bug"):
        client.post(revert_url(first, "undo"), {"version": fresh(city_a).catalog_version})
