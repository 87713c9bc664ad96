"""From a deceased person's records to the case document (okuyami-residents/1), before any question.

Pure: no Django. The people are anything with the attributes of `extract.Resident` (the
rows read from an extract, or the stored `models.Person`), so the same rules serve the
import's tests, the counter and `case_from_records`.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from procedures.deadlines import age_at
from procedures.facts import PrefillSpec, prefill_answers

HEAD = "世帯主"
DEATH = "死亡"


class PersonRecord(Protocol):
    atena_number: str
    household: str
    name: str
    kana: str
    birth_date: date
    relation: str
    address: str
    foreign: bool
    removal_date: date | None
    removal_reason: str


class NotDeceased(Exception):
    """The person's records do not say they died (no 消除事由 死亡)."""


def number_order(number: str) -> tuple[int, str]:
    """宛名番号 in numeric order (they are digits, of any length)."""
    return int(number), number


def household_after(deceased: PersonRecord, people: Iterable[PersonRecord]) -> list[PersonRecord]:
    """The others of the deceased's household still on the register, in 宛名番号 order."""
    remaining = [
        person
        for person in people
        if person.household == deceased.household
        and person.atena_number != deceased.atena_number
        and person.removal_date is None
    ]
    return sorted(remaining, key=lambda person: number_order(person.atena_number))


def household_facts(deceased: PersonRecord, remaining: Sequence[PersonRecord]) -> dict[str, Any]:
    """The facts residents.csv gives, on the date of death (ages in completed years, as `age`)."""
    death_date = death_date_of(deceased)
    ages = [age_at(birth_date=person.birth_date, death_date=death_date) for person in remaining]
    return {
        "household.head": deceased.relation == HEAD,
        "household.remaining": len(remaining),
        "household.remaining_15_plus": sum(1 for age in ages if age >= 15),
        "household.remaining_under_18": sum(1 for age in ages if age < 18),
        "resident.foreign": deceased.foreign,
    }


def death_date_of(person: PersonRecord) -> date:
    if person.removal_reason != DEATH or person.removal_date is None:
        raise NotDeceased
    return person.removal_date


def case_document(
    *,
    deceased: PersonRecord,
    remaining: Sequence[PersonRecord],
    facts: Mapping[str, Any],
    prefill: Iterable[PrefillSpec | tuple],
) -> dict[str, Any]:
    """The case document: `deceased`, `answers` from the prefill specs, the `household` after the death.

    `facts` are the deceased's facts of facts.csv; the household facts are added here.
    """
    death_date = death_date_of(deceased)
    known = {**facts, **household_facts(deceased, remaining)}
    return {
        "deceased": {
            "name": deceased.name,
            "kana": deceased.kana,
            "birth_date": deceased.birth_date.isoformat(),
            "death_date": death_date.isoformat(),
            "address": deceased.address,
        },
        "answers": prefill_answers(prefill, known),
        "household": [
            {
                "name": person.name,
                "kana": person.kana,
                "relation": person.relation,
                "birth_date": person.birth_date.isoformat(),
            }
            for person in remaining
        ],
    }


# --- Who comes to the counter: a member of the household -----------------------------------------

# A 続柄 on the 住民票 is the relation to the 世帯主. When the deceased was the 世帯主 it is the
# relation to the deceased, in the words of the reception form (okuyami.forms.RELATIONS).
_TO_HEAD = {
    "配偶者": ("妻", "夫", "妻（未届）", "夫（未届）"),
    "子": ("子", "長男", "長女", "二男", "次男", "二女", "次女", "三男", "三女", "養子", "養女"),
    "子の配偶者": ("子の妻", "子の夫"),
    "孫": ("孫",),
    "父母": ("父", "母", "養父", "養母"),
    "兄弟姉妹": ("兄", "弟", "姉", "妹"),
    "その他の親族": (
        "祖父", "祖母", "叔父", "伯父", "叔母", "伯母", "おじ", "おば", "甥", "姪", "おい", "めい",
        "孫の妻", "孫の夫", "ひ孫", "曾孫", "妻の父", "妻の母", "夫の父", "夫の母", "兄の妻", "弟の妻",
        "姉の夫", "妹の夫", "いとこ", "親族",
    ),
    "その他": ("同居人", "縁故者", "使用人"),
}  # fmt: skip
_RELATION_BY_ZOKUGARA = {zokugara: relation for relation, words in _TO_HEAD.items() for zokugara in words}


def deceased_was_head(household: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the deceased was the 世帯主: no one left in the household is (after a 世帯主's death
    the household has none until a new one is registered, 世帯主変更届)."""
    return not any(member.get("relation") == HEAD for member in household)


def visitor_relation(member_relation: str, *, deceased_head: bool) -> str:
    """A household member's relation to the deceased, as the reception form says it, or "" when
    the 続柄 does not tell (the deceased was not the 世帯主, or a 続柄 not listed): staff choose."""
    if not deceased_head:
        return ""
    return _RELATION_BY_ZOKUGARA.get(member_relation.strip(), "")
