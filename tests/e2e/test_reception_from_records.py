"""A case from the records in a real browser: found by two dates, filled from the records, the
visitor picked from the household, asked only what the records do not answer, then 確定 — and
no name typed on the way."""

import re

import pytest

from okuyami.models import Case
from okuyami.residents.sample import SAMPLE_EXTRACT
from okuyami.residents.services import extract_import
from tests.e2e.conftest import signed_in
from tests.e2e.test_interview import answer_by_keyboard

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_counter(demo_counter):
    """tests/e2e/conftest.py's demo-counter, with the sample resident records in the sample city."""
    extract_import(municipality=demo_counter.membership.municipality, source=SAMPLE_EXTRACT, actor="test")
    return demo_counter


def test_a_case_from_the_records_to_kakutei_without_typing_a_name(live_server, page, demo_counter):
    signed_in(page.context, live_server, "demo-counter")
    page.goto(f"{live_server.url}/cases/")

    page.get_by_role("link", name="新しい受付").click()
    page.wait_for_url("**/cases/new/records/")
    # 見本 太郎 by his two dates (as families say them, 和暦): no name, no reading.
    for selector, day in {"#id_birth_date": "昭和19年1月3日", "#id_death_date": "R8.11.20"}.items():
        page.focus(selector)
        page.keyboard.type(day)
    page.get_by_role("button", name="探す").click()
    hits = page.locator(".oky-hits tbody tr")
    assert hits.count() >= 1
    assert "見本 太郎" in hits.first.inner_text() and "令和8年11月20日" in hits.first.inner_text()
    hits.first.get_by_role("button", name=re.compile("この方で受付")).click()
    page.wait_for_url("**/cases/new/records/open/")

    # The deceased as the records hold him; the household to pick the visitor from.
    assert page.input_value("#id_deceased_name") == "見本 太郎"
    assert page.input_value("#id_deceased_kana") == "ミホン タロウ"
    assert page.input_value("#id_deceased_address") == "見本県みほん市北町3丁目28番13号"
    page.get_by_label(re.compile(r"^見本 花子（ミホン ハナコ）・続柄 妻")).check()
    page.focus("#id_visitor_phone")
    page.keyboard.type("000-000-1234")  # the only thing typed: the records have no phone
    page.get_by_role("button", name="受付して質問へ進む").click()
    page.wait_for_url("**/questions/**")

    pages = 0
    while "/questions/" in page.url:
        assert "世帯主" not in page.locator("h1").inner_text()  # answered by the records, not asked
        answer_by_keyboard(page, unknown=False)
        pages += 1
        assert pages < 60, "the questionnaire never ended"
    page.wait_for_url("**/answers/")
    assert page.locator(".oky-tag--records").count() >= 7
    assert "住民記録より" in page.locator(".oky-check").inner_text()

    page.get_by_role("link", name="結果と順路を見る").click()
    page.wait_for_url("**/result/")
    page.focus("#finalise ~ form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "確定" in page.locator(".oky-messages").inner_text()

    case = Case.objects.get()
    assert case.status == Case.Status.FINALISED and case.snapshot is not None
    assert (case.deceased_name, case.deceased_kana, case.visitor_name, case.visitor_relation) == (
        "見本 太郎",
        "ミホン タロウ",
        "見本 花子",
        "配偶者",
    )
    assert case.record_answers["head_of_household"] is True and case.answers["insurance"] == "koki"
    assert pages < 27  # fewer pages than the same case typed in (tests/okuyami/test_counter_effort.py)
