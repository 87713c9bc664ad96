"""Read, validate and write okuyami-catalog/1 documents.

Pure Python: a document (parsed JSON) goes in, a `Catalog` (procedures.catalog) with
its conditions compiled comes out, or every error found as `<where>: <message>`.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from core.collector import collector_paused
from core.limits import JSON_TOO_DEEP, MAX_FILE_BYTES, MAX_JSON_DEPTH, json_too_deep, megabytes
from procedures.catalog import (
    KEY_RE,
    URL_RE,
    Catalog,
    CatalogChoice,
    CatalogCounter,
    CatalogForm,
    CatalogFormField,
    CatalogMunicipality,
    CatalogPdf,
    CatalogPlace,
    CatalogPrefill,
    CatalogProcedure,
    CatalogQuestion,
    build_catalog,
    municipality_code_error,
)
from procedures.catalog_errors import NO_VALUE, CatalogError, CatalogInvalid
from procedures.catalog_forms import FILE_PATTERN, value_problem
from procedures.deadlines import DEATH, MAX_DAYS, UNIT_KEYS, UNIT_RANGE, Deadline, Unit
from procedures.facts import prefill_problems
from procedures.form_pdf import FormPdfError, Placement, placement_problems
from procedures.rules import (
    AGE,
    WHITE_SPACE,
    Condition,
    ConditionError,
    QuestionSpec,
    QuestionType,
    compile_condition,
)

FORMAT = "okuyami-catalog/1"
_UNIT_JA = {Unit.DAYS: "日数", Unit.MONTHS: "月数", Unit.YEARS: "年数"}
MAX_DEADLINE_DAYS = MAX_DAYS
FILE_RE = re.compile(FILE_PATTERN)
# In the documents this project keeps (revisions, diffs), each form also names its PDF by hash.
SHA256 = "sha256"

# The files of a bundle, by path: each a PDF the catalog may name, or why it was refused.
BundleFiles = Mapping[str, CatalogPdf | FormPdfError]


# --- Reading ------------------------------------------------------------------------


def loads(text: str | bytes) -> Any:
    """Parse JSON text, refusing a field given twice in one object."""

    def pairs(items):
        seen: dict[str, Any] = {}
        for name, value in items:
            if name in seen:
                raise CatalogInvalid(
                    [
                        CatalogError(
                            "",
                            f"{name}: field given twice in one object",
                            f"項目「{name}」が2回書かれています",
                        )
                    ]
                )
            seen[name] = value
        return seen

    if len(text) > MAX_FILE_BYTES:
        size = megabytes(MAX_FILE_BYTES)
        raise CatalogInvalid(
            [CatalogError("", f"file: larger than {size}", f"ファイルが大きすぎます（{size}まで）")]
        )
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")  # the format is UTF-8; json.loads would guess UTF-16/32 too
        document = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ja = f"JSON として読めません（{exc.lineno}行目 {exc.colno}文字目: {exc.msg}）"
        raise CatalogInvalid([CatalogError("", message, ja)]) from None
    except UnicodeDecodeError:
        ja = "JSON として読めません（文字コードが UTF-8 ではありません）"
        raise CatalogInvalid([CatalogError("", "not valid JSON: the file is not UTF-8", ja)]) from None
    except RecursionError:  # "[" x 3000: Python's parser recurses once per level
        raise CatalogInvalid([_too_deep()]) from None
    if json_too_deep(document):
        raise CatalogInvalid([_too_deep()])
    return document


def _too_deep() -> CatalogError:
    return CatalogError("", JSON_TOO_DEEP, f"JSON の入れ子が深すぎます（{MAX_JSON_DEPTH}段まで）")


def _hint(close: list[str]) -> tuple[str, str]:
    """A misspelling's hint, in English and in Japanese."""
    if not close:
        return "", ""
    return f" (did you mean '{close[0]}'?)", f"（「{close[0]}」のまちがいですか？）"


_KEY_RULE_JA = "は使えません（半角英小文字で始め、半角英小文字・数字・_ だけで64文字まで）"


class _Reader:
    """Collects every error instead of stopping at the first, in English and in Japanese."""

    def __init__(self):
        self.errors: list[CatalogError] = []

    def error(self, where: str, message: str, ja: str | None = None, value: Any = NO_VALUE) -> None:
        """`ja` starting with a particle follows the quoted `value` (「２年」は整数ではありません)."""
        self.errors.append(CatalogError(where, message, message if ja is None else ja, value))

    def obj(
        self, value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict | None:
        if not isinstance(value, dict):
            self.error(where, "must be an object", "項目の集まり（JSON のオブジェクト）にしてください")
            return None
        known = (*required, *optional)
        for name in value:
            if name not in known:
                hint, hint_ja = _hint(difflib.get_close_matches(name, known, n=1))
                self.error(
                    f"{where}.{name}" if where else name, f"unknown field{hint}", f"ない項目です{hint_ja}"
                )
        for name in required:
            if name not in value:
                self.error(f"{where}.{name}" if where else name, "is required", "必須です。書いてください")
        return value

    def string(self, data: dict, name: str, where: str, *, optional: bool = False) -> str | None:
        value = data.get(name)
        if value is None and (optional or name not in data):
            return None
        if not isinstance(value, str) or (not optional and not value.strip(WHITE_SPACE)):
            blank = isinstance(value, str)
            self.error(
                f"{where}.{name}",
                "must be a non-empty string" if not optional else "must be a string",
                "空欄です。必須なので書いてください" if blank else "は文字ではありません",
                value,
            )
            return None
        return value or None

    def integer(
        self, data: dict, name: str, where: str, *, optional: bool = False, minimum: int | None = None
    ) -> int | None:
        value = data.get(name)
        if value is None and (optional or name not in data):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"{where}.{name}", "must be an integer", "は整数ではありません", value)
            return None
        if minimum is not None and value < minimum:
            self.error(
                f"{where}.{name}",
                f"must be an integer ≥ {minimum}",
                f"は{minimum}以上の整数ではありません",
                value,
            )
            return None
        return value

    def entries(self, doc: dict, section: str, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        """Each object of a section, with where it is and how many errors came before its fields."""
        for index, item in enumerate(self.items(doc, section)):
            where = f"{section}[{index}]"
            data = self.obj(item, where, required, optional)
            if data is not None:
                yield where, data, len(self.errors)

    def items(self, data: dict, name: str) -> list:
        if name not in data:
            return []  # reported as required
        value = data[name]
        if not isinstance(value, list):
            self.error(name, "must be a list", "一覧（JSON の配列）にしてください")
            return []
        return value

    def key(self, data: dict, where: str, seen: dict[str, str]) -> str | None:
        key = data.get("key")
        if "key" not in data:
            return None
        if not isinstance(key, str) or not KEY_RE.match(key):
            self.error(f"{where}.key", f"{key!r} must match ^[a-z][a-z0-9_]{{0,63}}$", _KEY_RULE_JA, key)
            return None
        if key in seen:
            self.error(
                f"{where}.key",
                f"duplicate key '{key}' (also {seen[key]})",
                f"は{seen[key]}にもあります（重ねて使えません）",
                key,
            )
            return None
        seen[key] = where
        return key

    def reference(self, data: dict, name: str, where: str, known: dict[str, str], what: str) -> str | None:
        value = data.get(name)
        if name not in data:
            return None
        if not isinstance(value, str) or value not in known:
            hint, hint_ja = _hint(difflib.get_close_matches(str(value), list(known), n=1))
            what_ja = {"place": "場所", "counter": "窓口"}.get(what, what)
            self.error(
                f"{where}.{name}",
                f"unknown {what} {value!r}{hint}",
                f"という{what_ja}のキーはありません{hint_ja}",
                value,
            )
            return None
        return value

    def condition(
        self,
        data: dict,
        name: str,
        where: str,
        specs: dict[str, QuestionSpec],
        available=None,
        *,
        required: bool = False,
    ) -> Condition | None:
        source = data.get(name)
        if source is None:
            if required and name in data:
                self.error(
                    f"{where}.{name}",
                    'must be a condition ("true" for a procedure everyone needs)',
                    "条件を書いてください（全員が対象なら true）",
                )
            return None
        try:
            return compile_condition(source, specs, available=available)
        except ConditionError as exc:
            self.error(f"{where}.{name}", str(exc), exc.ja)
            return None


def read_catalog(document: Any, *, files: BundleFiles | None = None) -> Catalog:
    """Validate a whole document; raise CatalogInvalid listing every error.

    `files` are the PDFs of a bundle by path; without them (a plain .json catalog) a
    procedure may not have `forms`.
    """
    # Tens of thousands of small objects and no cycles: the collector would take half the time
    # of a 2,300-procedure catalog (bench/compile.py).
    with collector_paused():
        return _read(document, files)


def _read(document: Any, files: BundleFiles | None) -> Catalog:
    r = _Reader()
    doc = r.obj(document, "", ("format", "municipality", "places", "counters", "questions", "procedures"))
    if doc is None:
        raise CatalogInvalid(
            [
                CatalogError(
                    "",
                    "document: must be a JSON object",
                    "ファイルの中身が JSON のオブジェクトではありません",
                )
            ]
        )
    if "format" in doc and doc["format"] != FORMAT:
        r.error(
            "format",
            f'must be exactly "{FORMAT}", not {doc["format"]!r}',
            f"は「{FORMAT}」ではありません",
            doc["format"],
        )

    municipality = None
    m = (
        r.obj(doc.get("municipality"), "municipality", ("code", "name", "prefecture"))
        if "municipality" in doc
        else None
    )
    if m is not None:
        if "code" in m and (problem := municipality_code_error(m["code"])):
            r.error(
                "municipality.code",
                problem,
                "は団体コードとして正しくありません（6桁の数字で、6桁目は検査数字です）",
                m["code"],
            )
        name = r.string(m, "name", "municipality")
        prefecture = r.string(m, "prefecture", "municipality")
        if not r.errors:
            municipality = CatalogMunicipality(m["code"], name, prefecture)

    places = _read_places(r, doc)
    counters = _read_counters(r, doc, {p.key: p for p in places})
    questions = _read_questions(r, doc)
    procedures = _read_procedures(r, doc, {c.key: c for c in counters}, questions, files)

    if r.errors or municipality is None:
        raise CatalogInvalid(r.errors, document=document)
    return build_catalog(municipality, places, counters, questions, procedures)


def _read_places(r: _Reader, doc: dict) -> list[CatalogPlace]:
    places, seen = [], {}
    for where, data, errors in r.entries(doc, "places", ("key", "name", "order"), ("outside",)):
        key = r.key(data, where, seen)
        name = r.string(data, "name", where)
        order = r.integer(data, "order", where)
        outside = data.get("outside")
        if outside is None:
            outside = False
        elif not isinstance(outside, bool):
            r.error(f"{where}.outside", "must be true or false", "は true か false ではありません", outside)
        if len(r.errors) == errors and key is not None:  # without a key (reported): nothing to name it by
            places.append(CatalogPlace(key, name, order, outside))
    return places


def _read_counters(r: _Reader, doc: dict, places: dict[str, CatalogPlace]) -> list[CatalogCounter]:
    counters, seen = [], {}
    place_keys = {key: key for key in places}
    for where, data, errors in r.entries(
        doc, "counters", ("key", "name", "place", "order"), ("location", "phone", "hours")
    ):
        key = r.key(data, where, seen)
        name = r.string(data, "name", where)
        place = r.reference(data, "place", where, place_keys, "place")
        order = r.integer(data, "order", where)
        optional = {n: r.string(data, n, where, optional=True) for n in ("location", "phone", "hours")}
        if len(r.errors) == errors and key is not None:
            counters.append(CatalogCounter(key, name, place, order, **optional))
    return counters


def _read_questions(r: _Reader, doc: dict) -> list[CatalogQuestion]:
    questions: list[CatalogQuestion] = []
    pending: list[tuple[str, dict, frozenset[str]]] = []  # where, data, earlier keys
    seen: dict[str, str] = {}
    for where, data, errors in r.entries(
        doc, "questions", ("key", "text", "type"), ("choices", "ask_if", "allow_unknown", "help", "prefill")
    ):
        earlier = frozenset(q.key for q in questions)
        key = r.key(data, where, seen)
        if key == AGE:
            r.error(
                f"{where}.key",
                "'age' is the built-in age at death; choose another key",
                "は亡くなったときの年齢のために決まっているキーです。別のキーにしてください",
                key,
            )
        text = r.string(data, "text", where)
        qtype = QuestionType.of(data.get("type"))
        if "type" in data and qtype is None:
            r.error(
                f"{where}.type",
                f"{data['type']!r} is not one of {', '.join(QuestionType)}",
                f"は回答の種類ではありません（{' / '.join(QuestionType)} のどれかです）",
                data["type"],
            )
        choices = _read_choices(r, data, where, qtype)
        allow_unknown = data.get("allow_unknown")
        if allow_unknown is None:
            allow_unknown = True
        elif not isinstance(allow_unknown, bool):
            r.error(
                f"{where}.allow_unknown",
                "must be true or false",
                "は true か false ではありません",
                allow_unknown,
            )
        help_text = r.string(data, "help", where, optional=True)
        # Without its key or type (reported as required) there is no question to refer to; a
        # wrong prefill leaves the question there, so that conditions reading it are checked.
        valid = len(r.errors) == errors and key is not None and qtype is not None
        prefill = _read_prefill(r, data, where, qtype, choices)
        if valid:
            questions.append(
                CatalogQuestion(key, text, qtype, choices, None, allow_unknown, help_text, prefill)
            )
            pending.append((where, data, earlier))
    # ask_if is checked against every question, so that a later one is refused as
    # later rather than as unknown.
    specs = {q.key: q.spec for q in questions}
    return [
        replace(question, ask_if=r.condition(data, "ask_if", where, specs, available=earlier))
        for question, (where, data, earlier) in zip(questions, pending, strict=True)
    ]


def _read_prefill(
    r: _Reader, data: dict, where: str, qtype: QuestionType | None, choices: tuple[CatalogChoice, ...]
) -> CatalogPrefill | None:
    """A question's `prefill`: a fact of the table or `local.<key>`, and `values` whose answers fit."""
    if data.get("prefill") is None:
        return None
    pwhere = f"{where}.prefill"
    prefill = r.obj(data["prefill"], pwhere, ("fact",), ("values",))
    if prefill is None or "fact" not in prefill or qtype is None:
        return None
    values = prefill.get("values")
    problems = prefill_problems(
        question_type=qtype, choices=(c.value for c in choices), fact=prefill["fact"], values=values
    )
    for problem in problems:
        r.error(f"{pwhere}.{problem.where}", problem.message, problem.message_ja)
    if problems:
        return None
    return CatalogPrefill(prefill["fact"], dict(values) if values is not None else None)


def _read_choices(
    r: _Reader, data: dict, where: str, qtype: QuestionType | None
) -> tuple[CatalogChoice, ...]:
    if qtype is None or not qtype.has_choices:
        if data.get("choices") is not None and qtype is not None:
            r.error(
                f"{where}.choices",
                f"not allowed for a {qtype} question",
                f"「{qtype.label}」の質問には選択肢を付けられません",
            )
        return ()
    raw = data.get("choices")
    if not isinstance(raw, list) or not raw:
        r.error(
            f"{where}.choices",
            f"a {qtype} question needs a non-empty list of choices",
            f"「{qtype.label}」の質問には選択肢が1つ以上必要です",
        )
        return ()
    choices, seen = [], {}
    for index, item in enumerate(raw):
        cwhere = f"{where}.choices[{index}]"
        choice = r.obj(item, cwhere, ("value", "label"))
        if choice is None:
            continue
        value = choice.get("value")
        if "value" in choice:
            if not isinstance(value, str) or not KEY_RE.match(value):
                r.error(
                    f"{cwhere}.value", f"{value!r} must match ^[a-z][a-z0-9_]{{0,63}}$", _KEY_RULE_JA, value
                )
            elif value in seen:
                r.error(
                    f"{cwhere}.value",
                    f"duplicate value '{value}' (also {seen[value]})",
                    f"は{seen[value]}にもあります（重ねて使えません）",
                    value,
                )
            else:
                seen[value] = cwhere
        label = r.string(choice, "label", cwhere)
        if isinstance(value, str) and label is not None:
            choices.append(CatalogChoice(value, label))
    return tuple(choices)


def _read_procedures(
    r: _Reader,
    doc: dict,
    counters: dict[str, CatalogCounter],
    questions: list[CatalogQuestion],
    files: BundleFiles | None,
) -> list[CatalogProcedure]:
    specs = {q.key: q.spec for q in questions}
    counter_keys = {key: key for key in counters}
    procedures, seen = [], {}
    for where, data, errors in r.entries(
        doc,
        "procedures",
        ("key", "name", "counter", "applies_if"),
        ("deadline_days", "deadline", "deadline_note", "documents", "description", "url", "order", "forms"),
    ):
        key = r.key(data, where, seen)
        name = r.string(data, "name", where)
        counter = r.reference(data, "counter", where, counter_keys, "counter")
        applies_if = r.condition(data, "applies_if", where, specs, required=True)
        deadline = _read_deadline(r, data, where, questions)
        optional = {
            n: r.string(data, n, where, optional=True) for n in ("deadline_note", "description", "url")
        }
        if optional["url"] is not None and not URL_RE.match(optional["url"]):
            r.error(
                f"{where}.url",
                "must be a web address starting with https:// or http://",
                "は https:// か http:// で始まるアドレスではありません",
                optional["url"],
            )
        documents = data.get("documents")
        if documents is None:
            documents = []
        elif not isinstance(documents, list):
            r.error(
                f"{where}.documents", "must be a list of non-empty strings", "持ち物は1行に1つ書いてください"
            )
            documents = []
        for dindex, document in enumerate(documents):
            if not isinstance(document, str) or not document.strip(WHITE_SPACE):
                r.error(
                    f"{where}.documents[{dindex}]",
                    "must be a non-empty string",
                    "は持ち物として書けません",
                    document,
                )
        order = r.integer(data, "order", where, optional=True)
        forms = _read_forms(r, data, where, files, questions)
        if len(r.errors) == errors:
            procedures.append(
                CatalogProcedure(
                    key,
                    name,
                    counter,
                    applies_if,
                    deadline,
                    documents=tuple(documents),
                    order=order or 0,
                    forms=forms,
                    **optional,
                )
            )
    return procedures


# Where a problem of `form_pdf.placement_problems` is reported: a field of the placement, or the
# placement itself.
_PLACEMENT_WHERE = {
    "page": ".page",
    "size": ".size",
    "acroform": ".acroform",
    "acroform_page": ".page",
    "acroform_twice": ".acroform",
}
_FIELD_NAMES = ("page", "x", "y", "width", "size", "acroform", "value")


def _read_forms(
    r: _Reader, data: dict, where: str, files: BundleFiles | None, questions: list[CatalogQuestion]
) -> tuple[CatalogForm, ...]:
    raw = data.get("forms")
    if raw is None:
        return ()
    if files is None:
        r.error(
            f"{where}.forms",
            "a plain .json catalog may not have forms: import a bundle (.zip) with the PDFs",
            "申請書のあるカタログは、PDF を含む一式（.zip）で取り込んでください",
        )
        return ()
    forms = []
    question_keys = [q.key for q in questions]
    for index, item in enumerate(_list(r, data, "forms", where)):
        fwhere = f"{where}.forms[{index}]"
        entry = r.obj(item, fwhere, ("file", "title", "fields"))
        if entry is None:
            continue
        errors = len(r.errors)
        pdf = _form_file(r, entry, fwhere, files)
        title = r.string(entry, "title", fwhere)
        fields = [
            _read_form_field(r, field, f"{fwhere}.fields[{findex}]", question_keys)
            for findex, field in enumerate(_list(r, entry, "fields", fwhere))
        ]
        if pdf is not None and all(f is not None for f in fields):
            placements = [Placement(**vars(f)) for f in fields]
            for problem in placement_problems(pdf.info, placements):
                r.error(
                    f"{fwhere}.fields[{problem.field}]{_PLACEMENT_WHERE.get(problem.code, '')}",
                    problem.message,
                    problem.message_ja,
                )
        if len(r.errors) == errors:
            forms.append(CatalogForm(entry["file"], title, tuple(fields), pdf))
    return tuple(forms)


def _list(r: _Reader, data: dict, name: str, where: str) -> list:
    value = data.get(name)
    if value is None:
        return []  # reported as required, or not given
    if not isinstance(value, list):
        r.error(f"{where}.{name}", "must be a list", "一覧（JSON の配列）にしてください")
        return []
    return value


def _form_file(r: _Reader, entry: dict, where: str, files: BundleFiles) -> CatalogPdf | None:
    path = entry.get("file")
    if "file" not in entry:
        return None
    if not isinstance(path, str) or not FILE_RE.match(path):
        r.error(
            f"{where}.file",
            f"{path!r} must be a path in the bundle matching {FILE_PATTERN}",
            "は一式の中のファイルの場所として書けません",
            path,
        )
        return None
    found = files.get(path)
    if found is None:
        r.error(f"{where}.file", f"'{path}' is not in the bundle", "は一式（.zip）の中にありません", path)
        return None
    if isinstance(found, FormPdfError):
        r.error(f"{where}.file", f"'{path}': {found.message}", f"「{path}」: {found.message_ja}")
        return None
    return found


def _read_form_field(r: _Reader, item: Any, where: str, question_keys: list[str]) -> CatalogFormField | None:
    data = r.obj(item, where, ("page", "value"), ("x", "y", "width", "size", "acroform"))
    if data is None:
        return None
    errors = len(r.errors)
    page = r.integer(data, "page", where, minimum=1)
    numbers = {}
    for name in ("x", "y", "width", "size"):
        value = data.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
        ):
            r.error(f"{where}.{name}", "must be a number", "は数ではありません", value)
        numbers[name] = value
    acroform = r.string(data, "acroform", where, optional=True)
    value = data.get("value")
    if "value" in data:
        if not isinstance(value, str):
            r.error(f"{where}.value", "must be a string", "は文字ではありません", value)
        elif (problem := value_problem(value, question_keys)) is not None:
            r.error(f"{where}.value", problem.message, problem.message_ja)
    if len(r.errors) != errors or page is None or not isinstance(value, str):
        return None
    return CatalogFormField(page, value, acroform=acroform, **numbers)


def _read_deadline(r: _Reader, data: dict, where: str, questions: list[CatalogQuestion]) -> Deadline | None:
    """`deadline_days` (days from the death) or `deadline`, never both."""
    days = r.integer(data, "deadline_days", where, optional=True, minimum=0)
    if days is not None and days > MAX_DAYS:
        r.error(
            f"{where}.deadline_days",
            f"must be at most {MAX_DAYS} (100 years)",
            f"は長すぎます（{MAX_DAYS:,}日、100年まで）",
            days,
        )
    raw = data.get("deadline")
    if raw is None:
        return Deadline(days, Unit.DAYS) if days is not None and days <= MAX_DAYS else None
    if data.get("deadline_days") is not None:
        r.error(
            f"{where}.deadline",
            "give deadline or deadline_days, not both",
            "期限の日数と期限（月数・年数・起算日）の両方は書けません。どちらかにしてください",
        )
        return None
    dwhere = f"{where}.deadline"
    spec = r.obj(raw, dwhere, (), (*UNIT_KEYS, "from"))
    if spec is None:
        return None
    units = [unit for unit in Unit if unit.value in spec]
    if len(units) != 1:
        found = " and ".join(u.value for u in units) if units else "none"
        found_ja = (
            "と".join(_UNIT_JA[u] for u in units) + "が書かれています" if units else "どれも書かれていません"
        )
        r.error(
            dwhere,
            f"needs exactly one of days, months or years (found {found})",
            f"日数・月数・年数のどれか1つだけを書いてください（{found_ja}）",
        )
        return None
    unit = units[0]
    amount = spec[unit.value]
    low, high = UNIT_RANGE[unit]
    if isinstance(amount, bool) or not isinstance(amount, int) or not low <= amount <= high:
        r.error(
            f"{dwhere}.{unit.value}",
            f"must be an integer from {low} to {high:,}",
            f"は{low}から{high:,}までの整数ではありません",
            amount,
        )
        return None
    start = spec.get("from")
    if start is None:
        start = DEATH
    elif start != DEATH:
        dates = [q.key for q in questions if q.type == QuestionType.DATE]
        question = next((q for q in questions if q.key == start), None)
        if not isinstance(start, str) or question is None or question.type != QuestionType.DATE:
            what = f"a {question.type} question" if question is not None else "not a question"
            hint, hint_ja = _hint(difflib.get_close_matches(str(start), dates, n=1))
            what_ja = (
                f"は「{question.type.label}」の質問です" if question is not None else "という質問はありません"
            )
            r.error(
                f"{dwhere}.from",
                f'{start!r} is {what}: must be "death" or the key of a date question{hint}',
                f"{what_ja}。起算日は death（亡くなった日）か日付の質問のキーにしてください{hint_ja}",
                start,
            )
            return None
    return Deadline(amount, unit, start)


def deadline_entry(deadline: Deadline | None) -> dict[str, Any]:
    """A deadline as document fields: `deadline_days` for days from the death, else `deadline`."""
    if deadline is None:
        return {}
    if deadline.days_from_death is not None:
        return {"deadline_days": deadline.days_from_death}
    entry: dict[str, Any] = {deadline.unit.value: deadline.amount}
    if not deadline.from_death:
        entry["from"] = deadline.start
    return {"deadline": entry}


# --- Writing ------------------------------------------------------------------------


def prefill_entry(prefill: CatalogPrefill | None) -> dict | None:
    """A question's prefill as the document writes it (`values` left out when not given)."""
    if prefill is None:
        return None
    return {"fact": prefill.fact, **({"values": dict(prefill.values)} if prefill.values is not None else {})}


def _without_none(data: dict) -> dict:
    return {name: value for name, value in data.items() if value is not None}


def write_catalog(catalog: Catalog, *, hashes: bool = False) -> dict:
    """The okuyami-catalog/1 document of a catalog; optional fields left out when empty.

    With `hashes`, each form also names its PDF's SHA-256 (`sha256`): the document this project
    keeps in its history, so that a changed PDF shows as a change (not a contract document).
    """
    m = catalog.municipality
    return {
        "format": FORMAT,
        "municipality": {"code": m.code, "name": m.name, "prefecture": m.prefecture},
        "places": [
            {"key": p.key, "name": p.name, "order": p.order, **({"outside": True} if p.outside else {})}
            for p in catalog.places
        ],
        "counters": [
            _without_none(
                {
                    "key": c.key,
                    "name": c.name,
                    "place": c.place,
                    "order": c.order,
                    "location": c.location,
                    "phone": c.phone,
                    "hours": c.hours,
                }
            )
            for c in catalog.counters
        ],
        "questions": [
            _without_none(
                {
                    "key": q.key,
                    "text": q.text,
                    "help": q.help,
                    "type": q.type,
                    "choices": [{"value": c.value, "label": c.label} for c in q.choices] or None,
                    "ask_if": q.ask_if.source if q.ask_if else None,
                    "allow_unknown": q.allow_unknown,
                    "prefill": prefill_entry(q.prefill),
                }
            )
            for q in catalog.questions
        ],
        "procedures": [
            _without_none(
                {
                    "key": p.key,
                    "name": p.name,
                    "counter": p.counter,
                    "applies_if": p.applies_if.source,
                    **deadline_entry(p.deadline),
                    "deadline_note": p.deadline_note,
                    "documents": list(p.documents),
                    "description": p.description,
                    "url": p.url,
                    "order": p.order,
                    "forms": [form_entry(form, hashes=hashes) for form in p.forms] or None,
                }
            )
            for p in catalog.procedures
        ],
    }


def form_entry(form: CatalogForm, *, hashes: bool = False) -> dict:
    """A form as the document writes it: its fields' keys in the format's order, unset ones left out."""
    entry: dict[str, Any] = {"file": form.file, "title": form.title}
    if hashes:
        entry[SHA256] = form.pdf.sha256
    entry["fields"] = [
        {name: getattr(f, name) for name in _FIELD_NAMES if getattr(f, name) is not None} for f in form.fields
    ]
    return entry


def split_hashes(document: dict) -> tuple[dict, dict[str, str]]:
    """A kept document (`write_catalog(hashes=True)`) as the format's document and its files'
    hashes by path; CatalogInvalid when one path names two different PDFs."""
    plain = copy.deepcopy(document)
    hashes: dict[str, str] = {}
    errors = []
    for pindex, procedure in enumerate(plain.get("procedures", [])):
        for findex, form in enumerate(procedure.get("forms") or []):
            sha = form.pop(SHA256, None)
            if sha is None:
                continue
            if hashes.setdefault(form["file"], sha) != sha:
                errors.append(
                    f"procedures[{pindex}].forms[{findex}].file: '{form['file']}' names two different PDFs"
                )
    if errors:
        raise CatalogInvalid(errors)
    return plain, hashes


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
