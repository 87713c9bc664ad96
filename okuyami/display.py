"""What the screens and the printed documents show of a guide: deadlines in 和暦 and the days left.

Pure Python, dates passed in: the days left count from the day shown (today on a screen, the
day printed on paper), so the same guide shows the same way in both.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from procedures.deadlines import age_at
from procedures.wareki import seireki, wareki


def age_at_death_text(birth: date | None, death: date) -> str:
    """「82歳で亡くなられました」, read back to the family to confirm the dates; "" without a birth date."""
    age = age_at(birth_date=birth, death_date=death)
    return "" if age is None else f"{age}歳で亡くなられました"


def days_left_label(days: int | None) -> str:
    """「あと5日」「今日まで」「3日過ぎています」, or "" without a deadline."""
    if days is None:
        return ""
    if days > 0:
        return f"あと{days}日"
    if days == 0:
        return "今日まで"
    return f"{-days}日過ぎています"


def deadline_words(procedure: dict[str, Any]) -> str:
    """What stands where a procedure's date would be when it has none: the rule counted from a
    date the family has not given (「葬儀を行った日の翌日から2年」), else the catalog's note
    (「速やかに」), else "" (the screen then says 期限の定めなし). A guide of version 1 has no rule."""
    if procedure.get("deadline"):
        return ""
    return procedure.get("deadline_rule") or procedure.get("deadline_note") or ""


def deadline_aside(procedure: dict[str, Any]) -> str:
    """The catalog's deadline note, shown beside the deadline; "" when it already stands in for it."""
    note = procedure.get("deadline_note") or ""
    return note if note != deadline_words(procedure) else ""


def guide_for_display(guide: dict[str, Any], *, today: date) -> dict[str, Any]:
    """A copy of the guide with what the screens and prints show added.

    Stops get their walking `number` and `first_in_place`; every procedure (in
    stops, `maybe` and `dropped`) gets `deadline_wareki`, `deadline_seireki`, `days_left`,
    `days_left_label` and `overdue`, counted from `today`, and `deadline_words` and
    `deadline_aside` (see those functions).
    """
    shown = copy.deepcopy(guide)
    previous_place = None
    for number, stop in enumerate(shown["stops"], start=1):
        stop["number"] = number
        stop["first_in_place"] = stop["place"] != previous_place
        previous_place = stop["place"]
        for procedure in stop["procedures"]:
            _add_deadline(procedure, today)
    for procedure in (*shown["maybe"], *shown["dropped"]):
        _add_deadline(procedure, today)
    return shown


def _add_deadline(procedure: dict[str, Any], today: date) -> None:
    deadline = date.fromisoformat(procedure["deadline"]) if procedure["deadline"] else None
    days_left = (deadline - today).days if deadline else None
    procedure["deadline_wareki"] = wareki(deadline, weekday=True) if deadline else ""
    procedure["deadline_seireki"] = seireki(deadline) if deadline else ""
    procedure["days_left"] = days_left
    procedure["overdue"] = days_left is not None and days_left < 0
    procedure["days_left_label"] = days_left_label(days_left)
    procedure["deadline_words"] = deadline_words(procedure)
    procedure["deadline_aside"] = deadline_aside(procedure)
