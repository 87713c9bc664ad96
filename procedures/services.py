"""Writes to the catalog. Every write bumps the municipality's catalog version and is recorded."""

import copy
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from core.audit import audit
from core.models import AuditEvent
from procedures.catalog import Catalog, municipality_code_error
from procedures.catalog_io import FORMAT, CatalogInvalid, loads, read_catalog
from procedures.models import (
    CatalogRevision,
    Choice,
    Counter,
    Document,
    Municipality,
    Place,
    Procedure,
    Question,
)
from procedures.selectors import catalog_snapshot_for

TEMPLATE_CATALOG = Path(settings.BASE_DIR) / "fixtures" / "catalogs" / "national-template.json"


class CatalogChanged(Exception):
    """The catalog changed after the preview the user confirmed."""


class MunicipalityExists(Exception):
    """A municipality with this code is already there."""


class MunicipalityCodeInvalid(Exception):
    """Not a 全国地方公共団体コード (six digits, the sixth a check digit); the message says why."""


class TemplateInvalid(Exception):
    """The national template (fixtures/catalogs/national-template.json) cannot be read as a catalog:
    a fault of the installation, not of the request. `errors` lists what is wrong."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@transaction.atomic
def catalog_import(
    *,
    catalog: Catalog,
    user=None,
    action: str = CatalogRevision.Action.IMPORT,
    note: str = "",
    expected_version: int | None = None,
) -> tuple[Municipality, bool]:
    """Replace the municipality's whole catalog with a validated one, atomically, in place: an
    item whose key stays keeps its row and id (see `_catalog_sync`).

    Returns the municipality and whether it was created. With `expected_version`,
    raises CatalogChanged (and changes nothing) when the stored catalog is no longer
    the one the user previewed.
    """
    m = catalog.municipality
    municipality, created = Municipality.objects.select_for_update().get_or_create(
        code=m.code, defaults={"name": m.name, "prefecture": m.prefecture}
    )
    if expected_version is not None and municipality.catalog_version != expected_version:
        raise CatalogChanged(m.code)
    municipality.name, municipality.prefecture = m.name, m.prefecture
    municipality.save(update_fields=["name", "prefecture", "updated_at"])

    _catalog_sync(municipality, catalog)
    catalog_touch(municipality=municipality, user=user, action=action, note=note)
    return municipality, created


def _catalog_sync(municipality: Municipality, catalog: Catalog) -> None:
    """Make the stored catalog the given one, item by item by key.

    A row whose key stays keeps its id (and is written only when a field changed), so admin
    links, its change history and a change form another editor has open keep working after an
    import, an undo or a restore. Documents and choices are matched by position and value.
    """
    places, places_gone = _sync(
        Place.objects.filter(municipality=municipality),
        {p.key: {"name": p.name, "order": p.order, "outside": p.outside} for p in catalog.places},
        municipality=municipality,
    )
    counters, counters_gone = _sync(
        Counter.objects.filter(municipality=municipality),
        {
            c.key: {
                "place_id": places[c.place].pk,
                "name": c.name,
                "order": c.order,
                "location": c.location or "",
                "phone": c.phone or "",
                "hours": c.hours or "",
            }
            for c in catalog.counters
        },
        municipality=municipality,
    )
    questions, questions_gone = _sync(
        Question.objects.filter(municipality=municipality),
        {
            q.key: {
                "position": position,
                "text": q.text,
                "help": q.help or "",
                "type": q.type.value,
                "ask_if": q.ask_if.source if q.ask_if else "",
                "allow_unknown": q.allow_unknown,
            }
            for position, q in enumerate(catalog.questions, start=1)
        },
        municipality=municipality,
    )
    _, choices_gone = _sync(
        Choice.objects.filter(question__municipality=municipality),
        {
            (questions[q.key].pk, c.value): {"label": c.label, "position": position}
            for q in catalog.questions
            for position, c in enumerate(q.choices, start=1)
        },
        key=lambda choice: (choice.question_id, choice.value),
        fields=lambda key: {"question_id": key[0], "value": key[1]},
    )
    procedure_rows = {}
    for p in catalog.procedures:
        row = Procedure()
        row.set_deadline(p.deadline)
        procedure_rows[p.key] = {
            "counter_id": counters[p.counter].pk,
            "name": p.name,
            "applies_if": p.applies_if.source,
            "deadline_amount": row.deadline_amount,
            "deadline_unit": row.deadline_unit,
            "deadline_from": row.deadline_from,
            "deadline_note": p.deadline_note or "",
            "description": p.description or "",
            "url": p.url or "",
            "order": p.order,
        }
    procedures, procedures_gone = _sync(
        Procedure.objects.filter(municipality=municipality), procedure_rows, municipality=municipality
    )
    _, documents_gone = _sync(
        Document.objects.filter(procedure__municipality=municipality),
        {
            (procedures[p.key].pk, position): {"text": text}
            for p in catalog.procedures
            for position, text in enumerate(p.documents, start=1)
        },
        key=lambda document: (document.procedure_id, document.position),
        fields=lambda key: {"procedure_id": key[0], "position": key[1]},
    )
    # What is gone goes last, children first: a counter or place is protected while referenced.
    for model, gone in (
        (Document, documents_gone),
        (Choice, choices_gone),
        (Procedure, procedures_gone),
        (Question, questions_gone),
        (Counter, counters_gone),
        (Place, places_gone),
    ):
        if gone:
            model.objects.filter(pk__in=gone).delete()


def _sync(queryset, wanted: dict, *, municipality=None, key=None, fields=None) -> tuple[dict, list[int]]:
    """The rows of `queryset` made to hold `wanted` ({key: {field: value}}): changed rows updated in
    place, missing ones created. Returns the rows by key and the ids of the rows not wanted (left
    for the caller to delete, children first). `key(row)` is a row's key (default: its `key`
    field); `fields(key)` what a new row takes from its key (default: key and municipality)."""
    key = key or (lambda row: row.key)
    fields = fields or (lambda k: {"key": k, "municipality": municipality})
    model = queryset.model
    existing, doubles = {}, []
    for row in (
        queryset
    ):  # in the model's order: of two rows with one key (documents at one position) the first stays
        if key(row) in existing:
            doubles.append(row.pk)
        else:
            existing[key(row)] = row
    rows, changed_fields, changed_rows, created = {}, set(), [], []
    for k, values in wanted.items():
        row = existing.get(k)
        if row is None:
            row = model(**fields(k), **values)
            created.append(row)
        else:
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            for name in changed:
                setattr(row, name, values[name])
            if changed:
                changed_fields.update(changed)
                changed_rows.append(row)
        rows[k] = row
    if changed_rows:
        model.objects.bulk_update(changed_rows, sorted(changed_fields), batch_size=500)
    model.objects.bulk_create(created, batch_size=500)
    return rows, [row.pk for k, row in existing.items() if k not in wanted] + doubles


def _catalog_clear(municipality: Municipality) -> None:
    # Children first: counters and places are protected while referenced.
    for model in (Procedure, Question, Counter, Place):
        model.objects.filter(municipality=municipality).delete()


@transaction.atomic
def municipality_delete(*, municipality: Municipality) -> None:
    """A municipality gone with its whole catalog and history. Its cases must be gone first (they
    are protected); its staff memberships go with it; audit records keep its code."""
    _catalog_clear(municipality)
    municipality.delete()


def catalog_touch(
    *, municipality: Municipality, user=None, action: str = CatalogRevision.Action.EDIT, note: str = ""
) -> CatalogRevision:
    """Record that the catalog changed: a new version (cached compilations are dropped) and a revision."""
    Municipality.objects.filter(pk=municipality.pk).update(catalog_version=F("catalog_version") + 1)
    municipality.refresh_from_db(fields=["catalog_version", "updated_at"])
    user = user if getattr(user, "pk", None) is not None else None
    revision = CatalogRevision.objects.create(
        municipality=municipality,
        catalog_version=municipality.catalog_version,
        user=user,
        username=user.get_username() if user else "",
        action=action,
        note=note,
        document=catalog_snapshot_for(municipality=municipality),
    )
    audit(
        municipality=municipality,
        action=AuditEvent.Action.CATALOG_CHANGE,
        user=user,
        detail=f"版{revision.catalog_version} {revision.get_action_display()}{'：' + note if note else ''}",
    )
    return revision


def template_document() -> dict:
    """A fresh copy of the national template's document, checked; TemplateInvalid otherwise."""
    try:
        document = loads(TEMPLATE_CATALOG.read_bytes())
        read_catalog(document)
    except OSError as exc:
        raise TemplateInvalid([f"{TEMPLATE_CATALOG}: cannot be read ({exc.strerror})"]) from None
    except CatalogInvalid as exc:
        raise TemplateInvalid(exc.errors) from None
    return copy.deepcopy(document)


def municipality_create(
    *, code: str, name: str, prefecture: str, from_template: bool, user=None
) -> Municipality:
    """A new municipality with a copy of the national template (or an empty catalog).

    Raises MunicipalityCodeInvalid for a bad code, MunicipalityExists for a code already there,
    CatalogInvalid for a name or prefecture the format refuses and TemplateInvalid when the
    national template itself is broken.
    """
    if problem := municipality_code_error(code):
        raise MunicipalityCodeInvalid(problem)
    if from_template:
        document = template_document()
    else:
        document = {"format": FORMAT, "places": [], "counters": [], "questions": [], "procedures": []}
    document["municipality"] = {"code": code, "name": name, "prefecture": prefecture}
    catalog = read_catalog(document)
    with transaction.atomic():
        if Municipality.objects.select_for_update().filter(code=code).exists():
            raise MunicipalityExists(code)
        note = "全国テンプレートを複製" if from_template else "空のカタログ"
        municipality, _ = catalog_import(
            catalog=catalog, user=user, action=CatalogRevision.Action.TEMPLATE, note=note
        )
    return municipality
