"""A conflict resolves without retyping, and an answer changed in another tab is shown, not
overwritten (issue #15, item 5)."""

import json
import re

import pytest
from django.urls import reverse

from okuyami.models import Case
from tests.conftest import case_form_data, make_case

pytestmark = pytest.mark.django_db

FORM = case_form_data(appointment_date="", appointment_time="")


@pytest.fixture
def case(city_a):
    return make_case(city_a)


def shown_form(client, case) -> dict:
    """The edit form's hidden fields as the page gave them (version, seen)."""
    html = client.get(reverse("okuyami:case-edit", args=[case.pk])).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    hidden["seen"] = hidden["seen"].replace("&quot;", '"')
    return {**FORM, **hidden}


def test_after_a_conflict_the_clerk_keeps_theirs_or_takes_the_latest_field_by_field(client, alice, case):
    client.force_login(alice)
    url = reverse("okuyami:case-edit", args=[case.pk])
    mine = shown_form(client, case)
    # Meanwhile another counter changes the phone and the address.
    theirs = shown_form(client, case)
    client.post(url, {**theirs, "visitor_phone": "047-111-1111", "deceased_address": "船橋市本町1-1"})
    # The clerk changed the phone too (differently) and the visitor's address.
    response = client.post(url, {**mine, "visitor_phone": "047-222-2222", "visitor_address": "船橋市宮本2-2"})
    html = response.content.decode()
    assert "競合：ほかの職員が先にこの受付を保存しました" in html
    # The address only the other counter changed is taken; the phone is for the clerk to settle.
    assert "あなたが変えていない項目は、最新の内容にしました：亡くなった方の住所" in html
    assert 'value="船橋市本町1-1"' in html and 'value="船橋市宮本2-2"' in html
    assert "あなたの入力：047-222-2222" in html and "最新の内容（ほかの職員が保存）：047-111-1111" in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert int(version) == Case.objects.get().version  # the form now carries the latest version
    resubmit = dict(re.findall(r'<input type="(?:text|hidden)" name="(\w+)" value="([^"]*)"', html))
    resubmit = {k: v.replace("&quot;", '"') for k, v in resubmit.items()}
    resubmit["visitor_relation"] = "配偶者"
    # Not choosing is named, not a dead end.
    refused = client.post(url, resubmit).content.decode()
    assert "来庁された方の電話番号：どちらの内容にするか選んでください。" in refused
    response = client.post(url, {**resubmit, "keep_visitor_phone": "latest"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.visitor_phone, case.deceased_address, case.visitor_address) == (
        "047-111-1111",
        "船橋市本町1-1",
        "船橋市宮本2-2",
    )


def test_keeping_theirs_saves_the_clerks_value(client, alice, case):
    client.force_login(alice)
    url = reverse("okuyami:case-edit", args=[case.pk])
    mine, theirs = shown_form(client, case), shown_form(client, case)
    client.post(url, {**theirs, "visitor_phone": "047-111-1111"})
    html = client.post(url, {**mine, "visitor_phone": "047-222-2222"}).content.decode()
    resubmit = dict(re.findall(r'<input type="(?:text|hidden)" name="(\w+)" value="([^"]*)"', html))
    resubmit = {k: v.replace("&quot;", '"') for k, v in resubmit.items()}
    client.post(url, {**resubmit, "visitor_relation": "配偶者", "keep_visitor_phone": "mine"})
    assert Case.objects.get().visitor_phone == "047-222-2222"


def question_page(client, case, key: str) -> dict:
    html = client.get(reverse("okuyami:question", args=[case.pk, key])).content.decode()
    seen = re.search(r'name="seen" value="([^"]*)"', html).group(1).replace("&quot;", '"')
    return {"seen": seen}


def test_an_answer_changed_in_another_tab_is_shown_not_overwritten(client, alice, case):
    client.force_login(alice)
    url = reverse("okuyami:question", args=[case.pk, "insurance"])
    stale = question_page(client, case, "insurance")
    assert json.loads(stale["seen"]) == {}
    client.post(url, {**question_page(client, case, "insurance"), "answer": "koki"})  # the other tab
    response = client.post(url, {**stale, "answer": "kokuho"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ほかの画面で回答が変わっています" in html and "「後期高齢者医療」として保存されました" in html
    assert re.search(r'<input[^>]*value="kokuho"[^>]*checked', html)  # the clerk's choice is still there
    assert Case.objects.get().answers == {"insurance": "koki"}
    assert "後期高齢者医療のまま次へ" in html
    # Pressing 次へ again saves the clerk's answer, now checked against the one seen.
    seen = re.search(r'name="seen" value="([^"]*)"', html).group(1).replace("&quot;", '"')
    assert client.post(url, {"seen": seen, "answer": "kokuho"}).status_code == 302
    assert Case.objects.get().answers == {"insurance": "kokuho"}


def test_the_same_answer_from_two_tabs_is_no_conflict(client, alice, case):
    client.force_login(alice)
    url = reverse("okuyami:question", args=[case.pk, "insurance"])
    stale = question_page(client, case, "insurance")
    client.post(url, {**question_page(client, case, "insurance"), "answer": "koki"})
    assert client.post(url, {**stale, "answer": "koki"}).status_code == 302


def test_wakaranai_from_a_stale_tab_is_shown_too(client, alice, case):
    client.force_login(alice)
    url = reverse("okuyami:question", args=[case.pk, "pension"])
    stale = question_page(client, case, "pension")
    client.post(url, {**question_page(client, case, "pension"), "answer": "__unknown__"})
    html = client.post(url, {**stale, "answer": "yes"}).content.decode()
    assert "「わからない」として保存されました" in html
    assert Case.objects.get().unknown == ["pension"]
