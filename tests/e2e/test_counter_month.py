"""The counter after its first month, in a real browser (issue #15): a finalised case corrected and
reprinted, a relay that finishes although the route includes outside offices, conflicts settled
without retyping, the compact result page, and dates typed as families say them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bench.cases import SEVENTEEN_ANSWERS
from okuyami import selectors, services
from okuyami.models import Case, Finalisation
from tests.conftest import make_case
from tests.e2e.conftest import signed_in
from tests.e2e.test_interview import fill_reception

pytestmark = pytest.mark.django_db(transaction=True)


def seventeen(demo_counter, **fields) -> Case:
    """A case of bench.cases.SEVENTEEN_ANSWERS: 17 procedures at 11 counters, 2 to confirm."""
    return make_case(
        demo_counter.membership.municipality,
        deceased_name="見本 太郎",
        deceased_kana="ミホン タロウ",
        visitor_name="見本 花子",
        visitor_kana="ミホン ハナコ",
        answers=SEVENTEEN_ANSWERS,
        unknown=["will"],
        **fields,
    )


def log_in(page, live_server) -> None:
    signed_in(page.context, live_server, "demo-counter")


def navigate(page, action) -> None:
    with page.expect_navigation():
        action()


def active(page, expression: str = "document.activeElement"):
    return page.evaluate(
        f"(() => {{ const el = {expression}; return el ? el.outerHTML.slice(0, 200) : ''; }})()"
    )


def tabs_until(page, selector: str, limit: int = 200) -> int:
    """How many Tab presses from the top of the page until `selector` has focus."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return count
    raise AssertionError(f"{selector} never took focus by Tab")


# --- Item 1: a finalised case is corrected, and what was told stays -----------------------------------


def test_a_clerk_corrects_a_finalised_case_and_the_reprint_says_so(live_server, page, demo_counter, screens):
    case = seventeen(demo_counter)
    services.case_finalise(case=case, user=demo_counter, version=case.version)
    log_in(page, live_server)

    # The question pages of a finalised case show the answer, no form.
    page.goto(f"{live_server.url}/cases/{case.pk}/questions/vehicles/")
    assert page.locator("form.oky-form").count() == 0 and "軽自動車" in page.inner_text("main")

    page.goto(f"{live_server.url}/cases/{case.pk}/result/")
    navigate(page, lambda: page.click("text=確定を取り消して修正"))
    page.wait_for_url("**/reopen/")
    screens.take(page, "counter-01-reopen.png", full_page=True)
    page.focus("#id_reason")
    page.keyboard.type("ご家族から市営霊園の使用を伺った")
    navigate(page, lambda: page.keyboard.press("Enter"))
    assert "確定を取り消しました" in page.inner_text(".oky-messages")
    assert "内容を修正して再確定する" in page.inner_text("main")

    # The family remembered a plot at the city cemetery: one answer, no other question again.
    page.goto(f"{live_server.url}/cases/{case.pk}/questions/cemetery/?from=answers")
    page.check("input[name=answer][value=yes]")
    navigate(page, lambda: page.click("button[name=next]"))
    page.goto(f"{live_server.url}/cases/{case.pk}/result/")
    navigate(page, lambda: page.click("#finalise ~ form button[type=submit]"))
    assert "再確定しました（第2版）" in page.inner_text(".oky-messages")

    case.refresh_from_db()
    assert case.status == Case.Status.FINALISED and case.snapshot["edition"] == 2
    assert [f.edition for f in Finalisation.objects.filter(case=case)] == [1, 2]
    for document in ("checklist", "route", "application"):
        page.goto(f"{live_server.url}/cases/{case.pk}/print/{document}/")
        assert "訂正版（第2版・" in page.inner_text("header"), document
    # The 共通申請書 lists the city's own procedures and names the offices with their own forms.
    assert "次の機関の手続きには、この申請書は使えません。" in page.inner_text("body")
    assert "見本地方法務局" in page.inner_text(".oky-app-outside")
    screens.take(page, "counter-10-application-correction.png", full_page=True)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    history = page.inner_text("#history ~ table")
    assert "第1版" in history and "第2版（訂正版）" in history and "市営霊園" in history
    screens.take(page, "counter-02-case-history.png", full_page=True)


def test_a_case_made_twice_is_cancelled_and_leaves_the_list(live_server, page, demo_counter):
    first, twice = seventeen(demo_counter), seventeen(demo_counter)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/cases/")
    assert page.locator(f"a[href='/cases/{twice.pk}/']").count() == 1
    page.goto(f"{live_server.url}/cases/{twice.pk}/cancel/")
    page.fill("#id_reason", "同じご家族を二重に受付")
    navigate(page, lambda: page.click("form.oky-form button[type=submit]"))
    page.wait_for_url("**/cases/")
    assert page.locator(f"a[href='/cases/{twice.pk}/']").count() == 0
    assert page.locator(f"a[href='/cases/{first.pk}/']").count() == 1
    assert Case.objects.get(pk=twice.pk).status == Case.Status.CANCELLED


# --- Item 2: the relay finishes although the route includes outside offices ------------------------------


def test_a_case_whose_route_includes_outside_offices_is_finished_at_the_relay(
    live_server, page, demo_counter, screens
):
    case = seventeen(demo_counter)
    services.case_finalise(case=case, user=demo_counter, version=case.version)
    # Received a month ago: not today's reception, so 後日 alone takes it out of today's work.
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=30))
    outside = [p["name"] for s in case.snapshot["stops"] if s["outside"] for p in s["procedures"]]
    own = selectors.markable_procedure_keys(case.snapshot)
    assert outside and len(own) == 12
    log_in(page, live_server)
    page.goto(f"{live_server.url}/relay/?q={case.pk}")
    for name in outside:
        row = page.locator("tr", has=page.locator(f"td[data-label='手続き']:text-is('{name}')"))
        assert "ご案内のみ" in row.inner_text() and row.locator("button").count() == 0, name

    # A phone at the counter: each stacked cell still says what it is.
    page.set_viewport_size({"width": 390, "height": 844})
    label = page.evaluate(
        "getComputedStyle(document.querySelector(\"td[data-label='処理']\"), '::before').content"
    )
    assert label == '"処理"'
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "来庁：見本 花子 様（配偶者）" in page.inner_text(f"#case-{case.pk}")
    screens.take(page, "counter-03-relay-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    names = [p["name"] for s in case.snapshot["stops"] for p in s["procedures"] if p["key"] in own]
    for name in names[:-1]:
        button = page.get_by_role("button", name=re.compile(rf"^完了\s*：{re.escape(name)}$"))
        navigate(page, button.click)
    # The last one waits for the family: 後日, and the case leaves today's work.
    later = page.get_by_role("button", name=re.compile(rf"^後日\s*：{re.escape(names[-1])}$"))
    navigate(page, later.click)
    case.refresh_from_db()
    assert case.status == Case.Status.FINALISED and case.later_since is not None
    page.goto(f"{live_server.url}/relay/")
    assert page.locator(f"#case-{case.pk}").count() == 0
    assert "後日を待っている受付（1件）" in page.inner_text("main")
    page.goto(f"{live_server.url}/cases/?state=later")
    assert "後日" in page.inner_text("table") and "ご家族の来庁待ち" in page.inner_text("table")
    screens.take(page, "counter-04-case-list-later.png", full_page=True)

    page.goto(f"{live_server.url}/relay/?q={case.pk}")
    done = page.get_by_role("button", name=re.compile(rf"^完了\s*：{re.escape(names[-1])}$"))
    navigate(page, done.click)
    case.refresh_from_db()
    assert case.status == Case.Status.DONE  # the outside offices never kept it open


# --- Item 5: conflicts settled without retyping -------------------------------------------------------


def test_a_conflict_on_the_reception_details_is_settled_field_by_field(
    live_server, page, demo_counter, screens
):
    case = seventeen(demo_counter)
    log_in(page, live_server)
    other = page.context.new_page()  # another tab of the same demo_counter, or another counter
    page.goto(f"{live_server.url}/cases/{case.pk}/edit/")
    other.goto(f"{live_server.url}/cases/{case.pk}/edit/")
    other.fill("#id_visitor_phone", "047-111-1111")
    other.fill("#id_deceased_address", "見本県みほん市本町2-2")
    with other.expect_navigation():
        other.click("form.oky-form button[type=submit]")

    page.fill("#id_visitor_phone", "047-222-2222")
    page.fill("#id_visitor_address", "見本県みほん市北町3-3")
    navigate(page, lambda: page.click("form.oky-form button[type=submit]"))
    assert "競合" in page.inner_text(".oky-conflict")
    assert page.evaluate("document.activeElement.classList.contains('oky-conflict')")
    assert page.input_value("#id_deceased_address") == "見本県みほん市本町2-2"  # only theirs changed it
    assert page.input_value("#id_visitor_address") == "見本県みほん市北町3-3"  # only mine
    assert "047-111-1111" in page.inner_text(".oky-conflict-choices")
    screens.take(page, "counter-05-conflict.png", full_page=True)
    page.check("input[name=keep_visitor_phone][value=latest]")
    navigate(page, lambda: page.click("form.oky-form button[type=submit]"))
    case.refresh_from_db()
    assert (case.visitor_phone, case.deceased_address, case.visitor_address) == (
        "047-111-1111",
        "見本県みほん市本町2-2",
        "見本県みほん市北町3-3",
    )


def test_an_answer_changed_in_another_tab_is_shown_and_focus_lands_on_the_chosen_option(
    live_server, page, demo_counter, screens
):
    case = seventeen(demo_counter)
    log_in(page, live_server)
    other = page.context.new_page()
    url = f"{live_server.url}/cases/{case.pk}/questions/insurance/"
    page.goto(url)
    # The stored answer (後期高齢者医療) is the focused option, not the first one.
    assert page.evaluate("document.activeElement.value") == "koki"
    other.goto(url)
    other.check("input[name=answer][value=kokuho]")
    with other.expect_navigation():
        other.click("button[name=next]")
    page.check("input[name=answer][value=shakai]")
    navigate(page, lambda: page.click("button[name=next]"))
    assert "「国民健康保険（市区町村の国保）」として保存されました" in page.inner_text(".oky-conflict")
    assert Case.objects.get(pk=case.pk).answers["insurance"] == "kokuho"
    screens.take(page, "counter-06-answer-changed.png", full_page=True)
    navigate(page, lambda: page.click("a.oky-button:has-text('のまま次へ')"))
    assert Case.objects.get(pk=case.pk).answers["insurance"] == "kokuho"


# --- Item 6: the compact result page -------------------------------------------------------------------


def test_the_result_page_is_compact_and_a_change_returns_to_its_procedure(
    live_server, page, demo_counter, screens
):
    case = seventeen(demo_counter)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/cases/{case.pk}/result/")
    assert page.locator(".oky-route .oky-procedure").count() == 17
    height = page.evaluate("document.documentElement.scrollHeight")
    tabs = tabs_until(page, "#finalise ~ form button[type=submit]")
    page.set_viewport_size({"width": 390, "height": 844})
    phone = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1280, "height": 900})
    # Before: 8,250 px (12,800 on a phone) and 54 Tabs to 確定 (bench/result_page.py measures both).
    assert height < 6000 and phone < 9500 and tabs <= 40, (height, phone, tabs)
    assert page.locator("#add-procedure").input_value() == ""  # 手続きを追加: nothing chosen
    screens.take(page, "counter-07-result-compact.png", full_page=True)

    # One control per procedure opens in place, by keyboard.
    item = page.locator("#procedure-mynumber_henkyaku")
    summary = item.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert item.locator("details").get_attribute("open") is not None
    screens.take(page, "counter-08-result-change-open.png")
    page.focus("#drop-family-mynumber_henkyaku")
    page.keyboard.type("カードはご家族が返却済み")
    page.focus("#drop-staff-mynumber_henkyaku")
    page.keyboard.type("電話で確認した")
    page.focus("#procedure-mynumber_henkyaku button[type=submit]")
    navigate(page, lambda: page.keyboard.press("Enter"))
    assert page.url.endswith("#procedure-mynumber_henkyaku")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "procedure-mynumber_henkyaku"  # now in the 除外 list, focus returned to it
    message = page.inner_text("#procedure-mynumber_henkyaku")
    assert "「マイナンバーカードの返納」を除外しました。" in message or "を除外しました。" in message
    assert page.evaluate("window.scrollY") > 0  # not back at the top
    assert "電話で確認した" in message and "カードはご家族が返却済み" in message


# --- Item 9: dates as families say them ------------------------------------------------------------------


def test_dates_are_typed_in_wareki_and_the_age_is_read_back(live_server, page, demo_counter, screens):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/cases/new/")
    typed = {"#id_deceased_birth_date": "昭和１９年１０月１５日", "#id_death_date": "R8.11.20"}
    fill_reception(page, {"#id_deceased_name": "見本 一郎", "#id_deceased_kana": "ミホン イチロウ", **typed})
    navigate(page, lambda: page.click("form.oky-form button[type=submit]"))
    assert "昭和19年10月15日生まれ、82歳で亡くなられました。" in page.inner_text(".oky-messages")
    screens.take(page, "counter-09-age-read-back.png")
    case = Case.objects.get()
    assert (case.deceased_birth_date.isoformat(), case.death_date.isoformat()) == ("1944-10-15", "2026-11-20")
    page.goto(f"{live_server.url}/cases/{case.pk}/edit/")
    assert page.input_value("#id_deceased_birth_date") == "昭和19年10月15日"
    page.fill("#id_deceased_birth_date", "平成31年5月1日")
    navigate(page, lambda: page.click("form.oky-form button[type=submit]"))
    assert "平成は平成元年1月8日から平成31年4月30日まで" in page.inner_text(".oky-error-summary")
