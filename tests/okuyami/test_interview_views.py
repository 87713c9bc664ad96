"""The interview with the records' answers: prefilled questions skipped and marked 「住民記録より」,
runs of yes/no questions on one page (当てはまるものをすべて), what is left counted without jumps."""

import itertools
import json
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.models import AuditEvent, StaffMembership
from okuyami import services
from okuyami.forms import BOTH
from okuyami.models import Case
from okuyami.selectors import interview_for
from okuyami.views import CANCELLED, CLOSED, MOVED
from tests.conftest import fixture_document, import_catalog, make_case
from tests.okuyami.conftest import TYPICAL_RECORDS

pytestmark = pytest.mark.django_db

RECORDS = TYPICAL_RECORDS


@pytest.fixture
def sample_city(db):
    return import_catalog(fixture_document("sample-city.json"))


@pytest.fixture
def clerk(sample_city):
    user = get_user_model().objects.create_user("clerk", password="pass-clerk")
    StaffMembership.objects.create(user=user, municipality=sample_city, role="counter")
    return user


@pytest.fixture
def typical(sample_city):
    return make_case(
        sample_city,
        deceased_birth_date=date(1944, 1, 3),
        death_date=date(2026, 11, 20),
        answers=dict(RECORDS),
        record_answers=dict(RECORDS),
    )


def page_url(case, key, **query):
    url = reverse("okuyami:question", args=[case.pk, key])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def left_of(html: str) -> int:
    return int(re.search(r"残りの質問：(\d+) 問まで", html).group(1))


def test_the_interview_starts_after_what_the_records_answered(client, clerk, typical):
    client.force_login(clerk)
    response = client.get(reverse("okuyami:questions", args=[typical.pk]))
    # 世帯主, the household, the insurance … are not asked: the first page is the first question left.
    assert response.url == page_url(typical, "high_medical_costs")
    interview = interview_for(Case.objects.get(pk=typical.pk))
    shown = {key for page in interview.pages for key in page.keys}
    assert not shown & set(RECORDS)
    assert {"high_medical_costs", "funeral_held", "pension"} <= shown


def test_a_run_of_yes_no_questions_is_one_page_with_a_wakaranai_per_row(client, clerk, typical):
    client.force_login(clerk)
    html = client.get(page_url(typical, "high_medical_costs")).content.decode()
    assert '<h1 class="oky-question">当てはまるものをすべて選んでください</h1>' in html
    # Both questions, each a check box with its label, and a わからない of its own.
    for key in ("high_medical_costs", "funeral_held"):
        assert re.search(rf'<input type="checkbox" name="{key}" [^>]*id="id_{key}">', html)
        assert f'<label for="id_{key}__unknown">わからない<span class="oky-visually-hidden">：' in html
    assert 'name="keys" value="high_medical_costs funeral_held"' in html
    # A question of the page opened by its own address leads to the page.
    assert client.get(page_url(typical, "funeral_held")).url == page_url(typical, "high_medical_costs")


def test_answering_the_page_saves_every_row_and_goes_on(client, clerk, typical):
    client.force_login(clerk)
    response = client.post(
        page_url(typical, "high_medical_costs"),
        {"keys": "high_medical_costs funeral_held", "funeral_held": "on"},
    )
    assert response.status_code == 302
    assert response.url == page_url(typical, "funeral_date")  # the follow-up of a ticked row
    case = Case.objects.get(pk=typical.pk)
    assert case.answers["high_medical_costs"] is False and case.answers["funeral_held"] is True
    (event,) = AuditEvent.objects.filter(case_id=case.pk, action="change")
    assert event.detail == "回答を保存（high_medical_costs・funeral_held）"
    # わからない on a row, and the page again shows what is stored.
    client.post(
        page_url(typical, "high_medical_costs"),
        {
            "keys": "high_medical_costs funeral_held",
            "high_medical_costs__unknown": "on",
            "funeral_held": "on",
        },
    )
    case.refresh_from_db()
    assert case.unknown == ["high_medical_costs"] and "high_medical_costs" not in case.answers
    html = client.get(page_url(typical, "high_medical_costs")).content.decode()
    assert 'name="high_medical_costs__unknown" id="id_high_medical_costs__unknown" checked' in html
    assert re.search(r'name="funeral_held" [^>]*id="id_funeral_held" checked', html)


def test_a_row_ticked_both_ways_is_refused_with_its_message(client, clerk, typical):
    client.force_login(clerk)
    response = client.post(
        page_url(typical, "high_medical_costs"),
        {"keys": "high_medical_costs funeral_held", "funeral_held": "on", "funeral_held__unknown": "on"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"＊{BOTH}" in html and 'href="#id_funeral_held"' in html  # the row's error and the summary
    assert 'aria-invalid="true"' in html
    assert "funeral_held" not in Case.objects.get(pk=typical.pk).answers


def test_a_page_that_changed_meanwhile_saves_nothing(client, clerk, typical):
    client.force_login(clerk)
    response = client.post(
        page_url(typical, "high_medical_costs"), {"keys": "high_medical_costs", "funeral_held": "on"}
    )
    assert response.status_code == 200
    assert MOVED in response.content.decode()
    assert "funeral_held" not in Case.objects.get(pk=typical.pk).answers


def test_a_finalised_case_takes_no_answers(client, clerk, typical):
    Case.objects.filter(pk=typical.pk).update(status=Case.Status.FINALISED)
    client.force_login(clerk)
    response = client.post(
        page_url(typical, "high_medical_costs"), {"keys": "high_medical_costs funeral_held"}, follow=True
    )
    assert CLOSED in response.content.decode()
    assert "funeral_held" not in Case.objects.get(pk=typical.pk).answers


def seen_of(html: str) -> str:
    return re.search(r'name="seen" value="([^"]*)"', html).group(1).replace("&quot;", '"')


def test_an_answer_another_tab_saved_on_the_page_is_shown_not_overwritten(client, clerk, typical):
    client.force_login(clerk)
    url = page_url(typical, "high_medical_costs")
    keys = "high_medical_costs funeral_held"
    stale = seen_of(client.get(url).content.decode())
    assert json.loads(stale) == {"funeral_held": {}, "high_medical_costs": {}}
    # The other tab: 葬儀 yes.
    other = seen_of(client.get(url).content.decode())
    assert client.post(url, {"keys": keys, "seen": other, "funeral_held": "on"}).status_code == 302
    # This tab, opened before, says no to both: nothing is saved, the page names what changed.
    response = client.post(url, {"keys": keys, "seen": stale})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ほかの画面で回答が変わっています" in html and "data-autofocus" in html
    funeral = next(q for q in interview_for(typical).questions if q.key == "funeral_held")
    assert f"<li>{funeral.text}：「はい」</li>" in html and "high_medical_costs：" not in html
    assert Case.objects.get(pk=typical.pk).answers["funeral_held"] is True
    # 保存された回答のまま次へ leads on without saving; 次へ again saves this tab's answers.
    assert 'href="' + page_url(typical, "funeral_date") + '">保存された回答のまま次へ</a>' in html
    assert client.post(url, {"keys": keys, "seen": seen_of(html)}).status_code == 302
    case = Case.objects.get(pk=typical.pk)
    assert case.answers["funeral_held"] is False and case.answers["high_medical_costs"] is False


def test_the_same_answers_from_two_tabs_are_no_conflict(client, clerk, typical):
    client.force_login(clerk)
    url = page_url(typical, "high_medical_costs")
    keys = "high_medical_costs funeral_held"
    stale = seen_of(client.get(url).content.decode())
    client.post(url, {"keys": keys, "seen": stale, "funeral_held": "on"})
    assert client.post(url, {"keys": keys, "seen": stale, "funeral_held": "on"}).status_code == 302


def test_a_question_of_a_page_opened_from_the_check_page_is_asked_alone(client, clerk, typical):
    client.force_login(clerk)
    funeral = next(q for q in interview_for(typical).questions if q.key == "funeral_held")
    html = client.get(page_url(typical, "funeral_held", **{"from": "answers"})).content.decode()
    assert f"<title>{funeral.text}" in html and 'name="answer"' in html and 'name="keys"' not in html
    assert "残りの質問：" in html


def test_a_finalised_or_cancelled_case_shows_the_pages_answers_without_a_form(client, clerk, typical):
    Case.objects.filter(pk=typical.pk).update(
        status=Case.Status.FINALISED, answers={**RECORDS, "funeral_held": True}
    )
    client.force_login(clerk)
    assert client.get(reverse("okuyami:questions", args=[typical.pk])).url == reverse(
        "okuyami:answers", args=[typical.pk]
    )
    html = client.get(page_url(typical, "high_medical_costs")).content.decode()
    assert 'name="keys"' not in html and 'type="checkbox"' not in html
    assert "<dd>はい</dd>" in html and "確定を取り消して修正" in html
    Case.objects.filter(pk=typical.pk).update(status=Case.Status.CANCELLED)
    response = client.post(
        page_url(typical, "high_medical_costs"), {"keys": "high_medical_costs funeral_held"}
    )
    assert response.url == reverse("okuyami:answers", args=[typical.pk])
    assert CANCELLED in client.get(response.url).content.decode()
    assert Case.objects.get(pk=typical.pk).answers["funeral_held"] is True


def test_a_copy_keeps_which_answers_the_records_gave(clerk, typical):
    Case.objects.filter(pk=typical.pk).update(answers={**RECORDS, "seal_registration": False})
    source = Case.objects.get(pk=typical.pk)
    data = {name: getattr(source, name) for name in services.CASE_FIELDS}
    copy = services.case_copy(source=source, user=clerk, data=data)
    assert copy.record_answers == RECORDS and copy.copied_from_id == source.pk
    assert copy.prefilled == source.prefilled and copy.record_changed("seal_registration")


def test_the_check_page_marks_the_records_answers_and_the_changed_ones(client, clerk, typical):
    client.force_login(clerk)
    html = client.get(reverse("okuyami:answers", args=[typical.pk])).content.decode()
    assert html.count("住民記録より</span>") == 15  # those asked for an 82-year-old (not 介護, not 15歳以上)
    # Staff open one from the check page and change it: it is marked, with what the records said.
    url = page_url(typical, "seal_registration", **{"from": "answers"})
    page = client.get(url).content.decode()
    assert "住民記録では「はい」です。" in page
    assert client.post(url, {"answer": "no"}).status_code == 302
    case = Case.objects.get(pk=typical.pk)
    assert case.record_changed("seal_registration") and "seal_registration" not in case.prefilled
    html = client.get(reverse("okuyami:answers", args=[typical.pk])).content.decode()
    assert html.count("住民記録より</span>") == 14
    assert '変更済み</span> <span class="oky-muted">住民記録では「はい」</span>' in html


def test_a_changed_answer_is_asked_again_in_the_interview(client, clerk, typical):
    Case.objects.filter(pk=typical.pk).update(answers={**RECORDS, "seal_registration": False})
    interview = interview_for(Case.objects.get(pk=typical.pk))
    assert "seal_registration" in {key for page in interview.pages for key in page.keys}


def test_the_progress_line_counts_down_without_jumping(client, clerk, typical):
    client.force_login(clerk)
    lefts = []
    url = reverse("okuyami:questions", args=[typical.pk])
    url = client.get(url).url
    answers = {
        "funeral_date": "2026-11-24",
        "pension": "kosei",
        "kosei_years": "over25",
        "dai1_months": "0",
        "will": "none",
        "municipal_housing": "no",
    }
    while "/questions/" in url:
        page = client.get(url)
        lefts.append(left_of(page.content.decode()))
        form = page.context["form"]
        if hasattr(form, "rows"):
            data = {"keys": form.fields["keys"].initial}
        else:
            question = form.question
            kind = question.type
            data = {"answer": answers.get(question.key, "no")} if kind in ("yes_no", "number", "date") else {}
            if kind == "choice":
                data = {"answer": answers.get(question.key, question.choices[0].value)}
            # A multi question with nothing ticked: none of them.
        response = client.post(url, data)
        assert response.status_code == 302, (url, data, response.context["form"].errors)
        url = response.url
    assert url == reverse("okuyami:answers", args=[typical.pk])
    assert all(later < earlier for earlier, later in itertools.pairwise(lefts)), lefts
    assert len(lefts) <= 25


def test_another_municipalitys_clerk_never_sees_the_page(client, charlie, typical):
    client.force_login(charlie)
    assert client.get(page_url(typical, "high_medical_costs")).status_code == 404
    response = client.post(
        page_url(typical, "high_medical_costs"),
        {"keys": "high_medical_costs funeral_held", "funeral_held": "on"},
    )
    assert response.status_code == 404
    assert "funeral_held" not in Case.objects.get(pk=typical.pk).answers
