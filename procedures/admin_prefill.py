"""The question form's 住民記録からの回答 (the catalog's `prefill`) in the admin.

The editor chooses the fact from a list (or names a municipality's own `local.` fact), and maps
its values to the question's answers in a table: one row per value for a fact with few values
(true/false, the health insurances), rows to fill for a count or a local fact. Without
JavaScript: when the fact changes, the table of the new fact's values comes back to be checked.
The table's rows read "（記録から答えず質問する）" where a value gives no answer.

The whole catalog is checked afterwards as an import is (`catalog_errors_with`); the messages
below are the form's own, all in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms

from procedures.facts import (
    LOCAL_KEY_RE,
    LOCAL_PREFIX,
    STANDARD_FACTS,
    FactType,
    answer_fits,
    prefill_problems,
)
from procedures.rules import QuestionType

LOCAL = "local"  # the fact list's entry for a municipality's own fact
FREE_ROWS = 2  # empty rows offered for a fact whose values are not listed

MESSAGES = {
    "local_key": (
        "＊独自の事実のキーを、半角英小文字で始まる半角英小文字・数字・_ で入力してください（64文字まで）。"
    ),
    "local_without_fact": "＊独自の事実のキーは、事実で「市区町村独自の事実」を選んだときだけ入力します。",
    "new_fact": "＊事実を変えたので、記録の値ごとの回答を確かめてから、もう一度保存してください。",
    "no_answer": "＊記録のどの値にも回答がありません。回答を選ぶか、事実を「使わない」にしてください。",
    "value_twice": "＊記録の値「{value}」が2回あります。",
    "answer_without_value": "＊回答を選んだ行の、記録の値を入力してください。",
    "not_integer": "＊回答は0以上の整数を半角数字で入力してください。",
}
ASK = ""  # a row's "no answer from the records: ask"
ASK_LABEL = "（記録から答えず質問する）"


def fact_choices() -> list:
    """The list the editor chooses the fact from: none, the standard facts, a local one."""
    standard = [(name, f"{fact.source}（{name}）") for name, fact in STANDARD_FACTS.items()]
    return [
        ("", "使わない（毎回質問する）"),
        ("住民記録・他の台帳の事実", standard),
        ("市区町村独自", [(LOCAL, "市区町村独自の事実（local.〜）")]),
    ]


def known_values(fact: str) -> tuple[tuple[str, str], ...] | None:
    """(value, label) of every value of a standard fact with few values; None when they are not listed."""
    standard = STANDARD_FACTS.get(fact)
    if standard is None or standard.type is FactType.INTEGER:
        return None
    return standard.known_values()


def answer_options(question_type: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The answers a row may give, as (JSON of the answer, label); None for a typed answer (number, date)."""
    kind = QuestionType.of(question_type)
    if kind is QuestionType.YES_NO:
        return [("true", "はい"), ("false", "いいえ")]
    if kind is QuestionType.CHOICE:
        return [(json.dumps(value), label) for value, label in choices]
    if kind is QuestionType.MULTI:
        none = [("[]", "どれにも当てはまらない")]
        return none + [(json.dumps([value]), f"{label}だけ") for value, label in choices]
    return None


def answer_key(answer: Any) -> str:
    """An answer as the table's drop-down holds it."""
    return json.dumps(answer, ensure_ascii=False)


@dataclass(frozen=True)
class Table:
    """What the table is for: the fact, its listed values (None: rows typed), the answers offered."""

    fact: str
    values: tuple[tuple[str, str], ...] | None
    options: list[tuple[str, str]] | None
    rows: int

    def identity(self, question_type: str, choices: tuple[str, ...]) -> dict[str, Any]:
        """The mapping that no `values` means: each listed value that fits the question answers itself."""
        if self.values is None:
            return {}
        standard = STANDARD_FACTS[self.fact]
        mapping = {}
        for text, _ in self.values:
            answer = (text == "true") if standard.type is FactType.BOOL else text
            if answer_fits(question_type, choices, answer):
                mapping[text] = answer
        return mapping


class PrefillValuesWidget(forms.Widget):
    """The table: a row per value of the fact, each with a drop-down (or box) of the answer."""

    template_name = "admin/procedures/question/prefill_values.html"

    class Media:
        css = {"all": ["procedures/admin.css"]}

    def __init__(self, table: Table, attrs=None):
        super().__init__(attrs)
        self.table = table
        self.fallback: dict[str, str] = {}  # the answers shown when the page's table was another fact's

    def id_for_label(self, id_):
        return ""  # each row has its own labels; the field's label names the table

    def value_from_datadict(self, data, files, name) -> dict:
        rows = []
        for index in range(self.table.rows):
            if self.table.values is not None:
                value = self.table.values[index][0]
            else:
                value = data.get(f"{name}_value_{index}", "").strip()
            rows.append((value, data.get(f"{name}_answer_{index}", "").strip()))
        return {"for": data.get(f"{name}_for", ""), "rows": rows}

    def value_omitted_from_data(self, data, files, name) -> bool:
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        table = self.table
        value = value or {}
        given = list(value.get("rows") or [])
        if table.values is not None:
            answers = dict(given) if value.get("for") == table.fact else self.fallback
            rows = [
                {"index": i, "value": text, "label": label, "answer": answers.get(text, ""), "typed": False}
                for i, (text, label) in enumerate(table.values)
            ]
        else:  # typed rows keep what was typed, in order
            given += [("", "")] * (table.rows - len(given))
            rows = [
                {"index": i, "value": text, "label": "", "answer": answer, "typed": True}
                for i, (text, answer) in enumerate(given[: table.rows])
            ]
        options = list(table.options) if table.options is not None else None
        if options is not None:  # an answer no drop-down offers (two of a multi's choices) stays as it is
            offered = {key for key, _ in options}
            extra = dict.fromkeys(row["answer"] for row in rows if row["answer"] not in offered | {""})
            options += [(answer, answer) for answer in extra]
        context["table"] = {"fact": table.fact, "rows": rows, "options": options, "ask": ASK_LABEL}
        return context


class PrefillValuesField(forms.Field):
    widget = PrefillValuesWidget

    def __init__(self, table: Table, **kwargs):
        super().__init__(widget=PrefillValuesWidget(table), required=False, **kwargs)
        self.table = table


def _table(fact: str, question_type: str, choices: list[tuple[str, str]], typed_rows: int) -> Table:
    """The table for a fact: its listed values, or `typed_rows` rows to type (none without a fact)."""
    values = known_values(fact) if fact else None
    rows = len(values) if values is not None else (typed_rows if fact else 0)
    return Table(fact, values, answer_options(question_type, choices), rows)


class PrefillFormMixin(forms.Form):
    """The prefill fields of the question form. `clean_prefill()` gives the catalog's `prefill`
    (or None) and sets the question's fields; its errors go next to the fields."""

    prefill_fact = forms.ChoiceField(label="住民記録の事実", required=False, choices=fact_choices)
    prefill_local = forms.CharField(
        label="独自の事実のキー",
        required=False,
        max_length=64,
        help_text=(
            "「市区町村独自の事実」のとき、local. に続くキー（住民記録の facts.csv と同じ名前。"
            "例: water_contract）。"
        ),
    )

    prefill_map = PrefillValuesField(Table("", None, None, 0), label="記録の値ごとの回答")  # set up per form

    PREFILL_FIELDS = ("prefill_fact", "prefill_local", "prefill_map")

    def setup_prefill(self, *, question_type: str, choices: list[tuple[str, str]]) -> None:
        """Build the table for the fact posted (or stored) and the question's type and choices."""
        instance = self.instance
        stored_fact = instance.prefill_fact or ""
        stored_values = instance.prefill_values
        if self.is_bound:
            fact = self._posted_fact()
        else:
            fact = stored_fact
            if fact.startswith(LOCAL_PREFIX):
                self.initial["prefill_fact"] = LOCAL
                self.initial["prefill_local"] = fact[len(LOCAL_PREFIX) :]
        self.question_type = question_type
        self.choice_values = tuple(value for value, _ in choices)
        typed = len(stored_values or {}) if fact == stored_fact else 0
        if self.is_bound:  # rows typed on the page are read back, however many it had
            typed = max(
                typed, sum(1 for name in self.data if name.startswith("prefill_map_value_")) - FREE_ROWS
            )
        table = _table(fact, question_type, choices, typed + FREE_ROWS)
        self.fields["prefill_map"] = PrefillValuesField(
            table,
            label="記録の値ごとの回答",
            help_text=(
                "記録の値ごとに、質問への回答を選びます。「質問する」の値は住民記録から答えず、窓口で質問します。"
                "選択肢を追加・変更したときは、保存してから選んでください。"
            ),
        )
        identity = table.identity(question_type, self.choice_values)
        mapping = stored_values if stored_values is not None and fact == stored_fact else identity
        self.fields["prefill_map"].widget.fallback = {text: answer_key(a) for text, a in identity.items()}
        self.initial["prefill_map"] = {
            "for": fact,
            "rows": [(text, answer_key(answer)) for text, answer in mapping.items()],
        }

    def _posted_fact(self) -> str:
        chosen = self.data.get("prefill_fact", "")
        if chosen == LOCAL:
            return LOCAL_PREFIX + self.data.get("prefill_local", "").strip()
        return chosen if chosen in STANDARD_FACTS else ""

    def clean_prefill(self) -> dict | None:
        """The question's prefill from the fields (None: none), set on the question; errors added."""
        chosen = self.cleaned_data.get("prefill_fact") or ""
        local = (self.cleaned_data.get("prefill_local") or "").strip()
        fact, values = "", None
        if chosen == LOCAL and not LOCAL_KEY_RE.match(local):
            self.add_error("prefill_local", MESSAGES["local_key"])
        elif chosen != LOCAL and local:
            self.add_error("prefill_local", MESSAGES["local_without_fact"])
        else:
            fact = LOCAL_PREFIX + local if chosen == LOCAL else chosen
            values = self._values(fact) if fact else None
        if values is False or (chosen and not fact):
            # Nothing changes on the question while the form has errors.
            self.cleaned_data["prefill_fact"] = self.instance.prefill_fact
            return self.instance.prefill
        self.cleaned_data["prefill_fact"] = fact  # what the question stores (construct_instance)
        self.instance.prefill_fact = fact
        self.instance.prefill_values = values
        return self.instance.prefill

    def _values(self, fact: str) -> dict | bool | None:
        """The `values` of the table (None: the fact's value is the answer); False after an error."""
        field = self.fields["prefill_map"]
        table: Table = field.table
        posted = self.cleaned_data.get("prefill_map") or {"for": "", "rows": []}
        identity = table.identity(self.question_type, self.choice_values)
        if posted["for"] != fact and (table.values is not None or known_values(posted["for"]) is not None):
            # The table on the page was another fact's: without values if that is valid, else show it.
            problems = prefill_problems(
                question_type=self.question_type, choices=self.choice_values, fact=fact, values=None
            )
            if problems:
                self.add_error("prefill_map", MESSAGES["new_fact"])
                return False
            return None
        mapping: dict[str, Any] = {}
        for text, answer in posted["rows"]:
            if not answer:
                continue
            if not text:
                self.add_error("prefill_map", MESSAGES["answer_without_value"])
                return False
            if text in mapping:
                self.add_error("prefill_map", MESSAGES["value_twice"].format(value=text))
                return False
            parsed = self._answer(answer)
            if parsed is _INVALID:
                self.add_error("prefill_map", MESSAGES["not_integer"])
                return False
            mapping[text] = parsed
        if table.values is None:
            return mapping or None
        if not mapping:
            self.add_error("prefill_map", MESSAGES["no_answer"])
            return False
        stored = self.instance.prefill_values if self.instance.prefill_fact == fact else None
        if mapping == identity and stored is None:
            return None  # what no `values` says: keep the catalog as simple as it was
        return mapping

    def _answer(self, text: str) -> Any:
        kind = QuestionType.of(self.question_type)
        if kind is QuestionType.NUMBER:
            digits = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
            return int(digits) if digits.isdigit() else _INVALID
        if kind is QuestionType.DATE:
            return text
        try:
            return json.loads(text)
        except ValueError:
            return text  # refused by the catalog check with the format's message


_INVALID = object()


def prefill_form_field(field: str | None) -> str | None:
    """The form field a catalog error about the prefill belongs to (`prefill.values.koki` → the table)."""
    if field == "prefill.fact" or field == "prefill":
        return "prefill_fact"
    if (field or "").startswith("prefill."):
        return "prefill_map"
    return field
