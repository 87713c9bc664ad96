"""A family's pre-check at home on a phone (390 px wide), by keyboard only, scanned by axe-core on
every kind of page; then the code they got, used at the counter, where nothing is asked again."""

import re

import pytest
from django.contrib.auth import get_user_model

from core.models import StaffMembership
from okuyami import selectors
from okuyami.models import Case
from okuyami.precheck.models import PrecheckCode
from tests.conftest import fixture_document, import_catalog
from tests.e2e.axe import preload, violations
from tests.e2e.test_interview import PASSWORD, answer_by_keyboard, fill_reception, focus_and_press

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sample_city():
    municipality = import_catalog(fixture_document("sample-city.json"))
    municipality.precheck_enabled = True
    municipality.precheck_greeting = "ご家族を亡くされた方の手続きを、少しでも分かりやすくご案内します。"
    municipality.precheck_phone = "000-000-0100"
    municipality.save()
    user = get_user_model().objects.create_user("demo-counter", password=PASSWORD)
    StaffMembership.objects.create(user=user, municipality=municipality, role=StaffMembership.Role.COUNTER)
    return municipality


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
    preload(context)  # the family's pages are scanned one after another
    page = context.new_page()
    yield page
    context.close()


def checked(page, name: str) -> None:
    """The page fits the window's width (no sideways scrolling) and axe-core finds no WCAG 2.2 AA
    violation."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{name} scrolls sideways ({width}px in {window}px)"
    assert violations(page) == [], name


def test_a_family_prepares_at_home_by_keyboard_and_the_counter_asks_nothing_again(
    live_server, phone, page, sample_city, screens, tmp_path
):
    page_ = phone
    page_.goto(f"{live_server.url}/check/")
    assert page_.evaluate("window.innerWidth") == PHONE["width"]
    checked(page_, "the list")
    focus_and_press(page_, "a[href='/check/999903/']")
    assert "お名前・住所・生年月日など、どなたかを特定する情報はお聞きしません" in page_.content()
    checked(page_, "the start page")
    screens.take(page_, "precheck-01-start.png", full_page=True)
    focus_and_press(page_, "a.oky-button[href$='/death/']")

    # The date of death first: an empty answer shows the error summary, focused.
    focus_and_press(page_, "button[name=next]")
    assert page_.title().startswith("エラー：")
    assert page_.evaluate("document.activeElement.classList.contains('oky-error-summary')")
    checked(page_, "an error")
    screens.take(page_, "precheck-02-error.png", full_page=True)
    page_.focus("#id_answer")
    page_.keyboard.type("令和8年11月20日")  # as families say it
    focus_and_press(page_, "button[name=next]")
    page_.wait_for_url("**/age/")
    checked(page_, "the age")
    page_.keyboard.type("78")  # the answer field has focus
    focus_and_press(page_, "button[name=next]")

    asked, scanned = 0, set()
    while "/questions/" in page_.url:
        kind = page_.evaluate("() => (document.activeElement.type || '').toLowerCase()")
        if kind not in scanned:
            checked(page_, f"a {kind} question")
            scanned.add(kind)
            screens.take(page_, f"precheck-03-question-{kind}.png", full_page=True)
        answer_by_keyboard(page_, unknown="pension" in page_.url)
        asked += 1
        assert asked < 60, "the questions never ended"
    assert asked >= 20 and {"radio", "checkbox", "text"} <= scanned
    page_.wait_for_url("**/answers/")
    checked(page_, "the check page")
    screens.take(page_, "precheck-04-answers.png", full_page=True)

    focus_and_press(page_, "a.oky-button[href$='/result/']")
    checked(page_, "the result")
    assert page_.locator(".oky-stop").count() >= 3
    assert "年金" in page_.locator(".oky-maybe").inner_text()
    screens.take(page_, "precheck-05-result.png")  # the top: the whole is 40 procedures long
    focus_and_press(page_, "form[action$='/code/new/'] button")
    page_.wait_for_url("**/code/")
    checked(page_, "the code")
    screens.take(page_, "precheck-06-code.png", full_page=True)
    shown = page_.locator(".oky-code__value").inner_text().replace("受付コード", "").strip()
    assert re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3}", shown)
    assert page_.locator("img.oky-code__qr").get_attribute("alt") == f"受付コード {shown} のQRコード"

    # The checklist with the code, downloaded by keyboard.
    for _ in range(40):
        if page_.evaluate("() => (document.activeElement.getAttribute('href') || '').endsWith('.pdf')"):
            break
        page_.keyboard.press("Tab")
    with page_.expect_download() as download:
        page_.keyboard.press("Enter")
    saved = tmp_path / "checklist.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename == "checklist-999903.pdf"
    code = PrecheckCode.objects.get()
    assert code.answers and code.age == 78

    # At the counter: 新しい受付 (the records search, or the form where there are none) → コードから
    # 始める, the code as read out on the phone.
    page.goto(f"{live_server.url}/login/")
    page.keyboard.type("demo-counter")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focus_and_press(page, "a[href$='/cases/new/records/']")
    focus_and_press(page, "a[href$='/cases/new/from-code/']")
    checked(page, "the counter's code page")
    page.focus("#id_code")
    page.keyboard.type(shown.lower().replace("-", " "))
    focus_and_press(page, "form.oky-form button[type=submit]")
    assert f"事前確認の受付コード {shown}" in page.content()
    assert page.input_value("#id_death_date") == "令和8年11月20日"  # the family's, read back in 和暦
    fill_reception(page, {"#id_deceased_birth_date": "S23.1.5"})  # 78 on 2026-11-20, as the family said
    screens.take(page, "precheck-07-counter-from-code.png", full_page=True)
    focus_and_press(page, "form.oky-form button[type=submit]")
    page.wait_for_url("**/answers/")  # straight to the check page: no question is asked again
    case = Case.objects.get()
    assert selectors.interview_for(case).first_unanswered() is None
    assert page.locator(".oky-tag", has_text="事前確認より").count() == asked
    assert "事前確認の回答" in page.locator(".oky-messages").inner_text()
    checked(page, "the counter's answers page")
    screens.take(page, "precheck-08-counter-answers.png", full_page=True)
    assert PrecheckCode.objects.get().case == case
