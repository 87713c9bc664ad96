"""Personal data is declared once per model; a text field no declaration classifies fails here.

Every model of every installed app is inspected, so a model added later (the resident records)
is covered the moment it exists.
"""

import pytest
from django.apps import apps
from django.db import models

from core.personal import Erase, Personal, PersonalData, personal_data_of, undeclared_fields
from okuyami.models import Case
from okuyami.printing import PERSON_FIELDS
from okuyami.services import CASE_FIELDS

EVERY_MODEL = sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda m: m._meta.label)
def test_every_text_field_of_every_model_is_declared(model):
    assert personal_data_of(model) is not None or not undeclared_fields(model), (
        f"{model._meta.label} has text fields but no personal_data declaration"
    )
    assert undeclared_fields(model) == []


@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda m: m._meta.label)
def test_a_declaration_names_only_fields_the_model_has(model):
    declaration = personal_data_of(model)
    names = {f.name for f in model._meta.get_fields()}
    assert declaration is None or declaration.declared() <= names


class Visitor(models.Model):
    name = models.CharField(max_length=10)
    nickname = models.TextField()
    notes = models.JSONField()
    age = models.IntegerField()

    personal_data = PersonalData(fields={"name": Personal(Erase.BLANK)})

    class Meta:
        abstract = True
        app_label = "core"


def test_an_undeclared_text_field_is_found():
    assert undeclared_fields(Visitor) == ["nickname", "notes"]


def test_the_screens_printing_and_api_read_the_case_declaration():
    declared = Case.personal_data
    assert declared.entered() == CASE_FIELDS
    assert set(CASE_FIELDS) <= set(declared.fields)
    printed = {person: {name for name, _ in fields} for person, fields in declared.printed().items()}
    assert {person: set(names) for person, names in PERSON_FIELDS.items()} == printed
    assert set(CASE_FIELDS) - {name for fields in declared.printed().values() for _, name in fields} == {
        "appointment_at"
    }


@pytest.mark.parametrize(
    ("erase", "value", "expected"),
    [
        (Erase.BLANK, "船橋 太郎", ""),
        (Erase.NULL, "1940-05-06", None),
        (Erase.EMPTY_OBJECT, {"insurance": "koki"}, {}),
        (Erase.EMPTY_LIST, ["pension"], []),
    ],
)
def test_each_erasure_gives_its_empty_value(erase, value, expected):
    assert Personal(erase).erased(value) == expected


def test_a_date_erased_to_its_month_keeps_year_and_month():
    from datetime import date

    assert Personal(Erase.MONTH).erased(date(2026, 9, 17)) == date(2026, 9, 1)
