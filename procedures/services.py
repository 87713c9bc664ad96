"""Writes to the catalog. Every write bumps the municipality's catalog version and is recorded."""

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F

from core.audit import audit
from core.models import AuditEvent
from procedures.catalog import Catalog, CatalogPdf, municipality_code_error
from procedures.catalog_forms import info_document, value_problem
from procedures.catalog_io import (
    FORMAT,
    CatalogInvalid,
    form_entry,
    loads,
    prefill_entry,
    read_catalog,
    write_catalog,
)
from procedures.form_pdf import FormPdfError, Placement, inspect_pdf, placement_problems
from procedures.models import (
    ApplicationForm,
    CatalogRevision,
    Choice,
    Document,
    FormPdf,
    Municipality,
    Procedure,
    Question,
    deadline_columns,
    prefill_columns,
)
from procedures.selectors import catalog_document_for, catalog_snapshot_for, read_kept

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
    pdfs: Mapping[str, bytes] | None = None,
    user=None,
    action: str = CatalogRevision.Action.IMPORT,
    note: str = "",
    expected_version: int | None = None,
) -> tuple[Municipality, bool]:
    """Replace the municipality's whole catalog with a validated one, atomically, in place: an
    item whose key stays keeps its row and id (see `_catalog_sync`).

    The forms' PDFs are stored from `pdfs` (bytes by SHA-256) unless the municipality has
    them already (a revision restored). Returns the municipality and whether it was created.
    With `expected_version`,
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

    _catalog_sync(municipality, catalog, pdfs)
    # The stored catalog is now this one: its document is the revision's, not read back and checked
    # (its forms naming their PDFs by hash, as catalog_snapshot_for writes it).
    catalog_touch(
        municipality=municipality,
        user=user,
        action=action,
        note=note,
        document=write_catalog(catalog, hashes=True),
    )
    return municipality, created


def _catalog_sync(municipality: Municipality, catalog: Catalog, pdfs: Mapping[str, bytes] | None) -> None:
    """Make the stored catalog the given one, item by item by key.

    A row whose key stays keeps its id (and is written only when a field changed), so admin
    links, its change history and a change form another editor has open keep working after an
    import, an undo or a restore. Choices are matched by value, documents and forms by position
    (a form's PDFs stored from `pdfs` unless the municipality has them already).
    """
    gone: list[tuple[type, list[int]]] = []  # the rows not wanted, table by table, parents first

    def sync(queryset, wanted: dict, **options) -> dict:
        ids, unwanted = _sync(queryset, wanted, **options)
        gone.append((queryset.model, unwanted))
        return ids

    places = sync(
        municipality.places.all(),
        {p.key: {"name": p.name, "order": p.order, "outside": p.outside} for p in catalog.places},
        new={"municipality_id": municipality.pk},
    )
    counters = sync(
        municipality.counters.all(),
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
    questions = sync(
        municipality.questions.all(),
        {
            q.key: {
                "position": position,
                "text": q.text,
                "help": q.help or "",
                "type": q.type.value,
                "ask_if": q.ask_if.source if q.ask_if else "",
                "allow_unknown": q.allow_unknown,
                **prefill_columns(prefill_entry(q.prefill)),
            }
            for position, q in enumerate(catalog.questions, start=1)
        },
        new={"municipality_id": municipality.pk},
    )
    sync(
        Choice.objects.filter(question__municipality=municipality),
        {
            (questions[q.key], c.value): {"label": c.label, "position": position}
            for q in catalog.questions
            for position, c in enumerate(q.choices, start=1)
        },
        key=("question_id", "value"),
    )
    procedures = sync(
        municipality.procedures.all(),
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
    sync(
        Document.objects.filter(procedure__municipality=municipality),
        {
            (procedures[p.key], position): {"text": text}
            for p in catalog.procedures
            for position, text in enumerate(p.documents, start=1)
        },
        key=("procedure_id", "position"),
    )
    stored = form_pdfs_store(
        municipality=municipality,
        pdfs={f.pdf.sha256: f.pdf for p in catalog.procedures for f in p.forms},
        data=pdfs or {},
    )
    sync(
        ApplicationForm.objects.filter(procedure__municipality=municipality),
        {
            (procedures[p.key], position): {
                "file": form.file,
                "title": form.title,
                "pdf_id": stored[form.pdf.sha256].pk,
                "fields": form_entry(form)["fields"],
            }
            for p in catalog.procedures
            for position, form in enumerate(p.forms, start=1)
        },
        key=("procedure_id", "position"),
    )
    # What is gone goes last, children first: a counter or place is protected while referenced.
    for model, ids in reversed(gone):
        if ids:
            model.objects.filter(pk__in=ids).delete()


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
        changed = {name: value for name, value in values.items() if _differs(row[name], value)}
        if changed:
            model.objects.filter(pk=row["pk"]).update(**changed)
    model.objects.bulk_create([instance for _, instance in created], batch_size=500)
    ids.update((row_key, instance.pk) for row_key, instance in created)
    return ids, [row["pk"] for row_key, row in existing.items() if row_key not in wanted] + doubles


def _differs(stored, wanted) -> bool:
    """Whether a column changes; a dict's order counts (a prefill's `values` are shown in theirs)."""
    return stored != wanted or (isinstance(stored, dict) and list(stored) != list(wanted))


def form_pdfs_store(
    *, municipality: Municipality, pdfs: Mapping[str, CatalogPdf], data: Mapping[str, bytes]
) -> dict[str, FormPdf]:
    """The municipality's stored PDFs with these hashes, storing those it lacks from `data`."""
    stored = {
        row.sha256: row for row in FormPdf.objects.filter(municipality=municipality, sha256__in=list(pdfs))
    }
    for sha, pdf in pdfs.items():
        if sha not in stored:
            content = data[sha]  # a PDF neither stored nor given is the caller's mistake
            stored[sha] = FormPdf.objects.create(
                municipality=municipality,
                sha256=sha,
                data=content,
                size=len(content),
                info=info_document(pdf.info),
            )
    return stored


def _catalog_clear(municipality: Municipality) -> None:
    # Children first: counters and places are protected while referenced.
    for rows in (municipality.procedures, municipality.questions, municipality.counters, municipality.places):
        rows.all().delete()


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


# --- A procedure's own forms, edited in the admin ------------------------------------------------


@dataclass(frozen=True)
class FormProblem:
    """What is wrong with a form as edited: in which field row (None: the form) and which of its
    inputs (None: the row), in Japanese for the editor's screen."""

    row: int | None
    field: str | None
    message: str


class FormRefused(Exception):
    def __init__(self, problems: list[FormProblem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


# Which input of a field row a placement problem belongs to (the row itself otherwise).
_PROBLEM_INPUT = {"page": "page", "size": "size", "acroform": "acroform", "acroform_page": "page"}


def form_pdf_read(data: bytes) -> tuple[CatalogPdf, bytes]:
    """An uploaded PDF checked (inspect_pdf): FormRefused saying why it is refused, in Japanese."""
    try:
        info = inspect_pdf(data)
    except FormPdfError as error:
        raise FormRefused([FormProblem(None, "pdf", f"＊{error.message_ja}")]) from None
    return CatalogPdf(hashlib.sha256(data).hexdigest(), info), data


def form_field_problems(
    *, municipality: Municipality, pdf: CatalogPdf, fields: list[dict]
) -> list[FormProblem]:
    """Each field row's problems: its value (a question that is not there) and where it prints."""
    questions = list(Question.objects.filter(municipality=municipality).values_list("key", flat=True))
    problems = [
        FormProblem(row, "value", f"＊{problem.message_ja}")
        for row, field in enumerate(fields)
        if (problem := value_problem(field["value"], questions)) is not None
    ]
    for problem in placement_problems(pdf.info, [Placement(**field) for field in fields]):
        problems.append(
            FormProblem(problem.field, _PROBLEM_INPUT.get(problem.code), f"＊{problem.message_ja}")
        )
    return problems


@transaction.atomic
def form_save(
    *,
    procedure: Procedure,
    form: ApplicationForm | None,
    title: str,
    fields: list[dict],
    pdf: CatalogPdf,
    data: bytes | None = None,
    user=None,
) -> ApplicationForm:
    """Add a form to a procedure (`form` None) or change one: its title, its fields, its PDF (`data`
    when new). Checked field by field, then as a whole catalog; FormRefused changes nothing."""
    municipality = procedure.municipality
    problems = form_field_problems(municipality=municipality, pdf=pdf, fields=fields)
    if problems:
        raise FormRefused(problems)
    stored = form_pdfs_store(
        municipality=municipality, pdfs={pdf.sha256: pdf}, data={pdf.sha256: data} if data else {}
    )
    row = form or ApplicationForm(procedure=procedure, position=_next_position(procedure))
    row.file = _file_for(procedure, row, pdf.sha256)
    row.title, row.pdf, row.fields = title, stored[pdf.sha256], fields
    row.save()
    errors = catalog_errors(municipality=municipality)
    if errors:  # raised out of the transaction: nothing is kept
        raise FormRefused([FormProblem(None, None, error) for error in errors])
    verb = "追加" if form is None else "変更"
    catalog_touch(
        municipality=municipality,
        user=user,
        note=f"手続き「{procedure.name}」（{procedure.key}）の申請書「{title}」を{verb}",
    )
    return row


def form_delete(*, form: ApplicationForm, user=None) -> None:
    procedure = form.procedure
    with transaction.atomic():
        form.delete()
        catalog_touch(
            municipality=procedure.municipality,
            user=user,
            note=f"手続き「{procedure.name}」（{procedure.key}）の申請書「{form.title}」を削除",
        )


def _next_position(procedure: Procedure) -> int:
    last = procedure.forms.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def _file_for(procedure: Procedure, form: ApplicationForm, sha: str) -> str:
    """The form's path in a bundle: one path names one PDF in the whole catalog. Its own path while
    no other form uses it with other bytes, else forms/<procedure key>[-n].pdf, the first free one."""
    others = ApplicationForm.objects.filter(procedure__municipality_id=procedure.municipality_id).exclude(
        pk=form.pk
    )
    taken = dict(others.values_list("file", "pdf__sha256"))
    if form.file and taken.get(form.file, sha) == sha:
        return form.file
    same = next((path for path, other in taken.items() if other == sha), None)
    if same is not None:
        return same
    number, path = 1, f"forms/{procedure.key}.pdf"
    while path in taken:
        number += 1
        path = f"forms/{procedure.key}-{number}.pdf"
    return path


def catalog_errors(*, municipality: Municipality) -> list[str]:
    """Every error of the municipality's stored catalog (read again, not from the cache), in
    Japanese for the editor's screen, each with its place: ＊手続き「…」（key）の「…」: …"""
    try:
        read_kept(catalog_document_for(municipality=municipality), municipality=municipality)
    except CatalogInvalid as exc:
        return [f"＊{text}" for text in exc.japanese()]
    return []
