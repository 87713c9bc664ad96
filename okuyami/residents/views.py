"""The upload of a resident extract: the operator (any municipality) and a municipality's 管理者 (its own).

Two steps, so the counts are seen before anything changes: the upload is read whole into an
extract that waits (services.extract_import with apply=False), then 取り込む applies it or
取り込まない erases it.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.staff import Role, is_operator, membership_for
from okuyami.residents.forms import ExtractUploadForm, OperatorExtractUploadForm
from okuyami.residents.selectors import extract_for, pending_extract_for
from okuyami.residents.services import (
    ExtractInvalid,
    NothingPending,
    extract_apply,
    extract_discard,
    extract_import,
    records_days,
)
from procedures.models import Municipality
from procedures.selectors import municipality_by_code

ERRORS_SHOWN = 200
NO_ACCESS = "住民記録の取り込みは、運用担当と、市区町村の管理者として登録された人だけが使えます。"


@dataclass(frozen=True)
class ImportScope:
    operator: bool
    municipality: Municipality | None  # a 管理者's own; None for the operator

    def municipality_for(self, code: str) -> Municipality:
        """The municipality of `code` if the user may import for it, else 404."""
        if self.municipality is not None:
            if self.municipality.code != code:
                raise Http404
            return self.municipality
        municipality = municipality_by_code(code)
        if municipality is None:
            raise Http404
        return municipality


def import_scope(user) -> ImportScope | None:
    if is_operator(user):
        return ImportScope(True, None)
    membership = membership_for(user, role=Role.MANAGER)
    return ImportScope(False, membership.municipality) if membership is not None else None


def import_view(view):
    """Logged in, the operator or a 管理者; with a `code`, that municipality if the user may import for it."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, code: str | None = None, **kwargs):
        scope = import_scope(request.user)
        if scope is None:
            return render(request, "okuyami/no_access.html", {"reason": NO_ACCESS}, status=403)
        if code is not None:
            kwargs["municipality"] = scope.municipality_for(code)
        return view(request, scope, *args, **kwargs)

    return wrapper


@import_view
def extract_upload(request, scope: ImportScope):
    posted = request.method == "POST"  # a form with only a file has an empty request.POST
    form_class = OperatorExtractUploadForm if scope.operator else ExtractUploadForm
    form = form_class(request.POST if posted else None, request.FILES if posted else None)
    refused = None
    if posted and form.is_valid():
        municipality = form.cleaned_data.get("municipality") or scope.municipality
        try:
            extract_import(
                municipality=municipality,
                source=form.cleaned_data["archive"],
                user=request.user,
                apply=False,
                max_errors=ERRORS_SHOWN,
            )
        except ExtractInvalid as exc:
            refused = exc.report
        else:
            return redirect("residents:import-confirm", code=municipality.code)
    municipality = scope.municipality
    context = {
        "form": form,
        "refused": refused,
        "municipality": municipality,
        "current": extract_for(municipality) if municipality else None,
        "pending": pending_extract_for(municipality) if municipality else None,
        "records_days": records_days(),
    }
    return render(request, "residents/import.html", context)


@import_view
def extract_confirm(request, scope: ImportScope, municipality: Municipality):
    pending = pending_extract_for(municipality)
    if pending is None:
        messages.info(request, "確認待ちの住民記録はありません。ファイルを選んでください。")
        return redirect("residents:import")
    context = {"municipality": municipality, "pending": pending, "current": extract_for(municipality)}
    return render(request, "residents/import_confirm.html", context)


@require_POST
@import_view
def extract_decide(request, scope: ImportScope, municipality: Municipality):
    if request.POST.get("decision") == "apply":
        try:
            extract = extract_apply(municipality=municipality, user=request.user)
        except NothingPending:
            messages.error(request, "＊確認待ちの住民記録がありません。もう一度ファイルを選んでください。")
        else:
            messages.success(
                request, f"{municipality.name}の住民記録を取り込みました（{extract.people:,}人）。"
            )
    else:
        extract_discard(municipality=municipality, user=request.user)
        messages.info(request, "読み込んだ住民記録は取り込まずに消去しました。")
    return redirect("residents:import")
