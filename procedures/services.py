"""Writes to the catalog. Every write bumps the municipality's catalog version and is recorded."""

import copy
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from core.audit import audit
from core.models import AuditEvent
from procedures.catalog import Catalog, municipality_code_error
from procedures.catalog_io import FORMAT, CatalogInvalid, loads, prefill_entry, read_catalog
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
    """Replace the municipality's whole catalog with a validated one, atomically.

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

    _catalog_clear(municipality)

    places = Place.objects.bulk_create(
        [
            Place(municipality=municipality, key=p.key, name=p.name, order=p.order, outside=p.outside)
            for p in catalog.places
        ]
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
    question_rows = []
    for position, q in enumerate(catalog.questions, start=1):
        row = Question(
            municipality=municipality,
            key=q.key,
            position=position,
            text=q.text,
            help=q.help or "",
            type=q.type,
            ask_if=q.ask_if.source if q.ask_if else "",
            allow_unknown=q.allow_unknown,
        )
        row.set_prefill(prefill_entry(q.prefill))
        question_rows.append(row)
    questions = Question.objects.bulk_create(question_rows)
    Choice.objects.bulk_create(
        [
            Choice(question=question, value=c.value, label=c.label, position=position)
            for question, q in zip(questions, catalog.questions, strict=True)
            for position, c in enumerate(q.choices, start=1)
        ]
    )
    rows = []
    for p in catalog.procedures:
        row = Procedure(
            municipality=municipality,
            counter=counter_by_key[p.counter],
            key=p.key,
            name=p.name,
            applies_if=p.applies_if.source,
            deadline_note=p.deadline_note or "",
            description=p.description or "",
            url=p.url or "",
            order=p.order,
        )
        row.set_deadline(p.deadline)
        rows.append(row)
    procedures = Procedure.objects.bulk_create(rows)
    Document.objects.bulk_create(
        [
            Document(procedure=procedure, text=text, position=position)
            for procedure, p in zip(procedures, catalog.procedures, strict=True)
            for position, text in enumerate(p.documents, start=1)
        ]
    )
    catalog_touch(municipality=municipality, user=user, action=action, note=note)
    return municipality, created


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
