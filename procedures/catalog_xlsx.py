"""okuyami-catalog/1 as an Excel workbook (.xlsx), both ways. Pure Python: openpyxl, no Django.

Sheets: `catalog` (format and municipality, one field a row), then `places`, `counters`,
`questions`, `choices` (one choice a row, in order, naming its question) and `procedures`
(documents one per line in a cell). Row 1 of each sheet names the columns in Japanese, for the
editors; row 2, hidden, names them by the format's English keys, so that a round trip is lossless
whatever an editor writes in row 1. The `catalog` sheet names its fields in Japanese too.

Reading takes the columns from the hidden row when it is there, else from row 1 by Japanese name
or English key (a workbook of an older export has the keys in row 1 and no hidden row). It gives
the JSON document plus where each part of it came from, so that the errors of
`catalog_io.read_catalog` are reported as `<sheet> row N column X: message`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.limits import MAX_FILE_BYTES, megabytes
from procedures.catalog import SECTIONS, Catalog
from procedures.catalog_errors import PATH_REF as _PATH_REF
from procedures.catalog_errors import CatalogError
from procedures.catalog_io import FORMAT, BundleFiles, CatalogInvalid, loads, read_catalog
from procedures.catalog_labels import field_label
from procedures.deadlines import UNIT_KEYS
from procedures.rules import QuestionType

MAX_BYTES = MAX_FILE_BYTES  # the file as uploaded
XLSX_MAGIC = b"PK\x03\x04"
# The work a workbook may ask for. A real catalog has a few hundred rows (a generated one of
# 2,300 procedures is 1.2 MB unpacked); a 3.3 MB "zip bomb" of 20 million tiny cells unpacks to
# hundreds of megabytes and kept a worker busy for a minute at 1.2 GB. Checked before reading
# (the archive's declared sizes, then each sheet's declared dimensions) and while reading.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 200
MAX_ROWS = 5000
MAX_COLUMNS = 30

# kind: text (a string as typed), int, bool, lines (one string a line), mapping (a prefill's
# `values`: one `<fact value>=<answer>` a line, read by the question's type)
_Column = tuple[str, str, str]  # field, kind, Japanese hint for the header comment

CATALOG_ROWS: tuple[_Column, ...] = (
    ("format", "text", f"形式。{FORMAT} のまま"),
    ("code", "text", "全国地方公共団体コード（6桁）"),
    ("name", "text", "市区町村名"),
    ("prefecture", "text", "都道府県名"),
)
SHEETS: dict[str, tuple[_Column, ...]] = {
    "places": (
        ("key", "text", "キー（半角英小文字・数字・_）"),
        ("name", "text", "場所の名前"),
        ("order", "int", "回る順（整数）"),
        ("outside", "bool", "市区町村以外の機関（年金事務所・税務署・会社など）なら TRUE（空欄は FALSE）"),
    ),
    "counters": (
        ("key", "text", "キー"),
        ("name", "text", "窓口名"),
        ("place", "text", "場所のキー（places シート）"),
        ("order", "int", "場所の中の順（整数）"),
        ("location", "text", "窓口の位置（任意）"),
        ("phone", "text", "電話番号（任意）"),
        ("hours", "text", "受付時間（任意）"),
    ),
    "questions": (
        ("key", "text", "キー"),
        ("text", "text", "質問文"),
        ("type", "text", " / ".join(QuestionType)),
        ("help", "text", "補足（任意）"),
        ("ask_if", "text", "質問する条件（任意）。前の質問と age だけ使えます"),
        ("allow_unknown", "bool", "「わからない」を認めるか（TRUE / FALSE、空欄は TRUE）"),
        (
            "prefill",
            "text",
            "住民記録の事実（任意）。この事実で回答を埋めます。例: household.head、local.water_contract",
        ),
        (
            "prefill_values",
            "mapping",
            "記録の値ごとの回答（任意）。1行に1つ「記録の値=回答」（例: kokuho=kokuho、false= は"
            "複数選択で「なし」）。空欄なら記録の値をそのまま回答にします",
        ),
    ),
    "choices": (
        ("question", "text", "質問のキー（questions シート）"),
        ("value", "text", "値（半角英小文字・数字・_）"),
        ("label", "text", "表示名"),
    ),
    "procedures": (
        ("key", "text", "キー"),
        ("name", "text", "手続き名"),
        ("counter", "text", "窓口のキー（counters シート）"),
        ("applies_if", "text", '対象となる条件。全員なら true。例: insurance == "kokuho"'),
        ("deadline_days", "int", "期限の日数（任意）。例: 14 なら起算日から14日"),
        (
            "deadline_months",
            "int",
            "期限の月数（任意）。民法の数え方: 起算日の翌日から数え、応当日の前日まで",
        ),
        ("deadline_years", "int", "期限の年数（任意）。日数・月数・年数はどれか1つだけ"),
        (
            "deadline_from",
            "text",
            "起算日（任意）。空欄なら亡くなった日。日付の質問のキー（例: funeral_date）ならその回答の日",
        ),
        ("deadline_note", "text", "期限の説明（任意）"),
        ("documents", "lines", "持ち物（1行に1つ、セル内改行 Alt+Enter）"),
        ("description", "text", "説明（任意）"),
        ("url", "text", "参考URL（任意）"),
        ("order", "int", "窓口の中の順（整数、任意）"),
    ),
}
SHEET_ORDER = ("catalog", *SHEETS)
CATALOG_HEADER = ("field", "value")  # the catalog sheet's hidden row of keys
# Fields a row must have a column for; the rest may be left out of a sheet.
REQUIRED_COLUMNS = {
    "places": ("key", "name", "order"),
    "counters": ("key", "name", "place", "order"),
    "questions": ("key", "text", "type"),
    "choices": ("question", "value", "label"),
    "procedures": ("key", "name", "counter", "applies_if"),
}
_INT_RE = re.compile(r"^\s*-?[0-9]+\s*$")
_PLAIN_KEY = re.compile(r"^[^=\s{][^=\n]*(?<!\s)$")  # a fact value that a `<value>=<answer>` line keeps
# Text that a spreadsheet reads as a formula (also after apostrophes it would keep), and that
# text as the export wrote it, with one apostrophe more.
_FORMULA = re.compile(r"^'*[=+\-@]")
_QUOTED_FORMULA = re.compile(r"^'+[=+\-@]")
_TRUE = {"true", "yes", "はい", "1"}
_FALSE = {"false", "no", "いいえ", "0"}


@dataclass(frozen=True)
class Cell:
    sheet: str
    row: int
    column: str | None = None  # a column letter, or None for the whole row
    title: str = ""  # the column's Japanese name, as row 1 shows it

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}"
        return f"{where} column {self.column}" if self.column else where

    @property
    def japanese(self) -> str:
        """シート「procedures」の9行目 E列「期限の日数」: what an editor looks for in Excel."""
        where = f"シート「{self.sheet}」の{self.row}行目"
        if self.column:
            where += f" {self.column}列"
        return f"{where}「{self.title}」" if self.title else where


def _layout_error(cell: Cell | str, message: str, ja: str) -> CatalogError:
    """An error of the workbook's layout (a sheet, a column), placed in both languages."""
    if isinstance(cell, Cell):
        return CatalogError("", f"{cell}: {message}", ja, place_ja=cell.japanese)
    return CatalogError(
        "", f"{cell}: {message}", ja, place_ja="ブック" if cell == "workbook" else f"シート「{cell}」"
    )


@dataclass
class XlsxDocument:
    """The catalog document read from a workbook, and where each part came from."""

    document: dict
    cells: dict[str, Cell] = field(default_factory=dict)  # "procedures[3].applies_if" -> its cell

    def locate(self, error: CatalogError) -> CatalogError:
        """'procedures[3].applies_if: msg' -> 'procedures row 5 column D: msg', and in Japanese
        シート「procedures」の5行目 D列「対象となる条件」; another item the message names, by its row."""
        cell = self._cell(error.where) if error.where else None
        if cell is None:
            return error
        return replace(
            error,
            where=str(cell),
            message=_PATH_REF.sub(self._row_of, error.message),
            message_ja=_PATH_REF.sub(self._row_of_ja, error.message_ja),
            place_ja=cell.japanese,
        )

    def _cell(self, path: str) -> Cell | None:
        while path:
            if path in self.cells:
                return self.cells[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def _row_of(self, match: re.Match) -> str:
        cell = self.cells.get(match.group())
        return f"{cell.sheet} row {cell.row}" if cell else match.group()

    def _row_of_ja(self, match: re.Match) -> str:
        cell = self.cells.get(match.group())
        return f"シート「{cell.sheet}」の{cell.row}行目" if cell else match.group()


# --- Reading ----------------------------------------------------------------------------------


def is_xlsx(data: bytes, name: str = "") -> bool:
    """An Excel workbook by its name's extension or, failing that, its first bytes (a zip)."""
    if name.lower().endswith(".xlsx"):
        return True
    if name.lower().endswith(".json"):
        return False
    return data.startswith(XLSX_MAGIC)


def read_xlsx_catalog(
    data: bytes, *, with_forms: Callable[[dict], BundleFiles | None] | None = None
) -> tuple[Catalog, XlsxDocument]:
    """Validate a workbook as a whole catalog; CatalogInvalid lists every error by sheet, row, column.

    A workbook holds no forms (it cannot hold their PDFs): `with_forms` may add forms to the
    document read from it, returning their files (the forms the catalog has now, kept).
    """
    xlsx = read_xlsx(data)
    files = with_forms(xlsx.document) if with_forms is not None else None
    try:
        return read_catalog(xlsx.document, files=files), xlsx
    except CatalogInvalid as exc:
        raise CatalogInvalid([xlsx.locate(error) for error in exc.problems]) from None


def read_xlsx(data: bytes) -> XlsxDocument:
    """The catalog document of a workbook (not yet validated); CatalogInvalid when its layout is wrong."""
    if len(data) > MAX_BYTES:
        raise CatalogInvalid(
            [
                _layout_error(
                    "workbook",
                    f"larger than {megabytes(MAX_BYTES)}",
                    f"ファイルが大きすぎます（{megabytes(MAX_BYTES)}まで）",
                )
            ]
        )
    if not data.startswith(XLSX_MAGIC):
        raise CatalogInvalid([_layout_error("workbook", "not an Excel .xlsx file", NOT_XLSX_JA)])
    _check_archive(data)
    try:
        # Read-only: rows are parsed as they are read, so reading stops at the limit.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise CatalogInvalid([_damaged()]) from None
    try:
        return _read_workbook(workbook)
    finally:
        workbook.close()


NOT_XLSX_JA = "Excel のブック（.xlsx）ではありません"


def _damaged() -> CatalogError:
    return _layout_error(
        "workbook",
        "not an Excel .xlsx file, or a damaged one",
        "Excel のブック（.xlsx）ではないか、壊れています",
    )


def _too_large(sheet: str, detail: str) -> CatalogError:
    japanese = f"シート「{sheet}」が大きすぎます（{MAX_ROWS:,}行・{MAX_COLUMNS}列まで。カタログは数百行です）"
    return CatalogError("", f"{sheet}: {japanese} - the sheet is too large for a catalog: {detail}", japanese)


def _check_archive(data: bytes) -> None:
    """Refuse, before unpacking anything, a workbook that would unpack past the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            unpacked = sum(entry.file_size for entry in entries)
            names = _sheet_names(archive) if unpacked > MAX_UNPACKED_BYTES else {}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise CatalogInvalid([_damaged()]) from None
    if len(entries) > MAX_ENTRIES:
        raise CatalogInvalid(
            [
                _layout_error(
                    "workbook",
                    f"{len(entries):,} parts; an Excel workbook has a few dozen",
                    f"部品が多すぎます（{len(entries):,}個。Excel のブックは数十個です）",
                )
            ]
        )
    if unpacked > MAX_UNPACKED_BYTES:
        largest = max(entries, key=lambda entry: entry.file_size)
        size = f"{unpacked / 1024 / 1024:,.0f} MB unpacked, at most {MAX_UNPACKED_BYTES // 1024 // 1024} MB"
        sheet = names.get(largest.filename)
        if sheet is None:
            japanese = f"ブックが大きすぎます（展開すると {size}）"
            raise CatalogInvalid([CatalogError("", f"workbook: {japanese}", japanese)])
        raise CatalogInvalid([_too_large(sheet, size)])


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, read from the workbook's small index files (for the message)."""
    try:
        if max(archive.getinfo(n).file_size for n in _INDEX_PARTS) > 1024 * 1024:
            return {}
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in relations}
    names = {}
    for sheet in workbook.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_RELATIONSHIPS}}}id"), "")
        names[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = sheet.get("name")
    return names


_INDEX_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _rows(sheet, name: str, *, max_col: int = MAX_COLUMNS) -> list[tuple]:
    """The sheet's rows as values, refused (naming the sheet) past MAX_ROWS or MAX_COLUMNS: first by
    its declared dimensions, then as it is read, whatever it declared."""
    declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
    if declared_rows > MAX_ROWS or declared_columns > MAX_COLUMNS:
        raise CatalogInvalid(
            [_too_large(name, f"it declares {declared_rows:,} rows and {declared_columns:,} columns")]
        )
    sheet.reset_dimensions()  # read what is there, however it was declared
    rows = []
    for row in sheet.iter_rows(max_col=max_col + 1, values_only=True):
        if len(rows) == MAX_ROWS or (len(row) > max_col and not _blank(row[max_col])):
            raise CatalogInvalid([_too_large(name, f"more than {MAX_ROWS:,} rows or {max_col} columns")])
        rows.append(row[:max_col])
    return rows


def _read_workbook(workbook) -> XlsxDocument:
    errors: list[CatalogError] = []
    for name in workbook.sheetnames:
        if name not in SHEET_ORDER:
            errors.append(
                _layout_error(
                    "workbook",
                    f"unknown sheet '{name}' (the sheets are {', '.join(SHEET_ORDER)})",
                    f"シート「{name}」は読めません（シートは {'、'.join(SHEET_ORDER)} です）",
                )
            )
    for name in SHEET_ORDER:
        if name not in workbook.sheetnames:
            errors.append(
                _layout_error("workbook", f"missing sheet '{name}'", f"シート「{name}」がありません")
            )
    if errors:
        raise CatalogInvalid(errors)

    xlsx = XlsxDocument({})
    _read_catalog_sheet(workbook["catalog"], xlsx, errors)
    rows = {name: _read_sheet(workbook[name], name, errors) for name in SHEETS}
    if errors:
        raise CatalogInvalid(errors)

    document = xlsx.document
    for section in SECTIONS:
        document[section] = []
        xlsx.cells[section] = Cell(section, 1)
        for index, (row, values, columns) in enumerate(rows[section]):
            where = f"{section}[{index}]"
            xlsx.cells[where] = Cell(section, row)
            for name, column in columns.items():
                xlsx.cells[f"{where}.{name}"] = Cell(section, row, column, _sheet_label(section, name))
            if section == "procedures":
                _deadline_columns(values, where, xlsx)
            if section == "questions":
                _prefill_columns(values, where, xlsx, errors)
            document[section].append(values)

    question_index = {
        q.get("key"): i for i, q in enumerate(document["questions"]) if isinstance(q.get("key"), str)
    }
    for row, values, columns in rows["choices"]:
        question = values.pop("question", None)
        if question not in question_index:
            errors.append(
                _layout_error(
                    Cell("choices", row, columns.get("question"), _sheet_label("choices", "question")),
                    f"unknown question {question!r} (no such key in the questions sheet)",
                    f"質問のキー「{question}」は questions シートにありません",
                )
            )
            continue
        index = question_index[question]
        entry = document["questions"][index]
        choices = entry.setdefault("choices", [])
        where = f"questions[{index}].choices"
        if not choices:
            xlsx.cells[where] = Cell("choices", row, columns.get("question"))
        xlsx.cells[f"{where}[{len(choices)}]"] = Cell("choices", row)
        for name in ("value", "label"):
            if name in columns:
                xlsx.cells[f"{where}[{len(choices)}].{name}"] = Cell(
                    "choices", row, columns[name], _sheet_label("choices", name)
                )
        choices.append(values)
    if errors:
        raise CatalogInvalid(errors)
    return xlsx


def _deadline_columns(values: dict, where: str, xlsx: XlsxDocument) -> None:
    """The deadline columns of a procedure row as the format has them: `deadline_days` alone is
    days from the death; anything else is a `deadline` object, checked by read_catalog."""
    amounts = {unit: values.pop(f"deadline_{unit}") for unit in UNIT_KEYS if f"deadline_{unit}" in values}
    start = values.pop("deadline_from", None)
    if not amounts and start is None:
        return
    if list(amounts) == ["days"] and start is None:
        values["deadline_days"] = amounts["days"]
        return
    values["deadline"] = {**amounts, **({"from": start} if start is not None else {})}
    for unit in amounts:
        xlsx.cells[f"{where}.deadline.{unit}"] = xlsx.cells[f"{where}.deadline_{unit}"]
    if start is not None:
        xlsx.cells[f"{where}.deadline.from"] = xlsx.cells[f"{where}.deadline_from"]
    first = next(iter(amounts), None)
    xlsx.cells[f"{where}.deadline"] = xlsx.cells[f"{where}.deadline_{first or 'from'}"]


def _prefill_columns(values: dict, where: str, xlsx: XlsxDocument, errors: list[CatalogError]) -> None:
    """The prefill columns of a question row as the format's `prefill` object: `prefill` is the
    fact, `prefill_values` its `values`, each answer read as the row's type asks."""
    fact = values.pop("prefill", None)
    if "prefill_values" not in values and fact is None:
        return
    prefill: dict[str, Any] = {}
    if fact is not None:
        prefill["fact"] = fact.strip() if isinstance(fact, str) else fact
    fact_cell = xlsx.cells.get(f"{where}.prefill")
    values_cell = xlsx.cells.pop(f"{where}.prefill_values", None)
    if "prefill_values" in values:
        text = values.pop("prefill_values")
        mapping, problems = _read_mapping(text, QuestionType.of(values.get("type")))
        errors.extend(_layout_error(values_cell, message, ja) for message, ja in problems)
        prefill["values"] = mapping
        xlsx.cells[f"{where}.prefill.values"] = values_cell
    values["prefill"] = prefill
    xlsx.cells[f"{where}.prefill"] = fact_cell or values_cell
    if fact_cell is not None:
        xlsx.cells[f"{where}.prefill.fact"] = fact_cell


def _read_mapping(raw: Any, question_type: QuestionType | None) -> tuple[Any, list[tuple[str, str]]]:
    """A `prefill_values` cell as the `values` object, and the problems of its layout (English,
    Japanese).

    One `<fact value>=<answer>` a line; a cell that starts with `{` is the JSON object itself
    (for a fact value that holds `=`). A value that does not fit is passed on for read_catalog.
    """
    if not isinstance(raw, str):
        return raw, []
    text = raw.strip()
    if text.startswith("{"):
        try:
            return loads(text), []
        except CatalogInvalid as exc:
            found = exc.problems[0]
            return text, [
                (f"not a JSON object ({found})", f"JSON のオブジェクトとして読めません（{found.text_ja}）")
            ]
    mapping: dict[str, Any] = {}
    problems = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        key, sep, answer = line.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(
                (
                    f"line {number} {line.strip()!r}: write <value of the fact>=<answer>",
                    f"{number}行目「{line.strip()}」: 「記録の値=回答」と書いてください",
                )
            )
        elif key in mapping:
            problems.append(
                (
                    f"line {number}: the value {key!r} is given twice",
                    f"{number}行目: 記録の値「{key}」が2回あります",
                )
            )
        else:
            mapping[key] = _answer(answer.strip(), question_type)
    return mapping, problems


def _answer(text: str, question_type: QuestionType | None) -> Any:
    """An answer typed in a cell, as the question's type reads it."""
    if question_type is QuestionType.YES_NO:
        return _value(text, "bool")
    if question_type is QuestionType.NUMBER:
        return _value(text, "int")
    if question_type is QuestionType.MULTI:
        return [part.strip() for part in re.split("[,、]", text) if part.strip()]
    return text


def _mapping_text(values: dict) -> str:
    """`values` as the cell writes it: lines when they read back the same, else the JSON object."""
    lines = []
    for key, answer in values.items():
        text = _answer_text(answer)
        if text is None or not _PLAIN_KEY.match(key) or "\n" in text or text != text.strip():
            return json.dumps(values, ensure_ascii=False)
        lines.append(f"{key}={text}")
    return "\n".join(lines) if lines else "{}"


def _answer_text(answer: Any) -> str | None:
    if isinstance(answer, bool):
        return "true" if answer else "false"
    if isinstance(answer, int | str):
        return str(answer)
    if isinstance(answer, list) and all(isinstance(item, str) and "," not in item for item in answer):
        return ",".join(answer)
    return None


def _deadline_cells(procedure: dict) -> dict:
    """A procedure's deadline as the workbook's columns."""
    deadline = procedure.get("deadline") or {}
    cells = {f"deadline_{unit}": deadline.get(unit) for unit in UNIT_KEYS}
    cells["deadline_from"] = deadline.get("from")
    if procedure.get("deadline_days") is not None:
        cells["deadline_days"] = procedure["deadline_days"]
    return {**procedure, **cells}


def _prefill_cells(question: dict) -> dict:
    """A question's prefill as the workbook's columns."""
    prefill = question.get("prefill") or {}
    values = prefill.get("values")
    return {
        **question,
        "prefill": prefill.get("fact"),
        "prefill_values": _mapping_text(values) if values is not None else None,
    }


def _read_catalog_sheet(sheet, xlsx: XlsxDocument, errors: list[CatalogError]) -> None:
    fields = {name: kind for name, kind, _ in CATALOG_ROWS}
    names = {_catalog_label(name): name for name in fields}  # 団体コード -> code
    found: dict[str, Any] = {}
    for row, (name, value, *_) in enumerate(_rows(sheet, "catalog"), 1):
        if row == 1 or (_blank(name) and _blank(value)) or (row == 2 and name == CATALOG_HEADER[0]):
            continue  # the header, and its hidden row of keys
        name = name.strip() if isinstance(name, str) else name
        name = names.get(name, name)
        if name not in fields:
            errors.append(
                _layout_error(
                    Cell("catalog", row, "A"),
                    f"unknown field {name!r} (the fields are {', '.join(fields)})",
                    f"項目「{name}」は読めません（項目は {'、'.join(names)} です）",
                )
            )
            continue
        if name in found:
            errors.append(
                _layout_error(
                    Cell("catalog", row, "A"),
                    f"field '{name}' given twice",
                    f"項目「{_catalog_label(name)}」が2回あります",
                )
            )
            continue
        if name == "code" and isinstance(value, int | float) and not isinstance(value, bool):
            value = f"{int(value):06d}"  # Excel drops the leading zero of 011002
        found[name] = value
        key = "format" if name == "format" else f"municipality.{name}"
        xlsx.cells[key] = Cell("catalog", row, "B", _catalog_label(name))
    for name in fields:
        if name not in found:
            errors.append(
                _layout_error(
                    "catalog", f"no row for '{name}'", f"項目「{_catalog_label(name)}」の行がありません"
                )
            )
    xlsx.cells["municipality"] = Cell("catalog", 1)
    xlsx.document["format"] = _value(found.get("format"), "text")
    xlsx.document["municipality"] = {
        name: _value(found[name], "text") for name in ("code", "name", "prefecture") if name in found
    }


def _read_sheet(sheet, name: str, errors: list[CatalogError]) -> list[tuple[int, dict, dict[str, str]]]:
    """(row number, values by field, column letter by field) for every row that is not blank."""
    kinds = {field_name: kind for field_name, kind, _ in SHEETS[name]}
    rows = _rows(sheet, name)
    # The hidden row of keys, when there is one, names the columns; else row 1 does, in Japanese or
    # by key. A key row is one whose every title is a key of the sheet.
    keyed = len(rows) > 1 and not _is_key_row(rows[0], kinds) and _is_key_row(rows[1], kinds)
    header_row = 2 if keyed else 1
    header = rows[header_row - 1] if rows else ()
    titles = {} if keyed else {_sheet_label(name, field_name): field_name for field_name in kinds}
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        title = title.strip() if isinstance(title, str) else title
        title = titles.get(title, title)
        letter = get_column_letter(index + 1)
        if _blank(title):
            if any(len(row) > index and not _blank(row[index]) for row in rows[header_row:]):
                errors.append(
                    _layout_error(
                        Cell(name, header_row, letter),
                        f"column {letter} has values but no field name in row {header_row}",
                        f"{letter}列に値がありますが、列の名前がありません",
                    )
                )
        elif title not in kinds:
            errors.append(
                _layout_error(
                    Cell(name, header_row, letter),
                    f"unknown column {title!r} (the columns are {', '.join(kinds)})",
                    f"列「{title}」は読めません"
                    f"（列は {'、'.join(_sheet_label(name, k) for k in kinds)} です）",
                )
            )
        elif title in columns:
            errors.append(
                _layout_error(
                    Cell(name, header_row, letter),
                    f"column '{title}' given twice",
                    f"列「{_sheet_label(name, title)}」が2回あります",
                )
            )
        else:
            columns[title] = index
    for required in REQUIRED_COLUMNS[name]:
        if required not in columns:
            errors.append(
                _layout_error(
                    Cell(name, header_row),
                    f"missing column '{required}'",
                    f"必須の列「{_sheet_label(name, required)}」がありません",
                )
            )
    letters = {field_name: get_column_letter(index + 1) for field_name, index in columns.items()}
    result = []
    for number, row in enumerate(rows[header_row:], start=header_row + 1):
        if all(_blank(value) for value in row):
            continue
        values = {}
        for field_name, index in columns.items():
            raw = row[index] if index < len(row) else None
            if not _blank(raw):
                values[field_name] = _value(raw, kinds[field_name])
            elif kinds[field_name] == "lines":
                values[field_name] = []  # as export_catalog writes a procedure with nothing to bring
        result.append((number, values, letters))
    return result


def _is_key_row(row: tuple, kinds: dict) -> bool:
    """Whether a row names columns by key: two of its titles or more are keys of the sheet (one
    misspelt key is then reported, not read as data; no row of data holds two field names)."""
    titles = [title.strip() if isinstance(title, str) else title for title in row]
    return sum(1 for title in titles if isinstance(title, str) and title in kinds) >= 2


def _sheet_label(sheet: str, field_name: str) -> str:
    """A column's Japanese name, as row 1 shows it."""
    return field_label(sheet, field_name)


def _catalog_label(name: str) -> str:
    """A field's Japanese name on the catalog sheet."""
    return field_label("", name) if name == "format" else field_label("municipality", name)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(raw: Any, kind: str) -> Any:
    """A cell's value as the JSON document holds it; a value that does not fit is passed on as it is,
    for read_catalog to report with the format's own message."""
    if isinstance(raw, str) and _QUOTED_FORMULA.match(raw):
        raw = raw[1:]  # the apostrophe the export put before text that would read as a formula
    if kind == "int":
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str) and _INT_RE.match(raw):
            return int(raw)
        return raw
    if kind == "bool":
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        return raw
    if kind == "lines":
        if isinstance(raw, str):
            return [line for line in raw.replace("\r\n", "\n").split("\n") if line.strip()]
        return [raw]
    return raw


# --- Writing ------------------------------------------------------------------------------------


def write_xlsx(document: dict) -> bytes:
    """A workbook of an okuyami-catalog/1 document (as `catalog_io.write_catalog` gives it)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "catalog"
    _header(sheet, ((CATALOG_HEADER[0], "text", "項目"), (CATALOG_HEADER[1], "text", "値")), ("項目", "値"))
    municipality = document["municipality"]
    values = {"format": document["format"], **municipality}
    for row, (name, _, hint) in enumerate(CATALOG_ROWS, start=3):
        cell = sheet.cell(row=row, column=1, value=_catalog_label(name))
        cell.comment = Comment(f"{hint}\nキー: {name}", "okuyami")
        _set(sheet.cell(row=row, column=2), values.get(name), "text")
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 30

    rows: dict[str, list[dict]] = {name: list(document.get(name, [])) for name in SECTIONS}
    rows["procedures"] = [_deadline_cells(procedure) for procedure in rows["procedures"]]
    rows["questions"] = [_prefill_cells(question) for question in rows["questions"]]
    rows["choices"] = [
        {"question": q["key"], **choice}
        for q in document.get("questions", [])
        for choice in q.get("choices") or []
    ]
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        _header(sheet, columns, [_sheet_label(name, field_name) for field_name, _, _ in columns])
        for row, item in enumerate(rows[name], start=3):
            for column, (field_name, kind, _) in enumerate(columns, start=1):
                _set(sheet.cell(row=row, column=column), item.get(field_name), kind)
        for column, (field_name, _, _) in enumerate(columns, start=1):
            width = 48 if field_name in ("applies_if", "ask_if", "text", "documents", "description") else 16
            sheet.column_dimensions[get_column_letter(column)].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _header(sheet, columns, titles) -> None:
    """Row 1: the Japanese titles, with their hints as notes; row 2, hidden: the format's keys."""
    for column, ((name, _, hint), title) in enumerate(zip(columns, titles, strict=True), start=1):
        cell = sheet.cell(row=1, column=column, value=title)
        cell.font = Font(bold=True)
        cell.comment = Comment(f"{hint}\nキー: {name}", "okuyami")
        sheet.cell(row=2, column=column, value=name)
    sheet.row_dimensions[2].hidden = True
    sheet.freeze_panes = "A3"


def _set(cell, value: Any, kind: str) -> None:
    if value is None:
        return
    if kind == "lines":
        value = "\n".join(value)
    if kind in ("lines", "mapping"):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if isinstance(value, str) and _FORMULA.match(value):
        # Stored as text it is no formula, but Excel makes it one when the cell is edited: the
        # apostrophe keeps it text there too. Reading takes it off again.
        value = "'" + value
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, even when the text starts with "="
        cell.number_format = "@"
