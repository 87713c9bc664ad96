"""The catalog pages of a municipality in the admin: import, export, preview, history, revert,
and the operator's copy of the national template.

Each takes the MunicipalityAdmin, whose `municipality_for` is the one scoped lookup
(another municipality's id is a 404), then parses input, calls a selector or
service, and renders.
"""

import copy
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core.staff import Role, is_operator, staff_membership_set
from procedures.catalog import SECTIONS
from procedures.catalog_changes import catalog_changes, undo_change
from procedures.catalog_files import JSON, XLSX, ZIP, bundle_for, has_forms, read_catalog_file
from procedures.catalog_io import CatalogInvalid, dumps, write_catalog
from procedures.catalog_labels import SECTION_LABELS, field_label
from procedures.catalog_xlsx import write_xlsx
from procedures.evaluation import (
    CaseInvalid,
    asked_questions,
    deadline_wording,
    evaluate,
    fact_label,
    read_case,
)
from procedures.forms import CatalogPreviewForm, CatalogUploadForm, MunicipalityFromTemplateForm
from procedures.models import CatalogRevision, Municipality
from procedures.selectors import (
    catalog_for,
    catalog_snapshot_for,
    read_kept,
    revision_before,
    revisions_for,
)
from procedures.services import (
    CatalogChanged,
    MunicipalityCodeInvalid,
    MunicipalityExists,
    TemplateInvalid,
    catalog_import,
    form_pdfs_store,
    municipality_create,
)
from procedures.wareki import wareki
from procedures.warnings import catalog_warnings

KIND_LABELS = {"added": "追加", "changed": "変更", "removed": "削除"}
_SESSION_IMPORT = "catalog-import-{pk}"


def _context(model_admin, request, municipality: Municipality | None, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": municipality,
        "title": title,
        **extra,
    }


def _render(model_admin, request, template: str, municipality, title: str, **extra):
    return TemplateResponse(
        request,
        f"admin/procedures/municipality/{template}",
        _context(model_admin, request, municipality, title, **extra),
    )


def posted_version(request) -> int:
    """The catalog version the confirmed page showed; -1 (never current) when missing or garbled."""
    try:
        return int(request.POST.get("version", -1))
    except ValueError:
        return -1


def _change_url(municipality: Municipality) -> str:
    return reverse("admin:procedures_municipality_change", args=[municipality.pk])


def _changes_context(before: dict | None, after: dict) -> dict:
    """The diff as the templates show it: per section, added / changed / removed items with their fields."""
    changes = catalog_changes(before, after)
    sections = [
        {
            "label": SECTION_LABELS[section],
            "items": [
                {"kind": KIND_LABELS[item.kind], "css": item.kind, "item": item}
                for item in changes.of(section)
            ],
        }
        for section in SECTIONS
        if changes.of(section)
    ]
    texts = {q.get("key"): q.get("text") for q in after.get("questions", []) if isinstance(q, dict)}
    order = changes.question_order[1] if changes.question_order else ()
    return {
        "changes": changes,
        "change_sections": sections,
        "question_order": [f"{texts.get(key, key)}（{key}）" for key in order],
    }


def overview_context(municipality: Municipality) -> dict:
    """What the municipality page shows under its fields: warnings and the latest changes."""
    try:
        warnings = catalog_warnings(catalog_for(municipality=municipality))
    except CatalogInvalid as exc:
        return {
            "catalog_errors": exc.japanese(),
            "recent_revisions": revisions_for(municipality=municipality)[:5],
        }
    return {"catalog_warnings": warnings, "recent_revisions": revisions_for(municipality=municipality)[:5]}


# --- A new municipality from the national template (the operator) ---------------------------------


def from_template(model_admin, request):
    if not is_operator(request.user):
        raise PermissionDenied
    form = MunicipalityFromTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            municipality = municipality_create(
                code=data["code"],
                name=data["name"],
                prefecture=data["prefecture"],
                from_template=True,
                user=request.user,
            )
        except (MunicipalityExists, MunicipalityCodeInvalid):
            form.add_error("code", "＊この団体コードでは作れません（すでにあるか、正しくありません）。")
        except TemplateInvalid as exc:
            form.add_error(
                None,
                f"＊全国テンプレートに誤りがあるため作れません（{exc.errors[0]}）。運用担当に連絡してください。",
            )
        else:
            if data["editor"] is not None:
                staff_membership_set(user=data["editor"], municipality=municipality, role=Role.EDITOR)
            messages.success(request, f"{municipality} を全国テンプレートから作成しました。")
            return redirect(_change_url(municipality))
    return _render(
        model_admin, request, "from_template.html", None, "テンプレートから市区町村を作成", form=form
    )


# --- Import: upload, see the difference, then apply --------------------------------------------------


def import_file(model_admin, request, object_id):
    municipality = model_admin.municipality_for(request, object_id)
    key = _SESSION_IMPORT.format(pk=municipality.pk)
    if request.method == "POST" and "apply" in request.POST:
        pending = request.session.pop(key, None)
        if pending is None:
            messages.error(request, "取り込むファイルがありません。もう一度ファイルを選んでください。")
            return redirect(request.path)
        try:
            catalog_import(
                catalog=read_kept(pending["document"], municipality=municipality),
                user=request.user,
                note=f"「{pending['filename']}」を取り込み",
                expected_version=pending["version"],
            )
        except CatalogChanged:
            messages.error(
                request, "確認のあとにカタログが変更されました。もう一度ファイルを選んでください。"
            )
            return redirect(request.path)
        except (CatalogInvalid, DatabaseError):
            messages.error(request, "取り込めませんでした。カタログは変更していません。")
            return redirect(request.path)
        # Not the file name first: the admin shows messages with their first letter capitalised.
        messages.success(request, f"「{pending['filename']}」を取り込みました。")
        return redirect(_change_url(municipality))

    form = CatalogUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            read = read_catalog_file(upload.read(), upload.name)
        except CatalogInvalid as exc:
            errors = exc.japanese()
        else:
            catalog = read.catalog
            if catalog.municipality.code != municipality.code:
                errors = [
                    f"このファイルは団体コード {catalog.municipality.code} のカタログです。"
                    f"{municipality.name}（{municipality.code}）のカタログを選んでください。"
                ]
            else:
                # The PDFs wait in the database (by hash, shared with every revision), the rest in
                # the session: the catalog itself changes only when the user applies it.
                pdfs = {f.pdf.sha256: f.pdf for p in catalog.procedures for f in p.forms}
                form_pdfs_store(municipality=municipality, pdfs=pdfs, data=read.pdfs)
                document = write_catalog(catalog, hashes=True)
                request.session[key] = {
                    "document": document,
                    "version": municipality.catalog_version,
                    "filename": upload.name,
                }
                return _render(
                    model_admin,
                    request,
                    "import_confirm.html",
                    municipality,
                    "取り込む前の確認",
                    filename=upload.name,
                    warnings=catalog_warnings(catalog),
                    notes=read.notes,
                    **_changes_context(catalog_snapshot_for(municipality=municipality), document),
                )
    return _render(
        model_admin, request, "import.html", municipality, "カタログの取り込み", form=form, file_errors=errors
    )


def export_file(model_admin, request, object_id, fmt):
    municipality = model_admin.municipality_for(request, object_id)
    catalog = catalog_for(municipality=municipality)
    document = write_catalog(catalog)
    if fmt == JSON and has_forms(catalog):
        messages.error(
            request,
            "申請書のあるカタログは JSON では書き出せません（PDFを含められないため）。"
            "申請書ごと書き出す（.zip）を使ってください。",
        )
        return redirect(_change_url(municipality))
    if fmt == JSON:
        response = HttpResponse(dumps(document), content_type="application/json; charset=utf-8")
    elif fmt == XLSX:
        response = HttpResponse(
            write_xlsx(document),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == ZIP:
        response = HttpResponse(
            bundle_for(municipality=municipality, catalog=catalog), content_type="application/zip"
        )
    else:
        raise Http404("書き出しの形式は json・xlsx・zip です。")
    response["Content-Disposition"] = f'attachment; filename="catalog-{municipality.code}.{fmt}"'
    return response


# --- Preview: the rules on sample answers, no case created -------------------------------------------


def preview(model_admin, request, object_id):
    municipality = model_admin.municipality_for(request, object_id)
    catalog = catalog_for(municipality=municipality)
    form = CatalogPreviewForm(request.GET if "run" in request.GET else None, catalog=catalog)
    tried: dict = {"result": None}  # nothing tried yet, or answers the catalog refuses
    if form.is_bound and form.is_valid():
        try:
            case = read_case(catalog, form.case_document())
        except CaseInvalid as exc:
            tried["case_errors"] = exc.errors
        else:
            tried = _tried(catalog, case)
    return _render(
        model_admin, request, "preview.html", municipality, "プレビュー（回答を試す）", form=form, **tried
    )


def _tried(catalog, case) -> dict:
    """What the preview shows of the rules on these answers: the result, its route and 要確認, and
    the questions these answers do not ask."""
    result = evaluate(catalog, case)
    route, maybe = _route(catalog, result)
    asked = {q.key for q in asked_questions(catalog, case)}
    skipped = [q for q in catalog.questions if q.key not in asked]
    return {"result": result, "route": route, "maybe": maybe, "skipped": skipped}


def _route(catalog, result: dict) -> tuple[list[dict], list[dict]]:
    """The evaluation result with the catalog's names, for the page."""
    procedures = {p.key: p for p in catalog.procedures}
    applies = {item["key"]: item for item in result["applies"]}
    route = []
    for stop in result["route"]:
        counter = catalog.counter_by_key[stop["counter"]]
        route.append(
            {
                "counter": counter,
                "place": catalog.place_by_key[counter.place],
                "procedures": [
                    {
                        "procedure": procedures[key],
                        **applies[key],
                        "deadline": _wareki_day(applies[key]["deadline"]),
                        "deadline_rule": _rule_without_date(catalog, procedures[key], applies[key]),
                    }
                    for key in stop["procedures"]
                ],
            }
        )
    maybe = [
        {
            **item,
            "counter_name": catalog.counter_by_key[item["counter"]].name,
            "confirm": [fact_label(catalog, name) for name in item["unknown"]],
        }
        for item in result["maybe"]
    ]
    return route, maybe


def _wareki_day(iso: str | None) -> str:
    """A deadline as the counter shows it: 令和9年2月22日（月）."""
    return wareki(date.fromisoformat(iso), weekday=True) if iso else ""


def _rule_without_date(catalog, procedure, item: dict) -> str:
    """A deadline counted from a date the answers do not give, in words ("" when dated or none)."""
    if item["deadline"] or procedure.deadline is None:
        return ""
    return deadline_wording(catalog, procedure.deadline)


# --- History, diff and revert --------------------------------------------------------------------------


def revision_list(model_admin, request, object_id):
    municipality = model_admin.municipality_for(request, object_id)
    page = Paginator(revisions_for(municipality=municipality), 50).get_page(request.GET.get("p"))
    return _render(model_admin, request, "revisions.html", municipality, "カタログの変更履歴", page=page)


def _revision(municipality, revision_id) -> CatalogRevision:
    return get_object_or_404(revisions_for(municipality=municipality), pk=revision_id)


def revision_detail(model_admin, request, object_id, revision_id):
    municipality = model_admin.municipality_for(request, object_id)
    revision = _revision(municipality, revision_id)
    previous = revision_before(revision)
    return _render(
        model_admin,
        request,
        "revision.html",
        municipality,
        f"変更の内容（版{revision.catalog_version}）",
        revision=revision,
        previous=previous,
        **_changes_context(previous.document if previous else None, revision.document),
    )


def _conflict_label(conflict) -> str:
    """An item (or a municipality field) an undo cannot take back, as the editor knows it."""
    if conflict.section == "municipality":
        return f"市区町村の「{field_label('municipality', conflict.key)}」"
    return f"{SECTION_LABELS[conflict.section]}「{conflict.key}」"


def revision_revert(model_admin, request, object_id, revision_id, mode):
    """Undo one change (`undo`) or bring the catalog back to a revision (`restore`): see, then apply."""
    municipality = model_admin.municipality_for(request, object_id)
    revision = _revision(municipality, revision_id)
    previous = revision_before(revision)
    if mode not in ("undo", "restore") or (mode == "undo" and previous is None):
        raise Http404("その操作はできません。")
    current = catalog_snapshot_for(municipality=municipality)
    conflicts, errors, catalog = [], [], None
    if mode == "undo":
        target, conflicts = undo_change(current, previous.document, revision.document)
        note = f"版{revision.catalog_version}の変更を取り消し"
        done = f"版{revision.catalog_version}の変更を取り消しました。"
    else:
        target = copy.deepcopy(revision.document)
        note = f"版{revision.catalog_version}の状態に復元"
        done = f"版{revision.catalog_version}の状態に復元しました。"
    target["municipality"]["code"] = municipality.code
    if not conflicts:
        try:
            catalog = read_kept(target, municipality=municipality)
        except CatalogInvalid as exc:
            errors = exc.japanese()
    if request.method == "POST" and catalog is not None:
        try:
            catalog_import(
                catalog=catalog,
                user=request.user,
                action=CatalogRevision.Action.REVERT,
                note=note,
                expected_version=posted_version(request),
            )
        except CatalogChanged:
            messages.error(request, "確認のあとにカタログが変更されました。もう一度確かめてください。")
            return redirect(request.path)
        messages.success(request, done)
        return redirect(reverse("admin:procedures_municipality_revisions", args=[municipality.pk]))
    return _render(
        model_admin,
        request,
        "revert.html",
        municipality,
        "変更の取り消し" if mode == "undo" else "この版に戻す",
        revision=revision,
        mode=mode,
        conflicts=[_conflict_label(c) for c in conflicts],
        catalog_errors=errors,
        warnings=catalog_warnings(catalog) if catalog else [],
        **_changes_context(current, target),
    )
