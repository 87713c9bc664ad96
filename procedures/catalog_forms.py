"""The catalog's forms: the values a form can print, their checks, and what they print for a case.

Pure Python, no Django. `catalog_io` checks a document's `forms` with `value_problem` and
`form_pdf.placement_problems`; the counter and the admin's preview turn a case into the text
of each field with `form_values`. Every message is here, in English (command line, API) and
Japanese (screens), like `form_pdf`'s refusals.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from procedures.catalog import Catalog, CatalogForm
from procedures.evaluation import CaseInput, answer_label, asked_questions
from procedures.form_pdf import CHECK_MARK, FillableField, FormInfo, PageInfo
from procedures.messages import CodedMessage
from procedures.rules import QuestionType
from procedures.wareki import wareki

# The values of ../shared/CATALOG_FORMAT.md, with what the admin's list calls them.
PEOPLE = {
    "deceased": ("name", "kana", "birth_date", "death_date", "address"),
    "visitor": ("name", "kana", "relation", "phone", "address"),
}
VALUE_LABELS = {
    "deceased.name": "亡くなった方の氏名",
    "deceased.kana": "亡くなった方の氏名（フリガナ）",
    "deceased.birth_date": "亡くなった方の生年月日",
    "deceased.death_date": "亡くなった日",
    "deceased.address": "亡くなった方の住所",
    "visitor.name": "届出人（来庁者）の氏名",
    "visitor.kana": "届出人の氏名（フリガナ）",
    "visitor.relation": "届出人の続柄",
    "visitor.phone": "届出人の電話番号",
    "visitor.address": "届出人の住所",
    "municipality.name": "市区町村名",
    "today": "印刷した日（届出日）",
    "check": "✓（チェック）",
}
VALUES = tuple(VALUE_LABELS)
DATE_VALUES = ("deceased.birth_date", "deceased.death_date", "today")
DATE_STYLES = {"wareki": "和暦（令和8年11月20日）", "iso": "西暦（2026-11-20）"}
ANSWER = "answer."
TEXT = "text:"
FILE_PATTERN = r"^forms/[A-Za-z0-9_.-]+\.pdf$"

PROBLEMS = {
    "unknown": (
        "unknown value {value!r}{hint}; a value is one of {values}, "
        "answer.<question key>, check or text:<text>",
        "印刷する値「{value}」はありません",
    ),
    "question": (
        "{value!r} names no question{hint}",
        "「{value}」の質問はありません",
    ),
    "date_style": (
        "{value!r}: only a date ({dates}) may end in :wareki or :iso",
        "「{value}」: :wareki・:iso を付けられるのは日付だけです",
    ),
}


@dataclass(frozen=True)
class ValueProblem(CodedMessage):
    TEXTS = PROBLEMS

    code: str
    params: dict


def value_problem(value: str, questions: Mapping[str, Any] | list[str]) -> ValueProblem | None:
    """Why `value` is not a value a form can print (with these question keys), or None."""
    if value.startswith(TEXT):
        return None
    if value.startswith(ANSWER):
        key = value[len(ANSWER) :]
        if key in questions:
            return None
        return ValueProblem("question", {"value": value, "hint": _hint(key, list(questions), ANSWER)})
    name, colon, style = value.partition(":")
    if colon and name in VALUES:
        if name in DATE_VALUES and style in DATE_STYLES:
            return None
        return ValueProblem("date_style", {"value": value, "dates": ", ".join(DATE_VALUES)})
    if not colon and name in VALUES:
        return None
    return ValueProblem(
        "unknown", {"value": value, "hint": _hint(value, list(VALUES)), "values": ", ".join(VALUES)}
    )


def _hint(wrong: str, known: list[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(wrong, known, n=1)
    return f" (did you mean '{prefix}{close[0]}'?)" if close else ""


def value_label(value: str, question_texts: Mapping[str, str] | None = None) -> str:
    """What a value prints, in Japanese, for the screens ("亡くなった日（西暦）", "回答：葬儀の日")."""
    if value.startswith(TEXT):
        return f"固定の文字「{value[len(TEXT) :]}」"
    if value.startswith(ANSWER):
        key = value[len(ANSWER) :]
        return f"回答：{(question_texts or {}).get(key, key)}"
    name, _, style = value.partition(":")
    label = VALUE_LABELS.get(name, value)
    return f"{label}（西暦）" if style == "iso" else label


def value_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """Every value an editor can pick for this catalog, (value, label), in the order of the list."""
    choices: list[tuple[str, str]] = []
    for value, label in VALUE_LABELS.items():
        choices.append((value, label))
        if value in DATE_VALUES:
            choices.append((f"{value}:iso", f"{label}（西暦）"))
    choices += [(f"{ANSWER}{q.key}", f"回答：{q.text}") for q in catalog.questions]
    return choices


# --- What a form prints for a case ---------------------------------------------------------------


@dataclass(frozen=True)
class FormCase:
    """What the forms of one case are filled with: the people's details (dates as ISO text,
    as the case holds them), the municipality, the day of printing and the answers' labels
    (only the questions asked and answered)."""

    people: Mapping[str, Mapping[str, str]]
    municipality_name: str
    today: date
    answers: Mapping[str, str] = field(default_factory=dict)


def answer_texts(catalog: Catalog, case: CaseInput) -> dict[str, str]:
    """The label of each asked question's answer (わからない and unanswered questions print nothing):
    はい/いいえ, a choice's label, a multi's labels joined with 「、」, a number, a date in 和暦."""
    texts = {}
    for question in asked_questions(catalog, case):
        if question.key not in case.answers:
            continue
        value = case.answers[question.key]
        if question.type == QuestionType.DATE:
            day = value if isinstance(value, date) else date.fromisoformat(value)
            texts[question.key] = wareki(day)
        else:
            texts[question.key] = answer_label(question, value)
    return texts


def resolve(value: str, case: FormCase) -> str | None:
    """The text a value prints for a case; None (nothing printed) when the case does not hold it."""
    if value.startswith(TEXT):
        return value[len(TEXT) :] or None
    if value.startswith(ANSWER):
        return case.answers.get(value[len(ANSWER) :]) or None
    if value == "check":
        return CHECK_MARK
    name, _, style = value.partition(":")
    if name == "municipality.name":
        return case.municipality_name or None
    if name == "today":
        text = case.today.isoformat()
    else:
        person, _, detail = name.partition(".")
        text = str((case.people.get(person) or {}).get(detail) or "").strip()
    if not text:
        return None
    if name in DATE_VALUES and style != "iso":
        return wareki(date.fromisoformat(text))
    return text


def form_values(form: CatalogForm, case: FormCase) -> list[str | None]:
    return [resolve(f.value, case) for f in form.fields]


# A family made up for the admin's preview: long enough names and addresses to show what fits.
DEMO_PEOPLE = {
    "deceased": {
        "name": "見本 太郎",
        "kana": "ミホン タロウ",
        "birth_date": "1944-04-02",
        "death_date": "2026-11-20",
        "address": "見本県みほん市中央一丁目2番3号 みほんハイツ101号室",
    },
    "visitor": {
        "name": "見本 花子",
        "kana": "ミホン ハナコ",
        "relation": "妻",
        "phone": "000-000-1234",
        "address": "見本県みほん市中央一丁目2番3号 みほんハイツ101号室",
    },
}


def demo_case(catalog: Catalog, today: date) -> FormCase:
    """The demo family, with a made-up answer to every question (its first choice, はい, 1, today)."""
    answers = {}
    for question in catalog.questions:
        if question.type.has_choices:
            answers[question.key] = question.choices[0].label
        elif question.type == QuestionType.YES_NO:
            answers[question.key] = "はい"
        elif question.type == QuestionType.NUMBER:
            answers[question.key] = "1"
        else:
            answers[question.key] = wareki(today)
    return FormCase(DEMO_PEOPLE, catalog.municipality.name, today, answers)


# --- A form's inspection, kept with its PDF so that a catalog compiles without reading PDFs ---


def info_document(info: FormInfo) -> dict:
    return {
        "pages": [[p.width_mm, p.height_mm, p.paper] for p in info.pages],
        "fields": [[f.name, f.kind, f.page, f.x, f.y, f.width, f.height] for f in info.fields],
    }


def info_from_document(data: dict) -> FormInfo:
    pages = tuple(PageInfo(number, *page) for number, page in enumerate(data["pages"], start=1))
    return FormInfo(pages, tuple(FillableField(*f) for f in data["fields"]))
