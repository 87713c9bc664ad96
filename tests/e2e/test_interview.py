"""A whole interview in a real browser, keyboard only, on the sample city."""

import re
import time
from datetime import date

import pytest

from okuyami import services
from okuyami.models import Case, Mark
from tests.conftest import make_case
from tests.e2e.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def focus_and_press(page, selector: str, key: str = "Enter", limit: int = 60) -> None:
    """Tab until `selector` has focus, then press `key` and wait for the next page."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            with page.expect_navigation():
                page.keyboard.press(key)
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never took focus by Tab")


RECEPTION = {
    "#id_deceased_name": "見本 太郎",
    "#id_deceased_kana": "ミホン タロウ",
    "#id_deceased_address": "見本県みほん市本町1-1",
    "#id_visitor_name": "見本 花子",
    "#id_visitor_kana": "ミホン ハナコ",
    "#id_visitor_phone": "000-000-1234",
}


def fill_reception(page, dates: dict[str, str]) -> None:
    """The reception form by keyboard: the demo family's details, `dates` by field (typed as
    families say them, 和暦 or 西暦, over what the field held), 配偶者."""
    for selector, text in {**RECEPTION, **dates}.items():
        page.focus(selector)
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    page.focus("#id_visitor_relation")
    page.keyboard.press("ArrowDown")  # 配偶者


def answer_by_keyboard(page, *, unknown: bool) -> None:
    """Answer the question on the page with keys only; 'わからない' when asked to."""
    kind = page.evaluate(
        """() => {
            const el = document.activeElement;
            return el ? (el.type || el.tagName).toLowerCase() : "";
        }"""
    )
    if kind == "radio":
        if unknown and page.locator("input[type=radio][value=__unknown__]").count():
            radios = page.locator("input[type=radio]").count()
            for _ in range(radios - 1):  # the last option is わからない
                page.keyboard.press("ArrowDown")
        else:
            page.keyboard.press("Space")  # the first option
    elif kind == "checkbox":
        page.keyboard.press("Space")
    elif kind == "text" and page.evaluate("document.activeElement.inputMode") == "numeric":
        page.keyboard.type("2")
    elif kind == "text":  # a date, typed as families say it
        page.keyboard.type("令和2年4月1日")
    focus_and_press(page, "button[name=next]")


def test_a_whole_interview_by_keyboard_then_relay(live_server, page, demo_counter, screens):
    started = time.monotonic()
    page.goto(f"{live_server.url}/")
    screens.take(page, "01-login.png")
    page.keyboard.type("demo-counter")  # the username field has focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    screens.take(page, "02-case-list.png", full_page=True)

    # 新しい受付 (the sample city here has no resident records: straight on to the form by hand)
    focus_and_press(page, "a[href$='/cases/new/records/']")
    page.wait_for_url("**/cases/new/")
    # Submitting empty shows the DADS error summary with focus on it.
    focus_and_press(page, "form.oky-form button[type=submit]")
    assert page.title().startswith("エラー：")
    assert page.evaluate("document.activeElement.classList.contains('oky-error-summary')")
    screens.take(page, "03-case-form-errors.png", full_page=True)

    # Dates as families say them: 和暦, in full-width digits too.
    fill_reception(page, {"#id_deceased_birth_date": "S20.3.10", "#id_death_date": "令和８年１１月２０日"})
    focus_and_press(page, "form.oky-form button[type=submit]")
    page.wait_for_url("**/questions/**")

    asked = 0
    while "/questions/" in page.url:
        if asked == 2:
            screens.take(page, "04-question.png", full_page=True)
        # The pension question is answered わからない so that 要確認 appears.
        unknown = "pension" in page.url
        answer_by_keyboard(page, unknown=unknown)
        asked += 1
        assert asked < 60, "the questionnaire never ended"
    assert asked >= 20
    page.wait_for_url("**/answers/")
    screens.take(page, "05-answers.png", full_page=True)

    focus_and_press(page, "a.oky-button[href$='/result/']")
    page.wait_for_url("**/result/")
    elapsed = time.monotonic() - started
    route = page.locator(".oky-stop")
    assert route.count() >= 3
    assert page.locator("#route").is_visible()
    maybe = page.locator(".oky-maybe li")
    assert maybe.count() >= 1
    assert "年金" in page.locator(".oky-maybe").inner_text()
    screens.take(page, "06-result.png", full_page=True)
    assert elapsed < 180, f"the interview took {elapsed:.0f} s"

    page.focus("#finalise ~ form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "確定" in page.locator(".oky-messages").inner_text()
    case = Case.objects.get()
    assert (case.deceased_birth_date, case.death_date) == (date(1945, 3, 10), date(2026, 11, 20))
    assert case.status == Case.Status.FINALISED and case.snapshot is not None
    first = case.snapshot["stops"][0]

    page.goto(f"{live_server.url}/relay/?counter={first['counter']}")
    screens.take(page, "07-relay.png", full_page=True)
    name = first["procedures"][0]["name"]
    page.get_by_role("button", name=re.compile(rf"^完了\s*：{re.escape(name)}$")).click()
    page.wait_for_url("**/relay/**")
    mark = Mark.objects.get(case=case, procedure_key=first["procedures"][0]["key"])
    assert mark.status == Mark.Status.DONE and mark.marked_by == demo_counter
    assert "完了" in page.locator(f"#case-{case.pk}").locator("..").inner_text()


def test_pages_stay_usable_at_200_percent_zoom(live_server, page, demo_counter, screens):
    case = make_case(
        demo_counter.membership.municipality,
        deceased_name="見本 太郎",
        deceased_kana="ミホン タロウ",
        visitor_name="見本 花子",
        answers={
            "insurance": "koki",
            "head_of_household": True,
            "household_remaining": 2,
            "vehicles": ["kei"],
        },
        unknown=["pension"],
    )
    services.case_finalise(case=case, user=demo_counter, version=case.version)
    page.set_viewport_size({"width": 640, "height": 900})  # a 1280 px screen at 200 %
    signed_in(page.context, live_server, "demo-counter")
    for path in ("/cases/", "/cases/new/", f"/cases/{case.pk}/", f"/cases/{case.pk}/result/", "/relay/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 640, f"{path} scrolls sideways at 200% zoom ({width}px)"
    screens.take(page, "08-relay-zoom-200.png", full_page=True)
