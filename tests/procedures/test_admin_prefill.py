"""The question form's 住民記録からの回答 in the admin: the fact chosen from a list, its values mapped
to the question's answers, every save checked as the whole catalog."""

import pytest
from django.urls import reverse

from procedures.admin_prefill import MESSAGES
from procedures.models import CatalogRevision, Municipality, Question
from procedures.selectors import catalog_for
from tests.procedures.test_admin import change_url, question_form, version

pytestmark = pytest.mark.django_db


def question(key: str) -> Question:
    return Question.objects.get(municipality__code="122041", key=key)


def save(client, q: Question, **changes):
    return client.post(change_url(q), question_form(q, **changes))


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def test_the_form_shows_the_fact_in_a_list_and_a_row_per_value(admin_client, imported):
    imported()
    html = admin_client.get(change_url(question("insurance"))).content.decode()
    assert '<option value="health.insurance" selected>' in html
    assert "印鑑登録（seal.registered）" in html  # every standard fact is offered, with its name
    assert '<option value="local">市区町村独自の事実（local.〜）</option>' in html
    # health.insurance: kokuho, koki and none, each with the answer it gives (none: asked).
    assert html.count('name="prefill_map_answer_') == 3
    assert '<option value="&quot;koki&quot;" selected>後期高齢者医療</option>' in html
    assert '<option value="" selected>（記録から答えず質問する）</option>' in html
    assert '<label for="id_prefill_map_answer_2">どちらでもない' in html


def test_saving_unchanged_keeps_the_prefill_as_it_was(admin_client, imported):
    imported()
    before = version()
    for key in ("head_of_household", "insurance", "pension"):
        response = save(admin_client, question(key))
        assert response.status_code == 302, form_errors(response)
    assert question("head_of_household").prefill == {"fact": "household.head"}
    assert question("insurance").prefill == {
        "fact": "health.insurance",
        "values": {"kokuho": "kokuho", "koki": "koki"},
    }
    assert question("pension").prefill is None
    assert version() == before + 3  # each save is a revision, with no change to the prefill
    assert all(
        r.document["questions"][2]["prefill"]["values"] == {"kokuho": "kokuho", "koki": "koki"}
        for r in CatalogRevision.objects.all()
    )


def test_choosing_a_fact_that_answers_as_it_is_stores_no_values(admin_client, imported):
    imported()
    response = save(admin_client, question("pension"), prefill_fact="seal.registered")
    assert response.status_code == 302, form_errors(response)
    assert question("pension").prefill == {"fact": "seal.registered"}
    spec = catalog_for(municipality=Municipality.objects.get(code="122041")).question_by_key["pension"]
    assert spec.prefill.fact == "seal.registered" and spec.prefill.values is None
    # Shown again, the table says what no `values` means: true is はい, false is いいえ.
    html = admin_client.get(change_url(question("pension"))).content.decode()
    assert '<option value="true" selected>はい</option>' in html
    assert '<option value="false" selected>いいえ</option>' in html


def test_mapping_a_value_to_an_answer_stores_values(admin_client, imported):
    imported()
    q = question("insurance")
    response = save(admin_client, q, prefill_map_answer_2='"shaho"')
    assert response.status_code == 302, form_errors(response)
    assert question("insurance").prefill_values == {"kokuho": "kokuho", "koki": "koki", "none": "shaho"}
    # Asking instead of answering a value leaves it out.
    response = save(admin_client, question("insurance"), prefill_map_answer_0="", prefill_map_answer_2="")
    assert response.status_code == 302, form_errors(response)
    assert question("insurance").prefill_values == {"koki": "koki"}


def test_a_new_fact_whose_values_must_be_mapped_shows_its_table_first(admin_client, imported):
    imported()
    q = question("vehicles")  # multi: no fact answers it as it is
    before = version()
    response = save(admin_client, q, prefill_fact="disability.certificate")
    assert response.status_code == 200
    assert form_errors(response)["prefill_map"] == [MESSAGES["new_fact"]]
    html = response.content.decode()
    assert '<input type="hidden" name="prefill_map_for" value="disability.certificate">' in html
    assert "はい（記録あり）" in html and "いいえ（記録なし）" in html
    assert '<option value="[]">どれにも当てはまらない</option>' in html
    assert '<option value="[&quot;kei&quot;]">軽自動車だけ</option>' in html
    assert version() == before and question("vehicles").prefill is None
    # The table filled in: false gives "none of them", true is asked.
    response = save(
        admin_client,
        q,
        prefill_fact="disability.certificate",
        prefill_map_for="disability.certificate",
        prefill_map_answer_0="",
        prefill_map_answer_1="[]",
    )
    assert response.status_code == 302, form_errors(response)
    assert question("vehicles").prefill == {"fact": "disability.certificate", "values": {"false": []}}


def test_a_table_where_every_value_is_asked_is_refused(admin_client, imported):
    imported()
    response = save(admin_client, question("insurance"), prefill_map_answer_0="", prefill_map_answer_1="")
    assert form_errors(response)["prefill_map"] == [MESSAGES["no_answer"]]
    assert question("insurance").prefill_values == {"kokuho": "kokuho", "koki": "koki"}


def test_a_local_fact_is_named_by_its_key_and_mapped_in_typed_rows(admin_client, imported):
    imported()
    q = question("pension")
    response = save(admin_client, q, prefill_fact="local", prefill_local="nenkin")
    assert response.status_code == 302, form_errors(response)
    assert question("pension").prefill == {"fact": "local.nenkin"}
    html = admin_client.get(change_url(question("pension"))).content.decode()
    assert '<option value="local" selected>' in html and 'value="nenkin"' in html
    assert html.count('name="prefill_map_value_') == 2  # two empty rows to type in
    response = save(
        admin_client,
        question("pension"),
        prefill_map_value_0="kosei",
        prefill_map_answer_0="true",
        prefill_map_value_1="none",
        prefill_map_answer_1="false",
    )
    assert response.status_code == 302, form_errors(response)
    assert question("pension").prefill == {"fact": "local.nenkin", "values": {"kosei": True, "none": False}}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"prefill_fact": "local", "prefill_local": "Nenkin"}, "prefill_local", MESSAGES["local_key"]),
        ({"prefill_fact": "", "prefill_local": "nenkin"}, "prefill_local", MESSAGES["local_without_fact"]),
        (
            {
                "prefill_fact": "local",
                "prefill_local": "nenkin",
                "prefill_map_for": "local.nenkin",
                "prefill_map_value_0": "a",
                "prefill_map_answer_0": "true",
                "prefill_map_value_1": "a",
                "prefill_map_answer_1": "false",
            },
            "prefill_map",
            MESSAGES["value_twice"].format(value="a"),
        ),
        (
            {
                "prefill_fact": "local",
                "prefill_local": "nenkin",
                "prefill_map_for": "local.nenkin",
                "prefill_map_value_0": "",
                "prefill_map_answer_0": "true",
            },
            "prefill_map",
            MESSAGES["answer_without_value"],
        ),
        ({"prefill_fact": "no.such"}, "prefill_fact", "no.such は候補にありません"),
    ],
)
def test_a_wrong_prefill_is_refused_next_to_its_field(admin_client, imported, changes, field, message):
    imported()
    before = version()
    response = save(admin_client, question("pension"), **changes)
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response)[field]), form_errors(response)
    assert question("pension").prefill is None and version() == before


def test_a_typed_count_must_be_an_integer(admin_client, imported):
    imported()
    q = question("household_left")  # a number question: answers are typed
    one = {
        "prefill_fact": "local",
        "prefill_local": "setai",
        "prefill_map_for": "local.setai",
        "prefill_map_value_0": "one",
    }
    response = save(admin_client, q, **one, prefill_map_answer_0="ひとり")
    assert form_errors(response)["prefill_map"] == [MESSAGES["not_integer"]]
    response = save(admin_client, q, **one, prefill_map_answer_0="１")
    assert response.status_code == 302, form_errors(response)
    assert question("household_left").prefill == {"fact": "local.setai", "values": {"one": 1}}


def test_the_catalogs_own_check_puts_its_message_next_to_the_table(admin_client, imported):
    imported()
    # An answer the drop-down never offers (a tampered form): the import's message, on the table.
    response = save(admin_client, question("insurance"), prefill_map_answer_1='"kouki"')
    assert response.status_code == 200
    assert form_errors(response)["prefill_map"] == ["＊「koki」の回答「kouki」は、この質問の回答になりません"]
    assert question("insurance").prefill_values == {"kokuho": "kokuho", "koki": "koki"}


def test_a_prefill_change_is_in_the_history_and_can_be_undone(client, bob, city_a):
    client.force_login(bob)
    response = save(client, question("insurance"), prefill_map_answer_2='"shaho"')
    assert response.status_code == 302, form_errors(response)
    revision = CatalogRevision.objects.filter(municipality=city_a).order_by("-pk").first()
    page = client.get(reverse("admin:procedures_municipality_revision", args=[city_a.pk, revision.pk]))
    (item,) = page.context["changes"].items
    ((name, before, after),) = [(f.name, f.before_text, f.after_text) for f in item.fields]
    assert (item.key, name) == ("insurance", "prefill")
    assert before == 'health.insurance (kokuho → "kokuho", koki → "koki")'
    assert after == 'health.insurance (kokuho → "kokuho", koki → "koki", none → "shaho")'
    undo = reverse("admin:procedures_municipality_revert", args=[city_a.pk, revision.pk, "undo"])
    assert client.post(undo, {"version": version()}).status_code == 302
    assert question("insurance").prefill_values == {"kokuho": "kokuho", "koki": "koki"}


def test_an_editor_sees_and_changes_only_their_own_questions_prefill(client, bob, city_a, city_b):
    client.force_login(bob)
    other = Question.objects.get(municipality=city_b, key="pension")
    assert client.get(change_url(other)).status_code == 404
    response = client.post(change_url(other), question_form(other, prefill_fact="seal.registered"))
    assert response.status_code == 404
    assert Question.objects.get(pk=other.pk).prefill is None


def test_renaming_a_local_fact_keeps_every_typed_row(admin_client, imported):
    imported()
    save(admin_client, question("pension"), prefill_fact="local", prefill_local="nenkin")
    rows = {f"prefill_map_value_{i}": v for i, v in enumerate(["a", "b", "c"])}
    answers = {f"prefill_map_answer_{i}": a for i, a in enumerate(["true", "false", "true"])}
    response = save(admin_client, question("pension"), **rows, **answers)
    assert response.status_code == 302, form_errors(response)
    assert question("pension").prefill_values == {"a": True, "b": False, "c": True}
    html = admin_client.get(change_url(question("pension"))).content.decode()
    assert html.count('name="prefill_map_value_') == 5  # three given, two to fill
    # A new key for the same rows: all three stay.
    response = save(
        admin_client, question("pension"), prefill_local="kyufu", **rows, **answers, prefill_map_value_3=""
    )
    assert response.status_code == 302, form_errors(response)
    assert question("pension").prefill == {
        "fact": "local.kyufu",
        "values": {"a": True, "b": False, "c": True},
    }
