"""The trial sandbox: the banner, create_trial, expiry, reset_sandbox, and refusal outside the sandbox."""

import io
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, StaffMembership
from okuyami import printing
from okuyami.models import Case
from okuyami.sandbox import trials_expire
from procedures.models import Municipality, Procedure
from tests.conftest import make_case
from tests.okuyami.conftest import (
    FORTY_ADJUSTMENTS,
    FORTY_CASE,
    PEOPLE,
    PRINTED_ON,
    ROOT,
    guide_for,
    page_texts,
    read_pdf,
)

pytestmark = pytest.mark.django_db

BANNER = "お試し環境：実在の個人情報は入力しないでください"
NEW_PASSWORD = "tameshi-Kawaru-2026"


@pytest.fixture
def sandbox(settings):
    settings.OKUYAMI_SANDBOX = True
    return settings


# --- The banner -------------------------------------------------------------------------------------


def screens(client, cast) -> dict[str, str]:
    """The HTML of the login pages, a counter screen, statistics and the admin, as each role sees them."""
    pages = {
        "login": client.get(reverse("okuyami:login")),
        "admin login": client.get(reverse("admin:login")),
    }
    client.force_login(cast["alice"])
    case = make_case(cast["alice"].membership.municipality)
    pages["case list"] = client.get(reverse("okuyami:case-list"))
    pages["result"] = client.get(reverse("okuyami:result", args=[case.pk]))
    pages["print preview"] = client.get(reverse("okuyami:print-preview", args=[case.pk, "checklist"]))
    client.force_login(cast["erin"])
    pages["audit log"] = client.get(reverse("okuyami:audit-log"))
    client.force_login(cast["bob"])
    pages["admin"] = client.get(reverse("admin:index"))
    pages["admin catalog"] = client.get(reverse("admin:procedures_procedure_changelist"))
    for name, response in pages.items():
        assert response.status_code == 200, name
    return {name: response.content.decode() for name, response in pages.items()}


@pytest.fixture
def cast(alice, bob, erin):
    return {"alice": alice, "bob": bob, "erin": erin}


def test_every_screen_shows_the_banner_in_the_sandbox(client, cast, sandbox):
    for name, html in screens(client, cast).items():
        assert BANNER in html, name


def test_no_screen_shows_the_banner_outside_the_sandbox(client, cast, settings):
    settings.OKUYAMI_SANDBOX = False
    for name, html in screens(client, cast).items():
        assert BANNER not in html, name


@pytest.mark.parametrize("document", printing.DOCUMENTS)
def test_every_printed_page_carries_the_banner_in_the_sandbox(document, sandbox):
    guide = guide_for(FORTY_CASE, FORTY_ADJUSTMENTS)
    reader = read_pdf(printing.render_pdf(document, guide=guide, people=PEOPLE, printed_on=PRINTED_ON))
    texts = page_texts(reader)
    assert len(texts) >= 1 if document == "route" else len(texts) >= 2
    assert all(BANNER in text for text in texts), [i for i, text in enumerate(texts) if BANNER not in text]


def test_the_route_sheet_stays_on_one_page_with_the_banner(sandbox):
    guide = guide_for(FORTY_CASE, FORTY_ADJUSTMENTS)
    reader = read_pdf(printing.render_pdf("route", guide=guide, people=PEOPLE, printed_on=PRINTED_ON))
    assert len(reader.pages) == 1


def test_printed_pages_carry_no_banner_outside_the_sandbox(settings):
    settings.OKUYAMI_SANDBOX = False
    guide = guide_for(FORTY_CASE, FORTY_ADJUSTMENTS)
    reader = read_pdf(printing.render_pdf("checklist", guide=guide, people=PEOPLE, printed_on=PRINTED_ON))
    assert not any(BANNER in text for text in page_texts(reader))


def test_a_pdf_downloaded_from_the_counter_carries_the_banner(client, alice, sandbox):
    client.force_login(alice)
    case = make_case(alice.membership.municipality)
    response = client.get(reverse("okuyami:print-pdf", args=[case.pk, "application"]))
    texts = page_texts(read_pdf(response.content))
    assert texts and all(BANNER in text for text in texts)


# --- create_trial ----------------------------------------------------------------------------------


def create_trial(*args) -> dict[str, str]:
    """Run create_trial; the printed username -> password."""
    out = io.StringIO()
    call_command("create_trial", *args, stdout=out)
    return dict(re.findall(r"username (\S+)\tpassword (\S+)", out.getvalue()))


def test_create_trial_makes_a_municipality_from_the_template_with_two_one_time_logins(sandbox):
    before = timezone.now()
    logins = create_trial("011002", "札幌市", "--days", "10")
    municipality = Municipality.objects.get(code="011002")
    assert (municipality.name, municipality.prefecture) == ("札幌市", "北海道")
    assert municipality.procedures.count() >= 35  # the national template's
    expires = municipality.trial_expires_at
    assert before + timedelta(days=10) <= expires <= timezone.now() + timedelta(days=10)
    assert set(logins) == {"trial-011002-editor", "trial-011002-counter"}
    for username, password in logins.items():
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password) and len(password) >= 12
        assert user.membership.municipality == municipality and user.membership.must_change_password
    roles = dict(
        StaffMembership.objects.filter(municipality=municipality).values_list("user__username", "role")
    )
    assert roles == {"trial-011002-editor": "editor", "trial-011002-counter": "counter"}
    assert get_user_model().objects.get(username="trial-011002-editor").is_staff


def test_the_trial_lasts_30_days_unless_told(sandbox):
    create_trial("011002", "札幌市")
    expires = Municipality.objects.get(code="011002").trial_expires_at
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_the_printed_password_logs_in_and_must_be_changed_first(client, sandbox):
    password = create_trial("011002", "札幌市")["trial-011002-counter"]
    response = client.post(
        reverse("okuyami:login"), {"username": "trial-011002-counter", "password": password}
    )
    assert response.status_code == 302
    for url in (reverse("okuyami:case-list"), reverse("okuyami:case-create"), reverse("okuyami:statistics")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("okuyami:password-change"), url
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403 and "one-time password" in api.json()["errors"][0]["message"]
    page = client.get(reverse("okuyami:password-change")).content.decode()
    assert "最初のログイン用" in page
    # The menu would lead nowhere but back here: it is hidden, logging out is not.
    assert 'aria-label="メインメニュー"' not in page and "受付一覧" not in page and "ログアウト" in page
    response = client.post(
        reverse("okuyami:password-change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("okuyami:case-list")).status_code == 200  # still logged in, free to work
    assert 'aria-label="メインメニュー"' in client.get(reverse("okuyami:password-change")).content.decode()
    assert not StaffMembership.objects.get(user__username="trial-011002-counter").must_change_password
    client.logout()
    assert not client.login(username="trial-011002-counter", password=password)  # spent
    assert client.login(username="trial-011002-counter", password=NEW_PASSWORD)


def test_the_trial_editor_must_change_the_password_before_using_the_admin(client, sandbox):
    password = create_trial("011002", "札幌市")["trial-011002-editor"]
    response = client.post(reverse("admin:login"), {"username": "trial-011002-editor", "password": password})
    assert response.status_code == 302
    response = client.get(reverse("admin:procedures_procedure_changelist"))
    assert response["Location"] == reverse("okuyami:password-change")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("011003", "札幌市"), "check digit"),
        (("011002", " "), "name must not be empty"),
        (("011002", "札幌市", "--days", "0"), "at least one day"),
    ],
)
def test_create_trial_refuses_bad_input_and_creates_nothing(sandbox, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_trial", *args)
    assert not Municipality.objects.filter(code__startswith="0110").exists()
    assert not get_user_model().objects.filter(username__startswith="trial-").exists()


def test_create_trial_refuses_a_code_already_there(sandbox, city_a):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_trial", "122041", "船橋市")
    assert not get_user_model().objects.filter(username__startswith="trial-").exists()


# --- Expiry and reset --------------------------------------------------------------------------------


def test_expired_trials_are_removed_with_their_logins_and_cases(sandbox):
    create_trial("011002", "札幌市", "--days", "1")
    create_trial("271004", "大阪市", "--days", "30")
    short = Municipality.objects.get(code="011002")
    make_case(short)
    catalog_changes = AuditEvent.objects.filter(municipality_code="011002").count()
    assert trials_expire(now=timezone.now() + timedelta(days=2)) == ["011002"]
    assert not Municipality.objects.filter(code="011002").exists()
    assert not Case.objects.exists() and not Procedure.objects.filter(municipality_id=short.pk).exists()
    assert not get_user_model().objects.filter(username__startswith="trial-011002-").exists()
    assert Municipality.objects.filter(code="271004").exists()
    assert get_user_model().objects.filter(username__startswith="trial-271004-").count() == 2
    # The audit records stay (append-only), named by the code, with the erasure of its resident extract.
    assert AuditEvent.objects.filter(municipality_code="011002").count() == catalog_changes + 1 > 1
    assert AuditEvent.objects.get(municipality_code="011002", action="erase").username == "expire_trials"
    assert trials_expire(now=timezone.now() + timedelta(days=2)) == []  # idempotent


def test_expire_trials_runs_from_the_command(sandbox):
    create_trial("011002", "札幌市", "--days", "1")
    Municipality.objects.filter(code="011002").update(trial_expires_at=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("expire_trials", stdout=out)
    assert "removed 1 expired trial(s): 011002" in out.getvalue()
    call_command("expire_trials", stdout=(out := io.StringIO()))
    assert "removed 0 expired trial(s)" in out.getvalue()


def test_reset_sandbox_wipes_cases_and_expired_trials_and_reloads_the_demo(sandbox, city_a):
    sandbox.DEBUG = False  # the sandbox reloads the demo without debug on
    call_command("load_demo", stdout=io.StringIO())
    create_trial("011002", "札幌市", "--days", "1")
    create_trial("271004", "大阪市", "--days", "30")
    Municipality.objects.filter(code="011002").update(trial_expires_at=timezone.now() - timedelta(hours=1))
    for code in ("999903", "122041", "271004", "011002"):
        make_case(Municipality.objects.get(code=code))
    demo = get_user_model().objects.get(username="demo-counter")
    demo.set_password("changed-by-a-visitor-1")
    demo.save()
    Procedure.objects.filter(municipality__code="999903").first().delete()  # a visitor's catalog edit
    demo_procedures = Procedure.objects.filter(municipality__code="999903").count()

    out = io.StringIO()
    call_command("reset_sandbox", stdout=out)
    assert "deleted 4 case(s); removed 1 expired trial(s): 011002" in out.getvalue()
    assert not Case.objects.exists()
    assert not Municipality.objects.filter(code="011002").exists()
    assert Municipality.objects.filter(code="271004").exists()  # still within its trial
    assert Procedure.objects.filter(municipality__code="999903").count() == demo_procedures + 1
    assert get_user_model().objects.get(username="demo-counter").check_password("okuyami-demo")

    call_command("reset_sandbox", stdout=(out := io.StringIO()))  # again: nothing left to do, no error
    assert "deleted 0 case(s); removed 0 expired trial(s)" in out.getvalue()


@pytest.mark.parametrize(
    "args", [("create_trial", "011002", "札幌市"), ("reset_sandbox",), ("expire_trials",)], ids=lambda a: a[0]
)
def test_the_sandbox_commands_refuse_outside_the_sandbox(settings, args, city_a):
    settings.OKUYAMI_SANDBOX = False
    make_case(city_a)
    with pytest.raises(CommandError, match="OKUYAMI_SANDBOX=1"):
        call_command(*args)
    assert Case.objects.count() == 1 and not Municipality.objects.filter(code="011002").exists()


@pytest.mark.parametrize("command", ["create_trial", "reset_sandbox", "expire_trials"])
def test_the_sandbox_commands_exit_non_zero_without_a_traceback_outside_the_sandbox(command, tmp_path):
    args = [command, "011002", "札幌市"] if command == "create_trial" else [command]
    env = {
        **os.environ,
        "OKUYAMI_SANDBOX": "0",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "runs only in the sandbox (OKUYAMI_SANDBOX=1)" in result.stderr
    assert "Traceback" not in result.stderr
