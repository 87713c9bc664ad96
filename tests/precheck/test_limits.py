"""The public pages' rate limits are counted in the database: every app server shares them."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from okuyami.precheck import limits
from okuyami.precheck.models import PrecheckCode, RateCount
from tests.precheck.conftest import DEATH

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tight(settings):
    settings.OKUYAMI_PRECHECK_RATES = {
        **settings.OKUYAMI_PRECHECK_RATES,
        "answer": (3, 3600),
        "pdf": (1, 3600),
        "code": (1, 3600),
        "lookup": (2, 3600),
    }
    return settings


@pytest.mark.django_db
def test_a_client_is_refused_past_its_limit_until_the_window_ends(tight):
    assert [limits.hit("answer", "192.0.2.1", now=7300.0) for _ in range(3)] == [None, None, None]
    refused = limits.hit("answer", "192.0.2.1", now=7310.0)
    assert refused == limits.Refused(retry_after=3490)  # the window is 7200–10800
    assert limits.hit("answer", "192.0.2.2", now=7310.0) is None  # another client
    assert limits.hit("pdf", "192.0.2.1", now=7310.0) is None  # another limit
    assert limits.hit("answer", "192.0.2.1", now=10800.0) is None  # the next window


@pytest.mark.django_db
def test_the_counts_hold_no_address(tight):
    limits.hit("answer", "192.0.2.1")
    row = RateCount.objects.get()
    assert "192.0.2.1" not in row.client and len(row.client) == 64


@pytest.mark.django_db
def test_answer_posts_past_the_limit_answer_429_and_keep_the_answers(tight, family):
    for _ in range(3):
        assert family.post(family.url("death"), DEATH).status_code == 302
    before = family.state
    response = family.post(family.url("death"), "2026-11-19")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "しばらくお待ちください" in response.content.decode()
    assert family.state == before
    assert family.get("death").status_code == 200  # reading is not limited


@pytest.mark.django_db
def test_pdfs_and_codes_are_limited_per_address(tight, family):
    tight.OKUYAMI_PRECHECK_RATES = {**tight.OKUYAMI_PRECHECK_RATES, "answer": (600, 600)}
    family.walk()
    assert family.get("checklist-pdf").status_code == 200
    assert family.get("checklist-pdf").status_code == 429
    assert family.client.post(family.url("code-issue")).status_code == 302
    assert family.client.post(family.url("code-issue")).status_code == 429
    assert PrecheckCode.objects.count() == 1


@pytest.mark.django_db
def test_codes_are_limited_per_municipality_too(tight, family, public_city):
    tight.OKUYAMI_PRECHECK_RATES = {
        **tight.OKUYAMI_PRECHECK_RATES,
        "answer": (600, 600),
        "code": (100, 3600),
        "code_municipality": (1, 86400),
    }
    family.walk()
    assert family.client.post(family.url("code-issue"), REMOTE_ADDR="192.0.2.7").status_code == 302
    assert family.client.post(family.url("code-issue"), REMOTE_ADDR="192.0.2.8").status_code == 429


@pytest.mark.django_db
def test_code_lookups_at_the_counter_are_limited_per_user(tight, client, alice):
    client.force_login(alice)
    url = reverse("precheck:case-from-code")
    assert client.post(url, {"code": "AAA-AAA-AAA"}).status_code == 404
    assert client.post(url, {"code": "AAA-AAA-AAA"}).status_code == 404
    response = client.post(url, {"code": "AAA-AAA-AAA"})
    assert response.status_code == 429 and "しばらく待ってから" in response.content.decode()


def test_behind_the_proxy_the_address_it_appended_counts(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4", REMOTE_ADDR="10.0.0.1")
    settings.BEHIND_PROXY = False
    assert limits.client_of(request) == "10.0.0.1"
    settings.BEHIND_PROXY = True
    assert limits.client_of(request) == "198.51.100.4"
    assert limits.client_of(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


@pytest.mark.django_db
def test_ended_windows_are_purged(tight):
    limits.hit("answer", "192.0.2.1", now=1000.0)
    limits.hit("answer", "192.0.2.1", now=90_000.0)
    assert limits.windows_purge(now=90_000.0) == 1  # the longest limit is a day
    assert RateCount.objects.count() == 1


def database_url() -> str:
    """The test database as a DATABASE_URL, for another process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_the_same_count(tight):
    """Two app servers: this process uses up the limit, a second Python process is refused."""
    for _ in range(3):
        assert limits.hit("answer", "192.0.2.50") is None
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "settings.OKUYAMI_PRECHECK_RATES = {**settings.OKUYAMI_PRECHECK_RATES, 'answer': (3, 3600)}\n"
        "from okuyami.precheck import limits\n"
        "print('refused' if limits.hit('answer', '192.0.2.50') else 'allowed')\n"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": tight.SECRET_KEY,
    }
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    # The window may have just turned over between the two processes; then it counted afresh.
    assert last == "refused" or RateCount.objects.filter(scope="answer").count() == 2
