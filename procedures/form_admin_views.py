"""A procedure's own application forms (申請書) in the admin: upload, place the fields on the
pages, preview with the demo family, replace the PDF, delete.

Each view takes the ProcedureAdmin, whose `get_object` is scoped to the user's municipality
(another municipality's procedure is a 404), and looks the form up among that procedure's.
The placement page works without JavaScript (every field's numbers are inputs); with it,
procedures/form_editor.js draws the fields on the page images for clicking and dragging.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from procedures.catalog_forms import DATE_VALUES, demo_case, resolve, value_choices, value_label
from procedures.form_images import PageImageError, page_png
from procedures.form_pdf import FormPdfError, FormToFill, Placement, fill_forms
from procedures.forms import FormReplaceForm, FormTitleForm, FormUploadForm, PlacementFormSet
from procedures.models import ApplicationForm, Procedure
from procedures.selectors import catalog_for, form_pdf_bytes, stored_pdfs
from procedures.services import FormRefused, form_delete, form_pdf_read, form_save

PAGE_CACHE_SECONDS = 24 * 60 * 60


def _procedure(model_admin, request, object_id) -> Procedure:
    procedure = model_admin.get_object(request, object_id)
    if procedure is None or not model_admin.has_change_permission(request, procedure):
        raise Http404("手続きが見つかりません。")
    return procedure


def _form(procedure: Procedure, form_id: int) -> ApplicationForm:
    return get_object_or_404(procedure.forms.select_related("pdf"), pk=form_id)


def _render(model_admin, request, template: str, procedure: Procedure, title: str, **extra):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": procedure,
        "title": title,
        **extra,
    }
    return TemplateResponse(request, f"admin/procedures/procedure/{template}", context)


def _forms_url(procedure: Procedure) -> str:
    return reverse("admin:procedures_procedure_forms", args=[procedure.pk])


def _form_url(form: ApplicationForm) -> str:
    return reverse("admin:procedures_procedure_form", args=[form.procedure_id, form.pk])


def _refused(form, refused: FormRefused) -> None:
    for problem in refused.problems:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


# --- The list of a procedure's forms, and a new one ----------------------------------------------


def form_list(model_admin, request, object_id):
    procedure = _procedure(model_admin, request, object_id)
    upload = FormUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload.is_valid():
        try:
            pdf, data = form_pdf_read(upload.cleaned_data["pdf"].read())
            form = form_save(
                procedure=procedure,
                form=None,
                title=upload.cleaned_data["title"],
                fields=[],
                pdf=pdf,
                data=data,
                user=request.user,
            )
        except FormRefused as refused:
            _refused(upload, refused)
        else:
            messages.success(request, f"申請書「{form.title}」を追加しました。印刷する欄を置いてください。")
            return redirect(_form_url(form))
    forms = procedure.forms.select_related("pdf")
    return _render(
        model_admin, request, "forms.html", procedure, f"申請書：{procedure.name}", forms=forms, upload=upload
    )


# --- Placing the fields ------------------------------------------------------------------------------


def form_edit(model_admin, request, object_id, form_id):
    procedure = _procedure(model_admin, request, object_id)
    form = _form(procedure, form_id)
    catalog = catalog_for(municipality=procedure.municipality)
    pdf = stored_pdfs(municipality=procedure.municipality, hashes=[form.pdf.sha256])[form.pdf.sha256]
    options = {"values": value_choices(catalog), "acroforms": [f.name for f in pdf.info.fields]}
    posted = request.method == "POST"
    title = FormTitleForm(request.POST if posted else None, initial={"title": form.title})
    rows = PlacementFormSet(
        request.POST if posted else None, initial=form.fields, form_kwargs=options, prefix="fields"
    )
    preview = None
    if posted and title.is_valid() and rows.is_valid():
        fields = rows.placements()
        if "_preview" in request.POST:
            preview = _preview(procedure, form, fields, catalog, rows)
        else:
            try:
                form_save(
                    procedure=procedure,
                    form=form,
                    title=title.cleaned_data["title"],
                    fields=fields,
                    pdf=pdf,
                    user=request.user,
                )
            except FormRefused as refused:
                _rows_refused(rows, title, refused)
            else:
                messages.success(request, f"申請書「{form.title}」の印刷する欄を保存しました。")
                return redirect(_form_url(form))
    question_texts = {q.key: q.text for q in catalog.questions}
    return _render(
        model_admin,
        request,
        "form_edit.html",
        procedure,
        f"申請書の欄を置く：{form.title}",
        form=form,
        pdf=pdf,
        title_form=title,
        rows=rows,
        replace=FormReplaceForm(),
        preview=preview,
        pages=[
            {
                "info": page,
                "paper": page.paper.replace("portrait", "縦").replace("landscape", "横"),
                "url": _page_url(form, page.number),
                "fillable": _fillable(pdf, page.number),
            }
            for page in pdf.info.pages
        ],
        labels={value: label for value, label in options["values"]},
        saved=[(field, value_label(field["value"], question_texts)) for field in form.fields],
        date_values=DATE_VALUES,
    )


def _fillable(pdf, page: int):
    return [field for field in pdf.info.fields if field.page == page]


def _page_url(form: ApplicationForm, page: int) -> str:
    url = reverse("admin:procedures_procedure_form_page", args=[form.procedure_id, form.pk, page])
    return f"{url}?v={form.pdf.sha256[:16]}"  # a new PDF, a new URL: the browser's copy is never stale


def _rows_refused(rows, title, refused: FormRefused) -> None:
    """Put each problem next to its row; the rows kept are renumbered without the deleted ones."""
    kept = rows.kept()
    for problem in refused.problems:
        if problem.row is not None and problem.row < len(kept):
            row = kept[problem.row]
            row.add_error(problem.field if problem.field in row.fields else None, problem.message)
        else:
            title.add_error(None, problem.message)


def _preview(procedure, form, fields: list[dict], catalog, rows) -> dict:
    """The form printed with the demo family (not saved): each page as an image, and the warnings."""
    case = demo_case(catalog, timezone.localdate())
    data = form_pdf_bytes(municipality=procedure.municipality, hashes=[form.pdf.sha256])[form.pdf.sha256]
    placements = [Placement(**field) for field in fields]
    try:
        filled = fill_forms(
            [FormToFill(data, placements, [resolve(f["value"], case) for f in fields], form.title)]
        )
    except FormPdfError as error:
        return {"error": error.message_ja}
    images = []
    for number in range(1, filled.pages + 1):
        try:
            png = page_png(filled.pdf, number)
        except PageImageError:
            return {"error": "プレビューの画像を作れませんでした。保存して窓口の印刷で確かめてください。"}
        images.append(f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}")
    return {"images": images, "warnings": [w.message_ja for w in filled.warnings]}


def form_page(model_admin, request, object_id, form_id, page):
    """One page of the form's PDF as a PNG (cached: a stored PDF never changes)."""
    procedure = _procedure(model_admin, request, object_id)
    form = _form(procedure, form_id)
    key = f"okuyami:form-page:{form.pdf.sha256}:{page}"
    png = cache.get(key)
    if png is None:
        data = form_pdf_bytes(municipality=procedure.municipality, hashes=[form.pdf.sha256])[form.pdf.sha256]
        if not 1 <= page <= len(form.pdf.info["pages"]):
            raise Http404("そのページはありません。")
        try:
            png = page_png(data, page)
        except PageImageError:
            return HttpResponse(
                "ページの画像を作れませんでした。", status=503, content_type="text/plain; charset=utf-8"
            )
        cache.set(key, png, PAGE_CACHE_SECONDS)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = f"private, max-age={PAGE_CACHE_SECONDS}"
    return response


# --- Replacing the PDF, deleting the form ------------------------------------------------------------


def form_replace(model_admin, request, object_id, form_id):
    procedure = _procedure(model_admin, request, object_id)
    form = _form(procedure, form_id)
    if request.method != "POST":
        return redirect(_form_url(form))
    upload = FormReplaceForm(request.POST, request.FILES)
    if upload.is_valid():
        try:
            pdf, data = form_pdf_read(upload.cleaned_data["pdf"].read())
            form_save(
                procedure=procedure,
                form=form,
                title=form.title,
                fields=form.fields,
                pdf=pdf,
                data=data,
                user=request.user,
            )
        except FormRefused as refused:
            for problem in refused.problems:
                where = f"{problem.row + 1}番目の欄: " if problem.row is not None else ""
                messages.error(request, f"PDFを差し替えられませんでした。{where}{problem.message}")
        else:
            messages.success(request, "PDFを差し替えました。欄の位置を確かめてください。")
    else:
        for errors in upload.errors.values():
            messages.error(request, f"PDFを差し替えられませんでした。{' '.join(errors)}")
    return redirect(_form_url(form))


def form_remove(model_admin, request, object_id, form_id):
    procedure = _procedure(model_admin, request, object_id)
    form = _form(procedure, form_id)
    if request.method == "POST":
        form_delete(form=form, user=request.user)
        messages.success(request, f"申請書「{form.title}」を削除しました。")
        return redirect(_forms_url(procedure))
    return _render(
        model_admin, request, "form_delete.html", procedure, f"申請書の削除：{form.title}", form=form
    )
