"""Beside a condition field of the admin: the questions a condition may read, with their keys and
choice values, in the page itself (no script needed); the builder's data comes with it."""

import json

import pytest
from django.urls import reverse

from procedures.models import Procedure, Question
from tests.conftest import build_catalog_document, import_catalog

pytestmark = pytest.mark.django_db


def test_a_procedure_form_lists_every_question_with_its_key_and_values(client, bob, city_a):
    client.force_login(bob)
    procedure = Procedure.objects.get(municipality=city_a, key="kokuho_loss")
    response = client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    html = response.content.decode()
    assert 'data-condition-for="id_applies_if"' in html
    assert "<code>age</code>" in html
    for question in Question.objects.filter(municipality=city_a):
        assert f"<code>{question.key}</code>" in html and question.text in html
    assert '<code>"kokuho"</code>（国民健康保険）' in html
    assert "<code>true</code>（はい）" in html
    builder = json.loads(
        html.split('id="id_applies_if-questions" type="application/json">')[1].split("</script>")[0]
    )
    assert [q["key"] for q in builder][:2] == ["age", "head_of_household"]
    insurance = next(q for q in builder if q["key"] == "insurance")
    assert (
        insurance["type"] == "choice" and {"value": "kokuho", "label": "国民健康保険"} in insurance["choices"]
    )
    # The builder stays hidden until its script shows it: no dead controls without JavaScript.
    assert '<fieldset class="oky-builder" hidden>' in html
    assert "procedures/condition_builder.js" in html


def test_a_questions_ask_if_lists_only_the_questions_asked_before_it(client, bob, city_a):
    client.force_login(bob)
    care = Question.objects.get(municipality=city_a, key="care")
    response = client.get(reverse("admin:procedures_question_change", args=[care.pk]))
    html = response.content.decode()
    section = html[html.index('data-condition-for="id_ask_if"') :]
    assert "この質問より前の質問と年齢" in section
    assert "<code>vehicles</code>" in section
    assert "<code>care</code>" not in section and "<code>moved_in</code>" not in section


def test_the_first_question_can_read_only_age(client, bob, city_a):
    client.force_login(bob)
    first = Question.objects.filter(municipality=city_a).order_by("position").first()
    html = client.get(reverse("admin:procedures_question_change", args=[first.pk])).content.decode()
    assert "この質問より前の質問はまだありません。年齢（<code>age</code>）だけ使えます。" in html


def test_the_list_is_the_editors_own_municipalitys(client, bob, city_a):
    import_catalog(
        build_catalog_document(
            {"questions[0].text": "千代田区だけの質問ですか？"},
            municipality={"code": "131016", "name": "千代田区", "prefecture": "東京都"},
        )
    )
    client.force_login(bob)
    html = client.get(reverse("admin:procedures_procedure_add")).content.decode()
    assert "亡くなった方は世帯主でしたか？" in html
    assert "千代田区だけの質問ですか？" not in html


def test_the_operators_add_form_says_when_the_list_comes(client, operator, city_a):
    client.force_login(operator)
    html = client.get(reverse("admin:procedures_procedure_add")).content.decode()
    assert "市区町村を選んで保存すると、その市区町村の質問の一覧が出ます。" in html
    assert 'class="oky-builder"' not in html
