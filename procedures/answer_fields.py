"""The form field that asks one catalog question, and the way back from what a browser sends
to the answer as a case stores it (the JSON of okuyami-catalog/1's case document).

One factory for every form that asks questions: the counter's interview (one question a page)
and the admin's preview (every question at once, as drop-downs).
"""

from datetime import date
from typing import Any

from django import forms

from procedures import date_limits
from procedures.catalog import CatalogQuestion
from procedures.rules import QuestionType
from procedures.wareki import DateNotUnderstood, era_span, parse_date, wareki

# The わからない option of a question's field; never a choice value (those match KEY_RE).
UNKNOWN = "__unknown__"
UNKNOWN_LABEL = "わからない"
YES, NO = "yes", "no"
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


DATE_EXAMPLE = "「昭和19年10月15日」「S19.10.15」「1944-10-15」"
DATE_HINT = "和暦でも西暦でも入力できます（例：昭和19年10月15日、S19.10.15、1944-10-15）。"


class DateInput(forms.TextInput):
    """A date as text, typed 和暦 or 西暦 (procedures.wareki.parse_date) and shown in 和暦: a date
    picker offers only 西暦, and families say 「昭和19年」."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return wareki(value)
        if isinstance(value, str):
            try:
                return wareki(parse_date(value))  # as read: 「S19.10.15」 comes back 昭和19年10月15日
            except DateNotUnderstood:
                return value  # what the clerk typed, shown back with its error
        return super().format_value(value)


def date_error(label: str, refused: DateNotUnderstood) -> str:
    """The Japanese message for a typed date that is not a day (procedures.wareki's reasons)."""
    if refused.reason == "era_range":
        return f"{label}：{era_span(refused.era)}です。年を確かめてください。"
    if refused.reason == "no_such_day":
        return f"{label}：その日はカレンダーにありません。月と日を確かめてください。"
    return f"{label}を{DATE_EXAMPLE}のように入力してください。"


class TypedDateField(forms.DateField):
    """A date typed as families say it: 和暦 or 西暦, full-width digits too (procedures.wareki);
    shown back in 和暦. Messages name `error_label` (the label without its ※必須), else the label,
    after `mark` (the admin's messages begin with ＊)."""

    widget = DateInput

    def __init__(self, *, error_label: str = "", mark: str = "", **kwargs):
        super().__init__(**kwargs)
        self.error_label, self.mark = error_label, mark

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except DateNotUnderstood as refused:
            message = self.mark + date_error(self.error_label or self.label, refused)
            raise forms.ValidationError(message, code="invalid") from None


def answer_choices(question: CatalogQuestion) -> list[tuple[str, str]]:
    """The answers to pick from: はい／いいえ, or the question's choices."""
    if question.type == QuestionType.YES_NO:
        return [(YES, "はい"), (NO, "いいえ")]
    return [(c.value, c.label) for c in question.choices]


def answer_field(
    question: CatalogQuestion,
    *,
    required: bool = True,
    markers: tuple[tuple[str, str], ...] = (),
    drop_down: bool = False,
    **options: Any,
) -> forms.Field:
    """The field asking `question`: radios or check boxes for picked answers (a drop-down with
    `drop_down`), a text box for a number or a date. わからない is offered where the question allows
    it, then `markers`, the caller's own non-answers. `options` go to the field (help_text, initial)."""
    unknown = [(UNKNOWN, UNKNOWN_LABEL)] if question.allow_unknown else []
    label = question.text
    if question.type == QuestionType.MULTI:
        return forms.MultipleChoiceField(
            label=label,
            required=False,  # nothing ticked: none applies
            choices=[*unknown, *markers, *answer_choices(question)]
            if drop_down
            else [*answer_choices(question), *unknown, *markers],
            widget=forms.CheckboxSelectMultiple,
            **options,
        )
    if question.type in (QuestionType.YES_NO, QuestionType.CHOICE):
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[*unknown, *markers, *answer_choices(question)]
            if drop_down
            else [*answer_choices(question), *unknown, *markers],
            widget=forms.Select if drop_down else forms.RadioSelect,
            error_messages={"required": "回答を選択してください。"},
            **options,
        )
    if question.type == QuestionType.NUMBER:
        return forms.CharField(
            label=label,
            required=required,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
            error_messages={"required": "数を入力してください。"},
            **options,
        )
    return forms.CharField(
        label=label,
        required=required,
        widget=DateInput(),
        error_messages={"required": "日付を入力してください。"},
        **options,
    )


def answer_value(question: CatalogQuestion, value: Any, *, markers: dict[str, str] | None = None) -> Any:
    """The answer as a case stores it, from the field's cleaned value; or the marker chosen
    (UNKNOWN, or one of the caller's `markers`). Raises ValidationError with a Japanese message."""
    markers = {UNKNOWN: UNKNOWN_LABEL, **(markers or {})}
    if question.type == QuestionType.MULTI:
        chosen = [item for item in value if item in markers]
        if chosen and len(value) > 1:
            names = "」「".join(markers[item] for item in chosen)
            raise forms.ValidationError(f"「{names}」とほかの選択肢は同時に選べません。")
        return chosen[0] if chosen else list(value)
    if value in markers:
        return value
    if question.type == QuestionType.YES_NO:
        return value == YES
    if question.type == QuestionType.NUMBER:
        text = value.strip().translate(_FULL_WIDTH_DIGITS)
        if not text.isdigit():
            raise forms.ValidationError("0以上の整数を半角数字で入力してください。")
        return int(text)
    if question.type == QuestionType.DATE:
        try:
            day = parse_date(value)
        except DateNotUnderstood as refused:
            raise forms.ValidationError(date_error("日付", refused)) from None
        if not date_limits.in_range(day):
            raise forms.ValidationError(f"{date_limits.RANGE_JA}の日付を入力してください。")
        return day.isoformat()
    return value


def field_value(question: CatalogQuestion, answer: Any, *, unknown: bool = False) -> Any:
    """What the field shows for a stored answer (the inverse of `answer_value`)."""
    if unknown:
        return [UNKNOWN] if question.type == QuestionType.MULTI else UNKNOWN
    if answer is None:
        return None
    if question.type == QuestionType.YES_NO:
        return YES if answer else NO
    return answer
