"""Counter screens: thin views over okuyami.selectors and okuyami.services.

The services validate and write the audit log; a view parses input, calls one, and renders.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.staff import Role, is_operator, membership_for
from core.web.query import query_bool
from okuyami import printing, selectors, services
from okuyami.display import guide_for_display
from okuyami.forms import AdjustmentForm, AnswerForm, CaseForm, GroupAnswerForm, MarkForm
from okuyami.guide import AdjustmentAction
from okuyami.models import Case, Mark
from okuyami.services import Shown
from procedures.answer_fields import UNKNOWN
from procedures.evaluation import answer_label
from procedures.selectors import catalog_for

CONFLICT = (
    "競合：ほかの職員が先にこの受付を更新しました。最新の内容を確認してから、もう一度保存してください。"
)
CLOSED = "この受付は確定済みのため、回答や手続きの変更はできません。"
MOVED = "ほかの画面で回答が変わったため、この画面の質問が変わりました。もう一度選んでください。"
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


def shown(request, what: Shown, case: Case | None = None) -> None:
    services.case_shown(municipality=request.municipality, user=request.user, shown=what, case=case)


def posted_version(request) -> int:
    """The case version the form was made from; 0 (never current) when missing or garbled."""
    try:
        return int(request.POST.get("version", 0))
    except ValueError:
        return 0


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
    shown(request, Shown.CASE_LIST)
    return render(request, "okuyami/case_list.html", {"cases": cases, "today": today})


@counter_view
def case_create(request):
    form = CaseForm(request.POST if request.method == "POST" else None, initial={"submission": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(
                municipality=request.municipality,
                user=request.user,
                data=form.cleaned_data,
                submission=form.cleaned_data["submission"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
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
            services.case_update(
                case=case, user=request.user, data=form.cleaned_data, version=form.cleaned_data["version"]
            )
        except services.StaleCase:
            form.add_error(None, CONFLICT)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "受付の内容を保存しました。")
            return redirect(case)
    if request.method != "POST":
        shown(request, Shown.CASE_FORM, case)
    return render(request, "okuyami/case_form.html", {"form": form, "case": case})


@counter_view
def case_detail(request, case):
    interview = selectors.interview_for(case)
    context = {"case": case, "asked": len(interview.questions), "answered": interview.answered_count}
    shown(request, Shown.CASE, case)
    return render(request, "okuyami/case_detail.html", context)


@counter_view
def questions_start(request, case):
    """The first page with a question still unanswered, or the check page."""
    page = selectors.interview_for(case).first_unanswered_page()
    if page is None:
        return redirect("okuyami:answers", pk=case.pk)
    return redirect("okuyami:question", pk=case.pk, key=page.key)


@counter_view
def question(request, case, key):
    interview = selectors.interview_for(case)
    index = interview.index_of(key)
    if index is None:
        raise Http404("この質問は、いまの回答では聞く必要がありません。")
    from_answers = request.GET.get("from") == "answers"
    page = interview.page_for(key)
    if page.is_group and not from_answers:
        if key != page.key:
            return redirect("okuyami:question", pk=case.pk, key=page.key)
        return _question_group(request, case, interview, page)
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
        services.case_answer(case=case, user=request.user, question=q, value=value, unknown=value == UNKNOWN)
        return redirect(_next_url(case, q.key, from_answers))
    return render(request, "okuyami/question.html", _page_context(case, interview, page, form))


def _page_context(case: Case, interview, page, form) -> dict:
    previous = interview.previous(page.key)
    return {
        "case": case,
        "form": form,
        "question": page.questions[0],
        "page": page,
        "left": interview.left(page),
        "record": _record_text(page.questions[0], case) if not page.is_group else None,
        "back": reverse("okuyami:question", args=[case.pk, previous.key])
        if previous
        else reverse("okuyami:case-detail", args=[case.pk]),
    }


def _question_group(request, case: Case, interview, page):
    """A run of yes/no questions on one page (okuyami.interview), answered together."""
    form = GroupAnswerForm(
        request.POST if request.method == "POST" else None,
        questions=page.questions,
        initial=GroupAnswerForm.initial_for(page.questions, case),
    )
    if request.method == "POST" and not case.is_open:
        messages.error(request, CLOSED)
        return redirect("okuyami:result", pk=case.pk)
    if request.method == "POST" and form.is_valid():
        if form.shown_keys != list(page.keys):
            messages.error(request, MOVED)
        else:
            services.case_answer_page(
                case=case, user=request.user, questions=page.questions, answers=form.answers()
            )
            return redirect(_next_url(case, page.keys[-1], False))
    return render(request, "okuyami/question_group.html", _page_context(case, interview, page, form))


def _next_url(case: Case, key: str, to_answers: bool) -> str:
    """The next page after the question `key` with the answers as they are now (from the check
    page: the next one still unanswered), else the check page. `case` is as the answer left it."""
    following = selectors.interview_for(case).following(key, unanswered_only=to_answers)
    if following is None:
        return reverse("okuyami:answers", args=[case.pk])
    return reverse("okuyami:question", args=[case.pk, following.key])


@counter_view
def answers(request, case):
    """Check answers: every asked question with its answer and a 変更 link."""
    interview = selectors.interview_for(case)
    rows = [
        (q, _answer_text(q, case), _record_text(q, case), case.record_changed(q.key))
        for q in interview.questions
    ]
    missing = [q for q, text, _, _ in rows if text is None]
    shown(request, Shown.ANSWERS, case)
    return render(request, "okuyami/answers.html", {"case": case, "rows": rows, "missing": missing})


def _record_text(q, case: Case) -> str | None:
    """What the records answered, for a question they answered (None: they did not)."""
    if q.key not in case.record_answers:
        return None
    return answer_label(q, case.record_answers[q.key])


def _answer_text(q, case: Case) -> str | None:
    if q.key in case.unknown:
        return "わからない"
    if q.key not in case.answers:
        return None
    return answer_label(q, case.answers[q.key])


@counter_view
def result(request, case):
    today = timezone.localdate()
    guide = guide_for_display(selectors.guide_for(case), today=today)
    catalog_procedures = []
    if case.is_open:
        listed = set(selectors.guide_procedure_keys(guide))
        catalog_procedures = [
            p for p in catalog_for(municipality=case.municipality).procedures if p.key not in listed
        ]
    context = {
        "case": case,
        "guide": guide,
        "today": today,
        "addable": catalog_procedures,
        "marks": selectors.marks_by_key(case),
        "print_documents": printing.TITLES.items(),
        "actions": AdjustmentAction.__members__,
    }
    shown(request, Shown.RESULT, case)
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
        messages.success(request, "結果を確定しました。以後、カタログが変わってもこの内容は変わりません。")
    return redirect("okuyami:result", pk=case.pk)


@counter_view
def relay(request):
    today = timezone.localdate()
    counter = request.GET.get("counter", "")
    board = selectors.relay_board(request.municipality, today=today, counter=counter)
    shown(request, Shown.RELAY)
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
    services.case_printed(case=case, user=request.user, title=printing.TITLES[document], pdf=False)
    return HttpResponse(html)


@counter_view
def print_pdf(request, case, document):
    if document not in printing.DOCUMENTS:
        raise Http404("その書類はありません。")
    response = printing.pdf_response(case, document, large=query_bool(request.GET, "large"))
    services.case_printed(case=case, user=request.user, title=printing.TITLES[document], pdf=True)
    return response
