"""A trial handed out with one command and used at once: the Done-when of the sandbox, in a browser.

create_trial prints a one-time password; the counter logs in with it, must change it first,
then runs a whole interview. Chromium reports every Content-Security-Policy violation on its
console, and none may appear, here or on the API docs.
"""

import io
import re

import pytest
from django.core.management import call_command

from okuyami.models import Case
from tests.e2e.test_interview import fill_reception

pytestmark = pytest.mark.django_db(transaction=True)

BANNER = "お試し環境：実在の個人情報は入力しないでください"
NEW_PASSWORD = "tameshi-Kawaru-2026"
# What the trial's counter types in; the phone and 配偶者 are fill_reception's.
TRIAL_FAMILY = {
    "#id_deceased_name": "試用 太郎",
    "#id_deceased_kana": "シヨウ タロウ",
    "#id_deceased_birth_date": "1941-06-01",
    "#id_death_date": "2026-11-20",
    "#id_deceased_address": "北海道札幌市中央区1-1",
    "#id_visitor_name": "試用 花子",
    "#id_visitor_kana": "シヨウ ハナコ",
}


@pytest.fixture
def csp_violations(page):
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


def answer(page) -> None:
    """Answer the question on the page: わからない where allowed, else the first option."""
    if page.locator("button[name=dont_know]").count():
        with page.expect_navigation():
            page.click("button[name=dont_know]")
        return
    control = page.locator(".oky-form input:not([type=hidden])").first
    kind = control.get_attribute("type")
    if kind in ("radio", "checkbox"):
        control.check()
    elif control.get_attribute("inputmode") == "numeric":
        control.fill("2")
    else:  # a date, typed as families say it
        control.fill("R2.4.1")
    with page.expect_navigation():
        page.click("button[name=next]")


def test_a_trial_is_handed_out_and_used_at_once_from_the_printed_login(
    live_server, page, settings, csp_violations, screens
):
    settings.OKUYAMI_SANDBOX = True
    out = io.StringIO()
    call_command("create_trial", "011002", "札幌市", "--days", "30", stdout=out)
    password = dict(re.findall(r"username (\S+)\tpassword (\S+)", out.getvalue()))["trial-011002-counter"]

    page.goto(f"{live_server.url}/")
    assert BANNER in page.locator(".oky-sandbox").inner_text()
    page.fill("#id_username", "trial-011002-counter")
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form.oky-form button[type=submit]")
    page.wait_for_url("**/password/")
    assert "最初のログイン用" in page.content()
    screens.take(page, "09-trial-password.png", full_page=True)
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    with page.expect_navigation():
        page.click("form.oky-form button[type=submit]")
    page.wait_for_url("**/cases/")
    assert "パスワードを変更しました" in page.locator(".oky-messages").inner_text()

    # 新しい受付 starts with the trial's fictitious records; 試用 太郎 is not in them: by hand.
    page.click("a[href$='/cases/new/records/']")
    page.wait_for_url("**/cases/new/records/")
    page.get_by_role("link", name="手入力で受付").click()
    page.wait_for_url("**/cases/new/")
    fill_reception(page, TRIAL_FAMILY)
    with page.expect_navigation():
        page.click("form.oky-form button[type=submit]")
    asked = 0
    while "/questions/" in page.url:
        answer(page)
        asked += 1
        assert asked < 80, "the questionnaire never ended"
    page.wait_for_url("**/answers/")
    with page.expect_navigation():
        page.click("a.oky-button[href$='/result/']")
    assert page.locator(".oky-stop").count() >= 3
    with page.expect_navigation():
        page.click("#finalise ~ form button[type=submit]")
    assert "確定" in page.locator(".oky-messages").inner_text()
    case = Case.objects.get()
    assert case.municipality.code == "011002" and case.status == Case.Status.FINALISED
    assert case.created_by.username == "trial-011002-counter"
    assert BANNER in page.locator(".oky-sandbox").inner_text()
    screens.take(page, "10-trial-result.png", full_page=True)

    page.goto(f"{live_server.url}/statistics/")
    assert page.locator("svg.oky-chart__svg rect.oky-chart__bar").count() == 12
    screens.take(page, "11-statistics.png", full_page=True)
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert "おくやみナビ API" in page.locator(".swagger-ui .info").inner_text()
    assert not csp_violations, csp_violations
