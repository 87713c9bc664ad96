"""The catalog admin validates every save like import_catalog, on the whole catalog."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from procedures.admin_prefill import Table, answer_key, known_values
from procedures.catalog_errors import CatalogError
from procedures.catalog_io import CatalogInvalid, read_catalog
from procedures.deadlines import Deadline, Unit
from procedures.models import Choice, Counter, Municipality, Procedure, Question
from procedures.selectors import catalog_for

pytestmark = pytest.mark.django_db

MANAGEMENT = {"INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}


def import_errors(document) -> list[CatalogError]:
    """What import_catalog reports for a document: str() is "<where>: <message>" in English."""
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog(document)
    return caught.value.problems


def message_of(error: CatalogError) -> str:
    """The message an editor reads beside the field: Japanese, marked ＊."""
    return f"＊{error.text_ja}"


def procedure_form(procedure: Procedure | None, **changes) -> dict:
    """The POST data of the procedure change form (add form when None), as rendered."""
    documents = [] if procedure is None else procedure.documents.all()
    data = inline_form("documents", "procedure", documents, ("text", "position"))
    if procedure is not None:
        data |= {
            "municipality": procedure.municipality_id,
            "counter": procedure.counter_id,
            "key": procedure.key,
            "name": procedure.name,
            "applies_if": procedure.applies_if,
            "deadline_amount": "" if procedure.deadline_amount is None else procedure.deadline_amount,
            "deadline_unit": procedure.deadline_unit,
            "deadline_from": procedure.deadline_from,
            "deadline_note": procedure.deadline_note,
            "description": procedure.description,
            "url": procedure.url,
            "order": procedure.order,
        }
    else:
        data |= {"deadline_unit": "days", "deadline_from": ""}
    if "deadline_days" in changes:  # days from the death, as deadline_days says it
        data |= {
            "deadline_amount": changes.pop("deadline_days"),
            "deadline_unit": "days",
            "deadline_from": "",
        }
    return data | changes


def question_form(question: Question, *, delete: tuple[str, ...] = (), **changes) -> dict:
    """The POST data of the question change form with its choices; `delete` ticks 削除."""
    data = {
        "municipality": question.municipality_id,
        "key": question.key,
        "position": question.position,
        "text": question.text,
        "help": question.help,
        "type": question.type,
        "ask_if": question.ask_if,
        **({"allow_unknown": "on"} if question.allow_unknown else {}),
    }
    return data | choices_form(question, delete=delete) | prefill_form(question) | changes


def choices_form(question: Question, *, delete: tuple[str, ...] = ()) -> dict:
    """The POST data of the question form's choices, as rendered; `delete` ticks 削除."""
    choices = list(question.choices.order_by("position"))
    data = inline_form("choices", "question", choices, ("value", "label", "position"))
    for index, choice in enumerate(choices):
        if choice.value in delete:
            data[f"choices-{index}-DELETE"] = "on"
    return data


def inline_form(prefix: str, parent: str, rows, fields: tuple[str, ...]) -> dict:
    """The POST data of an inline formset as rendered for the stored `rows`: the management form,
    then each row's id, its `parent`'s id and `fields`."""
    rows = list(rows)
    data = {f"{prefix}-{name}": value for name, value in MANAGEMENT.items()}
    data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = len(rows)
    for index, row in enumerate(rows):
        data[f"{prefix}-{index}-id"] = row.pk
        data[f"{prefix}-{index}-{parent}"] = getattr(row, f"{parent}_id")
        data |= {f"{prefix}-{index}-{field}": getattr(row, field) for field in fields}
    return data


def prefill_form(question: Question) -> dict:
    """The POST data of the question form's 住民記録からの回答, as rendered for the stored prefill."""
    fact = question.prefill_fact
    local = fact.startswith("local.")
    data = {
        "prefill_fact": "local" if local else fact,
        "prefill_local": fact.removeprefix("local.") if local else "",
        "prefill_map_for": fact,
    }
    if not fact:
        return data
    choices = tuple(question.choices.values_list("value", flat=True))
    listed = known_values(fact)
    identity = Table(fact, listed, None, 0).identity(question.type, choices)
    mapping = question.prefill_values if question.prefill_values is not None else identity
    if listed is None:
        rows = list(mapping.items()) + [("", "")] * 2
        for index, (text, answer) in enumerate(rows):
            data[f"prefill_map_value_{index}"] = text
            data[f"prefill_map_answer_{index}"] = answer_key(answer) if text else ""
    else:
        for index, (text, _) in enumerate(listed):
            data[f"prefill_map_answer_{index}"] = answer_key(mapping[text]) if text in mapping else ""
    return data


def change_url(obj) -> str:
    return reverse(f"admin:procedures_{obj._meta.model_name}_change", args=[obj.pk])


def version() -> int:
    return Municipality.objects.get(code="122041").catalog_version


def refused(admin_client, url: str, data: dict):
    """POST a form the admin must refuse: the form comes back (200), the catalog version stays."""
    before = version()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert version() == before
    return response


def choice_errors(response) -> list[str]:
    (formset,) = [
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "choices"
    ]
    return list(formset.non_form_errors())


def test_the_forms_post_what_the_admin_renders(admin_client, imported):
    imported()
    procedure = Procedure.objects.get(key="kokuho_loss")
    html = admin_client.get(change_url(procedure)).content.decode()
    for name in procedure_form(procedure):
        assert f'name="{name}"' in html
    question = Question.objects.get(key="insurance")
    html = admin_client.get(change_url(question)).content.decode()
    for name in question_form(question, delete=("koki",)):
        assert f'name="{name}"' in html


# --- Procedures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "applies_if",
    [
        "insurance == 'kokuhoo' or age >= 75",
        "insurance == 'koki' or agee >= 75",
        "insurance = 'koki'",
        "insurance == 'koki' or age >= '75'",
        "vehicles == 'kei'",
        "head_of_household",
    ],
)
def test_a_bad_condition_is_refused_with_the_import_message_on_its_field(
    admin_client, imported, catalog_document, applies_if
):
    imported()
    procedure = Procedure.objects.get(key="koki_loss")  # procedures[3] in the file
    (error,) = import_errors(catalog_document({"procedures[3].applies_if": applies_if}))
    assert str(error).startswith("procedures[3].applies_if: ")
    response = refused(admin_client, change_url(procedure), procedure_form(procedure, applies_if=applies_if))
    assert response.context["adminform"].form.errors["applies_if"] == [message_of(error)]
    assert escape(message_of(error)) in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.applies_if == "insurance == 'koki' or age >= 75"


def test_an_empty_condition_is_refused(admin_client, imported):
    imported()
    procedure = Procedure.objects.get(key="seal")
    response = refused(admin_client, change_url(procedure), procedure_form(procedure, applies_if=""))
    assert response.context["adminform"].form.errors["applies_if"]
    procedure.refresh_from_db()
    assert procedure.applies_if == "true"


def test_adding_a_procedure_with_a_bad_condition_is_refused(admin_client, imported, catalog_document):
    imported()
    before = Procedure.objects.count()
    new = {
        "key": "pension_stop",
        "name": "年金の停止",
        "counter": "pension_office",
        "applies_if": "pension = true",
    }
    document = catalog_document()
    document["procedures"].append(new)
    (error,) = import_errors(document)
    data = procedure_form(
        None,
        municipality=Municipality.objects.get(code="122041").pk,
        counter=Counter.objects.get(key="pension_office").pk,
        key=new["key"],
        name=new["name"],
        applies_if=new["applies_if"],
        order=0,
    )
    response = refused(admin_client, reverse("admin:procedures_procedure_add"), data)
    assert response.context["adminform"].form.errors["applies_if"] == [message_of(error)]
    assert Procedure.objects.count() == before


def test_a_valid_procedure_edit_is_saved_and_bumps_the_catalog_version(admin_client, imported):
    municipality = imported()
    catalog_for(municipality=municipality)  # compiled and cached before the edit
    procedure = Procedure.objects.get(key="seal")
    before = version()
    data = procedure_form(procedure, applies_if="age >= 15", deadline_days=14)
    data |= {"documents-TOTAL_FORMS": 1, "documents-0-text": "印鑑登録証", "documents-0-position": 1}
    response = admin_client.post(change_url(procedure), data)
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.applies_if, procedure.deadline_days) == ("age >= 15", 14)
    assert list(procedure.documents.values_list("text", flat=True)) == ["印鑑登録証"]
    assert version() > before
    seal = next(
        p
        for p in catalog_for(municipality=Municipality.objects.get(pk=municipality.pk)).procedures
        if p.key == "seal"
    )
    assert (seal.applies_if.source, seal.documents) == ("age >= 15", ("印鑑登録証",))


def compiled(municipality, key: str):
    catalog = catalog_for(municipality=Municipality.objects.get(pk=municipality.pk))
    return next(p for p in catalog.procedures if p.key == key)


@pytest.mark.parametrize(
    ("amount", "unit", "start", "rule"),
    [
        (3, "months", "", Deadline(3, Unit.MONTHS)),
        (2, "years", "moved_in", Deadline(2, Unit.YEARS, "moved_in")),
        (10, "days", "moved_in", Deadline(10, Unit.DAYS, "moved_in")),
    ],
)
def test_a_deadline_in_months_or_years_or_from_a_date_question_is_saved(
    admin_client, imported, amount, unit, start, rule
):
    municipality = imported()
    procedure = Procedure.objects.get(key="seal")
    data = procedure_form(procedure, deadline_amount=amount, deadline_unit=unit, deadline_from=start)
    assert admin_client.post(change_url(procedure), data).status_code == 302
    assert compiled(municipality, "seal").deadline == rule
    assert Procedure.objects.get(key="seal").deadline == rule


def test_the_deadline_group_offers_the_date_questions_only(admin_client, imported):
    imported()
    html = admin_client.get(change_url(Procedure.objects.get(key="seal"))).content.decode()
    assert "<h2>期限</h2>" in html or ">期限</h2>" in html
    select = html.split('name="deadline_from"')[1].split("</select>")[0]
    assert '<option value="" selected>亡くなった日</option>' in select
    assert 'value="moved_in"' in select and 'value="pension"' not in select


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"deadline_amount": "", "deadline_from": "moved_in"}, "deadline_amount", "期限の長さを入力"),
        ({"deadline_amount": 2, "deadline_from": "pension"}, "deadline_from", "正しく選択してください"),
        ({"deadline_amount": 0, "deadline_unit": "months"}, "deadline_amount", "「0」は1から1,200まで"),
        ({"deadline_amount": 101, "deadline_unit": "years"}, "deadline_amount", "「101」は1から100まで"),
    ],
)
def test_a_deadline_that_does_not_fit_is_refused_on_its_field(
    admin_client, imported, changes, field, message
):
    municipality = imported()
    procedure = Procedure.objects.get(key="kokuho_loss")
    response = refused(admin_client, change_url(procedure), procedure_form(procedure, **changes))
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors.get(field, [])), errors.as_data()
    assert Procedure.objects.get(key="kokuho_loss").deadline == Deadline(14, Unit.DAYS)
    assert compiled(municipality, "kokuho_loss").deadline_days == 14


def test_a_valid_procedure_can_be_added(admin_client, imported):
    municipality = imported()
    data = procedure_form(
        None,
        municipality=municipality.pk,
        counter=Counter.objects.get(key="pension_office").pk,
        key="pension_stop",
        name="年金の停止",
        applies_if="pension == true and age >= 65",
        order=1,
    )
    response = admin_client.post(reverse("admin:procedures_procedure_add"), data)
    assert response.status_code == 302
    assert Procedure.objects.get(key="pension_stop").counter.key == "pension_office"
    assert version() > municipality.catalog_version


# --- Questions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "index", "new_key", "readers"),
    [
        ("insurance", 2, "insurance_type", ["kokuho_loss", "koki_loss"]),
        ("head_of_household", 0, "householder", ["hoh_change"]),
        ("vehicles", 4, "cars", ["gentsuki", "no_vehicle_note"]),
    ],
)
def test_renaming_a_question_a_condition_reads_is_refused(
    admin_client, imported, catalog_document, key, index, new_key, readers
):
    imported()
    question = Question.objects.get(key=key)
    errors = import_errors(catalog_document({f"questions[{index}].key": new_key}))
    response = refused(admin_client, change_url(question), question_form(question, key=new_key))
    shown = " ".join(choice_errors(response))
    for error in errors:
        assert error.text_ja in shown
    for reader in readers:
        assert f"（{reader}）" in shown
    question.refresh_from_db()
    assert question.key == key


def test_renaming_a_question_an_ask_if_reads_is_refused(admin_client, imported):
    imported()
    question = Question.objects.get(key="head_of_household")
    response = refused(admin_client, change_url(question), question_form(question, key="householder"))
    assert "「head_of_household」という質問はありません" in " ".join(choice_errors(response))
    assert "（household_left）の「質問する条件」" in " ".join(choice_errors(response))
    assert Question.objects.filter(key="head_of_household").exists()


@pytest.mark.parametrize(("value", "reader"), [("koki", "koki_loss"), ("kokuho", "kokuho_loss")])
def test_removing_a_choice_a_condition_uses_is_refused(
    admin_client, imported, catalog_document, value, reader
):
    imported()
    question = Question.objects.get(key="insurance")
    document = catalog_document()
    document["questions"][2]["choices"] = [
        c for c in document["questions"][2]["choices"] if c["value"] != value
    ]
    # The condition that reads the choice, and the prefill that gives it as an answer.
    errors = import_errors(document)
    assert str(errors[0]).startswith(f"questions[2].prefill.values.{value}: ")
    assert any(f"'{value}'" in str(error) and ".applies_if: " in str(error) for error in errors[1:])
    response = refused(admin_client, change_url(question), question_form(question, delete=(value,)))
    shown = " ".join(choice_errors(response))
    assert all(error.text_ja in shown for error in errors)
    assert f"（{reader}）" in shown
    assert Choice.objects.filter(question=question, value=value).exists()


def test_an_ask_if_naming_a_later_question_is_refused(admin_client, imported, catalog_document):
    imported()
    question = Question.objects.get(key="household_left")
    (error,) = import_errors(catalog_document({"questions[1].ask_if": "insurance == 'koki'"}))
    response = refused(
        admin_client, change_url(question), question_form(question, ask_if="insurance == 'koki'")
    )
    assert error.text_ja in " ".join(choice_errors(response))
    question.refresh_from_db()
    assert question.ask_if == "head_of_household == true"


def test_a_valid_question_edit_is_saved_and_bumps_the_catalog_version(admin_client, imported):
    municipality = imported()
    question = Question.objects.get(key="insurance")
    before = version()
    data = question_form(question, text="健康保険の種類は？")
    data |= {
        "choices-TOTAL_FORMS": 4,
        "choices-3-value": "kyosai",
        "choices-3-label": "共済組合",
        "choices-3-position": 4,
    }
    response = admin_client.post(change_url(question), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "健康保険の種類は？"
    assert list(question.choices.order_by("position").values_list("value", flat=True)) == [
        "kokuho",
        "koki",
        "shaho",
        "kyosai",
    ]
    assert version() > before
    catalog = catalog_for(municipality=Municipality.objects.get(pk=municipality.pk))
    assert catalog.question_by_key["insurance"].spec.values == ("kokuho", "koki", "shaho", "kyosai")


# --- Deleting ----------------------------------------------------------------------------------


def delete_url(obj) -> str:
    return reverse(f"admin:procedures_{obj._meta.model_name}_delete", args=[obj.pk])


@pytest.mark.parametrize(
    ("key", "readers"),
    [
        ("insurance", ["国民健康保険の資格喪失届", "後期高齢者医療の資格喪失届"]),
        ("head_of_household", ["世帯主変更届", "世帯に残る方は何人ですか？"]),
    ],
)
def test_deleting_a_question_a_condition_reads_is_refused(admin_client, imported, key, readers):
    imported()
    question = Question.objects.get(key=key)
    before = version()
    page = admin_client.get(delete_url(question))
    response = admin_client.post(delete_url(question), {"post": "yes"})
    for shown in (page, response):
        assert shown.status_code == 200
        assert shown.context["protected"]
        html = shown.content.decode()
        for reader in readers:
            assert reader in html
    assert Question.objects.filter(key=key).exists()
    assert version() == before


def test_a_question_no_condition_reads_can_be_deleted(admin_client, imported, catalog_document):
    document = catalog_document()
    document["questions"].append({"key": "dog", "text": "犬を飼っていましたか？", "type": "yes_no"})
    imported(document)
    before = version()
    question = Question.objects.get(key="dog")
    response = admin_client.post(delete_url(question), {"post": "yes"})
    assert response.status_code == 302
    assert not Question.objects.filter(key="dog").exists()
    assert version() > before
