"""Reads of the catalog that cross relations."""

from datetime import datetime

from django.db.models import Prefetch

from procedures.catalog_io import Catalog, CatalogInvalid, read_catalog
from procedures.models import Choice, Counter, Document, Municipality, Place, Procedure, Question

# Compiled catalogs, keyed by municipality and catalog version: conditions are
# parsed once per catalog change, not per evaluation. updated_at is part of the
# stamp because a deleted municipality's id (and version) can come back with a
# new row and another catalog (SQLite reuses the highest id).
_compiled: dict[int, tuple[tuple[int, datetime], Catalog]] = {}


def municipality_by_code(code: str) -> Municipality | None:
    return Municipality.objects.filter(code=code).first()


def catalog_document_for(*, municipality: Municipality) -> dict:
    """The municipality's catalog as an okuyami-catalog/1 document, in the stored order."""
    places = Place.objects.filter(municipality=municipality)
    counters = Counter.objects.filter(municipality=municipality).select_related("place")
    questions = Question.objects.filter(municipality=municipality).prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))
    )
    procedures = (
        Procedure.objects.filter(municipality=municipality)
        .select_related("counter")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("position", "id")))
    )
    return {
        "format": "okuyami-catalog/1",
        "municipality": {
            "code": municipality.code,
            "name": municipality.name,
            "prefecture": municipality.prefecture,
        },
        "places": [{"key": p.key, "name": p.name, "order": p.order} for p in places],
        "counters": [
            {
                "key": c.key,
                "name": c.name,
                "place": c.place.key,
                "order": c.order,
                "location": c.location or None,
                "phone": c.phone or None,
                "hours": c.hours or None,
            }
            for c in counters
        ],
        "questions": [question_entry(q, q.choices.all()) for q in questions],
        "procedures": [
            {
                "key": p.key,
                "name": p.name,
                "counter": p.counter.key,
                "applies_if": p.applies_if,
                "deadline_days": p.deadline_days,
                "deadline_note": p.deadline_note or None,
                "documents": [d.text for d in p.documents.all()],
                "description": p.description or None,
                "url": p.url or None,
                "order": p.order,
            }
            for p in procedures
        ],
    }


def question_entry(question: Question, choices) -> dict:
    """One question as a document entry; `choices` may be unsaved (admin forms)."""
    return {
        "key": question.key,
        "text": question.text,
        "help": question.help or None,
        "type": question.type,
        "choices": [{"value": c.value, "label": c.label} for c in choices] or None,
        "ask_if": question.ask_if or None,
        "allow_unknown": question.allow_unknown,
    }


def catalog_for(*, municipality: Municipality) -> Catalog:
    """The compiled catalog, from the cache while the catalog is unchanged."""
    stamp = (municipality.catalog_version, municipality.updated_at)
    cached = _compiled.get(municipality.pk)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    catalog = read_catalog(catalog_document_for(municipality=municipality))
    _compiled[municipality.pk] = (stamp, catalog)
    return catalog


def catalog_errors_with(
    *, municipality: Municipality, section: str, entry: dict, original_key: str | None
) -> list[tuple[str | None, str]]:
    """Every catalog error if `entry` replaced the item `original_key` of `section`.

    The whole catalog is validated, so a change that breaks another item (a renamed
    question that a procedure reads) is refused too. Returns (field, message) pairs:
    field is set where the error is in `entry` itself.
    """
    document = catalog_document_for(municipality=municipality)
    items = document[section]
    index = next((i for i, item in enumerate(items) if item["key"] == original_key), None)
    if index is None:
        index = len(items)
        items.append(entry)
    else:
        items[index] = entry
    try:
        read_catalog(document)
    except CatalogInvalid as exc:
        return [_locate(document, section, index, error) for error in exc.errors]
    return []


def _locate(document: dict, section: str, index: int, error: str) -> tuple[str | None, str]:
    where, _, message = error.partition(": ")
    own = f"{section}[{index}]"
    if where.startswith(own + "."):
        return where[len(own) + 1 :].split(".")[0].split("[")[0], message
    name, _, rest = where.partition("]")
    items_name, _, position = name.partition("[")
    if position.isdigit() and items_name in document:
        key = document[items_name][int(position)].get("key")
        return None, f"{items_name}[{position}] '{key}'{rest}: {message}"
    return None, error
