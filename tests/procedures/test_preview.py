"""The preview: an editor tries the current catalog on sample answers; no case is created."""

import pytest
from django.urls import reverse
from django.utils import timezone

from okuyami.models import Case
from procedures.models import Procedure
from procedures.services import catalog_touch
from procedures.wareki import wareki

pytestmark = pytest.mark.django_db


def preview(client, municipality, **answers):
    # As the browser sends the form: the multi question's わからない box is ticked unless unticked.
    query = {"run": "1", "death_date": "2026-11-20", "q_vehicles": "__unknown__", **answers}
    return client.get(reverse("admin:procedures_municipality_preview", args=[municipality.pk]), query)


def test_the_form_asks_every_question_with_wakaranai_chosen(client, bob, city_a):
    client.force_login(bob)
    response = client.get(reverse("admin:procedures_municipality_preview", args=[city_a.pk]))
    form = response.context["form"]
    keys = ["head_of_household", "household_left", "insurance", "pension", "vehicles", "care", "moved_in"]
    assert [name for name in form.fields if name.startswith("q_")] == [f"q_{key}" for key in keys]
    assert form["q_insurance"].initial == "__unknown__"
    assert response.context["result"] is None


def test_all_unknown_gives_the_everyone_procedures_and_a_list_to_confirm(client, bob, city_a):
    client.force_login(bob)
    response = preview(client, city_a)
    result = response.context["result"]
    assert [item["key"] for item in result["applies"]] == ["seal"]
    assert "pension_death" in {item["key"] for item in result["maybe"]}
    html = response.content.decode()
    assert "要確認" in html and "確認すること 「年金を受け取っていましたか？」" in html
    assert Case.objects.count() == 0


def test_answers_change_the_route(client, bob, city_a):
    client.force_login(bob)
    response = preview(
        client,
        city_a,
        birth_date="1945-03-10",
        q_insurance="koki",
        q_head_of_household="yes",
        q_household_left="1",
    )
    result = response.context["result"]
    assert [item["key"] for item in result["applies"]] == ["seal", "kaigo_loss", "koki_loss"]
    route = response.context["route"]
    assert [stop["counter"].key for stop in route] == ["shimin", "kokuho"]
    assert "care" in {q.key for q in response.context["skipped"]}  # 81 years old: not asked


def test_the_preview_follows_a_catalog_edit(client, bob, city_a):
    client.force_login(bob)
    assert "pension_death" not in {i["key"] for i in preview(client, city_a).context["result"]["applies"]}
    Procedure.objects.filter(municipality=city_a, key="pension_death").update(applies_if="true")
    catalog_touch(municipality=city_a)
    assert "pension_death" in {i["key"] for i in preview(client, city_a).context["result"]["applies"]}


@pytest.mark.parametrize(
    "bad",
    [
        {"death_date": "2026-13-01"},
        {"birth_date": "2030-01-01"},
        {"q_household_left": "-1"},
        {"q_household_left": "many"},
        {"q_insurance": "private"},
        {"q_vehicles": ["__unknown__", "kei"]},
    ],
)
def test_bad_sample_answers_are_shown_as_errors_not_a_500(client, bob, city_a, bad):
    client.force_login(bob)
    response = preview(client, city_a, **bad)
    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].errors
    assert "＊入力内容を確かめてください。" in response.content.decode()


def test_a_deadline_from_an_unanswered_date_shows_its_rule_and_one_in_months_its_date(client, bob, city_a):
    Procedure.objects.filter(municipality=city_a, key="seal").update(
        deadline_amount=2, deadline_unit="years", deadline_from="moved_in"
    )
    Procedure.objects.filter(municipality=city_a, key="koki_loss").update(
        deadline_amount=3, deadline_unit="months"
    )
    catalog_touch(municipality=city_a)
    client.force_login(bob)
    html = preview(client, city_a, q_insurance="koki").content.decode()
    assert "印鑑登録証の返却（期限 転入した日の翌日から2年）" in html
    # 2026-11-20 + 3か月 = 2027-02-20 (土): the Monday after, in 和暦 as the counter shows it.
    assert "後期高齢者医療の資格喪失届（期限 令和9年2月22日（月））" in html
    html = preview(client, city_a, q_insurance="koki", q_moved_in="2026-01-05").content.decode()
    assert "印鑑登録証の返却（期限 令和10年1月5日（水））" in html


# --- Issue #15, item 11: dates in 和暦, one way of not answering ------------------------------------------


def test_dates_are_typed_in_wareki_or_seireki_and_shown_back_in_wareki(client, bob, city_a):
    client.force_login(bob)
    iso = preview(client, city_a, birth_date="1945-03-10", q_insurance="koki")
    typed = preview(client, city_a, death_date="R8.11.20", birth_date="昭和20年3月10日", q_insurance="koki")
    assert typed.context["result"] == iso.context["result"]
    assert typed.context["form"].cleaned_data["birth_date"].isoformat() == "1945-03-10"
    html = typed.content.decode()
    assert 'value="令和8年11月20日"' in html and 'value="昭和20年3月10日"' in html
    assert 'type="date"' not in html and "和暦でも西暦でも入力できます" in html
    first = client.get(reverse("admin:procedures_municipality_preview", args=[city_a.pk])).content.decode()
    assert f'value="{wareki(timezone.localdate())}"' in first  # today, the first death date offered


@pytest.mark.parametrize(
    "typed, message",
    [
        ("S19.2.30", "＊亡くなった日：その日はカレンダーにありません。"),
        ("平成32年1月1日", "＊亡くなった日：平成は"),
        ("きのう", "＊亡くなった日を「昭和19年10月15日」「S19.10.15」「1944-10-15」のように"),
    ],
)
def test_a_date_that_is_not_a_day_is_named_in_the_summary(client, bob, city_a, typed, message):
    client.force_login(bob)
    response = preview(client, city_a, death_date=typed)
    assert response.status_code == 200 and response.context["result"] is None
    html = response.content.decode()
    assert message in html and f'value="{typed}"' in html


def test_each_question_offers_one_way_of_not_answering(client, bob, city_a):
    """わからない where the question allows it (the counter's only non-answer), else 回答なし;
    never both, so an editor does not have to know how the two differ."""
    client.force_login(bob)
    form = client.get(reverse("admin:procedures_municipality_preview", args=[city_a.pk])).context["form"]
    offered = {
        name: [label for value, label in field.choices if value in ("__unknown__", "__none__")]
        for name, field in form.fields.items()
        if name.startswith("q_") and hasattr(field, "choices")
    }
    assert offered == {
        "q_head_of_household": ["回答なし"],  # allow_unknown: false
        "q_insurance": ["わからない"],
        "q_pension": ["わからない"],
        "q_vehicles": ["わからない"],
        "q_care": ["わからない"],
    }
    assert form["q_head_of_household"].initial == "__none__" and form["q_pension"].initial == "__unknown__"
    # A value the form does not offer is refused, not taken as the other non-answer.
    response = preview(client, city_a, q_pension="__none__")
    assert response.context["result"] is None and "q_pension" in response.context["form"].errors
