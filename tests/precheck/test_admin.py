"""公開ページの設定: a municipality's 編集者 and the operator turn the families' pre-check on or off
and edit its greeting and booking number; the trial sandbox has it on."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEvent
from procedures.models import Municipality

pytestmark = pytest.mark.django_db


def change_url(municipality) -> str:
    return reverse("admin:precheck_publicpage_change", args=[municipality.pk])


def settings_form(**changes) -> dict:
    return {
        "precheck_enabled": "on",
        "precheck_greeting": "お手伝いします。",
        "precheck_phone": "047-000-0000",
        **changes,
    }


def test_an_editor_turns_their_page_on_with_a_greeting_and_a_booking_number(client, bob, city_a):
    client.force_login(bob)
    response = client.post(change_url(city_a), settings_form())
    assert response.status_code == 302
    city_a.refresh_from_db()
    assert city_a.precheck_enabled and city_a.precheck_greeting == "お手伝いします。"
    assert city_a.precheck_phone == "047-000-0000" and city_a.name == "船橋市"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, municipality=city_a).get()
    assert event.username == "bob" and event.detail.startswith(
        "ご家族向けの事前確認ページの設定を変更（公開）"
    )
    assert client.get(reverse("precheck:start", args=[city_a.code])).status_code == 200


def test_turning_it_off_takes_the_page_down(client, bob, city_a):
    city_a.precheck_enabled = True
    city_a.save()
    client.force_login(bob)
    client.post(change_url(city_a), settings_form(precheck_enabled=""))
    assert client.get(reverse("precheck:start", args=[city_a.code])).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"precheck_phone": "call us"}, "予約電話番号は、数字とハイフンで10〜20文字で入力してください。"),
        ({"precheck_phone": "0" * 25}, "20 文字以下"),
        ({"precheck_greeting": "あ" * 401}, "400 文字以下"),
    ],
)
def test_bad_settings_are_refused_in_japanese_and_change_nothing(client, bob, city_a, changes, message):
    client.force_login(bob)
    response = client.post(change_url(city_a), settings_form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Municipality.objects.get(pk=city_a.pk).precheck_enabled
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).exists()


def test_an_editor_cannot_change_the_municipalitys_own_fields_here(client, bob, city_a):
    client.force_login(bob)
    client.post(change_url(city_a), settings_form(name="別名", code="131016"))
    city_a.refresh_from_db()
    assert (city_a.name, city_a.code) == ("船橋市", "122041")


@pytest.mark.parametrize(
    ("who", "expected"), [("bob", 200), ("operator", 200), ("dave", 404), ("alice", "login")]
)
def test_who_sees_city_as_settings(client, city_a, city_b, bob, dave, alice, operator, who, expected):
    client.force_login({"bob": bob, "dave": dave, "alice": alice, "operator": operator}[who])
    response = client.get(change_url(city_a))
    if expected == "login":
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    else:
        assert response.status_code == expected
    response = client.post(change_url(city_a), settings_form())
    assert Municipality.objects.get(pk=city_a.pk).precheck_enabled is (expected == 200)


def test_an_editor_lists_only_their_own_page_and_the_operator_every_one(
    client, city_a, city_b, bob, operator
):
    client.force_login(bob)
    listed = client.get(reverse("admin:precheck_publicpage_changelist")).context["cl"].result_list
    assert [m.pk for m in listed] == [city_a.pk]
    client.force_login(operator)
    listed = client.get(reverse("admin:precheck_publicpage_changelist")).context["cl"].result_list
    assert {m.pk for m in listed} == {city_a.pk, city_b.pk}


def test_pages_are_neither_added_nor_deleted_here(client, city_a, operator):
    client.force_login(operator)
    assert client.get(reverse("admin:precheck_publicpage_add")).status_code == 403
    assert client.get(reverse("admin:precheck_publicpage_delete", args=[city_a.pk])).status_code == 403


def test_create_trial_turns_the_page_on(settings):
    settings.OKUYAMI_SANDBOX = True
    call_command("create_trial", "011002", "札幌市", stdout=io.StringIO())
    assert Municipality.objects.get(code="011002").precheck_enabled


def test_load_demo_turns_the_sample_citys_page_on(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    assert list(Municipality.objects.filter(precheck_enabled=True).values_list("code", flat=True)) == [
        "999903"
    ]
