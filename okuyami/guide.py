"""The family's guide: what the screens show and the printed documents carry.

Pure Python. `build_guide` joins an evaluation result (okuyami-catalog/1) with
the catalog's names, places and counters, and with the staff's manual changes,
into one JSON-serialisable dict. A finalised case stores this dict as its
snapshot, so a later catalog edit never changes what a family was told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from procedures.catalog import Catalog
from procedures.evaluation import CaseInput, deadline_date, deadline_wording, fact_label, facts_for

# 2: procedures carry `deadline_rule` (the rule in words when there is no date). Snapshots of
# version 1 have no such field and read as having no rule.
# 3: stops carry `outside` (an office that is not the municipality's: guidance only); a finalised
# guide carries its `edition` and the day it was finalised (`finalised_on`; edition 2 onwards is a
# 訂正版). Migration okuyami 0006 gave older snapshots `outside` from their places.
GUIDE_VERSION = 3


class AdjustmentAction(StrEnum):
    """What the staff did to the rules' list: the one vocabulary (the Adjustment model's choices too)."""

    ADD = "add"
    DROP = "drop"

    @property
    def label(self) -> str:
        return "追加" if self is AdjustmentAction.ADD else "除外"


@dataclass(frozen=True)
class ManualChange:
    """A procedure the staff added (the rules missed it) or dropped, with what the family is told
    about it (`note`, printed). The staff's own memo never enters a guide."""

    procedure: str
    action: AdjustmentAction
    note: str = ""


def build_guide(
    catalog: Catalog,
    result: dict[str, Any],
    *,
    death_date: date,
    adjustments: tuple[ManualChange, ...] = (),
    case: CaseInput | None = None,
) -> dict[str, Any]:
    """The route with every applying procedure, the 要確認 list and manual changes.

    Deadlines come from the result; a procedure the staff added is given its deadline
    from `case` (a date the family gave), or from the death when `case` is not given.
    """
    procedures = {p.key: p for p in catalog.procedures}
    known = {item["key"]: item["deadline"] for item in (*result["applies"], *result["maybe"])}
    facts = facts_for(catalog, case) if case is not None else {}

    def entry(procedure) -> dict[str, Any]:
        if procedure.key in known:
            deadline = known[procedure.key]
        else:
            rule = procedure.deadline
            if case is not None:
                day = deadline_date(rule, case, facts)
            else:
                day = rule.date_from(death_date) if rule is not None and rule.from_death else None
            deadline = day.isoformat() if day else None
        return _procedure_entry(catalog, procedure, deadline)

    added = {
        a.procedure: a for a in adjustments if a.action == AdjustmentAction.ADD and a.procedure in procedures
    }
    dropped = {a.procedure: a for a in adjustments if a.action == AdjustmentAction.DROP}
    reasons = {item["key"]: item["reasons"] for item in result["applies"]}
    applying = set(reasons) | set(added)

    stops: list[dict[str, Any]] = []
    for procedure in catalog.procedures:  # route order
        if procedure.key not in applying or procedure.key in dropped:
            continue
        counter = catalog.counter_by_key[procedure.counter]
        if not stops or stops[-1]["counter"] != counter.key:
            place = catalog.place_by_key[counter.place]
            stops.append(
                {
                    "counter": counter.key,
                    "name": counter.name,
                    "place": place.key,
                    "place_name": place.name,
                    "outside": place.outside,
                    "location": counter.location or "",
                    "phone": counter.phone or "",
                    "hours": counter.hours or "",
                    "procedures": [],
                }
            )
        manual = procedure.key in added and procedure.key not in reasons
        stops[-1]["procedures"].append(
            {
                **entry(procedure),
                "reasons": reasons.get(procedure.key, []),
                "manual": manual,
                "note": added[procedure.key].note if procedure.key in added else "",
            }
        )

    maybe_keys = {item["key"] for item in result["maybe"]}
    maybe = []
    for item in result["maybe"]:
        if item["key"] in applying or item["key"] in dropped:
            continue
        procedure = procedures[item["key"]]
        counter = catalog.counter_by_key[procedure.counter]
        maybe.append(
            {
                **entry(procedure),
                "counter_name": counter.name,
                "place_name": catalog.place_by_key[counter.place].name,
                "confirm": [fact_label(catalog, name) for name in item["unknown"]],
            }
        )

    removed = [
        {
            **entry(procedures[key]),
            "counter_name": catalog.counter_by_key[procedures[key].counter].name,
            "note": adjustment.note,
        }
        for key, adjustment in dropped.items()
        if key in applying or key in maybe_keys
    ]
    m = catalog.municipality
    return {
        "version": GUIDE_VERSION,
        "municipality": {"code": m.code, "name": m.name, "prefecture": m.prefecture},
        "death_date": death_date.isoformat(),
        "stops": stops,
        "maybe": maybe,
        "dropped": removed,
    }


def _procedure_entry(catalog: Catalog, procedure, deadline: str | None) -> dict[str, Any]:
    return {
        "key": procedure.key,
        "name": procedure.name,
        "deadline": deadline,
        # What the deadline counts from, in words, when there is no date to print.
        "deadline_rule": deadline_wording(catalog, procedure.deadline)
        if procedure.deadline and not deadline
        else "",
        "deadline_note": procedure.deadline_note or "",
        "documents": list(procedure.documents),
        "description": procedure.description or "",
        "url": procedure.url or "",
    }


def procedure_count(guide: dict[str, Any]) -> int:
    return sum(len(stop["procedures"]) for stop in guide["stops"])


def is_outside(stop: dict[str, Any]) -> bool:
    """A stop at an office that is not the municipality's: the counters give guidance only."""
    return bool(stop.get("outside"))


def finalised_guide(guide: dict[str, Any], *, edition: int, on: date) -> dict[str, Any]:
    """The guide as a finalised case keeps it: its edition (2 onwards: a 訂正版) and the day."""
    return {**guide, "edition": edition, "finalised_on": on.isoformat()}


def correction_of(guide: dict[str, Any] | None) -> dict[str, Any] | None:
    """{"edition", "on"} when the guide is a 訂正版 (finalised again after a correction), else None."""
    edition = (guide or {}).get("edition") or 1
    if edition < 2 or not guide.get("finalised_on"):
        return None
    return {"edition": edition, "on": date.fromisoformat(guide["finalised_on"])}


def guide_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """What a correction changed on the route: the names of the procedures it added and dropped."""

    def route(guide: dict[str, Any]) -> dict[str, str]:
        return {p["key"]: p["name"] for stop in guide.get("stops", []) for p in stop["procedures"]}

    old, new = route(before), route(after)
    return {
        "added": [name for key, name in new.items() if key not in old],
        "dropped": [name for key, name in old.items() if key not in new],
    }


def anonymous_guide(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """The result reduced to its counters and procedures: no dates, reasons or staff notes."""
    if snapshot is None:
        return None
    return {
        "version": snapshot.get("version"),
        "erased": True,
        "municipality": snapshot.get("municipality"),
        "stops": [
            {
                "counter": stop["counter"],
                "name": stop["name"],
                "procedures": [
                    {"key": p["key"], "name": p["name"], "manual": bool(p.get("manual"))}
                    for p in stop["procedures"]
                ],
            }
            for stop in snapshot.get("stops", [])
        ],
    }
