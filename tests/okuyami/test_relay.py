"""A relay that finishes and lists that shrink (issue #15, item 2): outside offices are guidance only,
後日 is not today's work, and the lists are searched and paged."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from okuyami import selectors, services
from okuyami.models import Case, Mark
from okuyami.selectors import CaseSearch, CaseState, find_cases
from tests.conftest import build_catalog_document, import_catalog, make_case

pytestmark = pytest.mark.django_db

# The contract city's 年金事務所 (place "outside") marked as not the city's own, as the template does.
OUTSIDE = {"places[0].outside": True}
ANSWERS = {"pension": True, "insurance": "koki", "head_of_household": False}


@pytest.fixture
def city(db, alice):
    municipality = import_catalog(build_catalog_document(OUTSIDE))
    alice.membership.municipality = municipality
    alice.membership.save()
    return municipality


@pytest.fixture
def finalised(city, alice):
    case = make_case(city, answers=ANSWERS)
    services.case_finalise(case=case, user=alice, version=case.version)
    return case


def test_outside_procedures_are_guidance_only_and_never_keep_a_case_open(finalised, alice):
    stops = {stop["counter"]: stop for stop in finalised.snapshot["stops"]}
    assert stops["pension_office"]["outside"] is True and stops["shimin"]["outside"] is False
    with pytest.raises(services.GuidanceOnly):
        services.case_mark(case=finalised, user=alice, procedure_key="pension_death", status="done")
    assert not Mark.objects.exists()
    for key in selectors.markable_procedure_keys(finalised.snapshot):
        assert finalised.status == Case.Status.FINALISED
        services.case_mark(case=finalised, user=alice, procedure_key=key, status="done")
    assert finalised.status == Case.Status.DONE  # pension_death was never marked


def test_the_api_refuses_to_mark_guidance_and_says_why(finalised, alice):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alice)
    response = api.post(
        f"/api/v1/cases/{finalised.pk}/marks", {"procedure": "pension_death", "status": "done"}, format="json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "procedure"
    assert error["message"] == (
        "'pension_death' is at an office outside the municipality: guidance only, nothing to mark"
    )
    assert not Mark.objects.exists()


def test_a_case_with_only_guidance_is_done_when_finalised(city, alice):
    document = build_catalog_document(OUTSIDE)
    document["procedures"] = [p for p in document["procedures"] if p["key"] == "pension_death"]
    only_outside = import_catalog(document)
    case = make_case(only_outside, answers={"pension": True})
    services.case_finalise(case=case, user=alice, version=case.version)
    assert selectors.guide_procedure_keys(case.snapshot) == ["pension_death"]
    assert case.status == Case.Status.DONE


def row_of(html: str, name: str) -> str:
    """The relay's table row of the procedure `name`."""
    match = re.search(rf'<tr>\s*<td data-label="手続き">{name}</td>.*?</tr>', html, re.S)
    assert match, name
    return match.group()


def test_the_relay_shows_outside_procedures_as_guidance_without_buttons(client, alice, finalised):
    client.force_login(alice)
    html = client.get(reverse("okuyami:relay")).content.decode()
    row = row_of(html, "年金受給権者死亡届")
    assert "ご案内のみ" in row and "<button" not in row
    seal = row_of(html, "印鑑登録証の返却")
    assert seal.count("<button") == 3
    # Each cell keeps its column's name for the stacked layout of a narrow screen, and the
    # case names the visitor as well as the deceased.
    assert 'data-label="手続き"' in seal and 'data-label="処理"' in seal
    assert "来庁：船橋 花子 様（配偶者）" in html
    options = html.split('id="counter"')[1].split("</select>")[0]
    assert "年金事務所" not in options and "市民課" in options
    refused = client.post(
        reverse("okuyami:mark", args=[finalised.pk]),
        {"procedure": "pension_death", "status": "done"},
        follow=True,
    )
    assert "ご案内のみ" in refused.content.decode() and not Mark.objects.exists()


def test_a_case_waiting_only_on_later_leaves_todays_work_and_shows_as_later(client, alice, finalised):
    keys = selectors.markable_procedure_keys(finalised.snapshot)
    for key in keys[1:]:
        services.case_mark(case=finalised, user=alice, procedure_key=key, status="done")
    assert finalised.later_since is None  # keys[0] is still today's work
    services.case_mark(case=finalised, user=alice, procedure_key=keys[0], status="later")
    assert finalised.status == Case.Status.FINALISED and finalised.later_since is not None
    a_month_ago = timezone.now() - timedelta(days=31)
    Case.objects.filter(pk=finalised.pk).update(created_at=a_month_ago, later_since=a_month_ago)
    client.force_login(alice)
    for name in ("okuyami:case-list", "okuyami:relay"):
        today = client.get(reverse(name)).content.decode()
        assert "船橋 太郎" not in today, name
        assert "後日を待っている受付（1件）" in today, name
        later = client.get(reverse(name), {"state": "later"}).content.decode()
        assert (
            "船橋 太郎" in later
            and f"{a_month_ago.month}月{timezone.localtime(a_month_ago).day}日から" in later
        )
    # Done when the family came back.
    services.case_mark(case=finalised, user=alice, procedure_key=keys[0], status="done")
    assert (finalised.status, finalised.later_since) == (Case.Status.DONE, None)


def test_the_lists_are_searched_by_number_name_kana_and_days(city, alice):
    today = timezone.localdate()
    taro = make_case(city)
    jiro = make_case(
        city,
        deceased_name="習志野　次郎",
        deceased_kana="ならしの じろう",
        visitor_name="習志野 三郎",
        visitor_kana="ナラシノ サブロウ",
    )
    old = make_case(city, deceased_name="八千代 四郎", deceased_kana="ヤチヨ シロウ")
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40), status="done")

    def found(**search) -> set[int]:
        return set(find_cases(city, CaseSearch(**search), today=today).values_list("pk", flat=True))

    assert found() == {taro.pk, jiro.pk}  # today's work: the old, done one is not
    assert found(state=CaseState.ALL) == {taro.pk, jiro.pk, old.pk}
    assert found(text=str(jiro.pk)) == {jiro.pk}
    assert found(text=f"受付{old.pk}") == {old.pk}  # by number, whatever its state
    assert found(text="習志野次郎") == found(text="習志野 次郎") == {jiro.pk}  # spaces ignored
    assert found(text="ナラシノ") == found(text="ならしの") == {jiro.pk}  # kana in either script
    assert found(text="ﾌﾅﾊﾞｼ") == {taro.pk}  # half-width kana too
    assert found(text="三郎") == {jiro.pk}  # the visitor's name
    assert found(text="八千代", state=CaseState.ALL) == {old.pk}
    since = today - timedelta(days=41)
    assert found(state=CaseState.ALL, since=since, until=today - timedelta(days=39)) == {old.pk}
    assert found(state=CaseState.ALL, since=today) == {taro.pk, jiro.pk}


def test_the_case_list_pages_and_keeps_its_search(client, alice, city):
    for number in range(25):
        make_case(city, deceased_name=f"頁 {number:02d}", deceased_kana="ページ")
    client.force_login(alice)
    first = client.get(reverse("okuyami:case-list"), {"q": "ページ"}).content.decode()
    assert first.count("頁 ") == 20 and "1 / 2 ページ（全25件）" in first
    assert "?q=%E3%83%9A%E3%83%BC%E3%82%B8&amp;page=2" in first
    second = client.get(reverse("okuyami:case-list"), {"q": "ページ", "page": 2}).content.decode()
    assert second.count("頁 ") == 5 and "頁 00" in second


def test_the_search_reads_wareki_days_and_names_a_wrong_one(client, alice, city):
    make_case(city)
    client.force_login(alice)
    today = timezone.localdate()
    html = client.get(
        reverse("okuyami:case-list"), {"since": f"R{today.year - 2018}.{today.month}.{today.day}"}
    ).content.decode()
    assert "船橋 太郎" in html
    bad = client.get(reverse("okuyami:case-list"), {"since": "きのう", "until": "2026-13-01"})
    html = bad.content.decode()
    assert bad.status_code == 200 and "受付日（から）を" in html and "その日はカレンダーにありません" in html
    reversed_range = client.get(reverse("okuyami:case-list"), {"since": "2026-11-20", "until": "2026-11-01"})
    assert "同じか後の日付" in reversed_range.content.decode()


def test_the_relay_pages_and_filters_by_counter_and_search(client, alice, city):
    for _ in range(12):
        case = make_case(city, answers=ANSWERS)
        services.case_finalise(case=case, user=alice, version=case.version)
    client.force_login(alice)
    html = client.get(reverse("okuyami:relay")).content.decode()
    assert html.count('class="oky-relay-case"') == 10 and "1 / 2 ページ（全12件）" in html
    zeimu = client.get(reverse("okuyami:relay"), {"counter": "kokuho"}).content.decode()
    assert "後期高齢者医療の資格喪失届" in zeimu and "印鑑登録証の返却" not in zeimu
    one = Case.objects.order_by("pk").first()
    found = client.get(reverse("okuyami:relay"), {"q": str(one.pk)}).content.decode()
    assert found.count('class="oky-relay-case"') == 1 and f"受付 {one.pk}：" in found


def test_lists_never_show_another_municipality(client, alice, charlie, city, city_b):
    make_case(city_b, deceased_name="別市 次郎", deceased_kana="ベツシ ジロウ")
    other = make_case(city_b, deceased_name="別市 三郎")
    client.force_login(alice)
    for name in ("okuyami:case-list", "okuyami:relay"):
        for query in ({"q": "別市"}, {"q": str(other.pk)}, {"state": "all"}, {"state": "cancelled"}):
            html = client.get(reverse(name), query).content.decode()
            assert "別市 次郎" not in html and "別市 三郎" not in html, (name, query)
