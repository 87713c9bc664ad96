"""What the screens and the printed documents show of a guide: deadlines in 和暦 and the days left.

Pure Python, dates passed in: the days left count from the day shown (today on a screen, the
day printed on paper), so the same guide shows the same way in both.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from okuyami.wareki import wareki


def days_left_label(days: int | None) -> str:
    """「あと5日」「今日まで」「3日過ぎています」, or "" without a deadline."""
    if days is None:
        return ""
    if days > 0:
        return f"あと{days}日"
    if days == 0:
        return "今日まで"
    return f"{-days}日過ぎています"


def guide_for_display(guide: dict[str, Any], *, today: date) -> dict[str, Any]:
    """A copy of the guide with what the screens and prints show added.

    Stops get their walking `number` and `first_in_place`; every procedure (in
    stops, `maybe` and `dropped`) gets `deadline_wareki`, `days_left`,
    `days_left_label` and `overdue`, counted from `today`.
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
    procedure["days_left"] = days_left
    procedure["overdue"] = days_left is not None and days_left < 0
    procedure["days_left_label"] = days_left_label(days_left)
