"""Who may see and edit which catalog in the admin, URL by URL.

bob edits city A, dave edits city B, alice is 窓口 in city A, the operator sees all.
Another municipality's object answers 404, never 403, so ids cannot be probed.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from procedures.models import Choice, Counter, Municipality, Place, Procedure, Question

pytestmark = pytest.mark.django_db

MODELS = {"place": Place, "counter": Counter, "question": Question, "procedure": Procedure}
OBJECT_URLS = ("change", "delete", "history")


def url(name: str, *args, query: str = "") -> str:
    return reverse(f"admin:procedures_{name}", args=args) + query


def object_in(model, municipality):
    return model.objects.filter(municipality=municipality).order_by("pk").first()


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def cast(city_a, city_b, bob, dave, alice, operator):
    return {"bob": bob, "dave": dave, "alice": alice, "operator": operator, "anonymous": None}


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --- Object pages: change, delete, history ------------------------------------------------------


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("view", OBJECT_URLS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("bob", 200), ("operator", 200), ("dave", 404), ("alice", "login"), ("anonymous", "login")],
)
def test_object_pages_of_city_a(client, cast, city_a, model_name, view, who, expected):
    obj = object_in(MODELS[model_name], city_a)
    response = login(client, cast[who]).get(url(f"{model_name}_{view}", obj.pk))
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected
        if expected == 200:
            assert str(obj) in response.content.decode()


@pytest.mark.parametrize("model_name", MODELS)
def test_an_unknown_id_is_a_404_too(client, cast, model_name):
    login(client, cast["bob"])
    assert client.get(url(f"{model_name}_change", 999999)).status_code == 404
    assert client.get(url(f"{model_name}_change", "not-a-number")).status_code == 404


# --- Lists and add forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("who", ["bob", "dave"])
def test_an_editor_lists_only_their_own_municipality(client, cast, model_name, who):
    editor = cast[who]
    response = login(client, editor).get(url(f"{model_name}_changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    own = MODELS[model_name].objects.filter(municipality=editor.membership.municipality)
    assert {obj.pk for obj in shown} == set(own.values_list("pk", flat=True))
    assert shown


@pytest.mark.parametrize("model_name", MODELS)
def test_the_operator_lists_every_municipality(client, cast, model_name):
    response = login(client, cast["operator"]).get(url(f"{model_name}_changelist"))
    assert response.status_code == 200
    municipalities = {obj.municipality_id for obj in response.context["cl"].result_list}
    assert municipalities == set(Municipality.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("view", ["changelist", "add"])
@pytest.mark.parametrize("who", ["alice", "anonymous"])
def test_counter_staff_and_strangers_get_the_login_page(client, cast, model_name, view, who):
    assert is_login_redirect(login(client, cast[who]).get(url(f"{model_name}_{view}")))


def test_counter_staff_with_a_staff_flag_still_cannot_edit(client, cast):
    alice = cast["alice"]
    alice.is_staff = True
    alice.save()
    login(client, alice)
    assert client.get(url("procedure_changelist")).status_code == 403
    assert client.get(url("procedure_add")).status_code == 403
    assert "procedures" not in client.get(reverse("admin:index")).content.decode()


def test_the_add_form_hides_the_municipality_from_an_editor(client, cast, city_a):
    html = login(client, cast["bob"]).get(url("procedure_add")).content.decode()
    assert 'type="hidden" name="municipality"' in html
    assert f'value="{city_a.pk}"' in html
    operator_html = login(client, cast["operator"]).get(url("procedure_add")).content.decode()
    assert 'type="hidden" name="municipality"' not in operator_html


def test_the_filter_choices_name_only_the_editors_counters(client, cast, city_b):
    response = login(client, cast["bob"]).get(url("procedure_changelist"))
    html = response.content.decode()
    for counter in Counter.objects.filter(municipality=city_b):
        assert f"counter__id__exact={counter.pk}" not in html
    assert "municipality__id__exact" not in html


# --- Writes -----------------------------------------------------------------------------------------


def procedure_post(counter, municipality, **changes) -> dict:
    data = {
        "municipality": municipality.pk,
        "counter": counter.pk,
        "key": "pension_stop",
        "name": "年金の停止",
        "applies_if": "pension == true",
        "deadline_amount": "",
        "deadline_unit": "days",
        "deadline_from": "",
        "order": 0,
        "documents-TOTAL_FORMS": 0,
        "documents-INITIAL_FORMS": 0,
        "documents-MIN_NUM_FORMS": 0,
        "documents-MAX_NUM_FORMS": 1000,
    }
    return data | changes


def test_an_editor_adds_into_their_own_municipality_whatever_is_posted(client, cast, city_a, city_b):
    counter = Counter.objects.get(municipality=city_a, key="pension_office")
    response = login(client, cast["bob"]).post(url("procedure_add"), procedure_post(counter, city_b))
    assert response.status_code == 302
    assert Procedure.objects.get(key="pension_stop").municipality == city_a
    assert not Procedure.objects.filter(municipality=city_b, key="pension_stop").exists()


def test_an_editor_cannot_pick_another_municipalitys_counter(client, cast, city_a, city_b):
    foreign = Counter.objects.get(municipality=city_b, key="pension_office")
    response = login(client, cast["bob"]).post(url("procedure_add"), procedure_post(foreign, city_a))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["counter"]
    assert not Procedure.objects.filter(key="pension_stop").exists()


def test_an_editor_cannot_change_or_delete_another_municipalitys_procedure(client, cast, city_a):
    procedure = Procedure.objects.get(municipality=city_a, key="seal")
    login(client, cast["dave"])
    data = procedure_post(procedure.counter, city_a, key="seal", name="書き換え")
    assert client.post(url("procedure_change", procedure.pk), data).status_code == 404
    assert client.post(url("procedure_delete", procedure.pk), {"post": "yes"}).status_code == 404
    procedure.refresh_from_db()
    assert procedure.name != "書き換え"


def test_a_bulk_delete_of_foreign_ids_deletes_nothing(client, cast, city_a):
    ids = list(Procedure.objects.filter(municipality=city_a).values_list("pk", flat=True))
    login(client, cast["dave"]).post(
        url("procedure_changelist"), {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert Procedure.objects.filter(municipality=city_a).count() == len(ids)


def test_a_counter_key_can_be_renamed_since_procedures_follow_it(client, cast, city_a):
    counter = Counter.objects.get(municipality=city_a, key="kokuho")
    data = {
        "municipality": city_a.pk,
        "key": "hoken",
        "name": "保険年金課",
        "place": counter.place_id,
        "order": counter.order,
        "location": counter.location,
        "phone": counter.phone,
        "hours": counter.hours,
    }
    response = login(client, cast["bob"]).post(url("counter_change", counter.pk), data)
    assert response.status_code == 302
    counter.refresh_from_db()
    assert (counter.key, counter.name) == ("hoken", "保険年金課")


def test_a_duplicate_place_key_is_refused_on_its_field(client, cast, city_a):
    place = Place.objects.filter(municipality=city_a).order_by("order").last()
    other = Place.objects.filter(municipality=city_a).order_by("order").first()
    data = {"municipality": city_a.pk, "key": other.key, "name": place.name, "order": place.order}
    response = login(client, cast["bob"]).post(url("place_change", place.pk), data)
    assert response.status_code == 200
    assert f"「{other.key}」は場所「{other.name}」（{other.key}）にもあります" in " ".join(
        response.context["adminform"].form.errors["key"]
    )


# --- Autocomplete --------------------------------------------------------------------------------------


def autocomplete(client, term: str = ""):
    query = f"?app_label=procedures&model_name=procedure&field_name=counter&term={term}"
    return client.get(reverse("admin:autocomplete") + query)


@pytest.mark.parametrize("who", ["bob", "dave", "operator"])
def test_autocomplete_offers_only_the_users_counters(client, cast, who):
    response = autocomplete(login(client, cast[who]))
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    user = cast[who]
    expected = Counter.objects.all()
    if not user.is_superuser:
        expected = expected.filter(municipality=user.membership.municipality)
    assert ids == set(expected.values_list("pk", flat=True))


@pytest.mark.parametrize("who", ["alice", "anonymous"])
def test_autocomplete_is_closed_to_counter_staff_and_strangers(client, cast, who):
    assert is_login_redirect(autocomplete(login(client, cast[who])))


def test_the_choices_inline_shows_only_the_questions_choices(client, cast, city_a):
    question = Question.objects.get(municipality=city_a, key="insurance")
    response = login(client, cast["bob"]).get(url("question_change", question.pk))
    (formset,) = [
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "choices"
    ]
    assert {form.instance.pk for form in formset.forms} == set(
        Choice.objects.filter(question=question).values_list("pk", flat=True)
    )


# --- The municipality and its catalog pages ----------------------------------------------------------

CATALOG_PAGES = [
    ("municipality_change", ()),
    ("municipality_preview", ()),
    ("municipality_import", ()),
    ("municipality_export", ("xlsx",)),
    ("municipality_export", ("json",)),
    ("municipality_revisions", ()),
]


@pytest.mark.parametrize(("name", "extra"), CATALOG_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("bob", 200), ("operator", 200), ("dave", 404), ("alice", "login"), ("anonymous", "login")],
)
def test_catalog_pages_of_city_a(client, cast, city_a, name, extra, who, expected):
    response = login(client, cast[who]).get(url(name, city_a.pk, *extra))
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected


def test_a_revision_of_another_municipality_is_a_404(client, cast, city_a, city_b):
    revision = city_a.revisions.first()
    login(client, cast["dave"])
    assert client.get(url("municipality_revision", city_a.pk, revision.pk)).status_code == 404
    # Nor through dave's own municipality's URL.
    assert client.get(url("municipality_revision", city_b.pk, revision.pk)).status_code == 404
    assert client.post(url("municipality_revert", city_b.pk, revision.pk, "restore")).status_code == 404


@pytest.mark.parametrize(("view", "method"), [("delete", "get"), ("delete", "post"), ("change", "post")])
def test_another_municipalitys_delete_and_change_urls_are_not_found_not_forbidden(
    client, cast, city_a, view, method
):
    login(client, cast["dave"])
    response = getattr(client, method)(url(f"municipality_{view}", city_a.pk), {"post": "yes"})
    assert response.status_code == 404
    # Their own municipality's: forbidden, since only the operator deletes or changes one.
    own = Municipality.objects.get(code="131016")
    assert getattr(client, method)(url(f"municipality_{view}", own.pk), {"post": "yes"}).status_code == 403
    assert Municipality.objects.count() == 2


def test_an_editor_views_but_does_not_change_their_municipality(client, cast, city_a):
    login(client, cast["bob"])
    response = client.get(url("municipality_change", city_a.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    response = client.post(
        url("municipality_change", city_a.pk), {"code": "122041", "name": "別名", "prefecture": "千葉県"}
    )
    assert response.status_code == 403
    assert client.get(url("municipality_add")).status_code == 403
    assert client.get(url("municipality_from_template")).status_code == 403
    assert Municipality.objects.get(pk=city_a.pk).name == "船橋市"


def test_staff_memberships_are_the_operators_alone(client, cast):
    login(client, cast["bob"])
    assert client.get(reverse("admin:core_staffmembership_changelist")).status_code == 403
    assert (
        login(client, cast["operator"]).get(reverse("admin:core_staffmembership_changelist")).status_code
        == 200
    )


def test_an_ask_if_error_is_shown_next_to_its_field(client, cast, city_a, catalog_document):
    from tests.procedures.test_admin import import_errors, message_of, question_form

    question = Question.objects.get(municipality=city_a, key="household_left")
    (error,) = import_errors(catalog_document({"questions[1].ask_if": "insurance == 'koki'"}))
    data = question_form(question, ask_if="insurance == 'koki'")
    response = login(client, cast["bob"]).post(url("question_change", question.pk), data)
    assert response.context["adminform"].form.errors["ask_if"] == [message_of(error)]
    question.refresh_from_db()
    assert question.ask_if == "head_of_household == true"


def test_a_question_moved_before_the_one_its_ask_if_reads_is_refused(client, cast, city_a):
    from tests.procedures.test_admin import question_form

    question = Question.objects.get(municipality=city_a, key="household_left")
    data = question_form(question, position=-5)  # now asked before head_of_household
    response = login(client, cast["bob"]).post(url("question_change", question.pk), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["ask_if"]
    assert "「head_of_household」はこの質問より後に聞く質問です" in " ".join(errors)
    question.refresh_from_db()
    assert question.position != -5


def test_the_operator_makes_an_editor_by_membership_and_the_editor_becomes_staff(client, cast, city_b):
    from django.contrib.auth import get_user_model

    newcomer = get_user_model().objects.create_user("erin", password="pass-erin")
    login(client, cast["operator"])
    data = {"user": newcomer.pk, "municipality": city_b.pk, "role": "editor"}
    assert client.post(reverse("admin:core_staffmembership_add"), data).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    client.force_login(newcomer)
    assert client.get(url("procedure_changelist")).status_code == 200


@pytest.mark.parametrize(
    ("model", "parent", "message"),
    [
        (Counter, "place", "同じ市区町村の場所を選んでください。"),
        (Procedure, "counter", "同じ市区町村の窓口を選んでください。"),
    ],
)
def test_an_item_refuses_a_place_or_counter_of_another_municipality(city_a, city_b, model, parent, message):
    item = object_in(model, city_a)
    parent_model = model._meta.get_field(parent).related_model
    setattr(item, parent, object_in(parent_model, city_b))
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert refused.value.message_dict == {parent: [message]}
    setattr(item, parent, object_in(parent_model, city_a))
    item.full_clean()  # its own municipality's is accepted
