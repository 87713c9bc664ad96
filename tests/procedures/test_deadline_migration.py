"""Migration procedures 0005: deadline_days becomes a deadline rule, rows kept both ways.

The database is taken back to the schema before the rule (procedures 0004), filled there through
the historical models, and migrated forward (and back) again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from procedures.deadlines import Deadline, Unit
from procedures.models import Place, Procedure

BEFORE = [("procedures", "0004_staff_and_audit_moved_to_core")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def fill(apps) -> None:
    city = apps.get_model("procedures", "Municipality").objects.create(
        code="122041", name="船橋市", prefecture="千葉県"
    )
    place = apps.get_model("procedures", "Place").objects.create(
        municipality=city, key="main", name="本庁舎", order=1
    )
    counter = apps.get_model("procedures", "Counter").objects.create(
        municipality=city, key="shimin", name="市民課", place=place, order=1
    )
    procedure = apps.get_model("procedures", "Procedure")
    procedure.objects.create(
        municipality=city, counter=counter, key="hoh", name="世帯主変更届", deadline_days=14
    )
    procedure.objects.create(municipality=city, counter=counter, key="seal", name="印鑑登録証の返却")


@pytest.mark.django_db(transaction=True)
def test_deadline_days_become_days_from_the_death_and_come_back():
    try:
        fill(migrate(BEFORE))
        migrate(latest())
        assert Procedure.objects.get(key="hoh").deadline == Deadline(14, Unit.DAYS)
        assert Procedure.objects.get(key="hoh").deadline_days == 14
        assert Procedure.objects.get(key="seal").deadline is None
        assert Place.objects.get(key="main").outside is False
        # A rule deadline_days cannot say is dropped on the way back; days from the death are kept.
        Procedure.objects.filter(key="seal").update(deadline_amount=3, deadline_unit=Unit.MONTHS)
        old = migrate(BEFORE)
        days = dict(old.get_model("procedures", "Procedure").objects.values_list("key", "deadline_days"))
        assert days == {"hoh": 14, "seal": None}
    finally:
        migrate(latest())
