"""Migration procedures 0006: stored catalogs keep reading under the tightened rules.

A url that is not https:// or http:// is cleared; a condition's string literal with backslash
escapes is written without them, keeping the meaning the old reading gave it.
"""

import pytest

from procedures.models import Municipality, Procedure, Question
from procedures.selectors import catalog_for
from tests.migrating import historical_counter, migrated_back

BEFORE = [("procedures", "0005_deadline_rule_and_outside_places")]


@pytest.mark.django_db(transaction=True)
def test_urls_and_escaped_literals_stored_before_still_read_with_their_meaning():
    with migrated_back(BEFORE) as apps:
        counter = historical_counter(apps)
        city = counter.municipality
        question = apps.get_model("procedures", "Question").objects.create(
            municipality=city, key="insurance", position=1, text="保険は？", type="choice", ask_if=""
        )
        apps.get_model("procedures", "Choice").objects.create(question=question, value="koki", label="後期")
        apps.get_model("procedures", "Question").objects.create(
            municipality=city,
            key="pension",
            position=2,
            text="年金？",
            type="yes_no",
            ask_if="insurance == 'ko\\ki'",
        )
        procedures = apps.get_model("procedures", "Procedure").objects
        at_counter = {"municipality": city, "counter": counter}
        procedures.create(
            **at_counter,
            key="evil",
            name="手続き",
            applies_if='insurance == "k\\oki"',
            url="javascript:alert(1)",
        )
        procedures.create(**at_counter, key="good", name="手続き", url="https://example.jp/a")

    assert Procedure.objects.get(key="evil").url == ""
    assert Procedure.objects.get(key="good").url == "https://example.jp/a"
    assert Procedure.objects.get(key="evil").applies_if == 'insurance == "koki"'
    assert Question.objects.get(key="pension").ask_if == 'insurance == "koki"'
    catalog = catalog_for(municipality=Municipality.objects.get(code="122041"))
    assert [p.key for p in catalog.procedures] == ["evil", "good"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('insurance == "koki"', 'insurance == "koki"'),
        ('insurance == "k\\oki"', 'insurance == "koki"'),
        ("insurance in ['ko\\ki', \"kokuho\"]", 'insurance in ["koki", "kokuho"]'),
        ('x == "it\\"s"', "x == 'it\"s'"),
        ("x == 'both\\'\"'", "x == 'both\\'\"'"),  # no literal can hold both quotes: left for the check
    ],
)
def test_escaped_literals_are_rewritten_with_their_old_meaning(before, after):
    from importlib import import_module

    migration = import_module("procedures.migrations.0006_urls_and_string_literals_as_the_contract_says")
    assert migration.rewritten(before) == after
