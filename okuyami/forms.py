"""Forms for the counter screens, marked up the デジタル庁デザインシステム way.

Every field gets aria-describedby pointing at its support and error text and
aria-invalid when it has an error; the templates print 「※必須」/「※任意」.
"""

import re
from datetime import datetime, time

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils import timezone

from core.models import AuditEvent
from okuyami.guide import AdjustmentAction
from okuyami.models import Case, Mark
from procedures.answer_fields import answer_field, answer_value, field_value
from procedures.catalog import CatalogQuestion
from procedures.rules import QuestionType

KANA_RE = re.compile(r"^[ぁ-ゖァ-ヺー・ 　]+$")
PHONE_RE = re.compile(r"^[0-9０-９\-－ー()（）]{10,20}$")
RELATIONS = ["配偶者", "子", "子の配偶者", "孫", "父母", "兄弟姉妹", "その他の親族", "その他"]


class DadsBoundField(forms.BoundField):
    @property
    def support_text(self) -> str:
        return self.form.support.get(self.name, "")


class DadsForm(forms.Form):
    """Links support and error text to each control and marks invalid ones."""

    bound_field_class = DadsBoundField
    support: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._aria()

    def _post_clean(self):
        super()._post_clean()
        self._aria()

    def _aria(self):
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if self.support.get(name):
                ids.append(f"{bound.auto_id}-support")
            if self.is_bound and self.errors.get(name):
                ids.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if ids and not isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["aria-describedby"] = " ".join(ids)  # groups: on the fieldset
            else:
                field.widget.attrs.pop("aria-describedby", None)

    def error_list(self):
        """(field id, label, message) for the error summary, in field order."""
        return [
            (self[name].auto_id, self.fields[name].label, message)
            for name in self.fields
            for message in self.errors.get(name, [])
        ] + [(None, None, message) for message in self.non_field_errors()]


def _date_field(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"{label}を入力してください。",
            "invalid": f"{label}を「2026-11-20」の形で入力してください。",
        },
    )


def _text(label: str, *, required: bool = True, max_length: int = 100, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は{max_length}文字以内で入力してください。",
        },
    )


class CaseForm(DadsForm):
    """受付: the deceased, the visitor and the appointment."""

    deceased_name = _text("亡くなった方の氏名", autocomplete="off")
    deceased_kana = _text("亡くなった方の氏名（フリガナ）", autocomplete="off")
    deceased_birth_date = _date_field("亡くなった方の生年月日", required=False)
    death_date = _date_field("亡くなった日")
    deceased_address = _text("亡くなった方の住所", max_length=200, autocomplete="off")
    visitor_name = _text("来庁された方の氏名", autocomplete="off")
    visitor_kana = _text("来庁された方の氏名（フリガナ）", autocomplete="off")
    visitor_relation = forms.ChoiceField(
        label="亡くなった方との続柄",
        choices=[("", "選択してください"), *((r, r) for r in RELATIONS)],
        error_messages={"required": "亡くなった方との続柄を選択してください。"},
    )
    visitor_phone = _text("来庁された方の電話番号", max_length=20, autocomplete="off", inputmode="tel")
    visitor_address = _text("来庁された方の住所", required=False, max_length=200, autocomplete="off")
    appointment_date = _date_field("予約日", required=False)
    appointment_time = forms.TimeField(
        label="予約時刻",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "予約時刻を「10:30」の形で入力してください。"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    support = {
        "deceased_kana": "カタカナまたはひらがなで入力してください。",
        "deceased_birth_date": (
            "わからない場合は空欄にしてください。年齢で決まる手続きは「要確認」になります。"
        ),
        "visitor_kana": "カタカナまたはひらがなで入力してください。",
        "visitor_address": "亡くなった方と同じ場合は空欄で構いません。",
        "visitor_phone": "例：047-000-0000",
        "appointment_date": "予約のない来庁は空欄にしてください。",
    }

    def __init__(self, *args, today=None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, case: Case) -> dict:
        initial = {name: getattr(case, name) for name in cls.base_fields if hasattr(case, name)}
        if case.appointment_at:
            local = timezone.localtime(case.appointment_at)
            initial["appointment_date"], initial["appointment_time"] = local.date(), local.time()
        return initial

    def _clean_kana(self, name: str) -> str:
        value = self.cleaned_data[name].strip()
        if not KANA_RE.match(value):
            raise forms.ValidationError(
                f"{self.fields[name].label}はカタカナまたはひらがなで入力してください。"
            )
        return value

    def clean_deceased_kana(self):
        return self._clean_kana("deceased_kana")

    def clean_visitor_kana(self):
        return self._clean_kana("visitor_kana")

    def clean_visitor_phone(self):
        value = self.cleaned_data["visitor_phone"].strip()
        if not PHONE_RE.match(value):
            raise forms.ValidationError(
                "来庁された方の電話番号は、数字とハイフンで10〜20文字で入力してください。"
            )
        return value

    def clean_death_date(self):
        value = self.cleaned_data["death_date"]
        if value > self.today:
            raise forms.ValidationError("亡くなった日に未来の日付は入力できません。")
        return value

    def clean(self):
        cleaned = super().clean()
        birth, death = cleaned.get("deceased_birth_date"), cleaned.get("death_date")
        if birth and death and birth > death:
            self.add_error("deceased_birth_date", "生年月日は亡くなった日より前の日付を入力してください。")
        day, at = cleaned.get("appointment_date"), cleaned.get("appointment_time")
        if at and not day:
            self.add_error("appointment_date", "予約時刻を入れる場合は予約日も入力してください。")
        cleaned["appointment_at"] = (
            timezone.make_aware(datetime.combine(day, at or time(0, 0))) if day else None
        )
        return cleaned


class AnswerForm(DadsForm):
    """One question of the questionnaire, with わからない where it is allowed."""

    def __init__(self, *args, question: CatalogQuestion, **kwargs):
        self.question = question
        super().__init__(*args, **kwargs)
        self.fields["answer"] = answer_field(question)
        self._aria()

    @property
    def is_group(self) -> bool:
        """Radios or check boxes: a fieldset with the question as its legend."""
        return isinstance(self.fields["answer"].widget, forms.RadioSelect | forms.CheckboxSelectMultiple)

    @property
    def support(self):  # type: ignore[override]
        text = self.question.help or ""
        if self.question.type == QuestionType.MULTI:
            text = (
                text + " " if text else ""
            ) + "当てはまるものをすべて選んでください。なければ何も選ばずに「次へ」。"
        if not self.is_group and self.question.allow_unknown:
            text = (text + " " if text else "") + "わからない場合は「わからない」を押してください。"
        return {"answer": text}

    def clean_answer(self):
        return answer_value(self.question, self.cleaned_data["answer"])

    @staticmethod
    def initial_for(question: CatalogQuestion, case: Case):
        return field_value(question, case.answers.get(question.key), unknown=question.key in case.unknown)


class AdjustmentForm(DadsForm):
    procedure = forms.CharField(max_length=64)
    action = forms.ChoiceField(
        choices=[*((a.value, a.label) for a in AdjustmentAction), ("", "取り消し")], required=False
    )
    note = forms.CharField(label="メモ", max_length=200, required=False)


class MarkForm(forms.Form):
    procedure = forms.CharField(max_length=64)
    status = forms.ChoiceField(choices=[*Mark.Status.choices, ("", "取り消し")], required=False)


class PasswordForm(DadsForm, PasswordChangeForm):
    """The password change, with the password rules as support text."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        self.support = {"new_password1": " ".join(password_validators_help_texts())}
        self._aria()


class AuditFilterForm(forms.Form):
    """The audit log's filters; every one optional."""

    municipality = forms.CharField(label="団体コード", max_length=6, required=False)
    action = forms.ChoiceField(
        label="操作", choices=[("", "すべて"), *AuditEvent.Action.choices], required=False
    )
    case = forms.IntegerField(label="受付番号", min_value=1, required=False)
    username = forms.CharField(label="職員", max_length=150, required=False)
