"""At the counter: 新しい受付 → コードから始める. The family's 受付コード first, then the reception
form (their details, as for any case); the new case starts with the answers given at home."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from okuyami.forms import CaseForm
from okuyami.precheck import limits, selectors, services
from okuyami.precheck.codes import shown
from okuyami.precheck.forms import CodeForm
from okuyami.views import age_message, counter_view


@counter_view
def case_from_code(request):
    """GET: the code field. POST with the code: the reception form under the code's summary.
    POST with the reception form too: the case, with the family's answers (the code is used)."""
    if request.method != "POST":
        return render(request, "precheck/counter/code.html", {"form": CodeForm()})
    if refused := limits.hit("lookup", f"user:{request.user.pk}"):
        return render(
            request, "precheck/counter/code.html", {"form": CodeForm(), "refused": refused}, status=429
        )
    code_form, form = CodeForm(request.POST), None
    try:
        if not code_form.is_valid():
            raise selectors.CodeMistyped(code_form.errors["code"][0])
        code = code_form.cleaned_data["code"]
        if "deceased_name" in request.POST:
            form = CaseForm(request.POST)
            if form.is_valid():
                try:
                    return loaded_redirect(request, create(request, code, form.cleaned_data))
                except ValidationError as exc:
                    form.add_error(None, exc)
        row = selectors.code_for_counter(municipality=request.municipality, text=code)
    except selectors.CodeProblem as problem:
        return code_refused(request, code_form, problem)
    form = form or CaseForm(initial={"submission": uuid.uuid4(), "death_date": row.death_date})
    context = {"form": form, "case": None, "precheck": row, "precheck_code": shown(row.code)}
    return render(request, "okuyami/case_form.html", context)


def create(request, code: str, data: dict) -> services.Loaded:
    return services.case_create_from_code(
        municipality=request.municipality,
        user=request.user,
        code=code,
        data=data,
        submission=data["submission"],
    )


def code_refused(request, form: CodeForm, problem: selectors.CodeProblem):
    form.errors.pop("code", None)
    form.add_error("code" if "code" in form.fields else None, str(problem))
    return render(request, "precheck/counter/code.html", {"form": form}, status=problem.status)


def loaded_redirect(request, loaded: services.Loaded):
    messages.success(
        request,
        f"受付 {loaded.case.pk} を作成しました。{age_message(loaded.case)}"
        f"事前確認の回答（{loaded.answers}問）を読み込みました。「事前確認より」の回答をご家族と確認してください。",
    )
    if loaded.age_differs:
        home, counted = loaded.age_differs
        messages.warning(
            request,
            f"ご家族が事前確認で答えた年齢（{home}歳）と、生年月日から計算した年齢（{counted}歳）が違います。"
            "生年月日をご家族と確認してください。",
        )
    return redirect("okuyami:questions", pk=loaded.case.pk)
