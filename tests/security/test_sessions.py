"""Shared counter terminals: idle timeout, logout on browser close, lockout, password rules."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def log_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


class Clock:
    """timezone.now() moved on by hand: what the session store and the lockout read."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def clock():
    clock = Clock()
    # django-axes imported now() by name in two modules.
    with (
        mock.patch("django.utils.timezone.now", clock),
        mock.patch("axes.attempts.now", clock),
        mock.patch("axes.handlers.proxy.now", clock),
    ):
        yield clock


# --- Idle timeout and browser close -----------------------------------------------------------------


def test_a_session_ends_after_15_idle_minutes(client, alice, clock):
    assert log_in(client, "alice", "pass-alice").status_code == 302
    clock.advance(14)
    assert client.get(reverse("okuyami:case-list")).status_code == 200
    clock.advance(14)  # 28 minutes after login, 14 after the last request: still in
    assert client.get(reverse("okuyami:case-list")).status_code == 200
    clock.advance(16)
    response = client.get(reverse("okuyami:case-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("okuyami:login"))


def test_the_idle_timeout_is_configurable(client, alice, clock, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60  # OKUYAMI_IDLE_MINUTES=5
    log_in(client, "alice", "pass-alice")
    clock.advance(6)
    assert client.get(reverse("okuyami:case-list")).status_code == 302


def test_the_idle_minutes_setting_defaults_to_15(settings):
    assert settings.OKUYAMI_IDLE_MINUTES == 15 and settings.SESSION_COOKIE_AGE == 15 * 60


def test_the_session_cookie_ends_with_the_browser_and_the_session_lives_in_the_database(client, alice):
    response = log_in(client, "alice", "pass-alice")
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert Session.objects.filter(session_key=cookie.value).exists()


# --- Lockout (django-axes) --------------------------------------------------------------------------


def test_five_failures_lock_the_user_name_out_with_a_japanese_page(client, alice):
    for _ in range(4):
        response = log_in(client, "alice", "wrong")
        assert response.status_code == 200 and "ログインできませんでした" in response.content.decode()
    response = log_in(client, "alice", "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert "ログインを一時停止しています" in html and "30分ほど待ってから" in html and 'lang="ja"' in html
    assert response["Content-Security-Policy"]
    # Locked out: even the right password is refused now.
    assert log_in(client, "alice", "pass-alice").status_code == 429
    assert client.get(reverse("okuyami:case-list")).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, alice, clock):
    for _ in range(5):
        log_in(client, "alice", "wrong")
    assert log_in(client, "alice", "pass-alice").status_code == 429
    clock.advance(31)
    assert log_in(client, "alice", "pass-alice").status_code == 302


def test_a_lockout_does_not_stop_another_user_at_the_same_terminal(client, alice, bob):
    for _ in range(5):
        log_in(client, "alice", "wrong")
    assert log_in(client, "bob", "pass-bob").status_code == 302


def test_a_successful_login_resets_the_count(client, alice):
    for _ in range(4):
        log_in(client, "alice", "wrong")
    assert log_in(client, "alice", "pass-alice").status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "alice", "wrong").status_code == 200


def test_the_admin_login_is_locked_out_too(client, bob):
    for _ in range(5):
        response = client.post(reverse("admin:login"), {"username": "bob", "password": "wrong"})
    assert response.status_code == 429


def test_api_tokens_work_for_a_locked_out_user_name(client, alice):
    """The lockout guards password guessing; a token was issued after a real login and is not guessed."""
    token = Token.objects.create(user=alice)
    for _ in range(5):
        log_in(client, "alice", "wrong")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/cases/").status_code == 200


# --- Password rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1", "短すぎます"),
        ("password123", "よく使われる"),
        ("48201937465", "数字だけ"),
        ("alice1234", "似すぎています"),
    ],
)
def test_the_password_change_applies_the_password_validators(client, alice, new, message):
    client.force_login(alice)
    response = client.post(
        reverse("okuyami:password-change"),
        {"old_password": "pass-alice", "new_password1": new, "new_password2": new},
    )
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "<title>エラー：" in html and 'aria-invalid="true"' in html
    alice.refresh_from_db()
    assert alice.check_password("pass-alice")
