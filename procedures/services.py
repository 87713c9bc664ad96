"""Writes to the catalog. Every write bumps the municipality's catalog version."""

from django.db import transaction
from django.db.models import F

from procedures.catalog_io import Catalog
from procedures.models import Choice, Counter, Document, Municipality, Place, Procedure, Question


@transaction.atomic
def catalog_import(*, catalog: Catalog) -> tuple[Municipality, bool]:
    """Replace the municipality's whole catalog with a validated one, atomically.

    Returns the municipality and whether it was created.
    """
    m = catalog.municipality
    municipality, created = Municipality.objects.select_for_update().get_or_create(
        code=m.code, defaults={"name": m.name, "prefecture": m.prefecture}
    )
    municipality.name, municipality.prefecture = m.name, m.prefecture
    municipality.save(update_fields=["name", "prefecture", "updated_at"])

    # Children first: counters and places are protected while referenced.
    Procedure.objects.filter(municipality=municipality).delete()
    Question.objects.filter(municipality=municipality).delete()
    Counter.objects.filter(municipality=municipality).delete()
    Place.objects.filter(municipality=municipality).delete()

    places = Place.objects.bulk_create(
        [Place(municipality=municipality, key=p.key, name=p.name, order=p.order) for p in catalog.places]
    )
    place_by_key = {p.key: p for p in places}
    counters = Counter.objects.bulk_create(
        [
            Counter(
                municipality=municipality,
                place=place_by_key[c.place],
                key=c.key,
                name=c.name,
                order=c.order,
                location=c.location or "",
                phone=c.phone or "",
                hours=c.hours or "",
            )
            for c in catalog.counters
        ]
    )
    counter_by_key = {c.key: c for c in counters}
    questions = Question.objects.bulk_create(
        [
            Question(
                municipality=municipality,
                key=q.key,
                position=position,
                text=q.text,
                help=q.help or "",
                type=q.type,
                ask_if=q.ask_if.source if q.ask_if else "",
                allow_unknown=q.allow_unknown,
            )
            for position, q in enumerate(catalog.questions, start=1)
        ]
    )
    Choice.objects.bulk_create(
        [
            Choice(question=question, value=c.value, label=c.label, position=position)
            for question, q in zip(questions, catalog.questions, strict=True)
            for position, c in enumerate(q.choices, start=1)
        ]
    )
    procedures = Procedure.objects.bulk_create(
        [
            Procedure(
                municipality=municipality,
                counter=counter_by_key[p.counter],
                key=p.key,
                name=p.name,
                applies_if=p.applies_if.source,
                deadline_days=p.deadline_days,
                deadline_note=p.deadline_note or "",
                description=p.description or "",
                url=p.url or "",
                order=p.order,
            )
            for p in catalog.procedures
        ]
    )
    Document.objects.bulk_create(
        [
            Document(procedure=procedure, text=text, position=position)
            for procedure, p in zip(procedures, catalog.procedures, strict=True)
            for position, text in enumerate(p.documents, start=1)
        ]
    )
    catalog_touch(municipality=municipality)
    return municipality, created


def catalog_touch(*, municipality: Municipality) -> None:
    """Record that the catalog changed, so cached compilations are dropped."""
    Municipality.objects.filter(pk=municipality.pk).update(catalog_version=F("catalog_version") + 1)
    municipality.refresh_from_db(fields=["catalog_version", "updated_at"])
