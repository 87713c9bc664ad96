"""At the counter: 新しい受付 → コードから始める loads the family's answers into a new case, marked
「事前確認より」 for staff to confirm; a code is used once and never crosses municipalities."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from okuyami import selectors
from okuyami.models import Case
from okuyami.precheck.codes import shown
from okuyami.precheck.models import PrecheckCode
from tests.conftest import CASE_DETAILS
from tests.precheck.conftest import ANSWERS, Family

pytestmark = pytest.mark.django_db

FROM_CODE = reverse("precheck:case-from-code")


def reception(**changes) -> dict:
    """The reception form as staff fill it in (the contract city's 船橋 太郎, born 1945: 81)."""
    details = {**CASE_DETAILS, **changes}
    return {name: "" if value is None else str(value) for name, value in details.items()}


@pytest.fixture
def issued(family):
    """The family's code after answering everything at home (age 81: born 1945-03-10)."""
    family.walk(age=81)
    family.client.post(family.url("code-issue"))
    return PrecheckCode.objects.get()


def start_from_code(client, code: str, **details):
    client.post(FROM_CODE, {"code": code})
    return client.post(FROM_CODE, {"code": code, **reception(**details)})


def test_the_new_case_page_offers_to_start_from_a_code(client, alice):
    client.force_login(alice)
    html = client.get(reverse("okuyami:case-create")).content.decode()
    assert f'href="{FROM_CODE}"' in html and "コードから始める" in html


def test_the_code_step_shows_the_reception_form_with_the_date_of_death(client, alice, issued):
    client.force_login(alice)
    response = client.post(FROM_CODE, {"code": shown(issued.code).lower()})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"事前確認の受付コード {shown(issued.code)}" in html
    assert (
        'value="令和8年11月20日"' in html
    )  # the date of death, filled in (in 和暦, as the form shows dates)
    assert "ご家族が答えた年齢は81歳です" in html
    assert f'name="code" value="{issued.code}"' in html
    assert not Case.objects.exists() and PrecheckCode.objects.get().used_at is None


def test_a_family_that_answered_everything_is_asked_nothing_again(client, alice, issued):
    client.force_login(alice)
    response = start_from_code(client, issued.code)
    case = Case.objects.get()
    assert response["Location"] == reverse("okuyami:questions", args=[case.pk])
    assert selectors.interview_for(case).first_unanswered() is None
    assert client.get(response["Location"])["Location"] == reverse("okuyami:answers", args=[case.pk])
    assert case.answers == issued.answers and case.unknown == issued.unknown
    assert case.created_by == alice and case.deceased_name == "船橋 太郎"


def test_the_answers_page_marks_what_came_from_home_until_staff_change_it(client, alice, issued):
    client.force_login(alice)
    start_from_code(client, issued.code)
    case = Case.objects.get()
    answers_url = reverse("okuyami:answers", args=[case.pk])
    tag = '<span class="oky-tag">事前確認より</span>'
    html = client.get(answers_url).content.decode()
    assert html.count(tag) == len(issued.answers) + len(issued.unknown) == 6
    assert "ご家族がご自宅で答えた回答です" in html
    client.post(reverse("okuyami:question", args=[case.pk, "insurance"]), {"answer": "koki"})
    html = client.get(answers_url).content.decode()
    assert html.count(tag) == 5
    assert not re.search(r"後期高齢者医療\s*<span class=\"oky-tag\">事前確認より", html)


def test_loading_a_code_is_audited_without_personal_data(client, alice, issued):
    client.force_login(alice)
    start_from_code(client, issued.code)
    case = Case.objects.get()
    details = list(AuditEvent.objects.filter(case_id=case.pk).values_list("detail", flat=True))
    loaded = len(issued.answers) + len(issued.unknown)
    assert f"事前確認の受付コードから回答を読み込み（{loaded}問）" in details
    assert "受付を作成" in details and "回答を保存" in details
    assert not [d for d in details if "船橋 太郎" in d or issued.code in d]


def test_a_used_code_cannot_be_used_again(client, alice, issued):
    client.force_login(alice)
    start_from_code(client, issued.code)
    case = Case.objects.get()
    row = PrecheckCode.objects.get()
    assert row.used_at is not None and row.case == case
    response = client.post(FROM_CODE, {"code": issued.code})
    assert response.status_code == 409
    assert f"この受付コードはすでに使われています（受付 {case.pk}）" in response.content.decode()
    response = client.post(FROM_CODE, {"code": issued.code, **reception(deceased_name="別人 太郎")})
    assert response.status_code == 409 and Case.objects.count() == 1


def test_a_double_submit_of_the_reception_form_gives_the_same_case(client, alice, issued):
    client.force_login(alice)
    html = client.post(FROM_CODE, {"code": issued.code}).content.decode()
    submission = re.search(r'name="submission" value="([^"]+)"', html).group(1)
    data = {"code": issued.code, **reception(), "submission": submission}
    first = client.post(FROM_CODE, data)
    second = client.post(FROM_CODE, data)
    assert first["Location"] == second["Location"] and Case.objects.count() == 1


def test_another_municipalitys_code_is_not_found(client, charlie, issued):
    client.force_login(charlie)  # 窓口 of 千代田区
    response = client.post(FROM_CODE, {"code": issued.code})
    assert response.status_code == 404
    assert "この受付コードは見つかりません" in response.content.decode()
    response = client.post(FROM_CODE, {"code": issued.code, **reception()})
    assert response.status_code == 404 and not Case.objects.exists()
    assert PrecheckCode.objects.get().used_at is None


def test_an_unknown_code_is_not_found_the_same_way(client, alice, public_city):
    client.force_login(alice)
    response = client.post(FROM_CODE, {"code": "AAA-AAA-AAA"})
    assert response.status_code == 404 and "この受付コードは見つかりません" in response.content.decode()


def test_an_expired_code_says_so(client, alice, issued):
    PrecheckCode.objects.filter(pk=issued.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(alice)
    response = client.post(FROM_CODE, {"code": issued.code})
    assert response.status_code == 410
    assert "有効期限" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"), [("", "受付コードを入力してください"), ("O0I", "使わない文字")]
)
def test_a_mistyped_code_is_named_in_the_error_summary(client, alice, public_city, typed, message):
    client.force_login(alice)
    response = client.post(FROM_CODE, {"code": typed})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and "oky-error-summary" in html and 'aria-invalid="true"' in html


def test_bad_reception_details_change_nothing(client, alice, issued):
    client.force_login(alice)
    response = client.post(FROM_CODE, {"code": issued.code, **reception(deceased_kana="funabashi")})
    assert (
        response.status_code == 200
        and "カタカナまたはひらがなで入力してください" in response.content.decode()
    )
    assert not Case.objects.exists() and PrecheckCode.objects.get().used_at is None


def test_an_age_that_the_birth_date_contradicts_is_pointed_out(client, alice, family):
    family.walk(age=80)
    family.client.post(family.url("code-issue"))
    client.force_login(alice)
    response = start_from_code(client, PrecheckCode.objects.get().code)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(
        "事前確認で答えた年齢（80歳）と、生年月日から計算した年齢（81歳）が違います" in m for m in messages
    )


def test_dates_typed_in_wareki_and_the_age_read_back_as_at_a_typed_reception(client, alice, issued):
    client.force_login(alice)
    response = start_from_code(
        client, issued.code, deceased_birth_date="S20.3.10", death_date="令和８年１１月２０日"
    )
    case = Case.objects.get()
    assert str(case.deceased_birth_date) == "1945-03-10" and str(case.death_date) == "2026-11-20"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(
        f"受付 {case.pk} を作成しました。昭和20年3月10日生まれ、81歳で亡くなられました。" in m
        and "事前確認の回答" in m
        for m in messages
    ), messages


def test_a_copy_of_a_case_does_not_offer_a_code(client, alice, issued):
    client.force_login(alice)
    start_from_code(client, issued.code)
    html = client.get(reverse("okuyami:case-copy", args=[Case.objects.get().pk])).content.decode()
    assert "この受付をもとに新しい受付" in html and "コードから始める" not in html


def test_answers_that_no_longer_fit_the_catalog_are_left_out(client, alice, issued):
    PrecheckCode.objects.filter(pk=issued.pk).update(
        answers={**issued.answers, "insurance": "gone", "no_such_question": True}
    )
    client.force_login(alice)
    start_from_code(client, issued.code)
    case = Case.objects.get()
    assert "insurance" not in case.answers and "no_such_question" not in case.answers
    assert case.answers["vehicles"] == ANSWERS["vehicles"]


@pytest.mark.parametrize("who", ["anonymous", "bob", "erin"])
def test_only_counter_staff_start_from_a_code(client, who, bob, erin, issued):
    if who != "anonymous":
        client.force_login({"bob": bob, "erin": erin}[who])
    response = client.post(FROM_CODE, {"code": issued.code})
    if who == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert PrecheckCode.objects.get().used_at is None


def test_a_family_code_from_the_flow_is_used_by_a_second_family_browser_only_once(client, alice, public_city):
    family = Family(public_city.code)
    family.walk()
    family.client.post(family.url("code-issue"))
    code = PrecheckCode.objects.get().code
    client.force_login(alice)
    start_from_code(client, code)
    # The family changes an answer later: a used code stays as it was used.
    family.client.post(family.url("question", "insurance") + "?from=answers", {"answer": "koki"})
    assert PrecheckCode.objects.get(code=code).case is not None
