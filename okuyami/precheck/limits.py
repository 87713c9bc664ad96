"""Rate limits counted in the database, so that every app server behind a load balancer shares them
(DRF's throttle of the API counts per process). One fixed window per limit and client: a single
upsert statement counts a request and reads the count back.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from okuyami.precheck.models import RateCount


@dataclass(frozen=True)
class Refused:
    """Over the limit: try again after `retry_after` seconds (the window's end)."""

    retry_after: int


def client_of(request) -> str:
    """The client's address: behind the proxy (DJANGO_BEHIND_PROXY=1) the one it appended last to
    X-Forwarded-For, as django-axes reads it; otherwise the peer's."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def _hashed(scope: str, who: str) -> str:
    """A keyed hash: the table never holds an address or a user id."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"okuyami.precheck.limits:{scope}:{who}".encode(), hashlib.sha256).hexdigest()


def _upsert_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(RateCount._meta.db_table)
    scope, client, started, count = (quote(name) for name in ("scope", "client", "started", "count"))
    # ON CONFLICT … DO UPDATE … RETURNING: PostgreSQL 9.5+ and SQLite 3.35+ alike.
    return (
        f"INSERT INTO {table} ({scope}, {client}, {started}, {count}) VALUES (%s, %s, %s, 1) "
        f"ON CONFLICT ({scope}, {client}, {started}) DO UPDATE SET {count} = {table}.{count} + 1 "
        f"RETURNING {count}"
    )


def hit(scope: str, who: str, *, now: float | None = None) -> Refused | None:
    """Count one request of `who` against the limit `scope` (settings.OKUYAMI_PRECHECK_RATES);
    Refused when it goes over."""
    limit, seconds = settings.OKUYAMI_PRECHECK_RATES[scope]
    now = time.time() if now is None else now
    started = int(now // seconds * seconds)
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [scope, _hashed(scope, who), started])
        (count,) = cursor.fetchone()
    if count > limit:
        return Refused(retry_after=max(1, int(started + seconds - now)))
    return None


def windows_purge(*, now: float | None = None) -> int:
    """Delete the windows that have ended (the longest limit's length ago); the number deleted."""
    now = time.time() if now is None else now
    longest = max(seconds for _, seconds in settings.OKUYAMI_PRECHECK_RATES.values())
    deleted, _ = RateCount.objects.filter(started__lt=now - longest).delete()
    return deleted
