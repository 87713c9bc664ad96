"""A new municipality starts from a copy of the national template: the command and the operator's button."""

import pytest
from django.urls import reverse

from core.models import StaffMembership
from procedures.catalog_io import loads, read_catalog, write_catalog
from procedures.models import CatalogRevision, Municipality
from procedures.selectors import catalog_snapshot_for
from procedures.services import TEMPLATE_CATALOG
from tests.procedures.test_commands import refused, run

pytestmark = pytest.mark.django_db


def template_with(code: str, name: str, prefecture: str) -> dict:
    document = loads(TEMPLATE_CATALOG.read_bytes())
    document["municipality"] = {"code": code, "name": name, "prefecture": prefecture}
    return write_catalog(read_catalog(document))


def test_create_municipality_copies_the_template():
    stdout, _ = run("create_municipality", "011002", "札幌市", "--from-template")
    municipality = Municipality.objects.get(code="011002")
    assert (municipality.name, municipality.prefecture) == ("札幌市", "北海道")  # from the code
    assert catalog_snapshot_for(municipality=municipality) == template_with("011002", "札幌市", "北海道")
    assert "created 011002 北海道札幌市" in stdout
    (revision,) = municipality.revisions.all()
    assert revision.action == CatalogRevision.Action.TEMPLATE


def test_create_municipality_takes_a_prefecture_and_an_editor(bob):
    run(
        "create_municipality",
        "131016",
        "千代田区",
        "--from-template",
        "--prefecture",
        "東京都",
        "--editor",
        "bob",
    )
    municipality = Municipality.objects.get(code="131016")
    assert municipality.prefecture == "東京都"
    bob.refresh_from_db()
    assert (bob.membership.municipality, bob.membership.role, bob.is_staff) == (municipality, "editor", True)


def test_without_the_template_the_catalog_is_empty():
    run("create_municipality", "011002", "札幌市")
    municipality = Municipality.objects.get(code="011002")
    assert not municipality.procedures.exists() and not municipality.questions.exists()


@pytest.mark.parametrize(
    ("code", "fragment"),
    [("011003", "check digit"), ("12345", "6 ASCII digits"), ("１２２０４１", "6 ASCII digits")],
)
def test_create_municipality_refuses_a_bad_code(code, fragment):
    _, message = refused("create_municipality", code, "どこか市", "--from-template")
    assert fragment in message
    assert not Municipality.objects.exists()


def test_create_municipality_refuses_an_existing_code(city_a):
    version = city_a.catalog_version
    _, message = refused("create_municipality", "122041", "船橋市", "--from-template")
    assert "already exists" in message
    assert Municipality.objects.get(code="122041").catalog_version == version


def test_create_municipality_refuses_an_unknown_editor():
    _, message = refused("create_municipality", "011002", "札幌市", "--from-template", "--editor", "nobody")
    assert "nobody" in message
    assert not Municipality.objects.exists()


# --- The operator's button ------------------------------------------------------------------------------

URL = "admin:procedures_municipality_from_template"


def test_the_operator_copies_the_template_and_names_an_editor(client, operator, bob, city_a):
    client.force_login(operator)
    changelist = client.get(reverse("admin:procedures_municipality_changelist")).content.decode()
    assert reverse(URL) in changelist
    response = client.post(
        reverse(URL), {"code": "011002", "name": "札幌市", "prefecture": "", "editor": bob.pk}
    )
    municipality = Municipality.objects.get(code="011002")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:procedures_municipality_change", args=[municipality.pk])
    assert municipality.prefecture == "北海道"
    assert catalog_snapshot_for(municipality=municipality) == template_with("011002", "札幌市", "北海道")
    assert StaffMembership.objects.get(user=bob).municipality == municipality
    assert municipality.revisions.get().user == operator


@pytest.mark.parametrize(
    ("code", "error"), [("122041", "すでにあります"), ("011003", "正しくありません"), ("", "")]
)
def test_the_button_refuses_a_bad_or_existing_code(client, operator, city_a, code, error):
    client.force_login(operator)
    count = Municipality.objects.count()
    response = client.post(reverse(URL), {"code": code, "name": "札幌市"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert error in " ".join(response.context["form"].errors["code"])
    assert Municipality.objects.count() == count


@pytest.mark.parametrize("who", ["bob", "alice"])
def test_only_the_operator_has_the_button(client, request, city_a, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse(URL), {"code": "011002", "name": "札幌市"})
    assert response.status_code in (302, 403)
    assert not Municipality.objects.filter(code="011002").exists()
    if who == "bob":
        changelist = client.get(reverse("admin:procedures_municipality_changelist")).content.decode()
        assert reverse(URL) not in changelist


def test_the_button_lets_an_unrelated_error_through_instead_of_blaming_the_code(
    client, operator, monkeypatch
):
    from procedures import services

    def broken(**kwargs):
        raise ValueError("an unrelated bug")

    monkeypatch.setattr(services, "catalog_import", broken)
    client.force_login(operator)
    with pytest.raises(ValueError, match="an unrelated bug"):
        client.post(reverse(URL), {"code": "011002", "name": "札幌市"})
    assert not Municipality.objects.filter(code="011002").exists()


def test_a_broken_national_template_is_named_as_such_not_as_a_bad_code(
    client, operator, tmp_path, monkeypatch
):
    from procedures import services

    broken = tmp_path / "national-template.json"
    broken.write_text('{"format": "okuyami-catalog/1",', encoding="utf-8")
    monkeypatch.setattr(services, "TEMPLATE_CATALOG", broken)
    client.force_login(operator)
    response = client.post(reverse(URL), {"code": "011002", "name": "札幌市"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("全国テンプレートに誤りがある" in error for error in errors)
    assert "code" not in response.context["form"].errors
    assert not Municipality.objects.filter(code="011002").exists()
    _, message = refused("create_municipality", "011002", "札幌市", "--from-template")
    assert "the national template is broken" in message
