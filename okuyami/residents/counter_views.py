"""新しい受付 from the municipality's records: 住民記録から探す, then the 受付 filled from them.

The search and the opening of a record are the services' (okuyami.residents.services, audited
there); a case is made by okuyami.services.case_create with the answers the records gave. The
criteria and the people found are personal data: they travel only in POST bodies, never in a URL.
A record that cannot be read sends the counter on by hand, with the services' message.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from okuyami import services
from okuyami.residents.forms import RecordCaseForm, RecordSearchForm
from okuyami.residents.selectors import records_sources
from okuyami.residents.services import RecordsError, SearchInvalid, record_open, records_search
from okuyami.views import counter_view
from procedures.evaluation import CaseInvalid
from procedures.selectors import catalog_for


@counter_view
def search(request):
    """住民記録から探す: the deceased first, with their date of death; 手入力 for anyone else."""
    sources = records_sources(request.municipality)
    if not any(sources):
        return redirect("okuyami:case-create")  # no records to look in: by hand, as always
    form = RecordSearchForm(request.POST if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = records_search(user=request.user, criteria=form.criteria())
        except SearchInvalid as exc:
            form.add_error(None, str(exc))
        except RecordsError as exc:
            messages.warning(request, exc.message)
            return redirect("okuyami:case-create")
    context = {"form": form, "result": result, "sources": sources}
    return render(request, "residents/search.html", context)


@require_POST
@counter_view
def from_record(request):
    """The 受付 filled from one person's records (opened: audited); sent again, the case is made."""
    number = request.POST.get("atena_number", "").strip()
    try:
        document = record_open(
            user=request.user,
            atena_number=number,
            prefill=catalog_for(municipality=request.municipality).prefill_specs,
        )
    except RecordsError as exc:
        messages.warning(request, exc.message)
        return redirect("okuyami:case-create")
    creating = "create" in request.POST
    form = RecordCaseForm(
        request.POST if creating else None,
        household=document["household"],
        initial={**_deceased(document), "atena_number": number, "submission": uuid.uuid4()},
    )
    if creating and form.is_valid():
        try:
            case = services.case_create(
                municipality=request.municipality,
                user=request.user,
                data=form.cleaned_data,
                submission=form.cleaned_data["submission"],
                record_answers=document["answers"],
            )
        except (ValidationError, CaseInvalid) as exc:
            form.add_error(
                None, exc if isinstance(exc, ValidationError) else "住民記録の回答がカタログに合いません。"
            )
        else:
            return redirect("okuyami:questions", pk=case.pk)
    context = {"form": form, "document": document}
    return render(request, "residents/from_record.html", context)


def _deceased(document: dict) -> dict:
    deceased = document["deceased"]
    return {
        "deceased_name": deceased["name"],
        "deceased_kana": deceased["kana"],
        "deceased_birth_date": deceased["birth_date"],
        "death_date": deceased["death_date"],
        "deceased_address": deceased["address"],
    }
