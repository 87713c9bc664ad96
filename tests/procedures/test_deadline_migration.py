"""Migration procedures 0005: deadline_days becomes a deadline rule, rows kept both ways.

The database is taken back to the schema before the rule (procedures 0004), filled there through
the historical models, and migrated forward (and back) again.
"""

import pytest

from procedures.deadlines import Deadline, Unit
from procedures.models import Place, Procedure
from tests.migrating import historical_counter, latest, migrate, migrated_back

BEFORE = [("procedures", "0004_staff_and_audit_moved_to_core")]


def fill(apps) -> None:
    counter = historical_counter(apps)
    procedures = apps.get_model("procedures", "Procedure").objects
    at_counter = {"municipality": counter.municipality, "counter": counter}
    procedures.create(**at_counter, key="hoh", name="世帯主変更届", deadline_days=14)
    procedures.create(**at_counter, key="seal", name="印鑑登録証の返却")


@pytest.mark.django_db(transaction=True)
def test_deadline_days_become_days_from_the_death_and_come_back():
    with migrated_back(BEFORE) as apps:
        fill(apps)
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
