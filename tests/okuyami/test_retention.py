"""Retention: purge_cases erases personal data after the retention period and keeps the statistics."""

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from okuyami.models import Adjustment, Case, Finalisation, Mark
from okuyami.retention import purge_cases, statistics_for
from tests.conftest import make_case

pytestmark = pytest.mark.django_db

PERSONAL = {
    "deceased_name": "保存 一郎",
    "deceased_kana": "ホゾン イチロウ",
    "deceased_birth_date": date(1940, 5, 6),
    "deceased_address": "千葉県船橋市保存町1-1",
    "visitor_name": "保存 二郎",
    "visitor_kana": "ホゾン ジロウ",
    "visitor_relation": "子",
    "visitor_phone": "047-111-2222",
    "visitor_address": "千葉県船橋市保存町2-2",
}
ERASED = {
    "deceased_name": "",
    "deceased_kana": "",
    "deceased_birth_date": None,
    "deceased_address": "",
    "visitor_name": "",
    "visitor_kana": "",
    "visitor_relation": "",
    "visitor_phone": "",
    "visitor_address": "",
    "appointment_at": None,
    "answers": {},
    "unknown": [],
}


def finalised_case(client, user, answers: dict, *, finalised_days_ago: int) -> Case:
    """A case interviewed and finalised through the screens, then dated back."""
    client.force_login(user)
    municipality = user.membership.municipality
    case = make_case(municipality, death_date=date(2026, 9, 17), appointment_at=timezone.now(), **PERSONAL)
    for key, value in answers.items():
        client.post(reverse("okuyami:question", args=[case.pk, key]), {"answer": value})
    client.post(reverse("okuyami:question", args=[case.pk, "renunciation"]), {"answer": "__unknown__"})
    client.post(
        reverse("okuyami:adjust", args=[case.pk]),
        {
            "procedure": "gentsuki",
            "action": "add",
            "family_note": "保存 二郎 様より",
            "staff_note": "保存 二郎 様は耳が遠い",
        },
    )
    case.refresh_from_db()
    client.post(reverse("okuyami:finalise", args=[case.pk]), {"version": case.version})
    client.post(reverse("okuyami:mark", args=[case.pk]), {"procedure": "gentsuki", "status": "done"})
    Case.objects.filter(pk=case.pk).update(finalised_at=timezone.now() - timedelta(days=finalised_days_ago))
    case.refresh_from_db()
    assert case.snapshot is not None
    return case


def test_purge_erases_the_personal_fields_after_the_retention_period(client, alice):
    case = finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=91)
    assert purge_cases() == [case.pk]
    row = (
        Case.objects.filter(pk=case.pk).values(*ERASED, "death_date", "erased_at", "snapshot", "status").get()
    )
    assert {name: row[name] for name in ERASED} == ERASED
    assert row["death_date"] == date(2026, 9, 1)  # the month stays, the day goes
    assert row["erased_at"] is not None
    # The result keeps its counters and procedures, and nothing else: no dates, reasons or notes.
    text = str(row["snapshot"])
    assert "gentsuki" in text and "後期高齢者医療" in text
    assert "2026-" not in text and "保存" not in text and "reasons" not in text and "note" not in text
    adjustment = Adjustment.objects.get(case=case)
    assert (adjustment.family_note, adjustment.staff_note) == ("", "")
    finalisation = Finalisation.objects.get(case=case)
    assert "保存" not in str(finalisation.guide) and "2026-" not in str(finalisation.guide)
    assert Mark.objects.filter(case=case, procedure_key="gentsuki").exists()


def test_purge_erases_every_field_the_models_declare_personal(client, alice):
    case = finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=91)
    # Every personal field holds something.
    Case.objects.filter(pk=case.pk).update(
        unknown=["pension"], record_answers={"insurance": "koki"}, cancel_reason="保存 二郎 様の二重受付"
    )
    Finalisation.objects.filter(case=case).update(reopen_reason="保存 二郎 様から追加の申し出")
    case.refresh_from_db()
    adjustment = Adjustment.objects.get(case=case)
    finalisation = Finalisation.objects.get(case=case)
    purge_cases()
    erased = Case.objects.get(pk=case.pk)
    for name, personal in Case.personal_data.fields.items():
        assert getattr(erased, name) == personal.erased(getattr(case, name)), name
        assert getattr(erased, name) != getattr(case, name), f"{name} kept its value"
    for name in Adjustment.personal_data.fields:
        assert getattr(Adjustment.objects.get(pk=adjustment.pk), name) != getattr(adjustment, name), name
    for name in Finalisation.personal_data.fields:
        assert getattr(Finalisation.objects.get(pk=finalisation.pk), name) != getattr(finalisation, name), (
            name
        )


def test_purge_keeps_cases_still_within_the_retention_period(client, alice):
    case = finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=89)
    assert purge_cases() == []
    case.refresh_from_db()
    assert case.deceased_name == PERSONAL["deceased_name"] and case.erased_at is None


def test_the_retention_period_comes_from_the_setting(client, alice, settings):
    settings.OKUYAMI_RETENTION_DAYS = 30
    case = finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=31)
    assert purge_cases() == [case.pk]


def test_an_open_case_left_untouched_for_the_period_is_erased_too(alice):
    stale = make_case(alice.membership.municipality, death_date=date(2026, 9, 17), **PERSONAL)
    fresh = make_case(alice.membership.municipality, death_date=date(2026, 9, 17), **PERSONAL)
    Case.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=91))
    assert purge_cases() == [stale.pk]
    assert Case.objects.get(pk=stale.pk).visitor_phone == ""
    assert Case.objects.get(pk=fresh.pk).visitor_phone == PERSONAL["visitor_phone"]


def test_purge_cases_is_idempotent(client, alice):
    case = finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=200)
    call_command("purge_cases", stdout=(out := _Buffer()))
    assert "1 case(s)" in out.text
    erased_at, version = Case.objects.values_list("erased_at", "version").get(pk=case.pk)
    call_command("purge_cases", stdout=(again := _Buffer()))
    assert "0 case(s)" in again.text
    assert Case.objects.values_list("erased_at", "version").get(pk=case.pk) == (erased_at, version)


def test_an_erased_case_is_gone_from_the_screens_and_the_api(client, alice):
    case = finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=91)
    purge_cases()
    client.force_login(alice)
    assert client.get(reverse("okuyami:case-detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("okuyami:print-pdf", args=[case.pk, "checklist"])).status_code == 404
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api.get("/api/v1/cases/").json()["count"] == 0


def test_purge_keeps_the_statistics(client, alice):
    kept = finalised_case(
        client, alice, {"insurance": "koki", "vehicles": ["gentsuki"]}, finalised_days_ago=91
    )
    finalised_case(client, alice, {"insurance": "kokuho"}, finalised_days_ago=10)
    make_case(alice.membership.municipality, death_date=date(2026, 9, 17), **PERSONAL)
    today = timezone.localdate()
    before = statistics_for(municipality=alice.membership.municipality, today=today)
    assert purge_cases() == [kept.pk]
    after = statistics_for(municipality=alice.membership.municipality, today=today)
    assert after == {**before, "erased": 1}
    assert before["total"] == 3 and before["finalised"] == 2
    assert before["months"][-1].count == 3
    procedures = {row.label: row.count for row in after["procedures"]}
    assert procedures["原付の廃車"] == 2  # added by hand to both, and applying to one
    assert procedures["後期高齢者医療の資格喪失届"] == 2  # both were over 75


# --- The statistics page ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "erin"])
def test_the_municipality_s_staff_see_the_statistics_as_a_table_and_a_chart(client, request, who, alice):
    finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=1)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("okuyami:statistics"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "後期高齢者医療の資格喪失届" in html and "<table" in html
    assert re.search(r'<svg class="oky-chart__svg"[^>]*role="img"', html)
    bars = re.findall(r'<rect class="oky-chart__bar"[^>]*height="(\d+)"', html)
    assert len(bars) == 12 and bars[-1] == "120" and set(bars[:-1]) == {"0"}
    assert "保存 一郎" not in html and "047-111-2222" not in html  # no personal data on the page


def test_the_statistics_count_only_the_user_s_municipality(client, alice, charlie):
    finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=1)
    client.force_login(charlie)
    response = client.get(reverse("okuyami:statistics"))
    assert response.context["stats"]["total"] == 0


def test_the_operator_chooses_a_municipality(client, alice, operator, city_b):
    finalised_case(client, alice, {"insurance": "koki"}, finalised_days_ago=1)
    client.force_login(operator)
    assert "stats" not in client.get(reverse("okuyami:statistics")).context
    response = client.get(reverse("okuyami:statistics"), {"municipality": "122041"})
    assert response.context["stats"]["total"] == 1


def test_accounts_without_a_municipality_may_not_see_statistics(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="pass-nobody"))
    assert client.get(reverse("okuyami:statistics")).status_code == 403


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
