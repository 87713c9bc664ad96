"""Counter screens: thin views over okuyami.selectors and okuyami.services."""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.audit import audit
from core.models import AuditEvent
from core.staff import Role, is_operator, membership_for
from core.web.query import query_bool
from okuyami import printing, selectors, services
from okuyami.forms import AdjustmentForm, AnswerForm, CaseForm, MarkForm
from okuyami.guide import AdjustmentAction
from okuyami.models import Case, Mark
from procedures.answer_fields import UNKNOWN
from procedures.evaluation import answer_label
from procedures.selectors import catalog_for

CONFLICT = (
    "競合：ほかの職員が先にこの受付を更新しました。最新の内容を確認してから、もう一度保存してください。"
)
CLOSED = "この受付は確定済みのため、回答や手続きの変更はできません。"
BAD_ADJUSTMENT = "手続きの追加・除外の内容が正しくありません。一覧から選び直してください。"


def counter_view(view):
    """Logged in, with a 窓口 membership; the case (if any) from the user's municipality only."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, pk=None, **kwargs):
        membership = membership_for(request.user, role=Role.COUNTER)
        if membership is None:
            return render(request, "okuyami/no_access.html", status=403)
        request.municipality = membership.municipality
        if pk is not None:
            kwargs["case"] = selectors.case_for(membership.municipality, pk)
        return view(request, *args, **kwargs)

    return wrapper


def record(request, action: str, case: Case | None = None, detail: str = "") -> None:
    """An audit record of what the user did; `detail` never carries the family's personal data."""
    audit(
        municipality=request.municipality,
        user=request.user,
        action=action,
        case_id=case.pk if case else None,
        detail=detail,
    )


VIEW, PRINT, CHANGE = AuditEvent.Action.VIEW, AuditEvent.Action.PRINT, AuditEvent.Action.CHANGE


def home(request):
    """Each role's first screen."""
    if not request.user.is_authenticated:
        return redirect("okuyami:login")
    membership = membership_for(request.user)
    role = membership.role if membership is not None else None
    if role == Role.MANAGER:
        return redirect("okuyami:audit-log")
    if role == Role.EDITOR or (role is None and is_operator(request.user)):
        return redirect("admin:index")
    return redirect("okuyami:case-list")


@counter_view
def case_list(request):
    today = timezone.localdate()
    cases = selectors.relay_cases(request.municipality, today=today)
    record(request, VIEW, detail="受付一覧")
    return render(request, "okuyami/case_list.html", {"cases": cases, "today": today})


@counter_view
def case_create(request):
    form = CaseForm(request.POST if request.method == "POST" else None, initial={"submission": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        case = services.case_create(
            municipality=request.municipality,
            user=request.user,
            data=form.cleaned_data,
            submission=form.cleaned_data["submission"],
        )
        record(request, CHANGE, case, "受付を作成")
        return redirect("okuyami:questions", pk=case.pk)
    return render(request, "okuyami/case_form.html", {"form": form, "case": None})


@counter_view
def case_edit(request, case):
    form = CaseForm(
        request.POST if request.method == "POST" else None,
        initial={**CaseForm.initial_for(case), "version": case.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, data=form.cleaned_data, version=form.cleaned_data["version"])
        except services.StaleCase:
            form.add_error(None, CONFLICT)
        else:
            record(request, CHANGE, case, "受付の内容を変更")
            messages.success(request, "受付の内容を保存しました。")
            return redirect(case)
    if request.method != "POST":
        record(request, VIEW, case, "受付内容の変更画面")
    return render(request, "okuyami/case_form.html", {"form": form, "case": case})


@counter_view
def case_detail(request, case):
    interview = selectors.interview_for(case)
    answered = sum(1 for q in interview.questions if q.key in case.answers or q.key in case.unknown)
    context = {"case": case, "asked": len(interview.questions), "answered": answered}
    record(request, VIEW, case, "受付の内容")
    return render(request, "okuyami/case_detail.html", context)


@counter_view
def questions_start(request, case):
    """The first asked question without an answer, or the check page."""
    interview = selectors.interview_for(case)
    for question in interview.questions:
        if question.key not in case.answers and question.key not in case.unknown:
            return redirect("okuyami:question", pk=case.pk, key=question.key)
    return redirect("okuyami:answers", pk=case.pk)


@counter_view
def question(request, case, key):
    interview = selectors.interview_for(case)
    index = interview.index_of(key)
    if index is None:
        raise Http404("この質問は、いまの回答では聞く必要がありません。")
    q = interview.questions[index]
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        question=q,
        initial={"answer": AnswerForm.initial_for(q, case)},
    )
    if request.method == "POST" and not case.is_open:
        messages.error(request, CLOSED)
        return redirect("okuyami:result", pk=case.pk)
    dont_know = request.method == "POST" and "dont_know" in request.POST and q.allow_unknown
    if dont_know or (request.method == "POST" and form.is_valid()):
        value = UNKNOWN if dont_know else form.cleaned_data["answer"]
        services.case_answer(case=case, question=q, value=value, unknown=value == UNKNOWN)
        record(request, CHANGE, case, f"回答を保存（{q.key}）")
        return redirect(_next_url(case, q.key, request.GET.get("from") == "answers"))
    back = (
        reverse("okuyami:question", args=[case.pk, interview.questions[index - 1].key])
        if index
        else reverse("okuyami:case-detail", args=[case.pk])
    )
    context = {
        "case": case,
        "form": form,
        "question": q,
        "number": index + 1,
        "total": len(interview.questions),
        "back": back,
    }
    return render(request, "okuyami/question.html", context)


def _next_url(case: Case, key: str, to_answers: bool) -> str:
    """The next question asked after `key` with the answers as they are now."""
    case.refresh_from_db()
    questions = selectors.interview_for(case).questions
    keys = [q.key for q in questions]
    position = keys.index(key) if key in keys else -1
    for following in questions[position + 1 :]:
        unanswered = following.key not in case.answers and following.key not in case.unknown
        if not to_answers or unanswered:
            return reverse("okuyami:question", args=[case.pk, following.key])
    return reverse("okuyami:answers", args=[case.pk])


@counter_view
def answers(request, case):
    """Check answers: every asked question with its answer and a 変更 link."""
    interview = selectors.interview_for(case)
    rows = [(q, _answer_text(q, case)) for q in interview.questions]
    missing = [q for q, text in rows if text is None]
    record(request, VIEW, case, "回答の確認")
    return render(request, "okuyami/answers.html", {"case": case, "rows": rows, "missing": missing})


def _answer_text(q, case: Case) -> str | None:
    if q.key in case.unknown:
        return "わからない"
    if q.key not in case.answers:
        return None
    return answer_label(q, case.answers[q.key])


@counter_view
def result(request, case):
    guide = selectors.guide_for(case)
    catalog_procedures = []
    if case.is_open:
        listed = set(selectors.guide_procedure_keys(guide))
        catalog_procedures = [
            p for p in catalog_for(municipality=case.municipality).procedures if p.key not in listed
        ]
    context = {
        "case": case,
        "guide": guide,
        "today": timezone.localdate(),
        "addable": catalog_procedures,
        "marks": selectors.marks_by_key(case),
        "print_documents": printing.TITLES.items(),
        "actions": AdjustmentAction.__members__,
    }
    record(request, VIEW, case, "結果と順路")
    return render(request, "okuyami/result.html", context)


@require_POST
@counter_view
def adjust(request, case):
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_ADJUSTMENT)
    else:
        try:
            services.case_adjust(
                case=case,
                user=request.user,
                procedure_key=form.cleaned_data["procedure"],
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
            )
        except services.CaseClosed:
            messages.error(request, CLOSED)
        except services.UnknownProcedure:
            messages.error(request, BAD_ADJUSTMENT)
        else:
            action = form.cleaned_data["action"]
            verb = AdjustmentAction(action).label if action else "追加・除外の取り消し"
            record(request, CHANGE, case, f"手続きの{verb}（{form.cleaned_data['procedure']}）")
            messages.success(request, "手続きの一覧を更新しました。")
    return redirect("okuyami:result", pk=case.pk)


@require_POST
@counter_view
def finalise(request, case):
    try:
        services.case_finalise(case=case, user=request.user, version=posted_version(request))
    except services.StaleCase:
        messages.error(request, CONFLICT)
    except services.CaseClosed:
        messages.error(request, CLOSED)
    else:
        record(request, CHANGE, case, "結果を確定")
        messages.success(request, "結果を確定しました。以後、カタログが変わってもこの内容は変わりません。")
    return redirect("okuyami:result", pk=case.pk)


def posted_version(request) -> int:
    """The case version the form was made from; 0 (never current) when missing or garbled."""
    try:
        return int(request.POST.get("version", 0))
    except ValueError:
        return 0


@counter_view
def relay(request):
    today = timezone.localdate()
    counter = request.GET.get("counter", "")
    board = selectors.relay_board(request.municipality, today=today, counter=counter)
    record(request, VIEW, detail="リレー")
    context = {**board, "today": today, "counter": counter, "statuses": Mark.Status}
    return render(request, "okuyami/relay.html", context)


@require_POST
@counter_view
def mark(request, case):
    form = MarkForm(request.POST)
    try:
        if not form.is_valid():
            raise services.UnknownProcedure
        services.case_mark(
            case=case,
            user=request.user,
            procedure_key=form.cleaned_data["procedure"],
            status=form.cleaned_data["status"],
        )
    except (services.NotFinalised, services.UnknownProcedure):
        messages.error(request, "確定した受付の手続きだけを処理できます。")
    else:
        status = Mark.Status(form.cleaned_data["status"]).label if form.cleaned_data["status"] else "取り消し"
        record(request, CHANGE, case, f"窓口の処理（{form.cleaned_data['procedure']}：{status}）")
        messages.success(request, "窓口の処理を記録しました。")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("okuyami:relay")
    return redirect(target)


@counter_view
def print_preview(request, case, document):
    """The printed document as HTML, to check before printing (print.css, screen-readable)."""
    if document not in printing.DOCUMENTS:
        raise Http404("その書類はありません。")
    html = printing.render_html(
        document,
        guide=selectors.guide_for(case),
        people=selectors.people_for(case),
        printed_on=timezone.localdate(),
        large=query_bool(request.GET, "large"),
    )
    record(request, PRINT, case, f"{printing.TITLES[document]}の印刷プレビュー")
    return HttpResponse(html)


@counter_view
def print_pdf(request, case, document):
    if document not in printing.DOCUMENTS:
        raise Http404("その書類はありません。")
    response = pdf_response(case, document, large=query_bool(request.GET, "large"))
    record(request, PRINT, case, f"{printing.TITLES[document]}（PDF）")
    return response


def pdf_response(case: Case, document: str, *, large: bool) -> HttpResponse:
    """A PDF download; the file name carries no personal data."""
    pdf = printing.render_pdf(
        document,
        guide=selectors.guide_for(case),
        people=selectors.people_for(case),
        printed_on=timezone.localdate(),
        large=large,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = "-large" if large else ""
    response["Content-Disposition"] = f'attachment; filename="{document}{suffix}-{case.pk}.pdf"'
    return response
