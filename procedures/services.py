"""Writes to the catalog. Every write bumps the municipality's catalog version and is recorded."""

import copy
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from core.audit import audit
from core.models import AuditEvent
from procedures.catalog import Catalog, municipality_code_error
from procedures.catalog_io import FORMAT, CatalogInvalid, loads, read_catalog, write_catalog
from procedures.models import (
    CatalogRevision,
    Choice,
    Counter,
    Document,
    Municipality,
    Place,
    Procedure,
    Question,
    deadline_columns,
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
    # The stored catalog is now this one: its document is the revision's, not read back and checked.
    catalog_touch(
        municipality=municipality, user=user, action=action, note=note, document=write_catalog(catalog)
    )
    return municipality, created


def _catalog_sync(municipality: Municipality, catalog: Catalog) -> None:
    """Make the stored catalog the given one, item by item by key.

    A row whose key stays keeps its id (and is written only when a field changed), so admin
    links, its change history and a change form another editor has open keep working after an
    import, an undo or a restore. Choices are matched by value, documents by position.
    """
    places, places_gone = _sync(
        Place.objects.filter(municipality=municipality),
        {p.key: {"name": p.name, "order": p.order, "outside": p.outside} for p in catalog.places},
        new={"municipality_id": municipality.pk},
    )
    counters, counters_gone = _sync(
        Counter.objects.filter(municipality=municipality),
        {
            c.key: {
                "place_id": places[c.place],
                "name": c.name,
                "order": c.order,
                "location": c.location or "",
                "phone": c.phone or "",
                "hours": c.hours or "",
            }
            for c in catalog.counters
        },
        new={"municipality_id": municipality.pk},
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
        new={"municipality_id": municipality.pk},
    )
    _, choices_gone = _sync(
        Choice.objects.filter(question__municipality=municipality),
        {
            (questions[q.key], c.value): {"label": c.label, "position": position}
            for q in catalog.questions
            for position, c in enumerate(q.choices, start=1)
        },
        key=("question_id", "value"),
    )
    procedures, procedures_gone = _sync(
        Procedure.objects.filter(municipality=municipality),
        {
            p.key: {
                "counter_id": counters[p.counter],
                "name": p.name,
                "applies_if": p.applies_if.source,
                **deadline_columns(p.deadline),
                "deadline_note": p.deadline_note or "",
                "description": p.description or "",
                "url": p.url or "",
                "order": p.order,
            }
            for p in catalog.procedures
        },
        new={"municipality_id": municipality.pk},
    )
    _, documents_gone = _sync(
        Document.objects.filter(procedure__municipality=municipality),
        {
            (procedures[p.key], position): {"text": text}
            for p in catalog.procedures
            for position, text in enumerate(p.documents, start=1)
        },
        key=("procedure_id", "position"),
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


def _sync(queryset, wanted: dict, *, key: tuple[str, ...] = ("key",), new: dict | None = None):
    """The rows of `queryset` made to hold `wanted` ({key: {field: value}}): a row whose fields differ
    is updated in place (those fields only), a missing one created with `new` and its key fields.
    Returns the ids by key, and the ids of the rows not wanted, left for the caller to delete
    (children first). `key` names the fields that make a row's key (one: the key itself)."""
    model = queryset.model
    names = list(dict.fromkeys(name for values in wanted.values() for name in values))
    existing: dict = {}
    doubles: list[int] = []
    # Plain values, no model instances: a catalog of thousands of rows compares in milliseconds.
    for row in queryset.order_by("pk").values("pk", *key, *names):
        row_key = row[key[0]] if len(key) == 1 else tuple(row[name] for name in key)
        if row_key in existing:
            doubles.append(row["pk"])  # two documents at one position: the first stays
        else:
            existing[row_key] = row
    ids, created = {}, []
    for row_key, values in wanted.items():
        row = existing.get(row_key)
        if row is None:
            own = {key[0]: row_key} if len(key) == 1 else dict(zip(key, row_key, strict=True))
            created.append((row_key, model(**(new or {}), **own, **values)))
            continue
        ids[row_key] = row["pk"]
        changed = {name: value for name, value in values.items() if row[name] != value}
        if changed:
            model.objects.filter(pk=row["pk"]).update(**changed)
    model.objects.bulk_create([instance for _, instance in created], batch_size=500)
    ids.update((row_key, instance.pk) for row_key, instance in created)
    return ids, [row["pk"] for row_key, row in existing.items() if row_key not in wanted] + doubles


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
    *,
    municipality: Municipality,
    user=None,
    action: str = CatalogRevision.Action.EDIT,
    note: str = "",
    document: dict | None = None,
) -> CatalogRevision:
    """Record that the catalog changed: a new version (cached compilations are dropped) and a revision
    holding `document`, the catalog as stored now (read from the database when not given)."""
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
        document=document if document is not None else catalog_snapshot_for(municipality=municipality),
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
