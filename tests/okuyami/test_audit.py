"""The audit log: every action on a case and every catalog change is recorded, without personal data."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent, AuditRecordImmutable
from okuyami.guide import procedure_count
from okuyami.models import Case
from okuyami.retention import purge_cases
from procedures.models import Procedure
from tests.conftest import import_catalog, make_case
from tests.procedures.test_admin import procedure_form

pytestmark = pytest.mark.django_db

# Distinctive personal data: none of these strings may reach the audit log or the logs.
PERSONAL = {
    "deceased_name": "記録 太郎",
    "deceased_kana": "キロク タロウ",
    "deceased_address": "千葉県船橋市秘密町1-2-3",
    "visitor_name": "記録 花子",
    "visitor_kana": "キロク ハナコ",
    "visitor_relation": "配偶者",
    "visitor_phone": "047-987-6543",
    "visitor_address": "千葉県船橋市内緒町4-5-6",
}
BIRTH_DATE = "1939-02-03"
SECRETS = [
    *(value for key, value in PERSONAL.items() if key != "visitor_relation"),
    "記録",
    "キロク",
    "秘密町",
    "内緒町",
    "987-6543",
    "9876543",
    BIRTH_DATE,
]


def form_data(**changes) -> dict:
    death = timezone.localdate() - timedelta(days=5)
    return {**PERSONAL, "deceased_birth_date": BIRTH_DATE, "death_date": death.isoformat(), **changes}


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def events(**filters) -> list[tuple[str, int | None, str]]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("id").values_list("action", "case_id", "detail")
    )


def screen_flow(client, alice) -> Case:
    """Every counter screen that shows or changes a case, as a counter would use them."""
    client.force_login(alice)
    client.post(reverse("okuyami:case-create"), form_data())
    case = Case.objects.get()
    client.get(reverse("okuyami:case-list"))
    client.get(reverse("okuyami:case-detail", args=[case.pk]))
    client.get(reverse("okuyami:case-edit", args=[case.pk]))
    client.post(
        reverse("okuyami:case-edit", args=[case.pk]),
        form_data(visitor_phone="047-987-6544", version=case.version),
    )
    client.post(reverse("okuyami:question", args=[case.pk, "insurance"]), {"answer": "koki"})
    client.get(reverse("okuyami:answers", args=[case.pk]))
    client.get(reverse("okuyami:result", args=[case.pk]))
    client.post(
        reverse("okuyami:adjust", args=[case.pk]),
        {
            "procedure": "gentsuki",
            "action": "add",
            "family_note": "記録 花子さんから申出",
            "staff_note": "記録 太郎",
        },
    )
    case.refresh_from_db()
    client.post(reverse("okuyami:finalise", args=[case.pk]), {"version": case.version})
    client.get(reverse("okuyami:print-preview", args=[case.pk, "checklist"]))
    client.get(reverse("okuyami:print-pdf", args=[case.pk, "route"]))
    client.post(reverse("okuyami:mark", args=[case.pk]), {"procedure": "gentsuki", "status": "done"})
    client.get(reverse("okuyami:relay"))
    return case


def test_every_counter_screen_action_on_a_case_is_recorded_with_who_and_when(client, alice):
    before = timezone.now()
    case = screen_flow(client, alice)
    view, printed, change = "view", "print", "change"
    assert events(username="alice") == [
        (change, case.pk, "受付を作成"),
        (view, None, "受付一覧"),
        (view, case.pk, "受付の内容"),
        (view, case.pk, "受付内容の変更画面"),
        (change, case.pk, "受付の内容を変更"),
        # Questions and procedures by what staff read: the question's text, the procedure's name.
        (change, case.pk, "回答を保存（亡くなった方の健康保険は？）"),
        (view, case.pk, "回答の確認"),
        (view, case.pk, "結果と順路"),
        (change, case.pk, "手続きの追加（原付の廃車）"),
        (change, case.pk, f"結果を確定（手続き{procedure_count(Case.objects.get().snapshot)}件）"),
        (printed, case.pk, "手続きのご案内の印刷プレビュー"),
        (printed, case.pk, "順路表のPDF"),
        (change, case.pk, "窓口の処理（原付の廃車：完了）"),
        (view, None, "リレー"),
    ]
    event = AuditEvent.objects.filter(username="alice").first()
    assert event.user == alice and event.municipality == alice.membership.municipality
    assert event.municipality_code == "122041" and before <= event.at <= timezone.now()


def test_every_api_call_on_a_case_is_recorded(alice):
    api = api_for(alice)
    created = api.post("/api/v1/cases/", form_data(), format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    api.get("/api/v1/cases/")
    api.get(f"/api/v1/cases/{pk}/")
    api.patch(f"/api/v1/cases/{pk}/", {"visitor_phone": "047-987-6545", "version": 1}, format="json")
    api.get(f"/api/v1/cases/{pk}/answers")
    api.put(
        f"/api/v1/cases/{pk}/answers",
        {"answers": {"insurance": "koki"}, "unknown": [], "version": 2},
        format="json",
    )
    api.get(f"/api/v1/cases/{pk}/result")
    api.post(f"/api/v1/cases/{pk}/finalise", {"version": 3}, format="json")
    api.post(f"/api/v1/cases/{pk}/marks", {"procedure": "seal", "status": "later"}, format="json")
    assert api.get(f"/api/v1/cases/{pk}/checklist.pdf").status_code == 200
    assert events(username="alice") == [
        ("change", pk, "受付を作成（API）"),
        ("export", None, "受付一覧（API）"),
        ("view", pk, "受付の内容（API）"),
        ("change", pk, "受付の内容を変更（API）"),
        ("view", pk, "回答の確認（API）"),
        ("change", pk, "回答を保存（API）"),
        ("view", pk, "結果と順路（API）"),
        ("change", pk, f"結果を確定（手続き{procedure_count(Case.objects.get(pk=pk).snapshot)}件）（API）"),
        ("change", pk, "窓口の処理（印鑑登録証の返却：後日）（API）"),
        ("export", pk, "手続きのご案内のPDF（API）"),
    ]


def test_a_refused_request_records_nothing(client, alice, charlie):
    client.force_login(alice)
    client.post(reverse("okuyami:case-create"), form_data())
    case = Case.objects.get()
    recorded = AuditEvent.objects.count()
    client.force_login(charlie)  # another municipality: 404, nothing seen
    assert client.get(reverse("okuyami:case-detail", args=[case.pk])).status_code == 404
    assert api_for(charlie).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert AuditEvent.objects.count() == recorded


def test_erasing_by_purge_cases_is_recorded_as_the_command(client, alice):
    case = screen_flow(client, alice)
    Case.objects.filter(pk=case.pk).update(finalised_at=timezone.now() - timedelta(days=91))
    purge_cases()
    assert events(action="erase") == [("erase", case.pk, "保存期間（90日）の経過により個人情報を消去")]
    assert AuditEvent.objects.get(action="erase").username == "purge_cases"


def test_catalog_changes_are_recorded_from_the_admin_and_from_imports(client, bob, city_a):
    client.force_login(bob)
    procedure = Procedure.objects.get(municipality=city_a, key="seal")
    url = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    response = client.post(url, procedure_form(procedure, name="印鑑登録の廃止"))
    assert response.status_code == 302, response.content.decode()[:2000]
    import_catalog(note="import_catalog city.json")
    changes = AuditEvent.objects.filter(action="catalog_change", municipality=city_a).order_by("id")
    details = [event.detail for event in changes]
    assert details[-2].startswith("版2 管理画面で編集：手続き「印鑑登録の廃止」（seal）を変更")
    assert details[-1] == "版3 取り込み：import_catalog city.json"
    assert [event.username for event in changes][-2:] == ["bob", ""]


def test_no_personal_data_reaches_the_audit_log_or_the_application_logs(client, alice, caplog):
    caplog.set_level(logging.DEBUG)
    case = screen_flow(client, alice)
    api = api_for(alice)
    api.get(f"/api/v1/cases/{case.pk}/")
    api.get("/api/v1/cases/")
    api.patch(f"/api/v1/cases/{case.pk}/", {"visitor_phone": "047-987-6546"}, format="json")  # 428
    client.post(reverse("okuyami:case-create"), form_data(visitor_kana="記録"))  # refused: not kana
    client.get(reverse("okuyami:case-detail", args=[case.pk + 100]))  # 404
    Case.objects.filter(pk=case.pk).update(finalised_at=timezone.now() - timedelta(days=91))
    purge_cases()
    assert AuditEvent.objects.count() >= 15
    for event in AuditEvent.objects.all():
        text = " ".join(str(value) for value in (event.username, event.action, event.case_id, event.detail))
        assert not [secret for secret in SECRETS if secret in text], text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "the flow logs something (a 404 and a 428 at least), so this test can fail"
    assert not [secret for secret in SECRETS if secret in logged], logged


def test_an_audit_record_can_be_neither_changed_nor_deleted(client, alice, operator):
    client.force_login(alice)
    client.get(reverse("okuyami:case-list"))
    event = AuditEvent.objects.get(username="alice")
    event.detail = "改ざん"
    with pytest.raises(AuditRecordImmutable):
        event.save()
    with pytest.raises(AuditRecordImmutable):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == "受付一覧"
    client.force_login(operator)
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    change = client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"detail": "x"})
    assert change.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).detail == "受付一覧"


# --- Who reads the log ------------------------------------------------------------------------------


@pytest.fixture
def both_cities_logged(client, alice, charlie):
    for user in (alice, charlie):
        client.force_login(user)
        client.get(reverse("okuyami:relay"))
    client.logout()


def test_a_manager_reads_their_own_municipality_s_log_only(client, erin, both_cities_logged):
    client.force_login(erin)
    response = client.get(reverse("okuyami:audit-log"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "alice" in html and "charlie" not in html and "リレー" in html


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_counter_staff_and_editors_may_not_read_the_log(client, request, who, both_cities_logged):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("okuyami:audit-log"))
    assert response.status_code == 403
    assert "管理者として登録された人だけ" in response.content.decode()


def test_the_operator_reads_every_municipality_s_log_and_filters_it(client, operator, both_cities_logged):
    client.force_login(operator)
    html = client.get(reverse("okuyami:audit-log")).content.decode()
    assert "alice" in html and "charlie" in html
    html = client.get(reverse("okuyami:audit-log"), {"municipality": "131016"}).content.decode()
    assert "charlie" in html and "alice" not in html


def test_the_log_filters_by_case_and_action(client, alice, erin):
    client.force_login(alice)
    first, second = make_case(alice.membership.municipality), make_case(alice.membership.municipality)
    client.get(reverse("okuyami:case-detail", args=[first.pk]))
    client.get(reverse("okuyami:result", args=[second.pk]))
    client.force_login(erin)
    page = client.get(reverse("okuyami:audit-log"), {"case": second.pk, "action": "view"}).context["page"]
    assert [(e.case_id, e.detail) for e in page.object_list] == [(second.pk, "結果と順路")]


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("okuyami:audit-log"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("okuyami:login"))
