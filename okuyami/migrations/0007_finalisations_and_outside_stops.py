"""Finalised cases before corrections and outside places (okuyami.guide version 3).

Each finalised snapshot gets `outside` on its stops from its municipality's places as they are
now (procedures 0005 marks 年金事務所, 税務署 … as outside; a place no longer in the catalog
counts as the municipality's own, so nothing closes by accident), its edition (1) and the day it
was finalised, and is kept as the case's first Finalisation. A finalised case whose remaining
procedures are all at outside offices is done; one waiting only on 後日 gets `later_since`.
"""

from django.db import migrations
from django.utils import timezone

LATER = "later"


def forwards(apps, schema_editor):
    Case = apps.get_model("okuyami", "Case")
    Finalisation = apps.get_model("okuyami", "Finalisation")
    Mark = apps.get_model("okuyami", "Mark")
    Place = apps.get_model("procedures", "Place")
    places: dict[int, dict[str, bool]] = {}
    for case in Case.objects.filter(snapshot__isnull=False).order_by("pk").iterator():
        if case.municipality_id not in places:
            rows = Place.objects.filter(municipality_id=case.municipality_id).values_list("key", "outside")
            places[case.municipality_id] = dict(rows)
        outside = places[case.municipality_id]
        snapshot = case.snapshot
        for stop in snapshot.get("stops", []):
            stop.setdefault("outside", outside.get(stop.get("place"), False))
        finalised_at = case.finalised_at or case.updated_at
        snapshot.setdefault("edition", 1)
        if not snapshot.get("erased"):
            snapshot.setdefault("finalised_on", timezone.localdate(finalised_at).isoformat())
        case.snapshot = snapshot
        if case.status == "finalised":
            marks = {m.procedure_key: m for m in Mark.objects.filter(case_id=case.pk)}
            waiting = [
                p["key"]
                for stop in snapshot.get("stops", [])
                if not stop.get("outside")
                for p in stop["procedures"]
                if p["key"] not in marks or marks[p["key"]].status == LATER
            ]
            later = [marks[key].marked_at for key in waiting if key in marks]
            if not waiting:
                case.status = "done"
            elif len(later) == len(waiting):
                case.later_since = min(later)
        case.save(update_fields=["snapshot", "status", "later_since"])
        Finalisation.objects.get_or_create(
            case_id=case.pk,
            edition=1,
            defaults={
                "guide": snapshot,
                "finalised_at": finalised_at,
                "finalised_by_id": case.finalised_by_id,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("okuyami", "0006_corrections_outside_and_notes"),
        ("procedures", "0005_deadline_rule_and_outside_places"),
    ]

    # Backwards: the extra keys are harmless to older code, and the Finalisation table goes away.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
