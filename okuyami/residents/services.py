"""Writes and audited reads of the resident extract: import, erase, search, open a record.

Each service checks who asks and writes its own audit record. The audit text says what was
done and by which criteria, never who was found: an opened record is named by its 宛名番号
only, like a case by its number.
"""

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.audit import audit
from core.models import AuditEvent
from core.staff import Role, membership_for
from okuyami.residents import live, partitions
from okuyami.residents.extract import ExtractReport, Resident, ResidentFact, read_extract
from okuyami.residents.kana import record_keys, search_key
from okuyami.residents.models import Extract, Person, PersonFact
from okuyami.residents.records import NotDeceased
from okuyami.residents.selectors import (
    SEARCH_LIMIT,
    Hit,
    SearchCriteria,
    case_document_for,
    extract_for,
    pending_extract_for,
    records_for,
    residents_search,
)
from procedures.facts import PrefillSpec, answer_fits
from procedures.models import Municipality

logger = logging.getLogger(__name__)

UNAVAILABLE = "住民記録を参照できません。手入力で続けてください"
BATCH = 5000
PENDING_KEPT = timedelta(days=1)


class ExtractInvalid(Exception):
    """The extract breaks okuyami-residents/1: nothing was imported. `report` lists every error."""

    def __init__(self, report: ExtractReport):
        super().__init__(f"{report.error_count} error(s)")
        self.report = report


class RecordsForbidden(Exception):
    """Only the municipality's counter staff (窓口) may search or open its records."""


class SearchInvalid(Exception):
    """The search cannot run as asked; the message is for the screen."""


class RecordsError(Exception):
    """A record could not be opened; the message is for the screen, which carries on by hand."""

    message = UNAVAILABLE

    def __init__(self, reason: str = ""):
        super().__init__(reason or self.message)
        self.reason = reason


class RecordsUnavailable(RecordsError):
    """No extract and no live lookup, or the live lookup failed."""


class RecordNotFound(RecordsError):
    message = "住民記録に、この宛名番号の方はいません。手入力で続けてください"


class RecordNotDeceased(RecordsError):
    message = "住民記録では、この方の死亡による消除がまだありません。手入力で続けてください"


def _who(user) -> dict[str, Any]:
    return {"user": user} if getattr(user, "pk", None) is not None else {}


# --- Import and erase ---------------------------------------------------------------------------


def extract_import(
    *,
    municipality: Municipality,
    source: str | Path | IO[bytes],
    user=None,
    actor: str = "",
    on_error: Callable[[str], None] | None = None,
    max_errors: int = 1000,
    apply: bool = True,
) -> ExtractReport:
    """Replace the municipality's extract with the one in `source` (a folder or a .zip), or change nothing.

    Rows are written while they are read, in one transaction that is rolled back when any
    error is found (ExtractInvalid, whose report holds them all). The previous extract stays
    searchable until the new one commits. With `apply=False` (the admin's upload) the new
    extract waits, with its counts, for `extract_apply` or `extract_discard`, replacing any
    other one waiting.
    """
    report = ExtractReport(max_errors=max_errors, on_error=on_error)
    with transaction.atomic():
        _one_at_a_time(municipality)
        extract = Extract.objects.create(
            municipality=None,  # not the municipality's until it is complete
            imported_at=timezone.now(),
            imported_by=user.get_username() if getattr(user, "pk", None) else actor,
            people=0,
            households=0,
            deceased=0,
            facts=0,
        )
        tables = _tables_for(extract)
        _load(extract, tables, read_extract(source, report=report), report)
        if not report.ok:
            raise ExtractInvalid(report)  # the transaction is rolled back: nothing was written
        if partitions.partitioned():
            with connection.cursor() as cursor:
                for model in (Person, PersonFact):
                    partitions.partition_attach(cursor, model._meta.db_table, extract.pk)
        counts = _counts_text(**report.counts())
        if apply:
            previous = extract_for(municipality)
            place = {"municipality": municipality}
            detail = f"住民記録を取り込み（{counts}）"
        else:
            previous = pending_extract_for(municipality)
            place = {"pending_for": municipality}
            detail = f"住民記録を確認のため読み込み（{counts}）"
        if previous is not None:
            _erase_rows(previous)
        Extract.objects.filter(pk=extract.pk).update(**place, **report.counts())
        _audited(municipality, AuditEvent.Action.CHANGE, detail, user, actor)
    return report


def _counts_text(*, people: int, households: int, deceased: int, facts: int) -> str:
    return f"{people:,}人、{households:,}世帯、死亡による消除{deceased:,}人、他の台帳の事実{facts:,}件"


class NothingPending(Exception):
    """No uploaded extract waits to be applied (applied, discarded or expired meanwhile)."""


def extract_apply(*, municipality: Municipality, user=None, actor: str = "") -> Extract:
    """The uploaded extract, checked by its counts, replaces the municipality's extract."""
    with transaction.atomic():
        _one_at_a_time(municipality)
        pending = pending_extract_for(municipality)
        if pending is None:
            raise NothingPending
        current = extract_for(municipality)
        if current is not None:
            _erase_rows(current)
        # Kept OKUYAMI_RECORDS_DAYS from now, when the counter starts to use it.
        Extract.objects.filter(pk=pending.pk).update(
            municipality=municipality, pending_for=None, imported_at=timezone.now()
        )
        detail = f"住民記録を取り込み（{_counts_text(**pending.counts())}）"
        _audited(municipality, AuditEvent.Action.CHANGE, detail, user, actor)
    pending.refresh_from_db()
    return pending


def extract_discard(*, municipality: Municipality, user=None, actor: str = "") -> bool:
    """Erase the uploaded extract instead of applying it; False when none waits."""
    return _erase(municipality, pending_extract_for, "確認待ちの住民記録を取り込まずに消去", user, actor)


def _erase(municipality: Municipality, which, detail: str, user, actor: str) -> bool:
    """Erase the municipality's extract that `which` selects, audited; False when there is none."""
    with transaction.atomic():
        _one_at_a_time(municipality)
        extract = which(municipality)
        if extract is None:
            return False
        _erase_rows(extract)
        _audited(municipality, AuditEvent.Action.ERASE, detail, user, actor)
    return True


def _one_at_a_time(municipality: Municipality) -> None:
    """Lock the municipality's row until the transaction ends: one import, apply or erasure of
    its extract at a time, the second waiting for the first."""
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()


def _audited(municipality: Municipality, action: str, detail: str, user, actor: str) -> None:
    """The audit record of a change of the municipality's extract; after the commit, on
    PostgreSQL, the partitions of the extracts it replaced or erased are dropped."""
    audit(municipality=municipality, action=action, actor=actor, detail=detail, **_who(user))
    transaction.on_commit(drop_partitions)


def _tables_for(extract: Extract) -> dict[type, str]:
    """Where the rows go: a fresh partition per table on PostgreSQL, else the table itself."""
    if not partitions.partitioned():
        return {model: model._meta.db_table for model in (Person, PersonFact)}
    with connection.cursor() as cursor:
        return {
            model: partitions.partition_create(cursor, model._meta.db_table, extract.pk)
            for model in (Person, PersonFact)
        }


def _erase_rows(extract: Extract) -> None:
    """Delete an extract: its row, and its people and facts (on PostgreSQL its partitions are
    dropped after the commit, `drop_partitions`)."""
    with connection.cursor() as cursor:
        if not partitions.partitioned():
            for model in (PersonFact, Person):
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE extract_id = %s", [extract.pk])
        # Not through the ORM: its cascade would delete the rows one statement per table, slowly.
        cursor.execute(f"DELETE FROM {Extract._meta.db_table} WHERE id = %s", [extract.pk])


def drop_partitions() -> None:
    """On PostgreSQL, drop the partitions of extracts that are gone (after the commit that erased them)."""
    if partitions.partitioned():
        partitions.partitions_drop([Person._meta.db_table, PersonFact._meta.db_table], Extract._meta.db_table)


def extract_erase(*, municipality: Municipality, reason: str, user=None, actor: str = "") -> bool:
    """Erase the municipality's extract; False when it has none (idempotent)."""
    return _erase(municipality, extract_for, f"住民記録を消去（{reason}）", user, actor)


def records_days() -> int:
    return settings.OKUYAMI_RECORDS_DAYS


def extracts_expire(
    *, now: datetime | None = None, days: int | None = None, actor: str = "purge_residents"
) -> list[str]:
    """Erase every extract imported more than `days` (OKUYAMI_RECORDS_DAYS) ago; the codes erased."""
    days = records_days() if days is None else days
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    expired = Municipality.objects.filter(resident_extract__imported_at__lte=cutoff).order_by("code")
    reason = f"新しい取り込みのないまま保存期間（{days}日）が経過"
    erased = [m.code for m in expired if extract_erase(municipality=m, reason=reason, actor=actor)]
    # An upload nobody applied or discarded is not kept past the next day either.
    waiting = Municipality.objects.filter(pending_resident_extract__imported_at__lte=now - PENDING_KEPT)
    for municipality in waiting.order_by("code"):
        extract_discard(municipality=municipality, actor=actor)
    return erased


# --- Bulk load ----------------------------------------------------------------------------------

# Every column, in the order the rows below give them: the extract, then the personal fields.
PERSON_FIELDS = ("extract", *Person.personal_data.fields)
FACT_FIELDS = ("extract", *PersonFact.personal_data.fields)


def _person_row(extract_id: int, r: Resident) -> tuple:
    key, reversed_key = record_keys(r.kana)
    death_date = r.removal_date if r.deceased else None
    return (
        extract_id,
        r.atena_number,
        r.household,
        r.name,
        r.kana,
        key,
        reversed_key,
        r.birth_date,
        r.sex,
        r.relation,
        r.address,
        r.foreign,
        r.removal_date,
        r.removal_reason,
        death_date,
    )


def _fact_row(extract_id: int, f: ResidentFact) -> tuple:
    return (extract_id, f.atena_number, f.fact, f.text)


def _load(
    extract: Extract, tables: dict[type, str], rows: Iterator[Resident | ResidentFact], report: ExtractReport
) -> None:
    """Write the rows while they come."""
    kinds = {
        Resident: (Person, PERSON_FIELDS, _person_row),
        ResidentFact: (PersonFact, FACT_FIELDS, _fact_row),
    }
    for kind, group in itertools.groupby(rows, key=type):
        model, fields, convert = kinds[kind]
        extract_id = extract.pk
        # Every row is read (for the report); after the first error none is written.
        values = (convert(extract_id, row) for row in group if report.ok)
        quote = connection.ops.quote_name  # "foreign" is an SQL keyword
        columns = [quote(model._meta.get_field(name).column) for name in fields]
        if connection.vendor == "postgresql":
            _copy(tables[model], columns, values)
        else:
            _insert(model, tables[model], fields, columns, values)


def _copy(table: str, columns: list[str], values: Iterable[tuple]) -> None:
    """PostgreSQL's COPY through psycopg 3: the fastest way in, streamed."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in values:
            copy.write_row(row)


def _insert(model, table: str, fields: tuple[str, ...], columns: list[str], values: Iterable[tuple]) -> None:
    """Other databases (SQLite): inserts in batches."""
    adapt_date = connection.ops.adapt_datefield_value
    dates = {
        i for i, name in enumerate(fields) if model._meta.get_field(name).get_internal_type() == "DateField"
    }
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(values, BATCH)):
            if dates:
                batch = [
                    tuple(adapt_date(v) if i in dates else v for i, v in enumerate(row)) for row in batch
                ]
            cursor.executemany(sql, batch)


# --- Search and open: the counter --------------------------------------------------------------


def records_municipality(user) -> Municipality:
    """The municipality whose records the user may search: 窓口 staff only (RecordsForbidden)."""
    membership = membership_for(user, role=Role.COUNTER)
    if membership is None:
        raise RecordsForbidden
    return membership.municipality


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]  # at most SEARCH_LIMIT
    more: bool  # more people matched: the counter narrows the search


def records_search(*, user, criteria: SearchCriteria) -> SearchResult:
    """Search the user's municipality's extract by at least two criteria; audited without the terms."""
    municipality = records_municipality(user)
    given = criteria.given()
    if len(given) < 2:
        raise SearchInvalid("カナ、生年月日、死亡日、宛名番号のうち2つ以上で検索してください。")
    key = None
    if criteria.kana:
        key = search_key(criteria.kana)
        if key is None:
            raise SearchInvalid("カナは、カタカナかひらがなで入力してください。")
    number = criteria.atena_number
    if number and not (number.isascii() and number.isdigit()):
        raise SearchInvalid("宛名番号は、半角数字で入力してください。")
    extract = extract_for(municipality)
    if extract is None:
        raise RecordsUnavailable("no extract")
    hits = residents_search(extract=extract, criteria=criteria, key=key)
    more = len(hits) > SEARCH_LIMIT
    audit(
        municipality=municipality,
        action=AuditEvent.Action.VIEW,
        detail=f"住民記録を検索（{'・'.join(given)}、{'50件超' if more else f'{len(hits)}件'}）",
        **_who(user),
    )
    return SearchResult(hits[:SEARCH_LIMIT], more)


def record_open(
    *,
    atena_number: str,
    prefill: Iterable[PrefillSpec | tuple],
    user=None,
    municipality: Municipality | None = None,
    actor: str = "",
) -> dict[str, Any]:
    """The case document of a deceased person's records, from the extract or the live lookup.

    A user must be 窓口 staff and opens their own municipality's records; a command passes
    the municipality and names itself in `actor`. Every opening is audited, found or not.
    A RecordsError's `message` is what the counter shows before carrying on by hand.
    """
    if user is not None:
        own = records_municipality(user)
        if municipality is not None and municipality.pk != own.pk:
            raise RecordsForbidden
        municipality = own
    if municipality is None:
        raise RecordsForbidden
    number = atena_number
    if not (number.isascii() and number.isdigit() and len(number) <= 15):
        raise RecordNotFound("not a 宛名番号")
    prefill = [PrefillSpec.of(spec) for spec in prefill]
    audit(
        municipality=municipality,
        action=AuditEvent.Action.VIEW,
        actor=actor,
        detail=f"住民記録を参照（宛名番号 {number}）",
        **_who(user),
    )
    extract = extract_for(municipality)
    problem: RecordsError = RecordsUnavailable("no extract")
    if extract is not None:
        records = records_for(extract=extract, atena_number=number)
        if records.person is not None:
            try:
                return case_document_for(records=records, prefill=prefill)
            except NotDeceased:
                problem = RecordNotDeceased("not deceased in the extract")
        else:
            problem = RecordNotFound("not in the extract")
    # Last night's extract may not hold today's death: the live lookup may.
    if settings.OKUYAMI_RECORDS_URL:
        return _live(municipality, number, prefill)
    raise problem


def _live(municipality: Municipality, number: str, prefill: list[PrefillSpec]) -> dict[str, Any]:
    endpoint = live.Endpoint(
        url=settings.OKUYAMI_RECORDS_URL,
        token=settings.OKUYAMI_RECORDS_TOKEN,
        timeout=settings.OKUYAMI_RECORDS_TIMEOUT,
        allow_local_http=settings.OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP,
    )
    try:
        document = live.fetch_case_document(endpoint, number=number, code=municipality.code)
    except live.LookupNotFound:
        raise RecordNotFound("the live lookup has no such deceased person") from None
    except live.LookupFailed as exc:
        # No 宛名番号 in the log: the reason says only what failed.
        logger.warning("records lookup for %s failed: %s", municipality.code, exc.reason)
        raise RecordsUnavailable(exc.reason) from None
    return {
        "deceased": document["deceased"],
        "answers": _prefilled(document.get("answers", {}), prefill),
        "household": document.get("household", []),
    }


def _prefilled(answers: dict[str, Any], prefill: list[PrefillSpec]) -> dict[str, Any]:
    """The endpoint's answers to the questions with a prefill, where they fit the question."""
    return {
        spec.key: answers[spec.key]
        for spec in prefill
        if spec.key in answers and answer_fits(spec.type, spec.choices, answers[spec.key])
    }
