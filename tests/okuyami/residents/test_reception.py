"""新しい受付 from the records: 住民記録から探す, the 受付 filled from them, the visitor from the
household, the answers the records give; by hand when a person is not in them or they fail."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.models import AuditEvent, StaffMembership
from okuyami.models import Case
from okuyami.residents.sample import SAMPLE_EXTRACT
from okuyami.residents.services import UNAVAILABLE, extract_import
from tests.conftest import fixture_document, import_catalog

pytestmark = pytest.mark.django_db

SEARCH = reverse("okuyami:case-records")
OPEN = reverse("okuyami:case-from-record")
TYPICAL = {"kana": "みほん たろう", "death_date": "2026-11-20"}  # 見本 太郎, 82, the 世帯主


def typical_number() -> str:
    text = (SAMPLE_EXTRACT / "residents.csv").read_text(encoding="utf-8")
    return next(
        line.split(",")[0] for line in text.splitlines() if "ミホン タロウ" in line and "死亡" in line
    )


def household_number() -> str:
    """見本 太郎's wife, 見本 花子: still on the register."""
    text = (SAMPLE_EXTRACT / "residents.csv").read_text(encoding="utf-8")
    return next(
        line.split(",")[0] for line in text.splitlines() if "ミホン ハナコ" in line and line.endswith(",,")
    )


@pytest.fixture
def sample_city(db):
    municipality = import_catalog(fixture_document("sample-city.json"))
    extract_import(municipality=municipality, source=SAMPLE_EXTRACT, actor="test")
    return municipality


def staff(username, municipality, role="counter"):
    user = get_user_model().objects.create_user(username, password="pass-" + username)
    StaffMembership.objects.create(user=user, municipality=municipality, role=role)
    return user


@pytest.fixture
def clerk(sample_city):
    return staff("clerk", sample_city)


def visitor(**changes):
    return {"visitor_member": "0", "visitor_phone": "000-000-1234", **changes}


def opened(client, number=None):
    return client.post(OPEN, {"atena_number": number or typical_number()})


def created(client, number=None, **changes):
    page = opened(client, number)
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "visitor_member"}
    data = {k: v for k, v in data.items() if v != ""}
    return client.post(OPEN, {**data, "create": "1", **visitor(**changes)})


def test_new_reception_starts_with_the_search(client, clerk):
    client.force_login(clerk)
    html = client.get(reverse("okuyami:case-list")).content.decode()
    assert f'href="{SEARCH}">新しい受付</a>' in html
    page = client.get(SEARCH).content.decode()
    assert '<legend class="oky-section__title">住民記録から探す</legend>' in page
    assert f'href="{reverse("okuyami:case-create")}">手入力で受付</a>' in page
    # A family that prepared at home starts from its 受付コード here too (issue #18).
    assert f'href="{reverse("precheck:case-from-code")}">コードから始める</a>' in page


def test_the_deceased_are_found_first_with_their_date_of_death(client, clerk):
    client.force_login(clerk)
    response = client.post(SEARCH, {"kana": "ミホン", "birth_date": "1944-01-03"})
    hits = response.context["result"].hits
    assert hits and hits[0].deceased
    html = response.content.decode()
    assert "見本 太郎" in html and "令和8年11月20日" in html
    assert f'<input type="hidden" name="atena_number" value="{typical_number()}">' in html
    # What was searched is audited, never who was found or the kana typed.
    event = AuditEvent.objects.filter(action="view").latest("pk")
    assert event.detail == "住民記録を検索（カナ・生年月日、1件）"
    assert "ミホン" not in event.detail


def test_one_criterion_is_not_a_search(client, clerk):
    client.force_login(clerk)
    response = client.post(SEARCH, {"kana": "ミホン"})
    assert response.status_code == 200
    assert "2つ以上で検索してください" in response.content.decode()
    assert response.context["result"] is None


def test_choosing_a_person_fills_the_case_and_shows_the_household(client, clerk):
    client.force_login(clerk)
    response = opened(client)
    form = response.context["form"]
    assert form["deceased_name"].value() == "見本 太郎"
    assert form["deceased_kana"].value() == "ミホン タロウ"
    assert str(form["deceased_birth_date"].value()) == "1944-01-03"
    assert str(form["death_date"].value()) == "2026-11-20"
    assert form["deceased_address"].value() == "見本県みほん市北町3丁目28番13号"
    html = response.content.decode()
    assert "見本 花子（ミホン ハナコ）・続柄 妻（亡くなった方の配偶者）" in html
    assert "世帯の方以外（下に入力してください）" in html
    event = AuditEvent.objects.filter(action="view").latest("pk")
    assert event.detail == f"住民記録を参照（宛名番号 {typical_number()}）"


def test_the_case_is_made_with_the_visitor_from_the_household_and_the_records_answers(client, clerk):
    client.force_login(clerk)
    response = created(client)
    case = Case.objects.get()
    assert response.url == reverse("okuyami:questions", args=[case.pk])
    assert (case.deceased_name, case.visitor_name, case.visitor_kana) == (
        "見本 太郎",
        "見本 花子",
        "ミホン ハナコ",
    )
    assert case.visitor_relation == "配偶者" and case.visitor_phone == "000-000-1234"
    assert case.record_answers == case.answers
    assert case.record_answers["head_of_household"] is True and case.record_answers["insurance"] == "koki"
    assert case.record_answers["water_contract"] is True  # the sample city's own local fact
    event = AuditEvent.objects.filter(action="change", case_id=case.pk).get()
    assert event.detail == "受付を作成（住民記録より）"
    # The interview goes straight to what the records could not answer.
    assert client.get(response.url).url == reverse("okuyami:question", args=[case.pk, "high_medical_costs"])


def test_a_visitor_from_outside_the_household_is_typed(client, clerk):
    client.force_login(clerk)
    response = created(client, visitor_member="other")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"visitor_name", "visitor_kana", "visitor_relation"}
    response = created(
        client,
        visitor_member="other",
        visitor_name="見本 一郎",
        visitor_kana="ミホン イチロウ",
        visitor_relation="子",
    )
    assert response.status_code == 302
    assert Case.objects.get().visitor_name == "見本 一郎"


def test_a_person_not_in_the_records_is_entered_by_hand(client, clerk):
    client.force_login(clerk)
    response = client.post(OPEN, {"atena_number": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("okuyami:case-create")
    assert "住民記録に、この宛名番号の方はいません。手入力で続けてください" in response.content.decode()
    response = client.post(OPEN, {"atena_number": household_number()}, follow=True)
    assert "死亡による消除がまだありません" in response.content.decode()


def test_a_failed_live_lookup_carries_on_by_hand(client, clerk, settings):
    settings.OKUYAMI_RECORDS_URL = "https://127.0.0.1:9/records/{number}"  # nothing answers there
    settings.OKUYAMI_RECORDS_TIMEOUT = 1
    client.force_login(clerk)
    response = client.post(OPEN, {"atena_number": "1"}, follow=True)  # not in the extract: asked live
    assert response.redirect_chain[-1][0] == reverse("okuyami:case-create")
    assert UNAVAILABLE in response.content.decode()
    assert "form" in response.context  # the 受付 form, to go on by hand


def test_without_records_new_reception_is_by_hand(client, db):
    city = import_catalog()
    clerk = staff("other-clerk", city)
    client.force_login(clerk)
    assert client.get(SEARCH).url == reverse("okuyami:case-create")


def test_another_municipalitys_clerk_finds_and_opens_nothing_of_it(client, sample_city, city_b, charlie):
    client.force_login(charlie)
    response = client.post(OPEN, {"atena_number": typical_number()}, follow=True)
    assert "見本 太郎" not in response.content.decode()
    assert Case.objects.count() == 0
    # city B has no extract: its search is by hand.
    assert client.get(SEARCH).url == reverse("okuyami:case-create")


@pytest.mark.parametrize("role", ["editor", "manager"])
def test_only_counter_staff_search_the_records(client, sample_city, role):
    client.force_login(staff(f"{role}-user", sample_city, role=role))
    assert client.get(SEARCH).status_code == 403
    assert client.post(OPEN, {"atena_number": typical_number()}).status_code == 403
    assert not AuditEvent.objects.filter(detail__startswith="住民記録を参照").exists()


def test_the_search_keeps_personal_data_out_of_urls(client, clerk):
    client.force_login(clerk)
    html = client.post(SEARCH, TYPICAL).content.decode()
    assert not re.search(r'action="[^"]*\?', html)  # every form posts; nothing in a query string
    assert 'method="post"' in html
