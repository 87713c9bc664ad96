"""API tokens: revoked by any password change, stopped by a one-time password, expiring, visible to
the operator with their age."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import StaffMembership
from core.staff import staff_password_set

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kawatta-Pass-2026"


def api_with(token: Token) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def made_days_ago(token: Token, days: float) -> Token:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=days))
    return token


def test_changing_ones_own_password_revokes_ones_tokens(client, alice):
    token = Token.objects.create(user=alice)
    assert api_with(token).get("/api/v1/cases/").status_code == 200
    client.force_login(alice)
    response = client.post(
        reverse("okuyami:password-change"),
        {"old_password": "pass-alice", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=alice).exists()
    refused = api_with(token).get("/api/v1/cases/")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"] == "Invalid token."


def test_the_operator_changing_a_password_in_the_admin_revokes_the_users_tokens(client, alice, operator):
    token = Token.objects.create(user=alice)
    client.force_login(operator)
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert api_with(token).get("/api/v1/cases/").status_code == 401


def test_a_one_time_password_handed_out_revokes_the_users_tokens(alice):
    token = Token.objects.create(user=alice)
    staff_password_set(user=alice, password=NEW_PASSWORD, one_time=True)
    assert not Token.objects.filter(pk=token.pk).exists()


def test_another_users_tokens_survive_a_password_change(alice, bob):
    bobs = Token.objects.create(user=bob)
    staff_password_set(user=alice, password=NEW_PASSWORD, one_time=False)
    assert Token.objects.filter(pk=bobs.pk).exists()


def test_a_token_cannot_get_past_a_one_time_password(alice):
    token = Token.objects.create(user=alice)
    StaffMembership.objects.filter(user=alice).update(must_change_password=True)
    for method, path in [("get", "/api/v1/cases/"), ("post", "/api/v1/token"), ("delete", "/api/v1/token")]:
        response = getattr(api_with(token), method)(path)
        assert response.status_code == 403, path
        assert response.json() == {
            "errors": [
                {
                    "field": None,
                    "message": "Change the one-time password on the password page before using the API.",
                }
            ]
        }


@pytest.mark.parametrize(("age_days", "status"), [(0, 200), (89.9, 200), (90, 401), (400, 401)])
def test_a_token_expires_after_90_days(alice, age_days, status):
    token = made_days_ago(Token.objects.create(user=alice), age_days)
    response = api_with(token).get("/api/v1/cases/")
    assert response.status_code == status
    if status == 401:
        assert "the token has expired (tokens last 90 days)" in response.json()["errors"][0]["message"]
        assert not Token.objects.filter(pk=token.pk).exists()


def test_the_token_lifetime_is_configurable(alice, settings):
    settings.OKUYAMI_TOKEN_DAYS = 7
    token = made_days_ago(Token.objects.create(user=alice), 8)
    assert api_with(token).get("/api/v1/cases/").status_code == 401


def test_the_token_days_setting_defaults_to_90(settings):
    assert settings.OKUYAMI_TOKEN_DAYS == 90


def test_a_new_token_starts_a_new_lifetime(client, alice):
    made_days_ago(Token.objects.create(user=alice), 89)
    client.force_login(alice)
    key = client.post("/api/v1/token").json()["token"]
    assert (timezone.now() - Token.objects.get(key=key).created) < timedelta(minutes=1)


def test_the_operator_sees_each_tokens_owner_and_age_but_not_its_key(client, alice, bob, operator):
    old = made_days_ago(Token.objects.create(user=alice), 95)
    fresh = made_days_ago(Token.objects.create(user=bob), 3)
    client.force_login(operator)
    html = client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert "経過日数" in html and "有効期限" in html
    assert "95日" in html and "3日" in html and "（期限切れ）" in html
    assert old.key not in html and fresh.key not in html


def test_editors_do_not_see_the_tokens(client, bob):
    client.force_login(bob)
    assert client.get(reverse("admin:authtoken_tokenproxy_changelist")).status_code == 403


def test_the_password_page_says_a_change_ends_the_tokens(client, alice):
    client.force_login(alice)
    html = client.get(reverse("okuyami:password-change")).content.decode()
    assert "API トークンは無効になります" in html
