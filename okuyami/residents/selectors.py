"""Reads of a municipality's resident extract. Every query is scoped to one municipality's extract.

The services (`okuyami.residents.services`) call these after checking who asks, and write
the audit record; screens call the services, never these directly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, Value, When

from okuyami.residents.kana import search_key
from okuyami.residents.models import Extract, Person, PersonFact
from okuyami.residents.records import case_document, household_after
from procedures.facts import PrefillSpec, parse_fact_value
from procedures.models import Municipality

SEARCH_LIMIT = 50


def extract_for(municipality: Municipality) -> Extract | None:
    """The municipality's extract in use."""
    return Extract.objects.filter(municipality=municipality).first()


def pending_extract_for(municipality: Municipality) -> Extract | None:
    """The extract uploaded in the admin and waiting to be applied or discarded."""
    return Extract.objects.filter(pending_for=municipality).first()


@dataclass(frozen=True)
class SearchCriteria:
    """What the counter searched by; a search needs two of them (no browsing)."""

    kana: str = ""
    birth_date: date | None = None
    death_date: date | None = None
    atena_number: str = ""

    def given(self) -> list[str]:
        """The criteria given, by their Japanese names (what the audit log records)."""
        names = (
            ("kana", "カナ"),
            ("birth_date", "生年月日"),
            ("death_date", "死亡日"),
            ("atena_number", "宛名番号"),
        )
        return [label for name, label in names if getattr(self, name)]


@dataclass(frozen=True)
class Hit:
    atena_number: str
    name: str
    kana: str
    birth_date: date
    sex: int
    address: str
    relation: str
    removal_date: date | None
    removal_reason: str

    @property
    def deceased(self) -> bool:
        return self.removal_reason == Person.RemovalReason.DEATH

    @property
    def death_date(self) -> date | None:
        return self.removal_date if self.deceased else None


def residents_search(*, extract: Extract, criteria: SearchCriteria, key: str | None = None) -> list[Hit]:
    """Up to SEARCH_LIMIT + 1 people matching every criterion: the deceased first, latest death first.

    One query. `key` is the kana's search key (`kana.search_key`), worked out by the caller.
    """
    people = Person.objects.filter(extract=extract)
    if criteria.atena_number:
        people = people.filter(atena_number=criteria.atena_number)
    if criteria.birth_date:
        people = people.filter(birth_date=criteria.birth_date)
    if criteria.death_date:
        people = people.filter(death_date=criteria.death_date)
    if criteria.kana:
        key = key or search_key(criteria.kana) or ""
        people = people.filter(Q(kana_key__startswith=key) | Q(kana_key_reversed__startswith=key))
    group = Case(
        When(death_date__isnull=False, then=Value(0)),
        When(removal_date__isnull=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = (
        people.annotate(group=group)
        .order_by("group", F("death_date").desc(nulls_last=True), "kana_key", "atena_number")
        .values_list(
            "atena_number",
            "name",
            "kana",
            "birth_date",
            "sex",
            "address",
            "relation",
            "removal_date",
            "removal_reason",
        )[: SEARCH_LIMIT + 1]
    )
    return [Hit(*row) for row in rows]


@dataclass(frozen=True)
class Records:
    person: Person | None
    remaining: list[Person]
    facts: dict[str, Any]


def records_for(*, extract: Extract, atena_number: str) -> Records:
    """The person with the 宛名番号, the rest of their household on the register, and their facts."""
    person = Person.objects.filter(extract=extract, atena_number=atena_number).first()
    if person is None:
        return Records(None, [], {})
    household = Person.objects.filter(
        extract=extract, household=person.household, removal_date__isnull=True
    ).exclude(atena_number=atena_number)
    facts = {}
    for fact, text in PersonFact.objects.filter(extract=extract, atena_number=atena_number).values_list(
        "fact", "value"
    ):
        _, facts[fact] = parse_fact_value(fact, text)
    return Records(person, household_after(person, household), facts)


def case_document_for(*, records: Records, prefill: Iterable[PrefillSpec | tuple]) -> dict[str, Any]:
    """The case document of a deceased person's records (records.NotDeceased otherwise)."""
    assert records.person is not None
    return case_document(
        deceased=records.person, remaining=records.remaining, facts=records.facts, prefill=prefill
    )


class RecordsSources(NamedTuple):
    """Where the counter can look a deceased person up: the extract, the live lookup, or both
    (`any(sources)`: somewhere)."""

    extract: bool
    live: bool


def records_sources(municipality: Municipality) -> RecordsSources:
    return RecordsSources(extract_for(municipality) is not None, bool(settings.OKUYAMI_RECORDS_URL))
