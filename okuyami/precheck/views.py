"""The public pages: no login, the family's answers in their own browser (okuyami.precheck.state).

Every page of a municipality goes through `public_view`: the municipality must publish its page
(else 404), a POST is counted against the shared rate limit and kept to the public API's body
size (a page posts one answer), and nothing is cached on the way.
"""

from dataclasses import dataclass, replace
from datetime import date
from functools import wraps

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.limits import MAX_PUBLIC_BODY_BYTES
from core.web.middleware import content_length
from okuyami.display import guide_for_display
from okuyami.precheck import limits, printing, selectors, services, state
from okuyami.precheck.codes import shown
from okuyami.precheck.flow import AGE, DEATH, Flow, Step
from okuyami.precheck.forms import HomeAnswerForm
from okuyami.precheck.qr import qr_data_uri
from okuyami.precheck.state import Home
from procedures.answer_fields import UNKNOWN, field_value
from procedures.catalog import CODE_RE
from procedures.evaluation import answer_label
from procedures.models import Municipality
from procedures.selectors import catalog_for

PRIVACY = (
    "お名前・住所・生年月日など、どなたかを特定する情報はお聞きしません。"
    "回答はこの端末のブラウザーにだけ保存し、受付コードを発行したときに限り、回答と亡くなった日・年齢を"
    "市区町村のサーバーに{days}日間お預かりします。アクセス解析や外部のサービスは使っていません。"
)


@dataclass(frozen=True)
class Public:
    """A request's pre-check: the municipality whose public page it is, and the family's flow."""

    municipality: Municipality
    flow: Flow  # the family's answers so far are its `home`


def public_view(view):
    """The municipality of `code` if it publishes its page (else the public 404), a shared rate
    limit on POST, the family's answers from their cookie; never cached."""

    @never_cache
    @wraps(view)
    def wrapper(request, code, **kwargs):
        municipality = selectors.public_municipality(code) if CODE_RE.match(code) else None
        if municipality is None:
            return not_found(request)
        if content_length(request) > MAX_PUBLIC_BODY_BYTES:
            return render(request, "precheck/too_large.html", {"privacy": privacy()}, status=413)
        if request.method == "POST" and (refused := limits.hit("answer", limits.client_of(request))):
            return too_many(request, refused)
        flow = Flow(catalog_for(municipality=municipality), state.load(request, municipality.code))
        return view(request, Public(municipality, flow), **kwargs)

    return wrapper


def after_death_date(view):
    """A page that follows from the answers (the check page, the result, its PDF, a code): before the
    date of death is given, that question instead."""

    @wraps(view)
    def wrapper(request, p: Public, **kwargs):
        if p.flow.home.death_date is None:
            return redirect(step_url(p, Step(DEATH)))
        return view(request, p, **kwargs)

    return wrapper


def not_found(request):
    return render(request, "precheck/not_found.html", {"privacy": privacy()}, status=404)


def not_found_page(request):
    return not_found(request)


def too_many(request, refused: limits.Refused) -> HttpResponse:
    minutes = -(-refused.retry_after // 60)
    response = render(
        request, "precheck/too_many.html", {"minutes": minutes, "privacy": privacy()}, status=429
    )
    response["Retry-After"] = str(refused.retry_after)
    return response


def privacy() -> str:
    return PRIVACY.format(days=services.code_days())


def render_public(request, p: Public, template: str, context: dict | None = None, status: int = 200):
    base = {
        "municipality": p.municipality,
        "home": p.flow.home,
        "privacy": privacy(),
        "code_days": services.code_days(),
    }
    return render(request, f"precheck/{template}", {**base, **(context or {})}, status=status)


def step_url(p: Public, step: Step | None) -> str:
    """The page of `step`; None: the check page."""
    code = p.municipality.code
    if step is None:
        return reverse("precheck:answers", args=[code])
    if step.kind in (DEATH, AGE):
        return reverse(f"precheck:{step.kind}", args=[code])
    return reverse("precheck:question", args=[code, step.key])


def save(response, p: Public, home: Home):
    state.save(response, p.municipality.code, home)
    return response


# --- Pages ----------------------------------------------------------------------------------------


@never_cache
def index(request):
    """The municipalities that publish their pre-check."""
    return render(
        request,
        "precheck/index.html",
        {"municipalities": selectors.public_municipalities(), "privacy": privacy()},
    )


@public_view
def start(request, p: Public):
    resume = p.flow.first_open() if p.flow.home.death_date else None
    context = {
        "begin": step_url(p, p.flow.steps[0]),
        "resume": step_url(p, resume) if p.flow.home.death_date else "",
    }
    return render_public(request, p, "start.html", context)


@public_view
def death(request, p: Public):
    return ask(request, p, Step(DEATH))


@public_view
def age(request, p: Public):
    return ask(request, p, Step(AGE))


@public_view
def question(request, p: Public, key: str):
    return ask(request, p, Step("question", key))


def ask(request, p: Public, step: Step):
    """One question a page, as at the counter: answer, わからない where allowed, back and next."""
    flow = p.flow
    question = flow.question(step) if step.kind != "question" or flow.parsed else None
    if question is None:  # not asked with these answers (or before the date of death)
        return redirect(step_url(p, flow.first_open() or Step(DEATH)))
    answer, unknown = flow.answered_value(step)
    posted = request.POST if request.method == "POST" else None
    form = HomeAnswerForm(
        posted, question=question, initial={"answer": field_value(question, answer, unknown=unknown)}
    )
    dont_know = posted is not None and "dont_know" in posted and question.allow_unknown
    if dont_know or (posted is not None and form.is_valid()):
        home = answered(flow.home, step, UNKNOWN if dont_know else form.cleaned_data["answer"])
        if flow.home.code:  # the answers changed: the code issued for the old ones goes
            services.code_withdraw(municipality=p.municipality, code=flow.home.code)
        following = Flow(flow.catalog, home).after(step, unanswered_only=request.GET.get("from") == "answers")
        return save(redirect(step_url(p, following)), p, home)
    context = {
        "form": form,
        "question": question,
        "number": flow.number(step),
        "total": len(flow.steps),
        "back": back_url(p, flow.before(step)),
    }
    return render_public(request, p, "question.html", context)


def back_url(p: Public, before: Step | None) -> str:
    return step_url(p, before) if before else reverse("precheck:start", args=[p.municipality.code])


def answered(home: Home, step: Step, value) -> Home:
    if step.kind == DEATH:
        return home.with_facts(death_date=date.fromisoformat(value))
    if step.kind == AGE:
        return home.with_facts(age=None if value == UNKNOWN else value, age_unknown=value == UNKNOWN)
    return home.with_answer(step.key, value, unknown=value == UNKNOWN)


@public_view
@after_death_date
def answers(request, p: Public):
    """Check answers: every question asked, with its answer and a 変更 link."""
    rows = [(step_url(p, step), p.flow.question(step), answer_text(p.flow, step)) for step in p.flow.steps]
    missing = [row for row in rows if row[2] is None]
    return render_public(request, p, "answers.html", {"rows": rows, "missing": missing})


def answer_text(flow: Flow, step: Step) -> str | None:
    """The answer as the family gave it; None when not answered yet."""
    if not flow.is_done(step):
        return None
    value, unknown = flow.answered_value(step)
    if unknown:
        return "わからない"
    if step.kind == AGE:
        return f"{value}歳"
    return answer_label(flow.question(step), value)


@public_view
@after_death_date
def result(request, p: Public):
    guide = guide_for_display(p.flow.guide(), today=timezone.localdate())
    context = {"guide": guide, "unanswered": p.flow.first_open() is not None, **code_context(p)}
    return render_public(request, p, "result.html", context)


def code_context(p: Public) -> dict:
    home = p.flow.home
    if not home.code:
        return {}
    return {"code": shown(home.code), "qr": qr_data_uri(home.code), "code_expires": home.code_expires}


@public_view
@after_death_date
def checklist_pdf(request, p: Public):
    """手続きのご案内 without names, with the 受付コード and its QR code once one is issued."""
    if refused := limits.hit("pdf", limits.client_of(request)):
        return too_many(request, refused)
    pdf = printing.checklist_pdf(
        guide=p.flow.guide(),
        printed_on=timezone.localdate(),
        code=p.flow.home.code,
        code_expires=p.flow.home.code_expires,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="checklist-{p.municipality.code}.pdf"'
    return response


@require_POST
@public_view
@after_death_date
def code_issue(request, p: Public):
    """A 受付コード for the answers so far (the family may still have questions unanswered)."""
    for scope, who in (("code", limits.client_of(request)), ("code_municipality", p.municipality.code)):
        if refused := limits.hit(scope, who):
            return too_many(request, refused)
    row = services.code_issue(municipality=p.municipality, flow=p.flow, replacing=p.flow.home.code)
    expires = timezone.localtime(row.expires_at).date()
    home = replace(p.flow.home, code=row.code, code_expires=expires)
    return save(redirect("precheck:code", p.municipality.code), p, home)


@public_view
def code(request, p: Public):
    if not p.flow.home.code:
        return redirect("precheck:result", p.municipality.code)
    return render_public(request, p, "code.html", code_context(p))


@require_POST
@public_view
def forget(request, p: Public):
    """Clear the answers from this browser (a shared computer); an issued code stays valid."""
    response = redirect("precheck:start", p.municipality.code)
    state.forget(response, p.municipality.code)
    return response
