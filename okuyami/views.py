"""Counter screens: thin views over okuyami.selectors and okuyami.services.

The services validate and write the audit log; a view parses input, calls one, and renders.
"""

import json
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.staff import Role, is_operator, membership_for
from core.web.query import query_bool
from okuyami import form_printing, printing, selectors, services
from okuyami.display import age_at_death_text, guide_for_display
from okuyami.forms import (
    AdjustmentForm,
    AnswerForm,
    CaseForm,
    CaseSearchForm,
    GroupAnswerForm,
    MarkForm,
    ReasonForm,
)
from okuyami.guide import AdjustmentAction, correction_of, guide_changes
from okuyami.interview import Page
from okuyami.merge import merge_edits
from okuyami.models import Case, Mark
from okuyami.precheck.selectors import home_answer_keys
from okuyami.selectors import CaseSearch, CaseState
from okuyami.services import Shown
from procedures.answer_fields import UNKNOWN
from procedures.catalog import KEY_RE
from procedures.evaluation import answer_label
from procedures.form_pdf import FormPdfError
from procedures.selectors import catalog_for
from procedures.wareki import wareki

CONFLICT = (
    "競合：ほかの職員が先にこの受付を更新しました。最新の内容を確認してから、もう一度保存してください。"
)
CLOSED = (
    "この受付は確定済みのため、回答や手続きの変更はできません。"
    "変更するときは「確定を取り消して修正する」から直してください。"
)
CANCELLED = "この受付は取り消されています。変更や印刷はできません。"
MOVED = "ほかの画面で回答が変わったため、この画面の質問が変わりました。もう一度選んでください。"
BAD_ADJUSTMENT = "手続きの追加・除外の内容が正しくありません。一覧から選び直してください。"
CASE_PAGE_SIZE = 20


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


def _search(request) -> tuple[CaseSearchForm, CaseSearch]:
    """The list's search from the query string; a wrong field is named and left out."""
    form = CaseSearchForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    state = data.get("state") or CaseState.CURRENT
    search = CaseSearch(CaseState(state), data.get("q") or "", data.get("since"), data.get("until"))
    return form, search


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@counter_view
def case_list(request):
    today = timezone.localdate()
    form, search = _search(request)
    cases = selectors.find_cases(request.municipality, search, today=today)
    page = Paginator(cases, CASE_PAGE_SIZE).get_page(request.GET.get("page"))
    shown(request, Shown.CASE_LIST)
    context = {
        "form": form,
        "search": search,
        "page": page,
        "query": _query_without_page(request),
        "later_count": selectors.later_count(request.municipality),
        "today": today,
    }
    return render(request, "okuyami/case_list.html", context)


def age_message(case: Case) -> str:
    """「昭和19年10月15日生まれ、82歳で亡くなられました。」 to confirm the dates typed."""
    if case.deceased_birth_date is None:
        return ""
    age = age_at_death_text(case.deceased_birth_date, case.death_date)
    return (
        f"{wareki(case.deceased_birth_date)}生まれ、{age}。違っていれば「受付内容の変更」から直してください。"
    )


@counter_view
def case_create(request):
    return _reception(request, source=None)


@counter_view
def case_copy(request, case):
    """「この受付をもとに新しい受付」: the details to check, then the answers come along."""
    return _reception(request, source=case)


def _reception(request, *, source: Case | None):
    initial = CaseForm.initial_for(source) if source else {}
    form = CaseForm(
        request.POST if request.method == "POST" else None, initial={**initial, "submission": uuid.uuid4()}
    )
    if request.method == "POST" and form.is_valid():
        data, submission = form.cleaned_data, form.cleaned_data["submission"]
        user, municipality = request.user, request.municipality
        try:
            if source is None:
                case = services.case_create(
                    municipality=municipality, user=user, data=data, submission=submission
                )
            else:
                case = services.case_copy(source=source, user=user, data=data, submission=submission)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"受付 {case.pk} を作成しました。{age_message(case)}")
            return redirect("okuyami:answers" if source else "okuyami:questions", pk=case.pk)
    if source is not None and request.method != "POST":
        shown(request, Shown.COPY_FORM, source)
    return render(request, "okuyami/case_form.html", {"form": form, "case": None, "source": source})


@counter_view
def case_edit(request, case):
    if case.is_cancelled:
        messages.error(request, CANCELLED)
        return redirect(case)
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
            form = _after_conflict(request, form, case)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"受付の内容を保存しました。{age_message(case)}")
            return redirect(case)
    if request.method != "POST":
        shown(request, Shown.CASE_FORM, case)
    return render(request, "okuyami/case_form.html", {"form": form, "case": case})


def _after_conflict(request, form: CaseForm, case: Case) -> CaseForm:
    """Another counter saved first: the clerk's values beside the latest, to settle field by field."""
    case.refresh_from_db()
    latest = CaseForm.texts(CaseForm.initial_for(case))
    merge = merge_edits(seen=form.seen_values(), mine=CaseForm.texts(form.cleaned_data), latest=latest)
    return CaseForm.after_conflict(request.POST, merge, version=case.version, latest=latest)


@counter_view
def case_detail(request, case):
    interview = selectors.interview_for(case)
    finalisations = list(case.finalisations.select_related("finalised_by", "reopened_by"))
    context = {
        "case": case,
        "asked": len(interview.questions),
        "answered": interview.answered_count,
        "age_text": age_at_death_text(case.deceased_birth_date, case.death_date),
        "history": _history(finalisations),
    }
    shown(request, Shown.CASE, case)
    return render(request, "okuyami/case_detail.html", context)


def _history(finalisations) -> list[dict]:
    """Each 確定 with what changed on the route since the one before."""
    rows, before = [], None
    for finalisation in finalisations:
        changes = guide_changes(before, finalisation.guide) if before is not None else None
        rows.append({"finalisation": finalisation, "changes": changes})
        before = finalisation.guide
    return rows


@counter_view
def case_edition(request, case, edition):
    """What the family was told at one 確定 (an earlier edition kept after a correction)."""
    finalisation = (
        case.finalisations.select_related("finalised_by", "reopened_by").filter(edition=edition).first()
    )
    if finalisation is None:
        raise Http404("その版はありません。")
    guide = guide_for_display(finalisation.guide, today=timezone.localdate(finalisation.finalised_at))
    shown(request, Shown.HISTORY, case)
    return render(
        request, "okuyami/edition.html", {"case": case, "finalisation": finalisation, "guide": guide}
    )


@counter_view
def questions_start(request, case):
    """The first page with a question still unanswered, or the check page."""
    page = selectors.interview_for(case).first_unanswered_page() if case.is_open else None
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
    if page.is_group:  # one of a page's questions, opened from the check page: asked alone
        page = Page((q,))
    if request.method == "POST" and not case.is_open:
        messages.error(request, CANCELLED if case.is_cancelled else CLOSED)
        return redirect("okuyami:answers" if case.is_cancelled else "okuyami:result", pk=case.pk)
    seen = services.stored_answer(case, key)
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        question=q,
        initial={"answer": AnswerForm.initial_for(q, case), "seen": _json(seen)},
    )
    changed = None
    dont_know = request.method == "POST" and "dont_know" in request.POST and q.allow_unknown
    if dont_know or (request.method == "POST" and form.is_valid()):
        value = UNKNOWN if dont_know else form.cleaned_data["answer"]
        try:
            services.case_answer(
                case=case,
                user=request.user,
                question=q,
                value=value,
                unknown=value == UNKNOWN,
                seen=form.seen_answer(),
            )
        except services.AnswerChanged as exc:
            changed, form = _changed_answer(request, q, exc.current)
        else:
            return redirect(_next_url(case, q.key, from_answers))
    context = {
        **_page_context(case, interview, page, form),
        "stored": _answer_text(q, case),
        "changed": changed,
        "skip": _next_url(case, q.key, from_answers) if changed else None,
    }
    return render(request, "okuyami/question.html", context)


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
        else case.get_absolute_url(),
    }


def _question_group(request, case: Case, interview, page):
    """A run of yes/no questions on one page (okuyami.interview), answered together. The page
    carries what it showed of each answer: one changed in another tab meanwhile is shown, not
    overwritten (as on a page of one question)."""
    if request.method == "POST" and not case.is_open:
        messages.error(request, CANCELLED if case.is_cancelled else CLOSED)
        return redirect("okuyami:answers" if case.is_cancelled else "okuyami:result", pk=case.pk)
    seen = {q.key: services.stored_answer(case, q.key) for q in page.questions}
    form = GroupAnswerForm(
        request.POST if request.method == "POST" else None,
        questions=page.questions,
        initial={**GroupAnswerForm.initial_for(page.questions, case), "seen": _json(seen)},
    )
    changed = None
    if request.method == "POST" and form.is_valid():
        if form.shown_keys != list(page.keys):
            messages.error(request, MOVED)
        else:
            try:
                services.case_answer_page(
                    case=case,
                    user=request.user,
                    questions=page.questions,
                    answers=form.answers(),
                    seen=form.seen_answers(),
                )
            except services.AnswerChanged as exc:
                changed, form = _changed_group(request, page, exc.current, seen)
            else:
                return redirect(_next_url(case, page.keys[-1], False))
    context = {
        **_page_context(case, interview, page, form),
        "stored": [(q, _answer_text(q, case)) for q in page.questions],
        "changed": changed,
        "skip": _next_url(case, page.keys[-1], False) if changed else None,
    }
    return render(request, "okuyami/question_group.html", context)


def _changed_group(request, page, current: dict, seen: dict) -> tuple[list, GroupAnswerForm]:
    """Answers of the page saved in another tab since it was shown: keep the clerk's ticks, now
    checked against the answers saved meanwhile, and say which questions changed to what."""
    posted = request.POST.copy()
    posted["seen"] = _json({**seen, **current})
    changed = [
        (q, "わからない" if current[q.key].get("unknown") else answer_label(q, current[q.key].get("answer")))
        for q in page.questions
        if q.key in current
    ]
    return changed, GroupAnswerForm(posted, questions=page.questions)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _changed_answer(request, q, current: dict) -> tuple[str, AnswerForm]:
    """Another tab saved an answer since the page was shown: keep the clerk's choice on the page,
    now checked against the answer saved meanwhile, and say what that one is."""
    posted = request.POST.copy()
    posted["seen"] = _json(current)
    text = "わからない" if current.get("unknown") else answer_label(q, current.get("answer"))
    return text, AnswerForm(posted, question=q)


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
    context = {"case": case, "rows": rows, "missing": missing, "from_home": home_answer_keys(case)}
    shown(request, Shown.ANSWERS, case)
    return render(request, "okuyami/answers.html", context)


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
    prefetch_related_objects([case], "adjustments")  # the live guide and the staff memos read them
    guide = guide_for_display(selectors.guide_for(case), today=today)
    addable = []
    if case.is_open:
        listed = set(selectors.guide_procedure_keys(guide))
        addable = [p for p in catalog_for(municipality=case.municipality).procedures if p.key not in listed]
    placed, other = _placed_messages(request)
    context = {
        "case": case,
        "guide": guide,
        "today": today,
        "addable": addable,
        "marks": selectors.marks_by_key(case),
        "memos": {a.procedure_key: a.staff_note for a in case.adjustments.all() if a.staff_note},
        "print_documents": [
            (doc, title, doc in printing.LARGE_PRINT_OFFERED) for doc, title in printing.TITLES.items()
        ],
        "actions": AdjustmentAction.__members__,
        "correction": correction_of(guide),
        "refinalise": case.is_open and case.finalisations.exists(),
        "placed": placed,
        "other_messages": other,
        "forms": form_printing.route_forms(catalog_for(municipality=case.municipality), guide),
    }
    shown(request, Shown.RESULT, case)
    return render(request, "okuyami/result.html", context)


PLACED = "procedure-"
# Where the 手続きを追加 form is (not a key: keys start with a letter).
ADD_FORM = "_add"


def _placed_messages(request) -> tuple[dict, list]:
    """Messages about one procedure (shown beside it, where focus returns) and the others."""
    placed, other = {}, []
    for message in messages.get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t.startswith(PLACED)), None)
        if tag:
            placed[tag.removeprefix(PLACED)] = message
        else:
            other.append(message)
    return placed, other


@require_POST
@counter_view
def adjust(request, case):
    """追加 or 除外 of one procedure; back to it on the result page with a message naming it."""
    form = AdjustmentForm(request.POST)
    posted = request.POST.get("procedure", "")
    anchor = posted if KEY_RE.match(posted) else ADD_FORM
    if not form.is_valid():
        message = next(iter(form.errors.get("procedure", [])), None) or next(
            (e for errors in form.errors.values() for e in errors), BAD_ADJUSTMENT
        )
        messages.error(request, message, extra_tags=PLACED + anchor)
        return redirect(_result_anchor(case, anchor))
    action = form.cleaned_data["action"]
    try:
        procedure = services.case_adjust(
            case=case,
            user=request.user,
            procedure_key=form.cleaned_data["procedure"],
            action=action,
            family_note=form.cleaned_data["family_note"],
            staff_note=form.cleaned_data["staff_note"],
        )
    except (services.CaseClosed, services.CaseCancelled):
        messages.error(request, CANCELLED if case.is_cancelled else CLOSED)
        return redirect("okuyami:result", pk=case.pk)
    except services.UnknownProcedure:
        messages.error(request, BAD_ADJUSTMENT, extra_tags=PLACED + ADD_FORM)
        return redirect(_result_anchor(case, ADD_FORM))
    done = {AdjustmentAction.ADD: "対象として追加しました", AdjustmentAction.DROP: "除外しました"}
    messages.success(
        request,
        f"「{procedure.name}」を{done.get(action, '元に戻しました')}。",
        extra_tags=PLACED + procedure.key,
    )
    return redirect(_result_anchor(case, procedure.key))


def _result_anchor(case: Case, key: str) -> str:
    return f"{reverse('okuyami:result', args=[case.pk])}#{PLACED}{key}"


@require_POST
@counter_view
def finalise(request, case):
    try:
        finalisation = services.case_finalise(case=case, user=request.user, version=posted_version(request))
    except services.StaleCase:
        messages.error(request, CONFLICT)
    except services.CaseCancelled:
        messages.error(request, CANCELLED)
    except services.CaseClosed:
        messages.error(request, CLOSED)
    else:
        if finalisation.is_correction:
            messages.success(
                request,
                f"内容を修正して再確定しました（第{finalisation.edition}版）。"
                "印刷すると、どの書類にも「訂正版」と訂正した日が入ります。",
            )
        else:
            messages.success(
                request, "結果を確定しました。以後、カタログが変わってもこの内容は変わりません。"
            )
    return redirect("okuyami:result", pk=case.pk)


REOPEN_HELP = "例：ご家族から市営霊園の使用について追加の申し出（受付に記録し、印刷はされません）"
CANCEL_HELP = "例：同じご家族の受付を二重に作成した（受付に記録し、印刷はされません）"


@counter_view
def reopen(request, case):
    """確定の取り消し: back to the interview to correct it; what was told stays in the history."""
    if not case.is_finalised:
        messages.error(request, CANCELLED if case.is_cancelled else "この受付はまだ確定していません。")
        return redirect(case)

    def done():
        messages.success(
            request,
            "確定を取り消しました。回答や手続きを直してから、もう一度確定してください。"
            "以前にお伝えした内容は受付の履歴に残っています。",
        )
        return redirect("okuyami:result", pk=case.pk)

    return _reason_page(
        request,
        case,
        purpose="reopen",
        label="確定を取り消す理由",
        help_text=REOPEN_HELP,
        act=services.case_reopen,
        # Changed since the page was shown (reopened or cancelled at another counter).
        refused=((services.NotFinalised, services.CaseCancelled), CONFLICT),
        done=done,
    )


@counter_view
def cancel(request, case):
    """取り消し of a 受付 made by mistake or twice: gone from the lists, kept for the record."""
    if case.is_cancelled:
        messages.error(request, CANCELLED)
        return redirect(case)

    def done():
        messages.success(request, f"受付 {case.pk} を取り消しました。受付一覧やリレーには表示されません。")
        return redirect("okuyami:case-list")

    return _reason_page(
        request,
        case,
        purpose="cancel",
        label="取り消しの理由",
        help_text=CANCEL_HELP,
        act=services.case_cancel,
        refused=((services.CaseCancelled,), CANCELLED),
        done=done,
    )


def _reason_page(request, case, *, purpose, label, help_text, act, refused, done):
    """The page that asks why (reopen, cancel), then `act`s on the case at the version shown; a
    stale version is a conflict on the page, `refused` = (exceptions, message) goes back to the case."""
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        initial={"version": case.version},
        label=label,
        help_text=help_text,
    )
    if request.method == "POST" and form.is_valid():
        exceptions, message = refused
        try:
            act(
                case=case,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version=posted_version(request),
            )
        except services.StaleCase:
            form.add_error(None, CONFLICT)
        except exceptions:
            messages.error(request, message)
            return redirect(case)
        else:
            return done()
    if request.method != "POST":
        shown(request, Shown.REOPEN_FORM if purpose == "reopen" else Shown.CANCEL_FORM, case)
    return render(request, "okuyami/reason_form.html", {"case": case, "form": form, "purpose": purpose})


@counter_view
def relay(request):
    today = timezone.localdate()
    form, search = _search(request)
    counter = request.GET.get("counter", "")
    board = selectors.relay_board(
        request.municipality, search, today=today, counter=counter, page=request.GET.get("page")
    )
    shown(request, Shown.RELAY)
    context = {
        **board,
        "form": form,
        "search": search,
        "query": _query_without_page(request),
        "later_count": selectors.later_count(request.municipality),
        "today": today,
        "counter": counter,
        "statuses": Mark.Status,
    }
    return render(request, "okuyami/relay.html", context)


MARK_REFUSED = {
    services.NotFinalised: "確定した受付の手続きだけを処理できます。",
    services.UnknownProcedure: "確定した受付の手続きだけを処理できます。",
    services.GuidanceOnly: "市区町村以外の機関の手続きはご案内のみです。窓口で処理する必要はありません。",
    services.CaseCancelled: CANCELLED,
}


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
    except tuple(MARK_REFUSED) as refused:
        messages.error(request, MARK_REFUSED[type(refused)])
    else:
        messages.success(request, f"受付 {case.pk} の窓口の処理を記録しました。")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("okuyami:relay")
    return redirect(f"{target}#case-{case.pk}")


@counter_view
def print_preview(request, case, document):
    """The printed document as HTML, to check before printing (print.css, screen-readable)."""
    refused = _refuse_print(request, case, document)
    if refused:
        return refused
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
    refused = _refuse_print(request, case, document)
    if refused:
        return refused
    response = printing.pdf_response(case, document, large=query_bool(request.GET, "large"))
    services.case_printed(case=case, user=request.user, title=printing.TITLES[document], pdf=True)
    return response


def _refuse_print(request, case: Case, document: str):
    if document not in printing.DOCUMENTS:
        raise Http404("その書類はありません。")
    if case.is_cancelled:
        messages.error(request, CANCELLED)
        return redirect(case)
    return None


@counter_view
def print_forms(request, case, procedure=None, number=None):
    """申請書を印刷: every form of the route in one PDF, or one form alone."""
    if case.is_cancelled:
        messages.error(request, CANCELLED)
        return redirect(case)
    forms = form_printing.chosen(form_printing.forms_of_case(case), procedure, number)
    if not forms:
        raise Http404("印刷する申請書はありません。")
    name = "forms" if procedure is None else f"form-{procedure}-{number}"
    try:
        response = form_printing.pdf_response(case, forms, today=timezone.localdate(), name=name)
    except FormPdfError as error:  # a stored PDF this machine's qpdf cannot read: say which, print nothing
        messages.error(
            request, f"申請書を印刷できませんでした（{error.message_ja}）。編集者に連絡してください。"
        )
        return redirect("okuyami:result", pk=case.pk)
    title = form_printing.printed_title(forms, everything=procedure is None)
    services.case_printed(case=case, user=request.user, title=title, pdf=True)
    return response
