"""Two counters edited the same 受付: what to keep. Pure Python.

The form carries the values it showed (`seen`); when another counter saved first, each field is
compared three ways. A field only the other counter changed takes their value, a field only this
clerk changed keeps theirs, and a field both changed differently is a conflict the clerk settles
(keep theirs or take the latest) without retyping either.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Merge:
    values: dict[str, str]  # what the form shows now: the clerk's, with the latest where taken
    taken: tuple[str, ...]  # fields changed only by the other counter: the latest is shown
    conflicts: tuple[str, ...]  # fields both changed, differently


def merge_edits(*, seen: dict[str, str], mine: dict[str, str], latest: dict[str, str]) -> Merge:
    """Compare each of `mine`'s fields (text, as the form shows it) with what the form showed
    (`seen`; a field missing there counts as unknown) and with the latest saved values."""
    values, taken, conflicts = dict(mine), [], []
    for name, value in mine.items():
        now = latest.get(name, "")
        if value == now:
            continue
        before = seen.get(name)
        if before is not None and value == before:
            values[name] = now
            taken.append(name)
        elif before is None or now != before:
            conflicts.append(name)
    return Merge(values, tuple(taken), tuple(conflicts))
