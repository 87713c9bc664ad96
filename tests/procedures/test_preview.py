"""The preview: an editor tries the current catalog on sample answers; no case is created."""

import pytest
from django.urls import reverse

from okuyami.models import Case
from procedures.models import Procedure
from procedures.services import catalog_touch

pytestmark = pytest.mark.django_db


def preview(client, municipality, **answers):
    """The preview as the browser sends its form: every field as the page set it, then `answers`
    (None leaves a field out: a box unticked, nothing chosen)."""
    url = reverse("admin:procedures_municipality_preview", args=[municipality.pk])
    form = client.get(url).context["form"]
    query = {"run": "1"}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            query[name] = "on"
        elif value not in (None, False, ""):
            query[name] = value
    query |= {"death_date": "2026-11-20", **answers}
    return client.get(url, {name: value for name, value in query.items() if value is not None})


def test_the_form_asks_every_question_with_wakaranai_chosen_where_allowed(client, bob, city_a):
    client.force_login(bob)
    response = client.get(reverse("admin:procedures_municipality_preview", args=[city_a.pk]))
    form = response.context["form"]
    keys = ["head_of_household", "household_left", "insurance", "pension", "vehicles", "care", "moved_in"]
    assert [name for name in form.fields if name.startswith("q_")] == [f"q_{key}" for key in keys]
    assert form["q_insurance"].initial == "__unknown__"
    assert form["u_household_left"].initial is True  # a number's わからない is a box beside it
    assert form["q_head_of_household"].initial is None  # わからない not allowed: 回答なし
    assert response.context["result"] is None


def test_one_no_answer_state_for_every_kind_of_question(client, bob, city_a):
    """Nothing entered or chosen is 「回答なし」 (as if not asked), whatever the question's type;
    わからない is chosen, never implied by a blank."""
    client.force_login(bob)
    form = client.get(reverse("admin:procedures_municipality_preview", args=[city_a.pk])).context["form"]
    for name in ("q_head_of_household", "q_insurance", "q_pension"):
        assert form.fields[name].choices[0] == ("", "回答なし")
    assert ("__none__", "該当なし") in form.fields["q_vehicles"].choices
    html = client.get(reverse("admin:procedures_municipality_preview", args=[city_a.pk])).content.decode()
    assert "空欄なら「わからない」" not in html and "何も選ばなければ「該当なし」" not in html

    blank = {f"q_{key}": "" for key in ("insurance", "pension", "care", "household_left", "moved_in")}
    response = preview(
        client,
        city_a,
        birth_date="1950-01-01",
        q_vehicles=None,
        u_household_left=None,
        u_moved_in=None,
        **blank,
    )
    document = response.context["form"].case_document()
    assert document["answers"] == {} and document["unknown"] == []
    # Unanswered is never 要確認: with the age known, nothing is left to confirm.
    assert response.context["result"]["maybe"] == []

    response = preview(client, city_a, q_vehicles="__none__", q_household_left="", u_household_left="on")
    document = response.context["form"].case_document()
    assert document["answers"]["vehicles"] == [] and "household_left" in document["unknown"]


def test_a_value_with_wakaranai_ticked_is_an_error(client, bob, city_a):
    client.force_login(bob)
    response = preview(client, city_a, q_household_left="2", u_household_left="on")
    assert response.context["result"] is None
    assert "「わからない」を外してください" in response.content.decode()


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
        u_household_left=None,
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
        {"q_vehicles": ["__none__", "kei"]},
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
    assert "後期高齢者医療の資格喪失届（期限 2027-02-22）" in html  # 2026-11-20 + 3か月 = 2027-02-20 (土)
    html = preview(
        client, city_a, q_insurance="koki", q_moved_in="2026-01-05", u_moved_in=None
    ).content.decode()
    assert "印鑑登録証の返却（期限 2028-01-05）" in html
