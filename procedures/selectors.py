"""Reads of the catalog that cross relations."""

from datetime import datetime

from django.db import connection

from core.models import StaffMembership
from core.staff import Role, is_operator, membership_for
from procedures.catalog import Catalog
from procedures.catalog_io import FORMAT, CatalogInvalid, deadline_entry, read_catalog, write_catalog
from procedures.deadlines import DEATH, Deadline, Unit
from procedures.facts import prefill_document
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

# Compiled catalogs, keyed by municipality and catalog version: conditions are
# parsed once per catalog change, not per evaluation. updated_at is part of the
# stamp because a deleted municipality's id (and version) can come back with a
# new row and another catalog (SQLite reuses the highest id).
_compiled: dict[int, tuple[tuple[int, datetime], Catalog]] = {}


def municipality_by_code(code: str) -> Municipality | None:
    return Municipality.objects.filter(code=code).first()


def catalog_document_for(*, municipality: Municipality) -> dict:
    """The municipality's catalog as an okuyami-catalog/1 document, in the stored order.

    Read as plain values, one query a table, with no model instances: a catalog of 2,300
    procedures is read in a fraction of the time (bench/compile.py).
    """
    places = Place.objects.filter(municipality=municipality).values_list("key", "name", "order", "outside")
    counters = Counter.objects.filter(municipality=municipality).values_list(
        "key", "name", "place__key", "order", "location", "phone", "hours"
    )
    questions = Question.objects.filter(municipality=municipality).values_list(
        "id", "key", "text", "help", "type", "ask_if", "allow_unknown", "prefill_fact", "prefill_values"
    )
    choices: dict[int, list] = {}
    for question_id, value, label in (
        Choice.objects.filter(question__municipality=municipality)
        .order_by("position", "id")
        .values_list("question_id", "value", "label")
    ):
        choices.setdefault(question_id, []).append({"value": value, "label": label})
    documents: dict[int, list[str]] = {}
    for procedure_id, text in (
        Document.objects.filter(procedure__municipality=municipality)
        .order_by("position", "id")
        .values_list("procedure_id", "text")
    ):
        documents.setdefault(procedure_id, []).append(text)
    procedures = Procedure.objects.filter(municipality=municipality).values_list(
        "id",
        "key",
        "name",
        "counter__key",
        "applies_if",
        "deadline_amount",
        "deadline_unit",
        "deadline_from",
        "deadline_note",
        "description",
        "url",
        "order",
    )
    return {
        "format": FORMAT,
        "municipality": {
            "code": municipality.code,
            "name": municipality.name,
            "prefecture": municipality.prefecture,
        },
        "places": [
            {"key": key, "name": name, "order": order, **({"outside": True} if outside else {})}
            for key, name, order, outside in places
        ],
        "counters": [
            {
                "key": key,
                "name": name,
                "place": place,
                "order": order,
                "location": location or None,
                "phone": phone or None,
                "hours": hours or None,
            }
            for key, name, place, order, location, phone, hours in counters
        ],
        "questions": [
            _question_entry(*row, choices.get(pk, []), prefill_fact, prefill_values)
            for pk, *row, prefill_fact, prefill_values in questions
        ],
        "procedures": [
            {
                "key": key,
                "name": name,
                "counter": counter,
                "applies_if": applies_if,
                **deadline_entry(_deadline(amount, unit, start)),
                "deadline_note": note or None,
                "documents": documents.get(pk, []),
                "description": description or None,
                "url": url or None,
                "order": order,
            }
            for (pk, key, name, counter, applies_if, amount, unit, start, note, description, url, order) in (
                procedures
            )
        ],
    }


def _deadline(amount: int | None, unit: str, start: str) -> Deadline | None:
    """A procedure's stored deadline columns as the rule (what `Procedure.deadline` gives)."""
    return None if amount is None else Deadline(amount, Unit(unit), start or DEATH)


def question_entry(question: Question, choices) -> dict:
    """One question as a document entry; `choices` may be unsaved (admin forms)."""
    return _question_entry(
        question.key,
        question.text,
        question.help,
        question.type,
        question.ask_if,
        question.allow_unknown,
        [{"value": c.value, "label": c.label} for c in choices],
        question.prefill_fact,
        question.prefill_values,
    )


def _question_entry(
    key, text, help_text, qtype, ask_if, allow_unknown, choices: list[dict], prefill_fact, prefill_values
) -> dict:
    return {
        "key": key,
        "text": text,
        "help": help_text or None,
        "type": qtype,
        "choices": choices or None,
        "ask_if": ask_if or None,
        "allow_unknown": allow_unknown,
        "prefill": prefill_document(prefill_fact, prefill_values),
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


def catalog_for_code(code: str) -> Catalog | None:
    """The compiled catalog of the municipality with `code`, or None.

    The public evaluate endpoint's hot path: one small query for the version stamp;
    the municipality row is loaded whole only when its catalog must be compiled.
    """
    table = Municipality._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, catalog_version, updated_at FROM {table} WHERE code = %s", [code])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, version, updated_at = row
    cached = _compiled.get(pk)
    if cached is not None and cached[0] == (version, _aware(updated_at)):
        return cached[1]
    return catalog_for(municipality=Municipality.objects.get(pk=pk))


def _aware(value):
    """SQLite returns naive datetimes (UTC) from a raw cursor; the ORM returns aware ones."""
    from datetime import UTC

    from django.utils.dateparse import parse_datetime

    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# Items that point at a place or counter by its key: the database follows a renamed key (a
# foreign key), so the document checked must follow it too.
_REFERENCES = {"places": ("counters", "place"), "counters": ("procedures", "counter")}


def catalog_errors_with(
    *,
    municipality: Municipality,
    section: str,
    entry: dict,
    original_key: str | None,
    position: int | None = None,
) -> list[tuple[str | None, str]]:
    """Every catalog error if `entry` replaced the item `original_key` of `section`.

    The whole catalog is validated, so a change that breaks another item (a renamed
    question that a procedure reads) is refused too. `position` is a question's new
    place in the asking order. Returns (field, message) pairs: field is set where the
    error is in `entry` itself ("applies_if", "choices", or "deadline.from" inside an object).
    """
    document = catalog_document_for(municipality=municipality)
    items = document[section]
    index = next((i for i, item in enumerate(items) if item["key"] == original_key), None)
    if index is None:
        index = len(items)
        items.append(entry)
    else:
        items[index] = entry
    if section in _REFERENCES and original_key and original_key != entry.get("key"):
        referring, name = _REFERENCES[section]
        for item in document[referring]:
            if item.get(name) == original_key:
                item[name] = entry.get("key")
    if section == "questions" and position is not None:
        positions = dict(Question.objects.filter(municipality=municipality).values_list("key", "position"))
        positions.pop(original_key, None)
        positions[entry.get("key")] = position
        items.sort(key=lambda item: (positions.get(item.get("key"), 0), str(item.get("key"))))
        index = next(i for i, item in enumerate(items) if item is entry)
    try:
        read_catalog(document)
    except CatalogInvalid as exc:
        return [_locate(document, section, index, error) for error in exc.errors]
    return []


def _locate(document: dict, section: str, index: int, error: str) -> tuple[str | None, str]:
    where, _, message = error.partition(": ")
    own = f"{section}[{index}]"
    if where.startswith(own + "."):
        # The field, with its part when it is an object: "deadline.from" (a list keeps its name only).
        return where[len(own) + 1 :].split("[")[0], message
    name, _, rest = where.partition("]")
    items_name, _, position = name.partition("[")
    if position.isdigit() and items_name in document:
        key = document[items_name][int(position)].get("key")
        return None, f"{items_name}[{position}] '{key}'{rest}: {message}"
    return None, error


def catalog_snapshot_for(*, municipality: Municipality) -> dict:
    """The catalog as export_catalog writes it (the stored document as it is, should it be invalid)."""
    document = catalog_document_for(municipality=municipality)
    try:
        return write_catalog(read_catalog(document))
    except CatalogInvalid:
        return document


# --- Who may edit which catalog: the one place that decides it. ---

# How each catalog model reaches its municipality.
MUNICIPALITY_PATH = {
    Municipality: "pk",
    Place: "municipality",
    Counter: "municipality",
    Question: "municipality",
    Choice: "question__municipality",
    Procedure: "municipality",
    Document: "procedure__municipality",
    StaffMembership: "municipality",
    CatalogRevision: "municipality",
}


def editor_municipality(user) -> Municipality | None:
    """The municipality whose catalog the user edits: staff with the 編集者 role only."""
    membership = membership_for(user, role=Role.EDITOR)
    return membership.municipality if membership is not None and user.is_staff else None


def may_edit_catalogs(user) -> bool:
    """The operator (superuser) edits every catalog, an editor their own."""
    return is_operator(user) or editor_municipality(user) is not None


def catalog_scope(queryset, *, user):
    """`queryset` of a catalog model limited to what the user may see: all for the operator,
    the user's own municipality for an editor, nothing for anyone else."""
    if is_operator(user):
        return queryset
    municipality = editor_municipality(user)
    if municipality is None:
        return queryset.none()
    return queryset.filter(**{MUNICIPALITY_PATH[queryset.model]: municipality.pk})


def revisions_for(*, municipality: Municipality):
    return CatalogRevision.objects.filter(municipality=municipality).select_related("user")


def revision_before(revision: CatalogRevision) -> CatalogRevision | None:
    return (
        CatalogRevision.objects.filter(municipality_id=revision.municipality_id, pk__lt=revision.pk)
        .order_by("-pk")
        .first()
    )
