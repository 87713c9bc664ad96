"""Template filters for screens and print: 和暦, 西暦, lookups. (Days left: okuyami.display.)"""

from datetime import date

from django import template

from okuyami import display
from okuyami.guide import procedure_count
from procedures.wareki import seireki as _seireki
from procedures.wareki import wareki as _wareki

register = template.Library()


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


@register.filter
def wareki(value, weekday: bool = False) -> str:
    day = _as_date(value)
    return _wareki(day, weekday=bool(weekday)) if day else ""


@register.filter
def seireki(value) -> str:
    day = _as_date(value)
    return _seireki(day) if day else ""


@register.filter
def deadline_words(procedure) -> str:
    """The rule or the note that stands for a procedure's missing date (display.deadline_words)."""
    return display.deadline_words(procedure)


@register.filter
def deadline_aside(procedure) -> str:
    """The deadline note shown beside the deadline (display.deadline_aside)."""
    return display.deadline_aside(procedure)


@register.filter
def get_item(mapping, key):
    """mapping[key] in templates (marks by procedure key)."""
    return mapping.get(key) if mapping else None


@register.filter
def procedure_total(guide) -> int:
    """How many procedures a guide's route has."""
    return procedure_count(guide) if guide else 0
