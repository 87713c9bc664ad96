"""The counter screens: access, tenant isolation, validation, the interview, result, relay."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bench.generate import generated_catalog
from okuyami.models import Adjustment, Case, Mark
from procedures.models import Procedure
from procedures.services import catalog_touch
from tests.conftest import case_form_data, import_catalog, make_case
from tests.okuyami.conftest import smallest_text

pytestmark = pytest.mark.django_db

VALID = case_form_data()

CASE_URLS = [
    ("get", "okuyami:case-detail", ()),
    ("get", "okuyami:case-edit", ()),
    ("post", "okuyami:case-edit", ()),
    ("get", "okuyami:questions", ()),
    ("get", "okuyami:question", ("insurance",)),
    ("post", "okuyami:question", ("insurance",)),
    ("get", "okuyami:answers", ()),
    ("get", "okuyami:result", ()),
    ("post", "okuyami:adjust", ()),
    ("post", "okuyami:finalise", ()),
    ("post", "okuyami:mark", ()),
]
OTHER_URLS = [
    ("get", "okuyami:case-list"),
    ("get", "okuyami:case-create"),
    ("post", "okuyami:case-create"),
    ("get", "okuyami:relay"),
]


def control_tag(html: str, control_id: str) -> str:
    """The opening tag of the form control with that id."""
    match = re.search(rf'<(?:input|select|textarea)[^>]*id="{control_id}"[^>]*>', html)
    assert match, f"no control {control_id}"
    return match.group()


@pytest.fixture
def alice_case(city_a):
    return make_case(city_a)


@pytest.mark.parametrize(("method", "name", "extra"), CASE_URLS)
def test_every_case_url_refuses_an_anonymous_user(client, alice_case, method, name, extra):
    response = getattr(client, method)(reverse(name, args=[alice_case.pk, *extra]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("okuyami:login"))


@pytest.mark.parametrize(("method", "name"), OTHER_URLS)
def test_every_other_url_refuses_an_anonymous_user(client, method, name, city_a):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("okuyami:login"))


@pytest.mark.parametrize(("method", "name", "extra"), CASE_URLS)
def test_a_case_of_another_municipality_is_404_and_unchanged(
    client, charlie, alice_case, method, name, extra
):
    client.force_login(charlie)
    before = Case.objects.values().get(pk=alice_case.pk)
    data = {"answer": "kokuho", "procedure": "seal", "status": "done", "action": "drop", **VALID}
    response = getattr(client, method)(reverse(name, args=[alice_case.pk, *extra]), data)
    assert response.status_code == 404
    assert "船橋 太郎" not in response.content.decode()
    assert Case.objects.values().get(pk=alice_case.pk) == before
    assert not Mark.objects.exists() and not Adjustment.objects.exists()


def test_lists_show_only_the_users_municipality(client, alice, charlie, alice_case, city_b):
    make_case(city_b, deceased_name="別市 次郎")
    client.force_login(charlie)
    for name in ("okuyami:case-list", "okuyami:relay"):
        content = client.get(reverse(name)).content.decode()
        assert "別市 次郎" in content and "船橋 太郎" not in content
    client.force_login(alice)
    content = client.get(reverse("okuyami:case-list")).content.decode()
    assert "船橋 太郎" in content and "別市 次郎" not in content


@pytest.mark.parametrize(("method", "name", "extra"), CASE_URLS)
def test_an_editor_cannot_open_case_screens(client, bob, alice_case, method, name, extra):
    client.force_login(bob)
    response = getattr(client, method)(reverse(name, args=[alice_case.pk, *extra]))
    assert response.status_code == 403
    assert "船橋 太郎" not in response.content.decode()


def test_creating_a_case_stores_it_and_starts_the_questions(client, alice, city_a):
    client.force_login(alice)
    response = client.post(reverse("okuyami:case-create"), VALID)
    case = Case.objects.get()
    assert response["Location"] == reverse("okuyami:questions", args=[case.pk])
    assert (case.municipality, case.created_by, case.death_date) == (city_a, alice, date(2026, 11, 20))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"deceased_kana": "Funabashi"}, "deceased_kana", "カタカナまたはひらがなで入力してください"),
        ({"visitor_kana": "船橋"}, "visitor_kana", "カタカナまたはひらがなで入力してください"),
        ({"death_date": "2199-01-01"}, "death_date", "未来の日付は入力できません"),
        ({"death_date": "9999-12-31"}, "death_date", "1900年1月1日から2200年12月31日までの日付"),
        ({"death_date": "0001-01-01"}, "death_date", "1900年1月1日から2200年12月31日までの日付"),
        ({"deceased_birth_date": "0266-05-01"}, "deceased_birth_date", "1900年1月1日から2200年12月31日まで"),
        ({"appointment_date": "0266-05-01"}, "appointment_date", "予約日は"),
        ({"appointment_date": "0001-01-01", "appointment_time": "00:00"}, "appointment_date", "予約日は"),
        ({"appointment_date": "9999-12-31"}, "appointment_date", "までの日付を入力してください"),
        ({"deceased_birth_date": "2026-11-21"}, "deceased_birth_date", "亡くなった日より前"),
        ({"death_date": "2026-02-30"}, "death_date", "その日はカレンダーにありません"),
        ({"death_date": "きのう"}, "death_date", "「昭和19年10月15日」「S19.10.15」「1944-10-15」のように"),
        (
            {"deceased_birth_date": "平成31年5月1日"},
            "deceased_birth_date",
            "平成は平成元年1月8日から平成31年4月30日まで",
        ),
        ({"visitor_phone": "abc"}, "visitor_phone", "数字とハイフン"),
        ({"deceased_name": ""}, "deceased_name", "亡くなった方の氏名を入力してください"),
        ({"visitor_relation": "友人"}, "visitor_relation", "正しく選択してください"),
        ({"appointment_time": "10:30"}, "appointment_date", "予約日も入力してください"),
    ],
)
def test_it_rejects_bad_case_input_the_dads_way(client, alice, city_a, changes, field, message):
    client.force_login(alice)
    response = client.post(reverse("okuyami:case-create"), {**VALID, **changes})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>エラー：" in html
    assert 'class="oky-error-summary"' in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert f'id="id_{field}_error"' in html and "＊" in html
    assert 'aria-invalid="true"' in html
    assert f"id_{field}_error" in control_tag(html, f"id_{field}")
    assert not Case.objects.exists()


def test_editing_with_a_stale_version_reports_a_conflict(client, alice, alice_case):
    client.force_login(alice)
    url = reverse("okuyami:case-edit", args=[alice_case.pk])
    client.post(url, {**VALID, "visitor_phone": "047-111-1111", "version": alice_case.version})
    response = client.post(url, {**VALID, "visitor_phone": "047-222-2222", "version": alice_case.version})
    assert "競合" in response.content.decode()
    alice_case.refresh_from_db()
    assert alice_case.visitor_phone == "047-111-1111"


def test_questions_follow_ask_if_and_skip_what_is_not_asked(client, alice, alice_case):
    client.force_login(alice)
    start = client.get(reverse("okuyami:questions", args=[alice_case.pk]))
    assert start["Location"] == reverse("okuyami:question", args=[alice_case.pk, "head_of_household"])
    # Not the head of household: household_left (ask_if head_of_household == true) is skipped.
    response = client.post(start["Location"], {"answer": "no"})
    assert response["Location"] == reverse("okuyami:question", args=[alice_case.pk, "insurance"])
    skipped = client.get(reverse("okuyami:question", args=[alice_case.pk, "household_left"]))
    assert skipped.status_code == 404
    # Born 1945: 81 at death, so `care` (ask_if age 40-64) is never asked either.
    assert client.get(reverse("okuyami:question", args=[alice_case.pk, "care"])).status_code == 404
    # Head of household: the follow-up is asked next.
    response = client.post(start["Location"], {"answer": "yes"})
    assert response["Location"] == reverse("okuyami:question", args=[alice_case.pk, "household_left"])


def test_answers_survive_a_reload(client, alice, alice_case):
    client.force_login(alice)
    url = reverse("okuyami:question", args=[alice_case.pk, "insurance"])
    client.post(url, {"answer": "koki"})
    client.post(
        reverse("okuyami:question", args=[alice_case.pk, "vehicles"]), {"answer": ["gentsuki", "kei"]}
    )
    alice_case.refresh_from_db()
    assert alice_case.answers == {"insurance": "koki", "vehicles": ["gentsuki", "kei"]}
    html = client.get(url).content.decode()
    assert re.search(r'<input[^>]*value="koki"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="kokuho"[^>]*checked', html)


def test_wakaranai_is_stored_as_unknown_and_only_where_allowed(client, alice, alice_case):
    client.force_login(alice)
    client.post(reverse("okuyami:question", args=[alice_case.pk, "pension"]), {"answer": "__unknown__"})
    response = client.post(
        reverse("okuyami:question", args=[alice_case.pk, "head_of_household"]), {"answer": "__unknown__"}
    )
    assert response.status_code == 200 and "正しく選択してください" in response.content.decode()
    alice_case.refresh_from_db()
    assert alice_case.unknown == ["pension"] and "head_of_household" not in alice_case.answers
    html = client.get(reverse("okuyami:question", args=[alice_case.pk, "head_of_household"])).content.decode()
    assert "わからない" not in html


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("household_left", {"answer": "two"}, "0以上の整数"),
        ("moved_in", {"answer": "2026-13-01"}, "その日はカレンダーにありません"),
        ("moved_in", {"answer": "先月"}, "「昭和19年10月15日」「S19.10.15」「1944-10-15」のように"),
        ("insurance", {"answer": "kokuhoo"}, "正しく選択してください"),
        ("vehicles", {"answer": ["gentsuki", "__unknown__"]}, "同時に選べません"),
        ("pension", {}, "回答を選択してください"),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_saved(
    client, alice, alice_case, key, data, message
):
    client.force_login(alice)
    alice_case.answers = {"head_of_household": True}
    alice_case.save()
    response = client.post(reverse("okuyami:question", args=[alice_case.pk, key]), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html and "<title>エラー：" in html
    alice_case.refresh_from_db()
    assert alice_case.answers == {"head_of_household": True} and alice_case.unknown == []


def answer_all(client, case, answers: dict, unknown=()):
    for key, value in answers.items():
        client.post(reverse("okuyami:question", args=[case.pk, key]), {"answer": value})
    for key in unknown:
        client.post(reverse("okuyami:question", args=[case.pk, key]), {"answer": "__unknown__"})


def test_the_result_shows_the_route_deadlines_and_what_to_confirm(client, alice, alice_case):
    client.force_login(alice)
    answer_all(
        client,
        alice_case,
        {"head_of_household": "yes", "household_left": "2", "insurance": "koki"},
        ["pension"],
    )
    html = client.get(reverse("okuyami:result", args=[alice_case.pk])).content.decode()
    # Route order: 市民課 (1F, 10) before 国民健康保険課 (1F, 20); the pension office is 要確認.
    assert html.index("市民課") < html.index("国民健康保険課")
    assert "世帯主変更届" in html and "後期高齢者医療の資格喪失届" in html
    assert "令和8年12月4日" in html and "2026年12月4日" in html  # 14 days after 2026-11-20, 和暦 and 西暦
    maybe = html.split('id="maybe"')[1]
    assert "年金受給権者死亡届" in maybe and "年金を受け取っていましたか？" in maybe
    assert "「亡くなった方の健康保険は？」への回答は「後期高齢者医療」です。" in html


def test_the_result_offers_the_checklist_and_the_route_sheet_in_large_print(
    client, alice, charlie, alice_case
):
    client.force_login(alice)
    html = client.get(reverse("okuyami:result", args=[alice_case.pk])).content.decode()
    large = {
        doc: f"{reverse('okuyami:print-pdf', args=[alice_case.pk, doc])}?large=1"
        for doc in ("checklist", "route", "application")
    }
    assert (
        f'href="{large["checklist"]}">文字を大きくしたPDF<span class="oky-visually-hidden">（手続きのご案内）'
        in html
    )
    assert f'href="{large["route"]}">文字を大きくしたPDF<span class="oky-visually-hidden">（順路表）' in html
    assert large["application"] not in html
    response = client.get(large["route"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert smallest_text(response.content)[0] >= 12.6 - 0.01
    client.force_login(charlie)
    assert client.get(large["route"]).status_code == 404


def test_staff_can_add_and_drop_procedures_with_a_note(client, alice, alice_case):
    client.force_login(alice)
    answer_all(client, alice_case, {"insurance": "koki"})
    url = reverse("okuyami:adjust", args=[alice_case.pk])
    client.post(url, {"procedure": "gentsuki", "action": "add", "family_note": "家族から申出"})
    client.post(url, {"procedure": "seal", "action": "drop", "family_note": "登録なし"})
    html = client.get(reverse("okuyami:result", args=[alice_case.pk])).content.decode()
    route = html.split('id="route"')[1].split('id="maybe"')[0]
    assert "原付の廃車" in route and "窓口で追加" in route and "家族から申出" in route
    assert "印鑑登録証の返却" not in route
    assert "除外した手続き" in html and "登録なし" in html


def test_the_snapshot_does_not_change_after_a_catalog_edit(client, alice, alice_case, city_a):
    client.force_login(alice)
    answer_all(client, alice_case, {"insurance": "kokuho"})
    client.post(reverse("okuyami:finalise", args=[alice_case.pk]), {"version": Case.objects.get().version})
    alice_case.refresh_from_db()
    assert alice_case.status == Case.Status.FINALISED
    before = client.get(reverse("okuyami:result", args=[alice_case.pk])).content.decode()
    Procedure.objects.filter(municipality=city_a, key="kokuho_loss").update(
        name="名前を変えた手続き", deadline_amount=30, deadline_unit="days"
    )
    catalog_touch(municipality=city_a)
    after = client.get(reverse("okuyami:result", args=[alice_case.pk])).content.decode()
    assert "国民健康保険の資格喪失届" in after and "名前を変えた手続き" not in after
    assert before.split('id="route"')[1] == after.split('id="route"')[1]
    # A finalised case refuses new answers.
    client.post(reverse("okuyami:question", args=[alice_case.pk, "insurance"]), {"answer": "koki"})
    assert Case.objects.get().answers["insurance"] == "kokuho"


def test_a_procedure_with_only_a_note_shows_the_note_on_the_result_and_the_relay(
    client, alice, alice_case, city_a
):
    """「速やかに」 stands where the date would be, never 期限の定めなし; a date keeps its note beside."""
    Procedure.objects.filter(municipality=city_a, key="seal").update(deadline_note="速やかに返却してください")
    catalog_touch(municipality=city_a)
    client.force_login(alice)
    answer_all(client, alice_case, {"insurance": "kokuho", "head_of_household": "yes", "household_left": "2"})
    html = client.get(reverse("okuyami:result", args=[alice_case.pk])).content.decode()
    seal = html.split('id="procedure-seal"')[1].split('class="oky-procedure"')[0]
    assert "速やかに返却してください" in seal and "期限の定めなし" not in seal
    # The date stands where the deadline is; its note (※) is behind 詳しく・除外.
    household = html.split('id="procedure-hoh_change"')[1].split('class="oky-procedure"')[0]
    assert "令和8年12月4日" in household and "亡くなった日から14日以内" in household

    finalised_case(client, alice_case, {})
    relay = client.get(reverse("okuyami:relay")).content.decode()
    row = relay.split("印鑑登録証の返却")[1].split("</tr>")[0]
    assert "速やかに返却してください" in row and "—" not in row.split("</td>")[1]


def finalised_case(client, case, answers):
    answer_all(client, case, answers)
    client.post(
        reverse("okuyami:finalise", args=[case.pk]), {"version": Case.objects.get(pk=case.pk).version}
    )
    case.refresh_from_db()
    return case


def test_relay_marks_record_who_and_when_and_close_the_case(client, alice, alice_case):
    client.force_login(alice)
    case = finalised_case(client, alice_case, {"insurance": "koki", "head_of_household": "no"})
    keys = [p["key"] for stop in case.snapshot["stops"] for p in stop["procedures"]]
    assert keys  # seal (everyone) and koki_loss at least
    url = reverse("okuyami:mark", args=[case.pk])
    client.post(url, {"procedure": keys[0], "status": "later"})
    case.refresh_from_db()
    assert case.status == Case.Status.FINALISED  # 後日 is still open
    for key in keys:
        client.post(url, {"procedure": key, "status": "done"})
    case.refresh_from_db()
    assert case.status == Case.Status.DONE
    mark = Mark.objects.get(case=case, procedure_key=keys[0])
    assert mark.marked_by == alice and abs(mark.marked_at - timezone.now()) < timedelta(minutes=1)
    html = client.get(reverse("okuyami:relay")).content.decode()
    assert "完了" in html and "alice" in html


def test_a_mark_for_a_procedure_not_in_the_snapshot_is_refused(client, alice, alice_case):
    client.force_login(alice)
    case = finalised_case(client, alice_case, {"insurance": "koki"})
    response = client.post(
        reverse("okuyami:mark", args=[case.pk]), {"procedure": "kokuho_loss", "status": "done"}
    )
    assert response.status_code == 302
    assert not Mark.objects.exists()


def test_the_relay_filters_by_counter(client, alice, alice_case):
    client.force_login(alice)
    finalised_case(client, alice_case, {"insurance": "koki", "vehicles": ["gentsuki"]})
    html = client.get(reverse("okuyami:relay"), {"counter": "zeimu"}).content.decode()
    assert "原付の廃車" in html and "後期高齢者医療の資格喪失届" not in html
    client.post(reverse("okuyami:mark", args=[alice_case.pk]), {"procedure": "gentsuki", "status": "done"})
    html = client.get(reverse("okuyami:relay"), {"counter": "zeimu"}).content.decode()
    assert "この窓口で待っている手続きはありません" in html


@pytest.fixture
def big_city(db):
    """A municipality with a 200-procedure catalog for query counts."""
    municipality = import_catalog(generated_catalog(procedures=200, seed=7))
    return municipality


def test_every_page_renders_in_at_most_15_queries(client, django_assert_max_num_queries, big_city, alice):
    alice.membership.municipality = big_city
    alice.membership.save()
    client.force_login(alice)
    case = make_case(big_city)
    case.answers = {f"q{i}": True for i in range(0, 40, 5)}
    case.save()
    pages = [
        reverse("okuyami:case-list"),
        reverse("okuyami:case-create"),
        reverse("okuyami:case-detail", args=[case.pk]),
        reverse("okuyami:case-edit", args=[case.pk]),
        reverse("okuyami:question", args=[case.pk, "q0"]),
        reverse("okuyami:answers", args=[case.pk]),
        reverse("okuyami:result", args=[case.pk]),
        reverse("okuyami:relay"),
    ]
    client.get(pages[-2])  # compile the catalog once, as a running server has
    for url in pages:
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200
    client.post(reverse("okuyami:finalise", args=[case.pk]), {"version": case.version})
    for url in (reverse("okuyami:result", args=[case.pk]), reverse("okuyami:relay")):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200


def test_adjusting_an_unknown_procedure_is_refused(client, alice, alice_case):
    client.force_login(alice)
    url = reverse("okuyami:adjust", args=[alice_case.pk])
    response = client.post(url, {"procedure": "no_such", "action": "add"}, follow=True)
    assert "一覧から選び直してください" in response.content.decode()
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("okuyami:finalise", {"version": "abc"}),
        ("okuyami:mark", {"procedure": "seal", "status": "bogus"}),
        ("okuyami:adjust", {"procedure": "seal", "action": "explode"}),
    ],
)
def test_bad_posts_answer_with_a_message_not_an_error(client, alice, alice_case, name, data):
    client.force_login(alice)
    response = client.post(reverse(name, args=[alice_case.pk]), data, follow=True)
    assert response.status_code == 200
    assert "oky-message--error" in response.content.decode()
    assert Case.objects.get().status == Case.Status.OPEN


def test_a_double_submitted_form_creates_one_case(client, alice, city_a):
    client.force_login(alice)
    form = client.get(reverse("okuyami:case-create")).content.decode()
    token = re.search(r'name="submission" value="([0-9a-f-]+)"', form).group(1)
    first = client.post(reverse("okuyami:case-create"), {**VALID, "submission": token})
    second = client.post(reverse("okuyami:case-create"), {**VALID, "submission": token})
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]
    client.post(reverse("okuyami:case-create"), VALID)  # no token (an old form): still accepted
    assert Case.objects.count() == 2


# --- Only the domain's own errors become messages -------------------------------------------------


def test_finalising_lets_an_unrelated_error_through_instead_of_calling_it_a_conflict(
    client, alice, alice_case, monkeypatch
):
    from okuyami import services

    def broken(case):
        raise ValueError("an unrelated bug")

    monkeypatch.setattr(services, "guide_for", broken)
    client.force_login(alice)
    with pytest.raises(ValueError, match="an unrelated bug"):
        client.post(reverse("okuyami:finalise", args=[alice_case.pk]), {"version": alice_case.version})
    assert Case.objects.get().status == Case.Status.OPEN


def test_finalising_with_a_broken_stored_catalog_is_not_reported_as_a_conflict(client, alice, alice_case):
    from procedures.catalog_io import CatalogInvalid

    Procedure.objects.filter(municipality=alice_case.municipality, key="seal").update(applies_if="nope ==")
    catalog_touch(municipality=alice_case.municipality)
    client.force_login(alice)
    with pytest.raises(CatalogInvalid):
        client.post(reverse("okuyami:finalise", args=[alice_case.pk]), {"version": alice_case.version})
    assert Case.objects.get().status == Case.Status.OPEN


def test_the_error_summary_is_focused_and_the_alert_is_inside_it_as_govuk_does(client, alice, city_a):
    client.force_login(alice)
    html = client.post(
        reverse("okuyami:case-create"), {**VALID, "deceased_kana": "Funabashi"}
    ).content.decode()
    summary = re.search(r'<div class="oky-error-summary"[^>]*>', html).group()
    assert "data-autofocus" in summary and 'tabindex="-1"' in summary and "role=" not in summary
    inside = html.split(summary)[1]
    assert inside.lstrip().startswith('<div role="alert">')


def test_support_and_error_text_are_linked_by_django_itself(client, alice, city_a):
    client.force_login(alice)
    html = client.post(
        reverse("okuyami:case-create"), {**VALID, "deceased_kana": "Funabashi"}
    ).content.decode()
    kana = control_tag(html, "id_deceased_kana")
    assert 'aria-describedby="id_deceased_kana_helptext id_deceased_kana_error"' in kana
    assert 'aria-invalid="true"' in kana
    assert 'id="id_deceased_kana_helptext"' in html
    name = control_tag(html, "id_deceased_name")
    assert "aria-invalid" not in name and "aria-describedby" not in name


def test_a_question_group_is_described_on_its_fieldset(client, alice, alice_case):
    client.force_login(alice)
    url = reverse("okuyami:question", args=[alice_case.pk, "vehicles"])
    html = client.post(url, {"answer": ["__unknown__", "kei"]}).content.decode()
    fieldset = re.search(r"<fieldset[^>]*>", html).group()
    assert 'aria-describedby="id_answer_helptext id_answer_error"' in fieldset
    assert 'href="#id_answer_0"' in html  # the summary leads to the first option
    assert "「わからない」とほかの選択肢は同時に選べません。" in html
