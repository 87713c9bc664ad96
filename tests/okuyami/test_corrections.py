"""Correcting a finalised case, copying one, cancelling one (issue #15, item 1)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent
from okuyami import printing, selectors, services
from okuyami.models import Adjustment, Case, Finalisation, Mark
from okuyami.retention import statistics_for
from tests.conftest import make_case
from tests.okuyami.conftest import page_texts, read_pdf

pytestmark = pytest.mark.django_db

ANSWERS = {"insurance": "koki", "head_of_household": False}


@pytest.fixture
def finalised(city_a, alice):
    case = make_case(city_a, answers=ANSWERS)
    services.case_adjust(
        case=case,
        user=alice,
        procedure_key="gentsuki",
        action="add",
        family_note="ご家族から",
        staff_note="メモ",
    )
    services.case_finalise(case=case, user=alice, version=case.version)
    services.case_mark(case=case, user=alice, procedure_key="seal", status="done")
    return case


def details(**pairs) -> list[str]:
    return list(AuditEvent.objects.filter(**pairs).order_by("id").values_list("detail", flat=True))


# --- Services ---------------------------------------------------------------------------------------


def test_a_case_is_reopened_corrected_and_finalised_again_keeping_every_edition(finalised, alice):
    first = finalised.snapshot
    services.case_reopen(case=finalised, user=alice, reason="市営霊園の申し出", version=finalised.version)
    assert finalised.status == Case.Status.OPEN and finalised.snapshot is None
    assert Mark.objects.filter(case=finalised, procedure_key="seal").exists()  # the relay's work stays
    question = selectors.interview_for(finalised).catalog.question_by_key["insurance"]
    services.case_answer(case=finalised, user=alice, question=question, value="kokuho")
    services.case_finalise(case=finalised, user=alice, version=finalised.version)

    editions = list(Finalisation.objects.filter(case=finalised).order_by("edition"))
    assert [(f.edition, f.is_correction) for f in editions] == [(1, False), (2, True)]
    assert editions[0].guide == first  # what the family was told first, unchanged
    assert (editions[0].reopened_by, editions[0].reopen_reason) == (alice, "市営霊園の申し出")
    assert editions[1].reopened_at is None and editions[1].finalised_by == alice
    assert finalised.snapshot == editions[1].guide and finalised.snapshot["edition"] == 2
    keys = selectors.guide_procedure_keys(finalised.snapshot)
    assert "kokuho_loss" in keys and "kokuho_loss" not in selectors.guide_procedure_keys(first)
    assert finalised.status == Case.Status.FINALISED  # seal is still done; the rest waits
    assert details(case_id=finalised.pk, action="change")[-3:] == [
        "確定を取り消し（第1版）",
        "回答を保存（亡くなった方の健康保険は？）",
        f"内容を修正して再確定（第2版・訂正版）（手続き{len(keys)}件）",
    ]
    # The reason may name the family: it is kept with the case, never in the audit log.
    assert not AuditEvent.objects.filter(detail__contains="霊園").exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_reopening_and_cancelling_need_a_reason_of_at_most_200_characters(finalised, alice, reason):
    for service in (services.case_reopen, services.case_cancel):
        with pytest.raises(ValidationError) as refused:
            service(case=finalised, user=alice, reason=reason, version=finalised.version)
        assert list(refused.value.error_dict) == ["reason"]
    finalised.refresh_from_db()
    assert finalised.status == Case.Status.FINALISED and finalised.snapshot is not None


def test_only_a_finalised_case_is_reopened_and_only_at_its_version(city_a, alice, finalised):
    open_case = make_case(city_a)
    with pytest.raises(services.NotFinalised):
        services.case_reopen(case=open_case, user=alice, reason="x", version=open_case.version)
    with pytest.raises(services.StaleCase):
        services.case_reopen(case=finalised, user=alice, reason="x", version=finalised.version - 1)
    assert Case.objects.get(pk=finalised.pk).status == Case.Status.FINALISED


def test_a_cancelled_case_changes_no_more_and_leaves_the_lists(finalised, alice, today):
    services.case_cancel(case=finalised, user=alice, reason="二重に受付", version=finalised.version)
    assert (finalised.status, finalised.cancelled_by, finalised.cancel_reason) == (
        Case.Status.CANCELLED,
        alice,
        "二重に受付",
    )
    question = selectors.interview_for(finalised).catalog.question_by_key["insurance"]
    refusals = [
        lambda: services.case_update(case=finalised, user=alice, data={}, version=finalised.version),
        lambda: services.case_answer(case=finalised, user=alice, question=question, value="kokuho"),
        lambda: services.case_adjust(case=finalised, user=alice, procedure_key="seal", action="drop"),
        lambda: services.case_finalise(case=finalised, user=alice, version=finalised.version),
        lambda: services.case_mark(case=finalised, user=alice, procedure_key="seal", status="later"),
        lambda: services.case_reopen(case=finalised, user=alice, reason="x", version=finalised.version),
        lambda: services.case_cancel(case=finalised, user=alice, reason="x", version=finalised.version),
    ]
    for refused in refusals:
        with pytest.raises(services.CaseCancelled):
            refused()
    for state in ("current", "all", "done", "later", "open"):
        search = selectors.CaseSearch(selectors.CaseState(state))
        assert not selectors.find_cases(finalised.municipality, search, today=today).exists(), state
    cancelled = selectors.CaseSearch(selectors.CaseState.CANCELLED)
    assert list(selectors.find_cases(finalised.municipality, cancelled, today=today)) == [finalised]
    by_number = selectors.CaseSearch(text=str(finalised.pk))
    assert list(selectors.find_cases(finalised.municipality, by_number, today=today)) == [finalised]
    assert details(case_id=finalised.pk)[-1] == "受付を取り消し"


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


def test_the_statistics_count_a_cancelled_case_apart(finalised, alice, city_a, today):
    make_case(city_a)
    services.case_cancel(case=finalised, user=alice, reason="二重に受付", version=finalised.version)
    stats = statistics_for(municipality=city_a, today=today)
    assert (stats["total"], stats["finalised"], stats["cancelled"]) == (1, 0, 1)
    assert sum(row.count for row in stats["months"]) == 1 and stats["procedures"] == []


def test_a_copy_takes_the_answers_and_manual_changes_not_the_result_or_the_marks(finalised, alice):
    data = {name: getattr(finalised, name) for name in services.CASE_FIELDS}
    copy = services.case_copy(source=finalised, user=alice, data={**data, "visitor_name": "船橋 次郎"})
    assert copy.pk != finalised.pk and copy.copied_from == finalised
    assert (copy.status, copy.snapshot, copy.visitor_name) == (Case.Status.OPEN, None, "船橋 次郎")
    assert (copy.answers, copy.unknown) == (finalised.answers, finalised.unknown)
    adjustment = Adjustment.objects.get(case=copy)
    assert (adjustment.procedure_key, adjustment.family_note, adjustment.staff_note) == (
        "gentsuki",
        "ご家族から",
        "メモ",
    )
    assert not Mark.objects.filter(case=copy).exists() and not Finalisation.objects.filter(case=copy).exists()
    assert details(case_id=copy.pk) == [f"受付を作成（受付 {finalised.pk} をもとに）"]


# --- Printing: a reprint after a correction says 訂正版 with the day, on every document --------------------


def test_every_document_printed_after_a_correction_says_訂正版_with_the_day(finalised, alice):
    people = selectors.people_for(finalised)
    first = {
        document: "".join(page_texts(read_pdf(printing.render_pdf(
            document, guide=finalised.snapshot, people=people, printed_on=finalised.finalised_at.date()
        ))))
        for document in printing.DOCUMENTS
    }  # fmt: skip
    assert not [document for document, text in first.items() if "訂正版" in text]
    services.case_reopen(case=finalised, user=alice, reason="追加の申し出", version=finalised.version)
    services.case_finalise(case=finalised, user=alice, version=finalised.version)
    corrected_on = finalised.snapshot["finalised_on"]
    year, month, day = (int(part) for part in corrected_on.split("-"))
    stamp = f"訂正版（第2版・令和{year - 2018}年{month}月{day}日訂正）"
    for document in printing.DOCUMENTS:
        html = printing.render_html(
            document, guide=finalised.snapshot, people=people, printed_on=finalised.finalised_at.date()
        )
        assert stamp in html, document
        pdf = printing.render_pdf(
            document, guide=finalised.snapshot, people=people, printed_on=finalised.finalised_at.date()
        )
        text = "".join(page_texts(read_pdf(pdf)))
        assert "訂正版" in text and f"第2版・令和{year - 2018}年{month}月{day}日訂正" in text, document


# --- Screens ------------------------------------------------------------------------------------------


def test_the_question_pages_of_a_finalised_case_show_the_answer_and_no_form(client, alice, finalised):
    client.force_login(alice)
    html = client.get(reverse("okuyami:question", args=[finalised.pk, "insurance"])).content.decode()
    assert "後期高齢者医療" in html and "確定済みのため、回答は変更できません" in html
    assert not re.search(r'<form method="post"[^>]*class="oky-form"', html)
    assert 'name="answer"' not in html
    assert reverse("okuyami:reopen", args=[finalised.pk]) in html
    answers = client.get(reverse("okuyami:answers", args=[finalised.pk])).content.decode()
    assert "?from=answers" not in answers  # no 変更 links
    start = client.get(reverse("okuyami:questions", args=[finalised.pk]))
    assert start["Location"] == reverse("okuyami:answers", args=[finalised.pk])


def test_a_clerk_reopens_corrects_and_refinalises_through_the_screens(client, alice, finalised):
    client.force_login(alice)
    url = reverse("okuyami:reopen", args=[finalised.pk])
    refused = client.post(url, {"reason": "", "version": finalised.version})
    assert "確定を取り消す理由を入力してください" in refused.content.decode()
    assert Case.objects.get(pk=finalised.pk).status == Case.Status.FINALISED
    response = client.post(url, {"reason": "軽自動車の申し出", "version": finalised.version}, follow=True)
    html = response.content.decode()
    assert "確定を取り消しました" in html and "内容を修正して再確定する" in html
    client.post(reverse("okuyami:question", args=[finalised.pk, "vehicles"]), {"answer": ["kei"]})
    version = Case.objects.get(pk=finalised.pk).version
    html = client.post(reverse("okuyami:finalise", args=[finalised.pk]), {"version": version}, follow=True)
    assert "内容を修正して再確定しました（第2版）" in html.content.decode()
    detail = client.get(finalised.get_absolute_url()).content.decode()
    history = detail.split('id="history"')[1]
    assert "第1版" in history and "第2版（訂正版）" in history and "軽自動車の申し出" in history
    assert "alice" in history and "（いま有効な内容）" in history
    first = client.get(reverse("okuyami:case-edition", args=[finalised.pk, 1])).content.decode()
    assert "第1版：ご家族にお伝えした内容" in first and "後期高齢者医療の資格喪失届" in first
    assert client.get(reverse("okuyami:case-edition", args=[finalised.pk, 9])).status_code == 404


def test_the_reason_pages_of_a_case_they_do_not_fit_lead_back_to_it(client, alice, city_a, finalised):
    client.force_login(alice)
    open_case = make_case(city_a)
    response = client.get(reverse("okuyami:reopen", args=[open_case.pk]), follow=True)
    assert "この受付はまだ確定していません。" in response.content.decode()
    services.case_cancel(case=finalised, user=alice, reason="二重", version=finalised.version)
    for name in ("okuyami:reopen", "okuyami:case-cancel"):
        response = client.get(reverse(name, args=[finalised.pk]))
        assert response["Location"] == finalised.get_absolute_url(), name


def test_a_stale_reopen_form_reports_a_conflict_and_changes_nothing(client, alice, finalised):
    client.force_login(alice)
    url = reverse("okuyami:reopen", args=[finalised.pk])
    html = client.post(url, {"reason": "追加", "version": finalised.version - 1}).content.decode()
    assert "競合" in html and Case.objects.get(pk=finalised.pk).status == Case.Status.FINALISED


def test_a_clerk_copies_a_case_into_a_new_one_with_its_answers(client, alice, finalised):
    client.force_login(alice)
    url = reverse("okuyami:case-copy", args=[finalised.pk])
    form = client.get(url).content.decode()
    assert "この受付をもとに新しい受付" in form and 'value="船橋 太郎"' in form
    assert 'value="昭和20年3月10日"' in form  # the dates shown back in 和暦
    token = re.search(r'name="submission" value="([0-9a-f-]+)"', form).group(1)
    data = {
        name: value for name, value in re.findall(r'<input type="text" name="(\w+)" value="([^"]*)"', form)
    }
    data |= {"visitor_relation": "子", "visitor_name": "船橋 一郎", "submission": token}
    response = client.post(url, data)
    copy = Case.objects.exclude(pk=finalised.pk).get()
    assert response["Location"] == reverse("okuyami:answers", args=[copy.pk])
    assert copy.answers == finalised.answers and copy.visitor_name == "船橋 一郎"
    client.post(url, data)  # the same form again: still one copy
    assert Case.objects.count() == 2


def test_a_clerk_cancels_a_case_with_a_reason_and_it_leaves_the_lists(client, alice, city_a, finalised):
    client.force_login(alice)
    url = reverse("okuyami:case-cancel", args=[finalised.pk])
    assert (
        "取り消しの理由を入力してください"
        in client.post(url, {"version": finalised.version}).content.decode()
    )
    response = client.post(url, {"reason": "二重に受付", "version": finalised.version}, follow=True)
    assert "を取り消しました" in response.content.decode()
    for name in ("okuyami:case-list", "okuyami:relay"):
        assert "船橋 太郎" not in client.get(reverse(name)).content.decode(), name
    found = client.get(reverse("okuyami:case-list"), {"q": str(finalised.pk)}).content.decode()
    assert "船橋 太郎" in found and "取り消し" in found
    detail = client.get(finalised.get_absolute_url()).content.decode()
    assert "二重に受付" in detail and "結果と順路</a>" not in detail
    result = client.get(reverse("okuyami:result", args=[finalised.pk])).content.decode()
    assert "取り消されています" in result
    assert reverse("okuyami:reopen", args=[finalised.pk]) not in result and "/print/" not in result
    for refused in (
        client.get(reverse("okuyami:case-edit", args=[finalised.pk])),
        client.get(reverse("okuyami:print-pdf", args=[finalised.pk, "checklist"])),
        client.post(
            reverse("okuyami:mark", args=[finalised.pk]), {"procedure": "koki_loss", "status": "done"}
        ),
    ):
        assert refused.status_code == 302
    assert not Mark.objects.filter(procedure_key="koki_loss").exists()


CASE_URLS = [
    ("get", "okuyami:case-copy", ()),
    ("post", "okuyami:case-copy", ()),
    ("get", "okuyami:case-cancel", ()),
    ("post", "okuyami:case-cancel", ()),
    ("get", "okuyami:reopen", ()),
    ("post", "okuyami:reopen", ()),
    ("get", "okuyami:case-edition", (1,)),
]


@pytest.mark.parametrize(("method", "name", "extra"), CASE_URLS)
def test_the_new_case_urls_are_404_to_another_municipality_and_refuse_the_anonymous(
    client, charlie, finalised, method, name, extra
):
    url = reverse(name, args=[finalised.pk, *extra])
    assert getattr(client, method)(url)["Location"].startswith(reverse("okuyami:login"))
    client.force_login(charlie)
    before = Case.objects.values().get(pk=finalised.pk)
    response = getattr(client, method)(url, {"reason": "x", "version": finalised.version})
    assert response.status_code == 404 and "船橋" not in response.content.decode()
    assert Case.objects.values().get(pk=finalised.pk) == before and Case.objects.count() == 1


# --- API -------------------------------------------------------------------------------------------------


def api_for(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_the_api_reopens_and_cancels_with_version_checks(alice, charlie, finalised):
    api, path = api_for(alice), f"/api/v1/cases/{finalised.pk}"
    assert (
        api_for(charlie).post(f"{path}/reopen", {"reason": "x", "version": 1}, format="json").status_code
        == 404
    )
    assert api.post(f"{path}/reopen", {"reason": "x"}, format="json").status_code == 428
    stale = api.post(f"{path}/reopen", {"reason": "x", "version": finalised.version - 1}, format="json")
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    empty = api.post(f"{path}/reopen", {"reason": " ", "version": finalised.version}, format="json")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "reason"
    reopened = api.post(f"{path}/reopen", {"reason": "追加", "version": finalised.version}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    again = api.post(
        f"{path}/reopen", {"reason": "追加", "version": reopened.json()["version"]}, format="json"
    )
    assert again.status_code == 409
    cancelled = api.post(
        f"{path}/cancel", {"reason": "二重", "version": reopened.json()["version"]}, format="json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.get("/api/v1/cases/").json()["count"] == 0
    assert api.get("/api/v1/cases/?status=cancelled").json()["count"] == 1
    assert api.get(f"{path}/checklist.pdf").status_code == 409
    assert details(case_id=finalised.pk)[-2:] == ["確定を取り消し（第1版）（API）", "受付を取り消し（API）"]
