"""What changed between two okuyami-catalog/1 documents, field by field, and how to undo it.

Pure Python. Used for the dry run of an import (CLI and admin), the catalog history's
diff view and its revert. Items are matched by key within each section.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from procedures.catalog import SECTIONS
from procedures.catalog_labels import field_label
from procedures.deadlines import DEATH, UNIT_KEYS, Deadline, Unit
from procedures.evaluation import date_subject
from procedures.rules import QuestionType

MUNICIPALITY_FIELDS = ("code", "name", "prefecture")
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
# What an absent optional field means, so that absent and its default compare equal.
_DEFAULTS = {
    "places": {"outside": False},
    "questions": {"allow_unknown": True},
    "procedures": {"order": 0, "documents": []},
}


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any
    label: str = ""  # the field's Japanese name (catalog_labels), for the screens
    before_ja: str = ""  # the values as the screens show them
    after_ja: str = ""

    @property
    def before_text(self) -> str:
        return display(self.before)

    @property
    def after_text(self) -> str:
        return display(self.after)


@dataclass(frozen=True)
class ItemChange:
    section: str
    key: str
    kind: str  # added, changed or removed
    name: str  # the item's name (text for a question), for people
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class CatalogChanges:
    municipality: tuple[FieldChange, ...]
    items: tuple[ItemChange, ...]
    question_order: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (before, after) if reordered

    def __bool__(self) -> bool:
        return bool(self.municipality or self.items or self.question_order)

    def of(self, section: str, kind: str | None = None) -> list[ItemChange]:
        return [i for i in self.items if i.section == section and (kind is None or i.kind == kind)]

    def summary(self) -> dict[str, dict[str, list[str]]]:
        """The keys added, changed and removed in each section (the API's `diff`)."""
        return {
            section: {kind: [i.key for i in self.of(section, kind)] for kind in (ADDED, CHANGED, REMOVED)}
            for section in SECTIONS
        }

    def lines(self) -> list[str]:
        """The changes in English, one a line, for the command line."""
        out = [f"municipality.{c.name}: {c.before_text} -> {c.after_text}" for c in self.municipality]
        for item in self.items:
            out.append(f"{item.section} {item.key} {item.kind}: {item.name}")
            out.extend(f"    {c.name}: {c.before_text} -> {c.after_text}" for c in item.fields)
        if self.question_order:
            out.append(f"questions reordered: {', '.join(self.question_order[1])}")
        return out


def display(value: Any) -> str:
    """A field value as one short line."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and ({"from", *UNIT_KEYS} & set(value)):
        return _deadline_text(value)
    if isinstance(value, dict) and "fact" in value:
        return _prefill_text(value)
    if isinstance(value, list):
        parts = [f"{v['value']}={v['label']}" if isinstance(v, dict) else display(v) for v in value]
        return " / ".join(parts) if parts else "—"
    return str(value)


class _Japanese:
    """Field values as an editor reads them: はい/いいえ, deadlines in words, counters and places by
    name, choices by label. Names come from the two documents compared."""

    def __init__(self, *documents: dict | None):
        self.names: dict[tuple[str, str], str] = {}
        for document in documents:
            for section in SECTIONS:
                for item in (document or {}).get(section, []):
                    if isinstance(item, dict) and isinstance(item.get("key"), str):
                        name = item.get("text" if section == "questions" else "name")
                        self.names.setdefault((section, item["key"]), str(name))

    def change(self, section: str, name: str, before: Any, after: Any) -> FieldChange:
        return FieldChange(
            name,
            before,
            after,
            _form_label(name) if section == "procedures" else field_label(section, name),
            self.text(section, name, before),
            self.text(section, name, after),
        )

    def text(self, section: str, name: str, value: Any) -> str:
        if value is None or value == [] or value == "":
            return "（なし）"
        if isinstance(value, bool):
            return "はい" if value else "いいえ"
        reference = {("counters", "place"): "places", ("procedures", "counter"): "counters"}.get(
            (section, name)
        )
        if reference and isinstance(value, str):
            return self.named(reference, value)
        if section == "questions" and name == "type" and QuestionType.of(value):
            return f"{QuestionType(value).label}（{value}）"
        if section == "questions" and name == "choices" and isinstance(value, list):
            return "、".join(
                f"{c.get('label')}（{c.get('value')}）" if isinstance(c, dict) else str(c) for c in value
            )
        if name == "deadline" and isinstance(value, dict):
            return self.deadline(value)
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return str(value)

    def named(self, section: str, key: str) -> str:
        name = self.names.get((section, key))
        return f"{name}（{key}）" if name else key

    def deadline(self, value: dict) -> str:
        units = [unit for unit in Unit if isinstance(value.get(unit.value), int)]
        if len(units) != 1:
            return display(value)
        start = value.get("from") or DEATH
        rule = Deadline(value[units[0].value], units[0], start)
        if rule.from_death:
            return rule.wording()
        text = self.names.get(("questions", start))
        return rule.wording(date_subject(text) if text else start)


def _deadline_text(deadline: dict) -> str:
    """{"years": 2, "from": "funeral_date"} -> "2 years from funeral_date" (as the format names them)."""
    amounts = " ".join(f"{deadline[unit]} {unit}" for unit in UNIT_KEYS if unit in deadline)
    return f"{amounts or '—'} from {deadline.get('from') or DEATH}"


def _prefill_text(prefill: dict) -> str:
    """{"fact": "health.insurance", "values": {"koki": "koki"}} -> 'health.insurance (koki → "koki")'."""
    values = prefill.get("values")
    if values is None:
        return str(prefill["fact"])
    pairs = ", ".join(f"{key} → {json.dumps(answer, ensure_ascii=False)}" for key, answer in values.items())
    return f"{prefill['fact']} ({pairs or 'no value gives an answer'})"


def _normal(section: str, item: dict) -> dict:
    data = {**_DEFAULTS.get(section, {}), **{k: v for k, v in item.items() if v is not None}}
    if section == "procedures":
        # deadline_days n and deadline {"days": n} say the same: compare (and show) one field.
        days = data.pop("deadline_days", None)
        deadline = data.get("deadline")
        if days is not None and deadline is None:
            deadline = {"days": days}
        if isinstance(deadline, dict) and deadline.get("from") == DEATH:
            deadline = {k: v for k, v in deadline.items() if k != "from"}
        if deadline is not None:
            data["deadline"] = deadline
        data.update(_form_fields(data.pop("forms", None) or []))
    return {k: v for k, v in data.items() if k != "choices" or v}


def _form_fields(forms: list) -> dict[str, Any]:
    """A procedure's forms as fields that name what changed: the order they print in
    (`forms`), each form's title and PDF (`form forms/x.pdf`), and each of its fields by page
    and value (`form forms/x.pdf p1 deceased.name`: where it prints)."""
    if not forms:
        return {}
    flat: dict[str, Any] = {"forms": [form.get("file") for form in forms if isinstance(form, dict)]}
    for form in forms:
        if not isinstance(form, dict):
            continue
        name = _unique(flat, f"form {form.get('file')}")
        sha = form.get("sha256")
        flat[name] = f"{form.get('title')}" + (f" (PDF {sha[:12]})" if isinstance(sha, str) else "")
        for field in form.get("fields") or []:
            if isinstance(field, dict):
                where = f"{name} p{field.get('page')} {field.get('value')}"
                flat[_unique(flat, where)] = _placement_text(field)
    return flat


def _form_label(name: str) -> str:
    """A procedure's field in Japanese, its forms' too (`_form_fields`): 「申請書「forms/x.pdf」」,
    「申請書「forms/x.pdf」 1ページの欄 deceased.name」."""
    if name == "forms":
        return "申請書（印刷する順）"
    parts = name.split(" ")
    if parts[0] != "form" or len(parts) < 2:
        return field_label("procedures", name)
    form, rest = f"申請書「{parts[1]}」", parts[2:]
    if rest and rest[0].startswith("#"):  # a second form with the same file
        form, rest = f"{form}{rest[0]}", rest[1:]
    if rest and rest[0].startswith("p") and rest[0][1:].isdigit():
        return f"{form} {rest[0][1:]}ページの欄 {' '.join(rest[1:])}".rstrip()
    return f"{form} {' '.join(rest)}".rstrip()


def _unique(taken: dict, name: str) -> str:
    number, unique = 1, name
    while unique in taken:
        number += 1
        unique = f"{name} #{number}"
    return unique


def _placement_text(field: dict) -> str:
    """'x 16.5, y 133.4, width 49, size 12' or 'acroform todokede_shimei'."""
    names = ("acroform",) if field.get("acroform") is not None else ("x", "y", "width", "size")
    return ", ".join(f"{name} {_number(field[name])}" for name in names if field.get(name) is not None) or "—"


def _number(value: Any) -> str:
    """57 and 57.0 are the same place: shown alike, so that they compare alike."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _by_key(document: dict | None, section: str) -> dict[str, dict]:
    if not document:
        return {}
    return {item["key"]: _normal(section, item) for item in document.get(section, [])}


def _name(section: str, item: dict) -> str:
    return str(item.get("text" if section == "questions" else "name", item.get("key", "")))


def catalog_changes(before: dict | None, after: dict) -> CatalogChanges:
    """Every difference from `before` (None: an empty catalog) to `after`."""
    japanese = _Japanese(before, after)
    municipality = tuple(
        japanese.change(
            "municipality",
            name,
            (before or {}).get("municipality", {}).get(name),
            after["municipality"].get(name),
        )
        for name in MUNICIPALITY_FIELDS
        if before and before["municipality"].get(name) != after["municipality"].get(name)
    )
    items: list[ItemChange] = []
    for section in SECTIONS:
        old, new = _by_key(before, section), _by_key(after, section)
        for key, item in new.items():
            if key not in old:
                items.append(ItemChange(section, key, ADDED, _name(section, item)))
            elif old[key] != item:
                fields = tuple(
                    japanese.change(section, name, old[key].get(name), item.get(name))
                    for name in dict.fromkeys([*old[key], *item])
                    if old[key].get(name) != item.get(name)
                )
                items.append(ItemChange(section, key, CHANGED, _name(section, item), fields))
        items.extend(
            ItemChange(section, key, REMOVED, _name(section, item))
            for key, item in old.items()
            if key not in new
        )
    old_order = [key for key in _by_key(before, "questions") if key in _by_key(after, "questions")]
    new_order = [key for key in _by_key(after, "questions") if key in _by_key(before, "questions")]
    reordered = (tuple(old_order), tuple(new_order)) if old_order != new_order else None
    return CatalogChanges(municipality, tuple(items), reordered)


@dataclass(frozen=True)
class Conflict:
    section: str  # or "municipality"
    key: str


def undo_change(current: dict, before: dict | None, after: dict) -> tuple[dict, list[Conflict]]:
    """`current` with the change from `before` to `after` taken back, item by item.

    An item the change touched that has changed again since is a conflict: it is left
    as it is now and listed, and the caller decides (the admin refuses the undo).
    """
    result = copy.deepcopy(current)
    conflicts: list[Conflict] = []
    changes = catalog_changes(before, after)
    for change in changes.municipality:
        if result["municipality"].get(change.name) == change.after:
            result["municipality"][change.name] = change.before
        else:
            conflicts.append(Conflict("municipality", change.name))
    for item in changes.items:
        items = result[item.section]
        now = {entry["key"]: index for index, entry in enumerate(items)}
        old = {entry["key"]: entry for entry in (before or {}).get(item.section, [])}
        new = {entry["key"]: entry for entry in after.get(item.section, [])}
        index = now.get(item.key)
        if item.kind == REMOVED:
            if index is not None:
                conflicts.append(Conflict(item.section, item.key))
                continue
            items.insert(_insert_at(items, before[item.section], item.key), copy.deepcopy(old[item.key]))
            continue
        if index is None or _normal(item.section, items[index]) != _normal(item.section, new[item.key]):
            conflicts.append(Conflict(item.section, item.key))
        elif item.kind == ADDED:
            del items[index]
        else:
            items[index] = copy.deepcopy(old[item.key])
    return result, conflicts


def _insert_at(items: list[dict], before_items: list[dict], key: str) -> int:
    """Where a removed item goes back: after the nearest item that preceded it and is still there."""
    keys = [entry["key"] for entry in before_items]
    present = {entry["key"]: index for index, entry in enumerate(items)}
    for earlier in reversed(keys[: keys.index(key)]):
        if earlier in present:
            return present[earlier] + 1
    return 0
