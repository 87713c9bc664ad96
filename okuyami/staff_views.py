"""Screens for every account (password) and for a municipality's staff (statistics, audit log)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from core.audit import EveryMunicipality, audit_events_for, audit_scope
from core.lockouts import LockoutNotFound, current_lockouts, lockout_lift, lockout_scope
from core.staff import is_operator, membership_for, staff_password_changed
from okuyami.forms import AuditFilterForm, LockoutLiftForm, PasswordForm
from okuyami.retention import statistics_for
from procedures.models import Municipality

AUDIT_PAGE_SIZE = 100


@login_required
def password_change(request):
    form = PasswordForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        staff_password_changed(user=user)
        update_session_auth_hash(request, user)
        messages.success(request, "パスワードを変更しました。")
        return redirect("okuyami:home")
    membership = membership_for(request.user)
    one_time = membership is not None and membership.must_change_password
    return render(request, "okuyami/password_change.html", {"form": form, "one_time": one_time})


@login_required
def statistics(request):
    """Anonymous figures for the user's municipality; the operator picks one."""
    membership = membership_for(request.user)
    municipalities = []
    if membership is not None:
        municipality = membership.municipality
    elif is_operator(request.user):
        municipalities = Municipality.objects.order_by("code")
        code = request.GET.get("municipality", "")
        municipality = municipalities.filter(code=code).first() if code else None
    else:
        return _no_access(request, "統計は、市区町村の職員として登録された人だけが見られます。")
    context = {"municipality": municipality, "municipalities": municipalities}
    if municipality is not None:
        stats = statistics_for(municipality=municipality, today=timezone.localdate())
        context.update(stats=stats, chart=month_chart(stats["months"]))
    return render(request, "okuyami/statistics.html", context)


def month_chart(rows) -> dict:
    """Bar geometry for the monthly chart, drawn as SVG attributes (no inline style, no script)."""
    step, bar_width, plot, top = 40, 24, 120, 18
    bars = []
    for index, row in enumerate(rows):
        height = round(plot * row.share / 100)
        x = index * step + (step - bar_width) // 2
        month = row.label.split("年")[-1]
        bars.append(
            {
                "x": x,
                "y": top + plot - height,
                "height": height,
                "middle": x + bar_width // 2,
                "value_y": top + plot - height - 4,
                "count": row.count,
                "label": month,
            }
        )
    base = top + plot
    return {
        "width": step * len(rows),
        "height": base + 24,
        "base": base,
        "label_y": base + 17,
        "bar_width": bar_width,
        "bars": bars,
    }


@login_required
def audit_log(request):
    """Who viewed, printed, exported, changed or erased a case, and who changed the catalog."""
    scope = audit_scope(request.user)
    if scope is None:
        return _no_access(request, "操作記録は、市区町村の管理者として登録された人だけが見られます。")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events_for(
        scope=scope,
        municipality_code=filters.get("municipality") or "",
        action=filters.get("action") or "",
        case_id=filters.get("case"),
        username=filters.get("username") or "",
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "every_municipality": isinstance(scope, EveryMunicipality),
        "municipality": None if isinstance(scope, EveryMunicipality) else scope,
    }
    return render(request, "okuyami/audit_log.html", context)


@login_required
def lockouts(request):
    """Current login lockouts, each liftable at once: the operator's all, a 管理者's own staff's."""
    scope = lockout_scope(request.user)
    if scope is None:
        return _no_access(request, "ログインの一時停止は、市区町村の管理者と運用担当者だけが扱えます。")
    if request.method == "POST":
        form = LockoutLiftForm(request.POST)
        if not form.is_valid():
            raise Http404("その一時停止は見つかりません。")
        try:
            lifted = lockout_lift(
                user=request.user,
                username=form.cleaned_data["username"] or None,
                ip_address=form.cleaned_data["ip_address"],
            )
        except LockoutNotFound:
            raise Http404("その一時停止は見つかりません。") from None
        who = lifted.username or f"アドレス {lifted.ip_address}"
        messages.success(request, f"{who} のログインの一時停止を解除しました。")
        return redirect("okuyami:lockouts")
    context = {
        "lockouts": current_lockouts(scope=scope),
        "every_municipality": isinstance(scope, EveryMunicipality),
        "municipality": None if isinstance(scope, EveryMunicipality) else scope,
        **_lockout_rules(),
    }
    return render(request, "okuyami/lockouts.html", context)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' response to a locked-out login (AXES_LOCKOUT_CALLABLE): why, and how to get
    it lifted at once."""
    context = {"address": getattr(request, "okuyami_address_locked", False), **_lockout_rules()}
    return render(request, "okuyami/locked_out.html", context, status=429)


def _lockout_rules() -> dict:
    return {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": settings.OKUYAMI_ADDRESS_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }


def _no_access(request, reason: str):
    return render(request, "okuyami/no_access.html", {"reason": reason}, status=403)
