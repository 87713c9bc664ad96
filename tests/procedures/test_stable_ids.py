"""Imports, undos and restores change the catalog in place: an item whose key stays keeps its id,
so admin links keep working, and a change form open meanwhile saves correctly or is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procedures.catalog_io import read_catalog, write_catalog
from procedures.models import Choice, Counter, Document, Place, Procedure, Question
from procedures.selectors import catalog_snapshot_for
from tests.conftest import fixture_document, import_catalog
from tests.procedures.test_admin import choices_form, procedure_form
from tests.procedures.test_catalog_import import changed_document
from tests.procedures.test_history import change_url, fresh, latest, revert_url

pytestmark = pytest.mark.django_db

MODELS = (Place, Counter, Question, Choice, Procedure, Document)


@pytest.fixture
def editor(client, bob):
    """The admin as bob, 編集者 of city A."""
    client.force_login(bob)
    return client


def ids(municipality) -> dict:
    """Every catalog row's id by what identifies it (a key, a choice value, a document's place)."""
    return {
        "places": dict(Place.objects.filter(municipality=municipality).values_list("key", "pk")),
        "counters": dict(Counter.objects.filter(municipality=municipality).values_list("key", "pk")),
        "questions": dict(Question.objects.filter(municipality=municipality).values_list("key", "pk")),
        "choices": {
            (c.question.key, c.value): c.pk
            for c in Choice.objects.filter(question__municipality=municipality).select_related("question")
        },
        "procedures": dict(Procedure.objects.filter(municipality=municipality).values_list("key", "pk")),
        "documents": {
            (d.procedure.key, d.position): d.pk
            for d in Document.objects.filter(procedure__municipality=municipality).select_related("procedure")
        },
    }


def changed(catalog_document) -> dict:
    """The contract city with one of everything changed, added and removed: changed_document's
    procedures, and a document replaced, a choice relabelled and one added, a counter added."""
    document = changed_document(
        catalog_document,
        {
            "procedures[2].documents": ["資格確認書", "印鑑"],  # kokuho_loss: the second one replaced
            "questions[2].choices[2].label": "会社の健康保険",  # insurance: shaho relabelled
        },
    )
    document["questions"][2]["choices"].append({"value": "kumiai", "label": "国保組合"})
    document["counters"].append({"key": "fukushi", "name": "福祉課", "place": "main_2f", "order": 50})
    return document


def test_an_import_keeps_the_id_of_every_item_whose_key_stays(city_a, catalog_document):
    before = ids(city_a)
    document = changed(catalog_document)
    import_catalog(document)
    after = ids(city_a)
    for section, rows in before.items():
        kept = {key: pk for key, pk in rows.items() if key in after[section]}
        assert {key: after[section][key] for key in kept} == kept, section
    assert "recent_move" not in after["procedures"] and "pension_stop" in after["procedures"]
    assert ("insurance", "kumiai") in after["choices"] and "fukushi" in after["counters"]
    assert before["documents"][("kokuho_loss", 2)] == after["documents"][("kokuho_loss", 2)]
    assert Document.objects.get(pk=after["documents"][("kokuho_loss", 2)]).text == "印鑑"
    assert catalog_snapshot_for(municipality=city_a) == write_catalog(read_catalog(document))


def test_importing_the_same_catalog_writes_no_catalog_row(city_a, catalog_document):
    tables = [model._meta.db_table for model in MODELS]
    with CaptureQueriesContext(connection) as queries:
        import_catalog(catalog_document())
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE") and any(f'"{t}"' in q["sql"] for t in tables)
    ]
    assert writes == []


def test_an_import_that_removes_a_place_and_moves_counters_keeps_the_rest(city_a, catalog_document):
    document = catalog_document()
    for counter in document["counters"]:
        if counter["place"] == "main_2f":
            counter["place"] = "main_1f"
    document["places"] = [p for p in document["places"] if p["key"] != "main_2f"]
    before = ids(city_a)
    import_catalog(document)
    after = ids(city_a)
    assert after["counters"] == before["counters"]
    assert set(after["places"]) == set(before["places"]) - {"main_2f"}
    assert catalog_snapshot_for(municipality=city_a) == write_catalog(read_catalog(document))


def test_a_change_url_still_works_after_an_import_and_an_undo(client, bob, city_a, catalog_document):
    client.force_login(bob)
    procedure = Procedure.objects.get(municipality=city_a, key="koki_loss")
    url = change_url(procedure)
    assert client.get(url).context["adminform"].form["deadline_amount"].value() == 14

    import_catalog(changed(catalog_document))
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["adminform"].form["deadline_amount"].value() == 30

    response = client.post(
        revert_url(latest(city_a), "undo"),
        {"version": fresh(city_a).catalog_version},
    )
    assert response.status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["adminform"].form["deadline_amount"].value() == 14
    assert Procedure.objects.get(municipality=city_a, key="koki_loss").pk == procedure.pk
    # The procedure the import removed came back with the undo, under a new id (it was deleted).
    assert Procedure.objects.filter(municipality=city_a, key="recent_move").exists()


def test_an_undo_keeps_every_id_the_import_kept_and_a_re_added_item_works(
    client, bob, city_a, catalog_document
):
    """Import then undo: every row in all three catalogs keeps its id; a row the import changed
    keeps it too; what the import added is gone; what it removed comes back and can be edited."""
    client.force_login(bob)
    before = ids(city_a)
    import_catalog(changed(catalog_document))
    imported = ids(city_a)
    response = client.post(revert_url(latest(city_a), "undo"), {"version": fresh(city_a).catalog_version})
    assert response.status_code == 302
    after = ids(city_a)
    for section, rows in imported.items():
        kept = {key: pk for key, pk in rows.items() if key in before[section] and key in after[section]}
        assert kept, section
        assert {key: after[section][key] for key in kept} == kept, section
        assert {key: before[section][key] for key in kept} == kept, section
    # koki_loss was changed by the import and back by the undo: the same row throughout.
    assert (
        before["procedures"]["koki_loss"]
        == imported["procedures"]["koki_loss"]
        == after["procedures"]["koki_loss"]
    )
    assert Procedure.objects.get(pk=after["procedures"]["koki_loss"]).deadline_days == 14
    # What the import added is gone, rows and their change pages.
    assert "pension_stop" not in after["procedures"] and "fukushi" not in after["counters"]
    assert ("insurance", "kumiai") not in after["choices"]
    gone = Procedure(pk=imported["procedures"]["pension_stop"])
    assert client.get(change_url(gone)).status_code == 404
    # What it removed is back, under a new id, and its change page saves.
    assert set(after["procedures"]) == set(before["procedures"])
    back = Procedure.objects.get(pk=after["procedures"]["recent_move"])
    assert back.pk != before["procedures"]["recent_move"]
    response = client.post(change_url(back), opened_form(client, back, deadline_note="転入から3か月以内"))
    assert response.status_code == 302
    assert Procedure.objects.get(pk=back.pk).deadline_note == "転入から3か月以内"
    assert catalog_snapshot_for(municipality=city_a)["procedures"] == [
        {**p, "deadline_note": "転入から3か月以内"} if p["key"] == "recent_move" else p
        for p in write_catalog(read_catalog(catalog_document()))["procedures"]
    ]


def opened_form(client, obj, **changes) -> dict:
    """The POST data of a procedure's change form as it was opened now, with `changes` typed in."""
    response = client.get(change_url(obj))
    seen = response.context["adminform"].form["seen"].value()
    assert seen, "the form carries what it showed"
    return {**procedure_form(obj, **changes), "seen": seen}


def saved_after_an_import(editor, key: str, catalog_document, **changes):
    """Open city A's procedure `key`, type `changes`, let an import of changed() land meanwhile,
    then save: the procedure, the data sent and the response."""
    procedure = Procedure.objects.get(municipality__code="122041", key=key)
    data = opened_form(editor, procedure, **changes)
    import_catalog(changed(catalog_document))
    return procedure, data, editor.post(change_url(procedure), data)


@pytest.mark.parametrize(
    ("key", "changes", "status", "says"),
    [
        pytest.param(
            "koki_loss",  # the import makes it 30 days
            {"name": "後期高齢者医療の資格喪失届（窓口）"},
            200,
            ["ほかの人", "期限の長さ"],
            id="changed",
        ),
        pytest.param(
            "recent_move",  # the import removes it
            {"deadline_note": "転入から3か月以内の方へ"},
            404,
            ["見つかりません", "転入から3か月以内の方へ"],
            id="removed",
        ),
    ],
)
def test_a_form_open_while_an_import_changed_or_removed_its_item_is_refused_saying_why(
    editor, city_a, catalog_document, key, changes, status, says
):
    _, _, response = saved_after_an_import(editor, key, catalog_document, **changes)
    assert response.status_code == status
    html = response.content.decode()
    assert "保存していません" in html
    assert all(text in html for text in says), says
    # Nothing typed was saved: the catalog is the one the import wrote.
    assert catalog_snapshot_for(municipality=city_a) == write_catalog(read_catalog(changed(catalog_document)))


def test_a_form_refused_after_an_import_saves_its_values_when_sent_again(editor, catalog_document):
    procedure, data, refused = saved_after_an_import(
        editor, "koki_loss", catalog_document, name="後期高齢者医療の資格喪失届（窓口）"
    )
    stored = Procedure.objects.get(pk=procedure.pk)
    assert (stored.name, stored.deadline_days) == ("後期高齢者医療の資格喪失届", 30)
    # The page now carries what is stored: saving again keeps this form's values, deliberately.
    again = refused.context["adminform"].form["seen"].value()
    response = editor.post(change_url(procedure), {**data, "seen": again})
    assert response.status_code == 302
    stored = Procedure.objects.get(pk=procedure.pk)
    assert (stored.name, stored.deadline_days) == ("後期高齢者医療の資格喪失届（窓口）", 14)


def test_a_form_open_while_an_import_changed_other_items_saves_and_keeps_the_import(
    editor, city_a, catalog_document
):
    procedure, _, response = saved_after_an_import(
        editor, "seal", catalog_document, deadline_note="すみやかに"
    )
    assert response.status_code == 302
    assert Procedure.objects.get(pk=procedure.pk).deadline_note == "すみやかに"
    assert Procedure.objects.get(municipality=city_a, key="koki_loss").deadline_days == 30
    assert Procedure.objects.filter(municipality=city_a, key="pension_stop").exists()


def test_a_question_form_open_while_its_choices_changed_is_refused(editor, city_a, catalog_document):
    question = Question.objects.get(municipality=city_a, key="insurance")
    response = editor.get(change_url(question))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data |= {"text": "健康保険は？", **choices_form(question)}
    import_catalog(changed(catalog_document))  # a choice relabelled, one added
    response = editor.post(change_url(question), data)
    assert response.status_code == 200
    assert "選択肢" in response.context["adminform"].form.non_field_errors()[0]
    assert Question.objects.get(pk=question.pk).text != "健康保険は？"
    assert Choice.objects.get(question=question, value="shaho").label == "会社の健康保険"


def test_another_municipalitys_item_answers_the_same_not_found_page(client, bob, city_a, city_b):
    client.force_login(bob)
    other = Procedure.objects.get(municipality=city_b, key="koki_loss")
    response = client.post(change_url(other), procedure_form(other, name="書き換え"))
    assert response.status_code == 404
    assert "書き換え" in response.content.decode()  # only what this user sent, nothing of city B
    assert other.name not in response.content.decode()
    assert Procedure.objects.get(pk=other.pk).name != "書き換え"
    assert reverse("admin:procedures_procedure_changelist") in response.content.decode()


@pytest.mark.parametrize("name", ["sample-city.json", "national-template.json"])
def test_the_revision_of_an_import_is_the_catalog_as_stored(name):
    """catalog_import records the catalog it imported, without reading it back: the same document."""
    municipality = import_catalog(fixture_document(name))
    assert latest(municipality).document == catalog_snapshot_for(municipality=municipality)
