"""The condition helper in a real browser, by keyboard only: the questions with their keys and
values beside the field, and the builder that writes 「〜が〜のとき」 and 「〜歳以上」 joined by かつ/または.
Also: the admin shows Japanese in its bundled font on a machine without Japanese fonts."""

import pytest

from procedures.models import Procedure
from tests.e2e.conftest import signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(browser, live_server, username: str, *, javascript: bool = True):
    return signed_in_page(browser, live_server, username, java_script_enabled=javascript)


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def choose(page, control_id: str, text: str) -> None:
    """Move a focused <select> to the option whose text contains `text`, with the arrow keys."""
    assert focused(page) == control_id
    options = page.eval_on_selector(f"#{control_id}", "s => [...s.options].map(o => o.text)")
    target = next(index for index, option in enumerate(options) if text in option)
    now = page.eval_on_selector(f"#{control_id}", "s => s.selectedIndex")
    for _ in range(abs(target - now)):
        page.keyboard.press("ArrowDown" if target > now else "ArrowUp")
    assert page.eval_on_selector(f"#{control_id}", "s => s.selectedIndex") == target


def choose_question_and_shape(page, base: str, question: str, shape: str) -> None:
    """From the builder's focused question <select>: the question, Tab, the shape of the condition
    on it, Tab on to what that shape asks for next (a choice, a number, or かつ/または)."""
    choose(page, f"{base}-question", question)
    page.keyboard.press("Tab")
    choose(page, f"{base}-shape", shape)
    page.keyboard.press("Tab")


def test_an_editor_builds_a_condition_with_the_keyboard_and_saves_it(live_server, browser, bob, screens):
    procedure = Procedure.objects.get(municipality__code="122041", key="kaigo_loss")
    page = log_in(browser, live_server, "bob")
    page.goto(f"{live_server.url}/admin/procedures/procedure/{procedure.pk}/change/")
    base = "id_applies_if-builder"

    # The list of questions, keys and values opens from the keyboard.
    page.focus("#id_applies_if")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the <summary>
    table = page.locator(".oky-condition-help table")
    assert table.is_visible()
    assert "insurance" in table.inner_text() and '"kokuho"（国民健康保険）' in table.inner_text()

    # 「健康保険が国民健康保険のとき」 in place of the condition.
    page.keyboard.press("Tab")
    choose_question_and_shape(page, base, "健康保険", "が次のとき")
    choose(page, f"{base}-choice", "国民健康保険")
    page.keyboard.press("Tab")
    choose(page, f"{base}-join", "置き換える")
    assert page.inner_text(".oky-builder output") == '書き込む条件: insurance == "kokuho"'
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # 条件に書き込む
    assert page.input_value("#id_applies_if") == 'insurance == "kokuho"'

    # かつ 65歳以上.
    page.focus(f"#{base}-question")
    choose_question_and_shape(page, base, "年齢", "歳以上")
    assert focused(page) == f"{base}-number"
    page.keyboard.type("65")
    page.keyboard.press("Tab")
    choose(page, f"{base}-join", "かつ")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.input_value("#id_applies_if") == 'insurance == "kokuho" and age >= 65'

    # または 介護の認定あり: the two before are kept together in parentheses.
    page.focus(f"#{base}-question")
    choose_question_and_shape(page, base, "介護", "「はい」")
    choose(page, f"{base}-join", "または")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    written = '(insurance == "kokuho" and age >= 65) or care == true'
    assert page.input_value("#id_applies_if") == written
    assert written in page.inner_text(".oky-builder output")
    screens.take(page, "catalog-08-condition-builder.png", full_page=True)

    # No number is refused in words, and nothing is written.
    page.focus(f"#{base}-question")
    choose(page, f"{base}-question", "年齢")
    page.fill(f"#{base}-number", "")
    page.focus(".oky-builder button")
    page.keyboard.press("Enter")
    assert "整数を入力してください" in page.inner_text(".oky-builder output")
    assert page.input_value("#id_applies_if") == written

    page.focus("input[name=_save]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist")
    assert Procedure.objects.get(pk=procedure.pk).applies_if == written
    page.context.close()


def test_without_javascript_the_list_is_there_and_the_field_saves(live_server, browser, bob):
    procedure = Procedure.objects.get(municipality__code="122041", key="kaigo_loss")
    page = log_in(browser, live_server, "bob", javascript=False)
    page.goto(f"{live_server.url}/admin/procedures/procedure/{procedure.pk}/change/")
    assert not page.locator(".oky-builder").is_visible()  # no dead controls
    page.click(".oky-condition-help summary")
    assert "head_of_household" in page.inner_text(".oky-condition-help table")
    page.fill("#id_applies_if", "care == true and age >= 40")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    assert Procedure.objects.get(pk=procedure.pk).applies_if == "care == true and age >= 40"
    page.context.close()


def test_the_admin_shows_japanese_in_its_bundled_font(live_server, browser, bob):
    page = log_in(browser, live_server, "bob")
    page.goto(f"{live_server.url}/admin/procedures/procedure/")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"BIZ UDPGothic"')
    loaded = page.evaluate(
        """async () => {
            await document.fonts.ready;
            await document.fonts.load('16px "BIZ UDPGothic"', '手続き');
            return [...document.fonts]
                .filter(f => f.family.includes('BIZ UDPGothic') && f.status === 'loaded')
                .map(f => f.weight);
        }"""
    )
    assert "400" in loaded
    page.context.close()
