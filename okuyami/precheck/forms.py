"""The pre-check's forms: the counter's question form at home (the same fields, わからない and
messages), the two facts before the questions, and the code the counter types in."""

from datetime import date

from django import forms
from django.utils import timezone

from okuyami.forms import AnswerForm, DadsForm
from okuyami.precheck.codes import CodeUnreadable, read_code
from okuyami.precheck.flow import AGE_QUESTION, DEATH_QUESTION, age_problem
from procedures.answer_fields import UNKNOWN


class HomeAnswerForm(AnswerForm):
    """One question a page, as at the counter; the date of death and the age checked for sense.

    The answer field already keeps a date within procedures.date_limits' years."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The answers live in the family's own session, with no other counter to race: nothing
        # to check against what the page showed (the counter's `seen`), so no field for it.
        del self.fields["seen"]

    def clean_answer(self):
        value = super().clean_answer()
        if value == UNKNOWN:
            return value
        if self.question is DEATH_QUESTION:
            day = date.fromisoformat(value)
            if day > timezone.localdate():
                raise forms.ValidationError("亡くなった日に、今日より後の日付は入力できません。")
        if self.question is AGE_QUESTION and (problem := age_problem(value)):
            raise forms.ValidationError(problem)
        return value


class CodeForm(DadsForm, forms.Form):
    """The 受付コード a family brings to the counter (typed, or read by a code scanner)."""

    heading_field = ""
    code = forms.CharField(
        label="受付コード",
        max_length=40,
        help_text="例：K7M-9PX-3AE。ハイフンや空白、小文字・全角で入力しても構いません。",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={
            "required": "受付コードを入力してください。",
            "max_length": "受付コードは9文字です。コードを確かめてください。",
        },
    )

    def clean_code(self):
        try:
            return read_code(self.cleaned_data["code"])
        except CodeUnreadable as exc:
            raise forms.ValidationError(str(exc)) from None
