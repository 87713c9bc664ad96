"""A question's `prefill` wherever a catalog goes: reading (every error by its path), writing, the
workbook, the diff and undo, the public API and its schema, and the fixtures' questions
(CATALOG_FORMAT.md, "Prefill from the municipality's records")."""

import io
import json

import pytest
import yaml
from django.db import connection
from openpyxl import load_workbook
from rest_framework.test import APIClient

from procedures.catalog import CatalogPrefill
from procedures.catalog_changes import catalog_changes, undo_change
from procedures.catalog_io import CatalogInvalid, read_catalog, write_catalog
from procedures.catalog_xlsx import read_xlsx, read_xlsx_catalog, write_xlsx
from procedures.facts import prefill_answers
from procedures.models import CatalogRevision, Question
from tests.api.test_api import api_for
from tests.conftest import build_catalog_document, fixture_document
from tests.procedures.test_catalog_xlsx import column_of, saved, set_cell, xlsx_errors

# Indices into tests/data/contract-city.json's questions.
HEAD, LEFT, INSURANCE, PENSION, VEHICLES, CARE, MOVED_IN = range(7)
# Records of a deceased person, as okuyami.residents works them out (household facts) and reads
# them from facts.csv (the rest).
FACTS = {"household.head": True, "household.remaining": 1, "health.insurance": "koki", "local.cars": 2}


def errors_of(document) -> list[str]:
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog(document)
    return caught.value.errors


# --- Reading ------------------------------------------------------------------------------------


def test_the_contract_city_reads_its_prefills_with_and_without_values(contract_catalog):
    questions = contract_catalog.question_by_key
    assert questions["head_of_household"].prefill == CatalogPrefill("household.head")
    assert questions["insurance"].prefill == CatalogPrefill(
        "health.insurance", {"kokuho": "kokuho", "koki": "koki"}
    )
    assert questions["pension"].prefill is None
    assert [(s.key, s.fact) for s in contract_catalog.prefill_specs] == [
        ("head_of_household", "household.head"),
        ("insurance", "health.insurance"),
    ]
    assert contract_catalog.prefill_specs[1].choices == ("kokuho", "koki", "shaho")


@pytest.mark.parametrize(
    ("edits", "answers"),
    [
        # Without values the fact's value is the answer; with values it is looked up.
        ({}, {"head_of_household": True, "insurance": "koki"}),
        # A value `values` does not list leaves the question to be asked.
        (
            {f"questions[{INSURANCE}].prefill": {"fact": "health.insurance", "values": {"kokuho": "kokuho"}}},
            {"head_of_household": True},
        ),
        # A count answers a number question as it is, and a yes/no question through values.
        (
            {
                f"questions[{LEFT}].prefill": {"fact": "household.remaining"},
                f"questions[{PENSION}].prefill": {
                    "fact": "household.remaining",
                    "values": {"0": False, "1": True},
                },
            },
            {"head_of_household": True, "household_left": 1, "insurance": "koki", "pension": True},
        ),
        # A local fact: without values only when its value fits; with values through them.
        (
            {
                f"questions[{CARE}].prefill": {"fact": "local.cars"},
                f"questions[{VEHICLES}].prefill": {"fact": "local.cars", "values": {"2": ["kei"]}},
            },
            {"head_of_household": True, "insurance": "koki", "vehicles": ["kei"]},
        ),
        # A fact the records do not hold leaves the question to be asked.
        (
            {f"questions[{CARE}].prefill": {"fact": "kaigo.certified"}},
            {"head_of_household": True, "insurance": "koki"},
        ),
    ],
)
def test_prefill_through_the_catalog_with_and_without_values(edits, answers):
    catalog = read_catalog(build_catalog_document(edits))
    assert prefill_answers(catalog.prefill_specs, FACTS) == answers


@pytest.mark.parametrize(
    ("path", "prefill", "errors"),
    [
        (HEAD, {"fact": "seal"}, {"prefill.fact": "'seal' is not a fact of the prefill table"}),
        (HEAD, {"fact": "local.Water"}, {"prefill.fact": "'local.' and a key"}),
        (HEAD, {"fact": 3}, {"prefill.fact": "must be a fact name"}),
        (HEAD, {}, {"prefill.fact": "is required"}),
        (HEAD, "household.head", {"prefill": "must be an object"}),
        (
            HEAD,
            {"fact": "household.head", "value": {"true": True}},
            {"prefill.value": "did you mean 'values'?"},
        ),
        (
            LEFT,
            {"fact": "seal.registered"},
            {"prefill.fact": "bool fact and does not answer a number question"},
        ),
        (VEHICLES, {"fact": "tax.light_vehicle"}, {"prefill.fact": "does not answer a multi question"}),
        (MOVED_IN, {"fact": "household.head"}, {"prefill.fact": "does not answer a date question"}),
        (
            INSURANCE,
            {"fact": "health.insurance", "values": ["kokuho"]},
            {"prefill.values": "must be an object"},
        ),
        (
            INSURANCE,
            {"fact": "health.insurance", "values": {"kenpo": "shaho", "koki": "kouki", "kokuho": "kokuho"}},
            {
                "prefill.values.kenpo": "'kenpo' is not a value of health.insurance: write kokuho, koki",
                "prefill.values.koki": "'koki' gives 'kouki', which does not fit the question",
            },
        ),
        (
            HEAD,
            {"fact": "household.head", "values": {"true": "yes"}},
            {"prefill.values.true": "does not fit"},
        ),
        (
            LEFT,
            {"fact": "household.remaining", "values": {"1.5": 1}},
            {"prefill.values.1.5": "write an integer"},
        ),
        (
            VEHICLES,
            {"fact": "tax.light_vehicle", "values": {"true": ["car"]}},
            {"prefill.values.true": "does not fit"},
        ),
    ],
)
def test_every_prefill_error_is_named_by_its_path(path, prefill, errors):
    found = errors_of(build_catalog_document({f"questions[{path}].prefill": prefill}))
    where = f"questions[{path}]."
    assert len(found) == len(errors), found
    for name, message in errors.items():
        assert any(e.startswith(f"{where}{name}: ") and message in e for e in found), (name, found)


def test_a_wrong_prefill_does_not_hide_the_question_from_conditions():
    # insurance stays a question with its choices: the procedures that read it are checked as usual.
    found = errors_of(
        build_catalog_document({f"questions[{INSURANCE}].prefill": {"fact": "health.insurance", "values": 1}})
    )
    (message,) = found
    assert message.startswith(f"questions[{INSURANCE}].prefill.values: must be an object mapping a value")


def test_a_null_prefill_and_null_values_are_the_same_as_none():
    catalog = read_catalog(
        build_catalog_document(
            {
                f"questions[{HEAD}].prefill": None,
                f"questions[{LEFT}].prefill": {"fact": "household.remaining", "values": None},
            }
        )
    )
    assert catalog.question_by_key["head_of_household"].prefill is None
    assert catalog.question_by_key["household_left"].prefill == CatalogPrefill("household.remaining")


# --- Writing --------------------------------------------------------------------------------------


def test_writing_puts_prefill_last_and_leaves_out_values_not_given(contract_catalog):
    questions = write_catalog(contract_catalog)["questions"]
    assert list(questions[HEAD]) == ["key", "text", "type", "allow_unknown", "prefill"]
    assert questions[HEAD]["prefill"] == {"fact": "household.head"}
    assert questions[INSURANCE]["prefill"] == {
        "fact": "health.insurance",
        "values": {"kokuho": "kokuho", "koki": "koki"},
    }
    assert "prefill" not in questions[PENSION]
    assert write_catalog(read_catalog(write_catalog(contract_catalog))) == write_catalog(contract_catalog)


def test_an_empty_values_object_is_kept_apart_from_none():
    # Accepted by the contract (no value answers); written and read back as it is.
    document = build_catalog_document(
        {f"questions[{HEAD}].prefill": {"fact": "household.head", "values": {}}}
    )
    written = write_catalog(read_catalog(document))
    assert written["questions"][HEAD]["prefill"] == {"fact": "household.head", "values": {}}
    assert read_xlsx(write_xlsx(written)).document == written


# --- The fixtures ---------------------------------------------------------------------------------

STANDARD_PREFILLS = {
    "head_of_household": {"fact": "household.head"},
    "household_remaining": {"fact": "household.remaining"},
    "household_adults": {"fact": "household.remaining_15_plus"},
    "insurance": {"fact": "health.insurance", "values": {"kokuho": "kokuho", "koki": "koki"}},
    "care_certified": {"fact": "kaigo.certified"},
    "disability_certificates": {"fact": "disability.certificate", "values": {"false": []}},
    "seal_registration": {"fact": "seal.registered"},
    "real_estate": {"fact": "tax.fixed_asset", "values": {"true": True}},
    "residence_card": {"fact": "resident.foreign", "values": {"false": "japanese"}},
}


# The sample city also reads its own registers (facts.csv's local. facts; fixtures/README.md names
# each register). Those that cover only what is in the city, or that lag, answer only when they
# hold the deceased (`values` {"true": true}); the rest answer both ways.
SAMPLE_CITY_PREFILLS = {
    **STANDARD_PREFILLS,
    "high_medical_costs": {"fact": "local.high_medical_costs", "values": {"true": True}},
    "elderly_services": {"fact": "local.elderly_services", "values": {"false": []}},
    "severe_medical": {"fact": "local.severe_medical"},
    "disability_allowance": {"fact": "local.disability_allowance"},
    "employed": {"fact": "local.salary_withholding", "values": {"true": True}},
    "mynumber_card": {"fact": "local.mynumber_card"},
    "child_benefits": {"fact": "local.child_benefits", "values": {"false": []}},
    "resident_tax": {"fact": "local.resident_tax"},
    "tax_debit": {"fact": "local.tax_debit"},
    "unregistered_house": {"fact": "local.unregistered_house", "values": {"true": True}},
    "forest": {"fact": "local.forest", "values": {"true": True}},
    "municipal_housing": {"fact": "local.municipal_housing", "values": {"false": "no"}},
    "water_contract": {"fact": "local.water_contract"},
    "cemetery": {"fact": "local.cemetery", "values": {"true": True}},
    "farmland": {"fact": "local.farmland", "values": {"true": True}},
    "dog": {"fact": "local.dog"},
}


@pytest.mark.parametrize(
    ("name", "prefills"),
    [("national-template.json", STANDARD_PREFILLS), ("sample-city.json", SAMPLE_CITY_PREFILLS)],
)
def test_the_fixtures_prefill_every_question_a_standard_fact_answers(name, prefills):
    document = fixture_document(name)
    found = {q["key"]: q["prefill"] for q in document["questions"] if "prefill" in q}
    assert found == prefills
    read_catalog(document)  # and each fits its question


def test_a_health_insurance_of_none_is_asked_not_guessed():
    # `none` is an employer's insurance, a 国保組合 or none: the counter asks which.
    catalog = read_catalog(fixture_document("national-template.json"))
    specs = catalog.prefill_specs
    assert "insurance" not in prefill_answers(specs, {"health.insurance": "none"})
    assert prefill_answers(specs, {"health.insurance": "kokuho", "tax.fixed_asset": False}) == {
        "insurance": "kokuho"
    }
    assert prefill_answers(specs, {"disability.certificate": False, "resident.foreign": True}) == {
        "disability_certificates": []
    }


# --- The workbook ---------------------------------------------------------------------------------


def test_the_workbook_has_the_prefill_in_two_columns(contract_catalog):
    workbook = load_workbook(io.BytesIO(write_xlsx(write_catalog(contract_catalog))))
    sheet = workbook["questions"]
    fact, values = column_of(sheet, "prefill"), column_of(sheet, "prefill_values")
    assert sheet.cell(row=3 + HEAD, column=fact).value == "household.head"
    assert sheet.cell(row=3 + HEAD, column=values).value is None
    assert sheet.cell(row=3 + INSURANCE, column=fact).value == "health.insurance"
    assert sheet.cell(row=3 + INSURANCE, column=values).value == "kokuho=kokuho\nkoki=koki"
    assert "記録の値=回答" in sheet.cell(row=1, column=values).comment.text
    # Row 1 names the columns in Japanese, above the hidden row of keys.
    assert [sheet.cell(row=1, column=c).value for c in (fact, values)] == [
        "住民記録の事実",
        "記録の値ごとの回答",
    ]


@pytest.mark.parametrize(
    ("row", "cell", "values"),
    [
        (VEHICLES, "false=\ntrue = gentsuki, kei", {"false": [], "true": ["gentsuki", "kei"]}),
        (PENSION, "true=はい\nfalse=FALSE", {"true": True, "false": False}),
        (LEFT, "true=2\n\nfalse = 0", {"true": 2, "false": 0}),
        (INSURANCE, ' {"kokuho": "kokuho", "a=b": "koki"} ', {"kokuho": "kokuho", "a=b": "koki"}),
    ],
)
def test_workbook_answers_are_read_as_their_questions_type(contract_catalog, row, cell, values):
    workbook = load_workbook(io.BytesIO(write_xlsx(write_catalog(contract_catalog))))
    set_cell(workbook, "questions", row + 3, "prefill", "local.anything")
    set_cell(workbook, "questions", row + 3, "prefill_values", cell)
    catalog, _ = read_xlsx_catalog(saved(workbook))
    question = catalog.questions[row]
    assert question.prefill == CatalogPrefill("local.anything", values)
    # Written back, it reads the same.
    assert read_xlsx(write_xlsx(write_catalog(catalog))).document == write_catalog(catalog)


def test_a_value_holding_an_equals_sign_is_written_as_a_json_object():
    document = build_catalog_document(
        {f"questions[{INSURANCE}].prefill": {"fact": "local.plan", "values": {"a=b": "koki", " x": "kokuho"}}}
    )
    written = write_catalog(read_catalog(document))
    sheet = load_workbook(io.BytesIO(write_xlsx(written)))["questions"]
    cell = sheet.cell(row=3 + INSURANCE, column=column_of(sheet, "prefill_values")).value
    assert json.loads(cell) == {"a=b": "koki", " x": "kokuho"}
    assert read_xlsx(write_xlsx(written)).document == written


@pytest.mark.parametrize(
    ("field", "value", "column_name", "message"),
    [
        ("prefill", "seal", "prefill", "'seal' is not a fact of the prefill table"),
        ("prefill_values", "kokuho=kouki", "prefill_values", "'kokuho' gives 'kouki'"),
        ("prefill_values", "kokuho", "prefill_values", "line 1 'kokuho': write <value of the fact>=<answer>"),
        (
            "prefill_values",
            "koki=koki\nkoki=kokuho",
            "prefill_values",
            "line 2: the value 'koki' is given twice",
        ),
        ("prefill_values", "{kokuho", "prefill_values", "not a JSON object"),
    ],
)
def test_workbook_prefill_errors_name_the_cell(contract_catalog, field, value, column_name, message):
    workbook = load_workbook(io.BytesIO(write_xlsx(write_catalog(contract_catalog))))
    set_cell(workbook, "questions", INSURANCE + 3, field, value)
    letter = (
        workbook["questions"].cell(row=1, column=column_of(workbook["questions"], column_name)).column_letter
    )
    errors = xlsx_errors(saved(workbook))
    assert any(
        e.startswith(f"questions row {INSURANCE + 3} column {letter}: ") and message in e for e in errors
    ), errors


def test_workbook_values_without_a_fact_are_refused_at_the_empty_fact_cell(contract_catalog):
    workbook = load_workbook(io.BytesIO(write_xlsx(write_catalog(contract_catalog))))
    set_cell(workbook, "questions", PENSION + 3, "prefill_values", "true=true")
    letter = (
        workbook["questions"].cell(row=1, column=column_of(workbook["questions"], "prefill")).column_letter
    )
    assert xlsx_errors(saved(workbook)) == [f"questions row {PENSION + 3} column {letter}: is required"]


# --- Diff and undo --------------------------------------------------------------------------------


def test_the_diff_names_a_changed_prefill_and_undo_takes_it_back():
    before = write_catalog(read_catalog(build_catalog_document()))
    after = write_catalog(
        read_catalog(
            build_catalog_document(
                {
                    f"questions[{INSURANCE}].prefill.values": {
                        "kokuho": "kokuho",
                        "koki": "koki",
                        "none": "shaho",
                    },
                    f"questions[{HEAD}].prefill": ...,
                    f"questions[{PENSION}].prefill": {"fact": "local.pension"},
                }
            )
        )
    )
    changes = catalog_changes(before, after)
    fields = {
        (item.key, f.name): (f.before_text, f.after_text) for item in changes.items for f in item.fields
    }
    assert fields == {
        ("head_of_household", "prefill"): ("household.head", "—"),
        ("insurance", "prefill"): (
            'health.insurance (kokuho → "kokuho", koki → "koki")',
            'health.insurance (kokuho → "kokuho", koki → "koki", none → "shaho")',
        ),
        ("pension", "prefill"): ("—", "local.pension"),
    }
    assert "    prefill: — -> local.pension" in changes.lines()
    undone, conflicts = undo_change(after, before, after)
    assert conflicts == [] and undone == before


# --- The API --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_catalog_api_gives_the_prefill(city_a):
    questions = APIClient().get("/api/v1/municipalities/122041/catalog").json()["questions"]
    assert questions[HEAD]["prefill"] == {"fact": "household.head"}
    assert questions[INSURANCE]["prefill"] == {
        "fact": "health.insurance",
        "values": {"kokuho": "kokuho", "koki": "koki"},
    }
    assert "prefill" not in questions[PENSION]


@pytest.mark.django_db
def test_the_import_api_checks_and_stores_the_prefill(bob):
    client = api_for(bob)
    bad = build_catalog_document({f"questions[{INSURANCE}].prefill.values": {"kenpo": "shaho"}})
    response = client.post("/api/v1/catalog/import", bad, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [f"questions[{INSURANCE}].prefill.values.kenpo"]
    changed = build_catalog_document({f"questions[{PENSION}].prefill": {"fact": "local.pension"}})
    dry = client.post("/api/v1/catalog/import?dry_run=true", changed, format="json").json()
    assert dry["diff"]["questions"]["changed"] == ["pension"]
    assert client.post("/api/v1/catalog/import", changed, format="json").json()["applied"] is True
    assert client.get("/api/v1/catalog").json()["questions"][PENSION]["prefill"] == {"fact": "local.pension"}


@pytest.mark.django_db
def test_the_schema_describes_the_prefill(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    components = schema["components"]["schemas"]
    question = components["Question"]["properties"]
    assert question["prefill"]["allOf"][0]["$ref"].endswith("/Prefill") or question["prefill"].get("$ref")
    prefill = components["Prefill"]
    assert prefill["required"] == ["fact"]
    assert "household.head" in prefill["properties"]["fact"]["description"]
    assert "local.<key>" in prefill["properties"]["fact"]["description"]
    assert components["Catalog"]["properties"]["questions"]["items"]["$ref"].endswith("/Question")


# --- Storage ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_prefills_values_come_back_in_their_order_from_every_database(imported):
    """PostgreSQL's jsonb re-sorts an object's keys (shorter first: koki before kokuho); the values
    are kept as [value, answer] pairs, in the question row and in the history's documents."""
    municipality = imported()
    question = Question.objects.get(municipality=municipality, key="insurance")
    assert list(question.prefill_values) == ["kokuho", "koki"]
    question.prefill_values = {"none": "kokuho", "kokuho": "kokuho", "koki": "koki"}
    question.save(update_fields=["prefill_values"])
    stored = Question.objects.filter(pk=question.pk).values_list("prefill_values", flat=True).get()
    assert list(stored) == ["none", "kokuho", "koki"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT prefill_values FROM procedures_question WHERE id = %s", [question.pk])
        (raw,) = cursor.fetchone()
    raw = json.loads(raw) if isinstance(raw, str) else raw
    assert raw == [["none", "kokuho"], ["kokuho", "kokuho"], ["koki", "koki"]]
    revision = CatalogRevision.objects.filter(municipality=municipality).latest("pk")
    (kept,) = [q for q in revision.document["questions"] if q["key"] == "insurance"]
    assert list(kept["prefill"]["values"]) == ["kokuho", "koki"]
