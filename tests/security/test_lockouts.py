"""Login lockouts: liftable at once by the operator and the municipality's 管理者, a cap per address
across user names, and a locked-out user told how to ask."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
TOWN_HALL = "10.1.2.3"
ELSEWHERE = "10.9.9.9"


def log_in(client, username: str, password: str, address: str = TOWN_HALL):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def lock_out(client, username: str, address: str = TOWN_HALL):
    for _ in range(5):
        response = log_in(client, username, "wrong", address)
    assert response.status_code == 429
    return response


def lift(client, username: str, address: str = TOWN_HALL):
    return client.post(reverse("okuyami:lockouts"), {"username": username, "ip_address": address})


def test_the_municipalitys_manager_lifts_a_lockout_at_once(client, alice, erin):
    lock_out(client, "alice")
    manager = type(client)()
    manager.force_login(erin)
    page = manager.get(reverse("okuyami:lockouts")).content.decode()
    assert "alice" in page and TOWN_HALL in page and "5回" in page and "解除する" in page
    response = lift(manager, "alice")
    assert response.status_code == 302
    assert "alice のログインの一時停止を解除しました" in manager.get(response["Location"]).content.decode()
    assert log_in(client, "alice", "pass-alice").status_code == 302
    record = AuditEvent.objects.get(detail__contains="ログインの一時停止を解除")
    assert (record.municipality_code, record.username, record.detail) == (
        "122041",
        "erin",
        "ログインの一時停止を解除（alice）",
    )


def test_the_operator_sees_and_lifts_every_municipalitys_lockouts(client, alice, charlie, operator):
    lock_out(client, "alice")
    lock_out(client, "charlie")
    client.force_login(operator)
    page = client.get(reverse("okuyami:lockouts")).content.decode()
    assert "alice" in page and "charlie" in page
    assert lift(client, "charlie").status_code == 302
    client.logout()
    assert log_in(client, "charlie", "pass-charlie").status_code == 302
    assert log_in(client, "alice", "pass-alice").status_code == 429


def test_a_manager_neither_sees_nor_lifts_another_municipalitys_lockout(client, erin, charlie):
    lock_out(client, "charlie")
    client.force_login(erin)
    assert "charlie" not in client.get(reverse("okuyami:lockouts")).content.decode()
    assert lift(client, "charlie").status_code == 404
    client.logout()
    assert log_in(client, "charlie", "pass-charlie").status_code == 429


def test_lifting_a_lockout_that_is_not_there_is_not_found(client, erin):
    client.force_login(erin)
    assert lift(client, "alice").status_code == 404
    assert lift(client, "alice", "not an address").status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_counter_staff_and_editors_cannot_see_lockouts(client, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("okuyami:lockouts"))
    assert response.status_code == 403 and "管理者と運用担当者だけ" in response.content.decode()
    assert lift(client, "alice").status_code == 403


def test_the_lockout_page_needs_a_login(client):
    response = client.get(reverse("okuyami:lockouts"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("okuyami:login"))


def test_the_managers_menu_links_the_lockouts(client, erin):
    client.force_login(erin)
    assert reverse("okuyami:lockouts") in client.get(reverse("okuyami:audit-log")).content.decode()


def test_a_locked_out_user_is_told_how_to_get_the_lockout_lifted(client, alice):
    html = lock_out(client, "alice").content.decode()
    assert "30分ほど待ってから" in html
    assert "管理者（または運用担当者）に、ユーザー名を伝えて「ログインの一時停止」画面で解除を依頼" in html


def test_one_address_trying_every_user_name_is_stopped_after_20_failures(client, alice, bob, erin):
    # Four wrong passwords against each of five names: no name reaches its own limit of five.
    for name in ["alice", "bob", "erin", "nobody", "admin"]:
        for _ in range(4):
            response = log_in(client, name, "wrong")
    assert response.status_code == 429
    assert "いくつものユーザー名でパスワードの誤りが合わせて20回" in response.content.decode()
    # Every login from that address now waits, even with the right password ...
    assert log_in(client, "bob", "pass-bob").status_code == 429
    # ... while the same people log in from elsewhere.
    assert log_in(client, "bob", "pass-bob", ELSEWHERE).status_code == 302


def test_the_operator_alone_lifts_an_address_stop(client, alice, erin, operator):
    for index in range(20):
        log_in(client, f"name{index}", "wrong")
    assert log_in(client, "alice", "pass-alice").status_code == 429
    manager = type(client)()
    manager.force_login(erin)
    assert "（アドレス全体）" not in manager.get(reverse("okuyami:lockouts")).content.decode()
    assert lift(manager, "").status_code == 404
    staff = type(client)()
    staff.force_login(operator)
    assert "（アドレス全体）" in staff.get(reverse("okuyami:lockouts")).content.decode()
    assert lift(staff, "").status_code == 302
    assert not AccessAttempt.objects.filter(ip_address=TOWN_HALL).exists()
    assert log_in(client, "alice", "pass-alice").status_code == 302


def test_the_address_limit_is_configurable_and_defaults_to_20(client, settings, alice):
    assert settings.OKUYAMI_ADDRESS_FAILURE_LIMIT == 20
    settings.OKUYAMI_ADDRESS_FAILURE_LIMIT = 3
    for name in ["x", "y", "z"]:
        response = log_in(client, name, "wrong")
    assert response.status_code == 429
