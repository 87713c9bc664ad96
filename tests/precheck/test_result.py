"""The family's result: what applies and what to confirm, by counter in walking order, with
deadlines, what to bring and the counter's hours; and the checklist PDF without names."""

import re
from datetime import date

import pytest

from okuyami.precheck import printing
from okuyami.precheck.codes import shown
from okuyami.precheck.models import PrecheckCode
from tests.okuyami.conftest import page_texts, read_pdf
from tests.precheck.conftest import ANSWERS

pytestmark = pytest.mark.django_db


def test_the_result_lists_counters_in_walking_order_with_deadlines_documents_and_hours(family):
    family.walk(age=78)
    response = family.get("result")
    html = response.content.decode()
    guide = response.context["guide"]
    names = [stop["name"] for stop in guide["stops"]]
    positions = [html.index(f"{stop['number']}. {stop['name']}") for stop in guide["stops"]]
    assert positions == sorted(positions) and len(names) >= 2
    # kokuho_loss (国民健康保険, 14 days from 2026-11-20: 2026-12-04) and koki_loss (age 78 ≥ 75).
    keys = [p["key"] for stop in guide["stops"] for p in stop["procedures"]]
    assert {"kokuho_loss", "koki_loss", "seal", "gentsuki"} <= set(keys)
    assert "令和8年12月4日（金）" in html and "2026年12月4日" in html
    for stop in guide["stops"]:
        if stop["hours"]:
            assert stop["hours"] in html
        for procedure in stop["procedures"]:
            for document in procedure["documents"]:
                assert f"・{document}" in html


def test_what_to_confirm_names_the_facts_answered_wakaranai(family):
    family.walk(answers={**ANSWERS})  # pension: わからない
    guide = family.get("result").context["guide"]
    maybe = {item["key"]: item for item in guide["maybe"]}
    assert "pension_death" in maybe
    assert maybe["pension_death"]["confirm"] == ["年金を受け取っていましたか？"]
    assert "窓口で確認する手続き" in family.get("result").content.decode()


def test_the_booking_number_and_the_greeting_are_shown(family, public_city):
    public_city.precheck_greeting = "ご家族のご負担が少しでも軽くなるよう、\nお手伝いします。"
    public_city.save()
    family.walk()
    assert "tel:047-000-0000" in family.get("result").content.decode()
    start = family.get("start").content.decode()
    assert "ご家族のご負担が少しでも軽くなるよう、<br>お手伝いします。" in start


def test_the_greeting_is_text_not_markup(family, public_city):
    public_city.precheck_greeting = '<script>alert("x")</script>'
    public_city.save()
    html = family.get("start").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_unanswered_questions_are_pointed_out(family):
    family.post(family.url("death"), "2026-11-20")
    html = family.get("result").content.decode()
    assert "まだ答えていない質問があります" in html


def test_the_checklist_pdf_has_the_procedures_and_no_name(family):
    family.walk(age=78)
    pdf = read_pdf(family.get("checklist-pdf").content)
    text = "".join(page_texts(pdf))
    assert "手続きのご案内" in text and "国民健康保険" in text
    assert "令和8年11月20日" in text  # the date of death
    assert "受付コード" not in text  # none issued yet
    assert re.search(r"お名前様", text)  # the line for a name stays blank


def test_once_a_code_is_issued_the_checklist_carries_it_and_its_qr_code(family):
    family.walk()
    family.client.post(family.url("code-issue"))
    code = PrecheckCode.objects.get()
    text = "".join(page_texts(read_pdf(family.get("checklist-pdf").content)))
    assert "受付コード" in text and shown(code.code) in text
    guide = family.get("result").context["guide"]
    html = printing.checklist_html(
        guide=guide, printed_on=date(2026, 11, 27), code=code.code, code_expires=date(2026, 12, 11)
    )
    assert re.search(r'<img class="oky-doc-code-qr" src="data:image/svg\+xml', html)
    assert "令和8年12月11日まで有効" in html
