"""Retention: a case's personal data is erased a set time after it is finalised.

`purge_cases` (the command of the same name, run from cron) erases every case whose
retention period ran out: OKUYAMI_RETENTION_DAYS after it was finalised, or after its last
change when it was never finalised. What stays is what the anonymous statistics read: the
municipality, the dates of reception and finalising, the month of death, the procedures
and counters of the result and the relay's marks. `statistics_for` reads those.
"""

from collections import Counter as Tally
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.audit import audit
from core.models import AuditEvent
from core.personal import erase_personal_data
from okuyami.models import Adjustment, Case, Finalisation
from procedures.models import Municipality

PURGE_ACTOR = "purge_cases"


def retention_days() -> int:
    return settings.OKUYAMI_RETENTION_DAYS


def expired_cases(*, now: datetime, days: int) -> QuerySet[Case]:
    """Cases not yet erased whose retention period ended by `now`."""
    cutoff = now - timedelta(days=days)
    return Case.objects.filter(erased_at__isnull=True).filter(
        Q(finalised_at__lte=cutoff) | Q(finalised_at__isnull=True, updated_at__lte=cutoff)
    )


@transaction.atomic
def case_erase(*, case_id: int, now: datetime, reason: str) -> bool:
    """Erase one case's personal data; False when it was erased already (idempotent)."""
    case = Case.objects.select_for_update().filter(pk=case_id, erased_at__isnull=True).first()
    if case is None:
        return False
    # What is erased and how is declared once, on the models (core.personal).
    erase_personal_data(Case.objects.filter(pk=case.pk), erased_at=now, version=F("version") + 1)
    erase_personal_data(Adjustment.objects.filter(case=case))
    erase_personal_data(Finalisation.objects.filter(case=case))
    audit(
        municipality=case.municipality,
        action=AuditEvent.Action.ERASE,
        case_id=case.pk,
        actor=PURGE_ACTOR,
        detail=reason,
    )
    return True


def purge_cases(*, now: datetime | None = None, days: int | None = None) -> list[int]:
    """Erase every expired case; the ids erased by this run (none on a second run)."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    reason = f"保存期間（{days}日）の経過により個人情報を消去"
    ids = list(expired_cases(now=now, days=days).order_by("pk").values_list("pk", flat=True))
    return [pk for pk in ids if case_erase(case_id=pk, now=now, reason=reason)]


# --- Statistics -------------------------------------------------------------------------------

PER_CASE_BUCKETS = ((0, 4), (5, 9), (10, 14), (15, 19), (20, 29), (30, None))


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    share: int  # percent of the largest count in its table, for the bar


def _rows(pairs: list[tuple[str, int]]) -> list[Row]:
    top = max((count for _, count in pairs), default=0)
    return [Row(label, count, round(100 * count / top) if top else 0) for label, count in pairs]


def _month_starts(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return starts[::-1]


def statistics_for(*, municipality: Municipality, today: date, months: int = 12) -> dict[str, Any]:
    """Anonymous figures: cases per month, procedures per finalised case, which procedures and counters.
    A cancelled case (made by mistake or twice) is counted apart and in nothing else."""
    every = Case.objects.filter(municipality=municipality)
    cases = every.exclude(status=Case.Status.CANCELLED)
    monthly = (
        cases.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("month")
        .annotate(count=Count("pk"))
        .values_list("month", "count")
    )
    per_month = {_as_date(month): count for month, count in monthly}
    month_rows = _rows(
        [
            (f"{start.year}年{start.month}月", per_month.get(start, 0))
            for start in _month_starts(today, months)
        ]
    )

    procedures, counters, sizes = Tally(), Tally(), []
    names: dict[str, str] = {}
    for snapshot in cases.filter(snapshot__isnull=False).values_list("snapshot", flat=True).iterator():
        size = 0
        for stop in snapshot.get("stops", []):
            counters[stop["counter"]] += 1
            names[f"counter:{stop['counter']}"] = stop["name"]
            for procedure in stop["procedures"]:
                procedures[procedure["key"]] += 1
                names[procedure["key"]] = procedure["name"]
                size += 1
        sizes.append(size)
    buckets = [
        (_bucket_label(low, high), sum(1 for s in sizes if s >= low and (high is None or s <= high)))
        for low, high in PER_CASE_BUCKETS
    ]
    counts = every.aggregate(
        total=Count("pk", filter=~Q(status=Case.Status.CANCELLED)),
        cancelled=Count("pk", filter=Q(status=Case.Status.CANCELLED)),
    )
    return {
        "total": counts["total"],
        "finalised": len(sizes),
        "erased": cases.filter(erased_at__isnull=False).count(),
        "cancelled": counts["cancelled"],
        "months": month_rows,
        "per_case_mean": round(sum(sizes) / len(sizes), 1) if sizes else None,
        "per_case_max": max(sizes, default=None),
        "per_case": _rows(buckets),
        "procedures": _rows([(names[key], count) for key, count in procedures.most_common()]),
        "counters": _rows([(names[f"counter:{key}"], count) for key, count in counters.most_common()]),
    }


def _bucket_label(low: int, high: int | None) -> str:
    return f"{low}件以上" if high is None else f"{low}〜{high}件"


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value
