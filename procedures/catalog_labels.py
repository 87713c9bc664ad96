"""The Japanese names of a catalog's parts: sections, fields and the workbook's columns. Pure Python.

Editors read these, never the format's English keys: in the workbook's first row, in the places
of errors (「手続き 9行目 「期限の日数」列」), in the diffs of imports and history. One table: a new
field of the format adds its row to its section here, and every screen and the workbook name
it. The API, the CLI and the contract keep the English keys.
"""

from __future__ import annotations

import re
from typing import Any

SECTION_LABELS = {
    "municipality": "市区町村",
    "places": "場所",
    "counters": "窓口",
    "questions": "質問",
    "choices": "選択肢",
    "procedures": "手続き",
}

# A field by its path inside an item: "deadline.from" is the `from` of a procedure's `deadline`.
# Workbook-only columns (a procedure's deadline_months, a choice's question) are here too.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "": {"format": "形式", "municipality": "市区町村"},
    "municipality": {"code": "団体コード", "name": "市区町村名", "prefecture": "都道府県"},
    "places": {"key": "キー", "name": "名称", "order": "巡回順", "outside": "市区町村以外の機関"},
    "counters": {
        "key": "キー",
        "name": "窓口名",
        "place": "場所",
        "order": "場所内の順",
        "location": "窓口の位置",
        "phone": "電話番号",
        "hours": "受付時間",
    },
    "questions": {
        "key": "キー",
        "text": "質問文",
        "type": "回答の種類",
        "help": "補足",
        "choices": "選択肢",
        "ask_if": "質問する条件",
        "allow_unknown": "「わからない」を認める",
        "prefill": "住民記録の事実",
        "prefill.fact": "住民記録の事実",
        "prefill.values": "記録の値ごとの回答",
        "prefill_values": "記録の値ごとの回答",
    },
    "choices": {"question": "質問のキー", "value": "値", "label": "表示名"},
    "procedures": {
        "key": "キー",
        "name": "手続き名",
        "counter": "窓口",
        "applies_if": "対象となる条件",
        "deadline_days": "期限の日数",
        "deadline": "期限",
        "deadline.days": "期限の日数",
        "deadline.months": "期限の月数",
        "deadline.years": "期限の年数",
        "deadline.from": "期限の起算日",
        "deadline_months": "期限の月数",
        "deadline_years": "期限の年数",
        "deadline_from": "期限の起算日",
        "deadline_note": "期限の説明",
        "documents": "持ち物",
        "description": "説明",
        "url": "参考URL",
        "order": "窓口内の順",
        "forms": "申請書",
    },
}

_STEP = re.compile(r"\[(\d+)\]")


def section_label(section: str) -> str:
    return SECTION_LABELS.get(section, section)


def field_label(section: str, field: str) -> str:
    """A field's Japanese name; an unknown one (a misspelt field) is shown as it was written."""
    return FIELD_LABELS.get(section, {}).get(field, field)


def place_label(path: str, document: Any = None) -> str:
    """Where a path of a document is, in Japanese: 'procedures[3].deadline.from' ->
    '手続き「国民健康保険の資格喪失届」（kokuho_loss）の「期限の起算日」' (`document` names the
    item), or '手続き 4番目の「期限の起算日」'."""
    if not path:
        return "ファイル全体"
    head, _, rest = path.partition(".")
    match = re.fullmatch(r"([a-z_]+)(?:\[(\d+)\])?", head)
    if match is None:
        return path
    section, index = match.group(1), match.group(2)
    if section in ("format",) or (section == "municipality" and index is None):
        if not rest:
            return f"「{field_label('', section)}」"
        return f"{section_label(section)}の「{field_label('municipality', rest)}」"
    if index is None:
        return f"{section_label(section)}の一覧" if section in SECTION_LABELS else f"「{path}」"
    place = _item_label(document, section, int(index))
    if not rest:
        return place
    if rest.startswith("choices["):
        number, _, inner = rest[len("choices[") :].partition("]")
        choice = f"{place}の選択肢 {int(number) + 1}番目"
        inner = inner.lstrip(".")
        return f"{choice}の「{field_label('choices', inner)}」" if inner else choice
    steps = _STEP.sub("", rest)
    parts = steps.split(".")
    # The longest known field the path is in: "prefill.values.kokuho" is in "prefill.values".
    known = (".".join(parts[:n]) for n in range(len(parts), 0, -1))
    label = field_label(section, next((f for f in known if f in FIELD_LABELS.get(section, {})), parts[0]))
    item = _STEP.search(rest)
    suffix = f"の{int(item.group(1)) + 1}つ目" if item else ""
    return f"{place}の「{label}」{suffix}"


def _item_label(document: Any, section: str, index: int) -> str:
    """「手続き「国民健康保険の資格喪失届」（kokuho_loss）」 when the document names the item, else
    「手続き 10番目」."""
    try:
        item = document[section][index]
    except (TypeError, KeyError, IndexError):
        item = None
    item = item if isinstance(item, dict) else {}
    key, name = item.get("key"), item.get("text" if section == "questions" else "name")
    if isinstance(name, str) and name.strip():
        name = name if len(name) <= 30 else name[:29] + "…"
        return f"{section_label(section)}「{name}」" + (f"（{key}）" if isinstance(key, str) else "")
    if isinstance(key, str):
        return f"{section_label(section)}「{key}」"
    return f"{section_label(section)} {index + 1}番目"
