"""Reads of the catalog that cross relations."""

import threading
from datetime import datetime

from django.db import connection

from core.models import StaffMembership
from core.staff import Role, is_operator, membership_for
from procedures.catalog import Catalog, CatalogPdf
from procedures.catalog_errors import CatalogError
from procedures.catalog_forms import info_from_document
from procedures.catalog_io import (
    FORMAT,
    SHA256,
    CatalogInvalid,
    deadline_entry,
    read_catalog,
    split_hashes,
    write_catalog,
)
from procedures.deadlines import DEATH, Deadline, Unit
from procedures.facts import prefill_document
from procedures.models import (
    ApplicationForm,
    CatalogRevision,
    Choice,
    Counter,
    Document,
    FormPdf,
    Municipality,
    Place,
    Procedure,
    Question,
)
from procedures.rules import AGE, QuestionType

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
    forms: dict[int, list[dict]] = {}
    for procedure_id, file, title, sha, fields in (
        ApplicationForm.objects.filter(procedure__municipality=municipality)
        .order_by("position", "id")
        .values_list("procedure_id", "file", "title", "pdf__sha256", "fields")
    ):
        forms.setdefault(procedure_id, []).append(
            {"file": file, "title": title, SHA256: sha, "fields": fields}
        )
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
                "forms": forms.get(pk),
            }
            for (pk, key, name, counter, applies_if, amount, unit, start, note, description, url, order) in (
                procedures
            )
        ],
    }


def _deadline(amount: int | None, unit: str, start: str) -> Deadline | None:
    """A procedure's stored deadline columns as the rule (what `Procedure.deadline` gives)."""
    return None if amount is None else Deadline(amount, Unit(unit), start or DEATH)


def stored_pdfs(*, municipality: Municipality, hashes) -> dict[str, CatalogPdf]:
    """The municipality's stored PDFs with these hashes (what inspecting them found), by hash."""
    rows = FormPdf.objects.filter(municipality=municipality, sha256__in=set(hashes)).values_list(
        "sha256", "info"
    )
    return {sha: CatalogPdf(sha, info_from_document(info)) for sha, info in rows}


# The bytes of PDF forms by SHA-256: content-addressed, so an entry is never stale. Bounded, oldest
# dropped first: printing a family's 40 forms reads them from memory, not from the database.
_PDF_CACHE: dict[str, bytes] = {}
_PDF_CACHE_LOCK = threading.Lock()
PDF_CACHE_BYTES = 64 * 1024 * 1024


def form_pdf_bytes(*, municipality: Municipality, hashes) -> dict[str, bytes]:
    """The bytes of the municipality's stored PDFs with these hashes, by hash."""
    wanted = set(hashes)
    with _PDF_CACHE_LOCK:  # threads of one server share the cache
        found = {sha: _PDF_CACHE[sha] for sha in wanted if sha in _PDF_CACHE}
    missing = wanted - set(found)
    if missing:
        rows = FormPdf.objects.filter(municipality=municipality, sha256__in=missing).values_list(
            "sha256", "data"
        )
        loaded = {sha: bytes(data) for sha, data in rows}
        found.update(loaded)
        with _PDF_CACHE_LOCK:
            _PDF_CACHE.update(loaded)
            while sum(map(len, _PDF_CACHE.values())) > PDF_CACHE_BYTES and len(_PDF_CACHE) > 1:
                del _PDF_CACHE[next(iter(_PDF_CACHE))]
    return found


def read_kept(
    document: dict, *, municipality: Municipality, extra: dict[str, CatalogPdf] | None = None
) -> Catalog:
    """A document as this project keeps it (forms naming their PDFs by hash: the stored catalog,
    a revision) read with the municipality's stored PDFs (and `extra` ones not stored yet);
    CatalogInvalid otherwise."""
    plain, hashes = split_hashes(document)
    known = {**stored_pdfs(municipality=municipality, hashes=hashes.values()), **(extra or {})}
    missing = sorted(path for path, sha in hashes.items() if sha not in known)
    files = {path: known[sha] for path, sha in hashes.items() if sha in known}
    try:
        return read_catalog(plain, files=files if hashes or _has_forms(plain) else None)
    except CatalogInvalid as exc:
        gone = [
            CatalogError(
                "", f"{path}: the PDF is no longer stored", f"申請書の PDF「{path}」は保存されていません"
            )
            for path in missing
        ]
        raise CatalogInvalid([*gone, *exc.problems], document=exc.document) from None


def _has_forms(document: dict) -> bool:
    return any(isinstance(p, dict) and p.get("forms") for p in document.get("procedures", []))


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
    catalog = read_kept(catalog_document_for(municipality=municipality), municipality=municipality)
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
        if section == "procedures" and "forms" not in entry:
            entry = {**entry, "forms": items[index].get("forms")}  # edited elsewhere: kept as they are
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
        read_kept(document, municipality=municipality)
    except CatalogInvalid as exc:
        return [_locate(document, section, index, problem) for problem in exc.problems]
    return []


def _locate(document: dict, section: str, index: int, problem: CatalogError) -> tuple[str | None, str]:
    """(field, Japanese message): an error in the entry's own field goes next to it, without its
    place; any other names the item and field it is in."""
    own = f"{section}[{index}]"
    if problem.where.startswith(own + "."):
        # The field, with its part when it is an object: "deadline.from" (a list keeps its name only).
        return problem.where[len(own) + 1 :].split("[")[0], f"＊{problem.text(document)}"
    return None, f"＊{problem.japanese(document)}"


def catalog_snapshot_for(*, municipality: Municipality) -> dict:
    """The catalog as export_catalog writes it, its forms naming their PDFs by hash (the stored
    document as it is, should it be invalid): what the history keeps and diffs."""
    document = catalog_document_for(municipality=municipality)
    try:
        return write_catalog(read_kept(document, municipality=municipality), hashes=True)
    except CatalogInvalid:
        return document


def condition_questions(*, municipality_id: int | None, before: int | None = None) -> list[dict]:
    """What a condition of the municipality can read, for the admin's condition helper: age at
    death, then each question with its key, type and choice values, in asking order. `before`: only
    the questions asked before that position (what an ask_if may read)."""
    if municipality_id is None:
        return []
    questions = Question.objects.filter(municipality_id=municipality_id).prefetch_related("choices")
    if before is not None:
        questions = questions.filter(position__lt=before)
    age = {
        "key": AGE,
        "text": "亡くなったときの年齢（満年齢）",
        "type": AGE,
        "kind": "AGE",
        "type_label": "年齢",
        "choices": [],
    }
    return [age] + [
        {
            "key": q.key,
            "text": q.text,
            "type": q.type,
            "kind": QuestionType(q.type).name,  # how the builder's script and the template name the type
            "type_label": QuestionType(q.type).label,
            "choices": [{"value": c.value, "label": c.label} for c in q.choices.all()],
        }
        for q in questions
    ]


# The rows edited together with an item of the catalog (the admin's inlines), and their fields.
_ITEM_CHILDREN = {
    Question: ("choices", ("value", "label", "position")),
    Procedure: ("documents", ("text", "position")),
}


def item_state(model, pk) -> dict | None:
    """What an item of the catalog holds now, with its choices or documents, as plain values; None
    when it is gone. Two states differ exactly when someone changed the item in between."""
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    state = model._default_manager.filter(pk=pk).values(*names).first()
    if state is not None and model in _ITEM_CHILDREN:
        related, fields = _ITEM_CHILDREN[model]
        children = getattr(model, related).rel.related_model._default_manager
        state[related] = [
            list(row) for row in children.filter(**{model._meta.model_name: pk}).values_list(*fields)
        ]
    return state


# --- Who may edit which catalog: the one place that decides it. ---

# How each table of a municipality's catalog reaches its municipality.
CATALOG_PATH = {
    Municipality: "pk",
    Place: "municipality",
    Counter: "municipality",
    Question: "municipality",
    Choice: "question__municipality",
    Procedure: "municipality",
    Document: "procedure__municipality",
    ApplicationForm: "procedure__municipality",
    FormPdf: "municipality",
}
# ... and of every model the catalog admin shows: the catalog, its editors and its history.
MUNICIPALITY_PATH = {**CATALOG_PATH, StaffMembership: "municipality", CatalogRevision: "municipality"}


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
