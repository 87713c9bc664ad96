"""Forms for the counter screens, marked up the デジタル庁デザインシステム way.

Each field is rendered by `okuyami/forms/field.html` through Django 5.2's `as_field_group`:
label (or legend for a group) with ※必須／※任意, support text (the field's help_text) and error
text starting with ＊. Django itself links them to the control with aria-describedby and marks
an invalid control with aria-invalid.
"""

from datetime import datetime, time

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.forms.renderers import DjangoTemplates
from django.utils import timezone

from core.models import AuditEvent
from okuyami.guide import AdjustmentAction
from okuyami.models import Case, Mark
from procedures import date_limits
from procedures.answer_fields import answer_field, answer_value, field_value
from procedures.catalog import CatalogQuestion
from procedures.rules import QuestionType

RELATIONS = ["配偶者", "子", "子の配偶者", "孫", "父母", "兄弟姉妹", "その他の親族", "その他"]


class DadsRenderer(DjangoTemplates):
    field_template_name = "okuyami/forms/field.html"


class DadsForm:
    """Renders fields the DADS way and lists the errors for the summary at the top of the page."""

    default_renderer = DadsRenderer
    # The field whose label is the page's heading (a question page), if any.
    heading_field = ""

    def error_list(self):
        """(control id, label, message) for the error summary, in field order; a group's link
        goes to its first option."""
        return [
            (self[name].id_for_label or f"{self[name].auto_id}_0", self.fields[name].label, message)
            for name in self.fields
            for message in self.errors.get(name, [])
        ] + [(None, None, message) for message in self.non_field_errors()]


def _date_field(label: str, required: bool = True, **options) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"{label}を入力してください。",
            "invalid": f"{label}を「2026-11-20」の形で入力してください。",
            **options.pop("error_messages", {}),
        },
        **options,
    )


def _text(label: str, *, required: bool = True, max_length: int = 100, **options) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=options.pop("attrs", {"autocomplete": "off"})),
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は{max_length}文字以内で入力してください。",
            **options.pop("error_messages", {}),
        },
        **options,
    )


def _kana(label: str) -> forms.CharField:
    return _text(
        label,
        help_text="カタカナまたはひらがなで入力してください。",
        error_messages={"kana": f"{label}はカタカナまたはひらがなで入力してください。"},
    )


class CaseForm(DadsForm, forms.ModelForm):
    """受付: the deceased, the visitor and the appointment.

    The rules (kana, phone, no death in the future, no birth after it) are the model's
    validators, run by ModelForm; here are only their Japanese messages, by code.
    """

    deceased_name = _text("亡くなった方の氏名")
    deceased_kana = _kana("亡くなった方の氏名（フリガナ）")
    deceased_birth_date = _date_field(
        "亡くなった方の生年月日",
        required=False,
        help_text="わからない場合は空欄にしてください。年齢で決まる手続きは「要確認」になります。",
        error_messages={
            "after_death": "生年月日は亡くなった日より前の日付を入力してください。",
            "range": f"生年月日は{date_limits.RANGE_JA}の日付を入力してください。",
        },
    )
    death_date = _date_field(
        "亡くなった日",
        error_messages={
            "future": "亡くなった日に未来の日付は入力できません。",
            "range": f"亡くなった日は{date_limits.RANGE_JA}の日付を入力してください。",
        },
    )
    deceased_address = _text("亡くなった方の住所", max_length=200)
    visitor_name = _text("来庁された方の氏名")
    visitor_kana = _kana("来庁された方の氏名（フリガナ）")
    visitor_relation = forms.ChoiceField(
        label="亡くなった方との続柄",
        choices=[("", "選択してください"), *((r, r) for r in RELATIONS)],
        error_messages={"required": "亡くなった方との続柄を選択してください。"},
    )
    visitor_phone = _text(
        "来庁された方の電話番号",
        max_length=20,
        attrs={"autocomplete": "off", "inputmode": "tel"},
        help_text="例：047-000-0000",
        error_messages={"phone": "来庁された方の電話番号は、数字とハイフンで10〜20文字で入力してください。"},
    )
    visitor_address = _text(
        "来庁された方の住所",
        required=False,
        max_length=200,
        help_text="亡くなった方と同じ場合は空欄で構いません。",
    )
    appointment_date = _date_field("予約日", required=False, help_text="予約のない来庁は空欄にしてください。")
    appointment_time = forms.TimeField(
        label="予約時刻",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "予約時刻を「10:30」の形で入力してください。"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = [name for name in Case.personal_data.entered() if name != "appointment_at"]

    SECTIONS = (
        (
            "亡くなった方",
            ("deceased_name", "deceased_kana", "deceased_birth_date", "death_date", "deceased_address"),
        ),
        (
            "来庁された方",
            ("visitor_name", "visitor_kana", "visitor_relation", "visitor_phone", "visitor_address"),
        ),
        ("予約", ("appointment_date", "appointment_time")),
    )

    @property
    def sections(self):
        """(legend, bound fields) for each fieldset of the page."""
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    @classmethod
    def initial_for(cls, case: Case) -> dict:
        initial = {name: getattr(case, name) for name in cls.base_fields if hasattr(case, name)}
        if case.appointment_at:
            local = timezone.localtime(case.appointment_at)
            initial["appointment_date"], initial["appointment_time"] = local.date(), local.time()
        return initial

    def clean_appointment_date(self):
        # appointment_at is made here from the date and time, so its model check is repeated here.
        value = self.cleaned_data["appointment_date"]
        today = timezone.localdate()
        if value is not None and not date_limits.appointment_in_range(value, today=today):
            first, last = date_limits.appointment_range(today)
            raise forms.ValidationError(
                f"予約日は{date_limits.japanese(first)}から{date_limits.japanese(last)}までの日付を入力してください。"
            )
        return value

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("appointment_date"), cleaned.get("appointment_time")
        if at and not day:
            self.add_error("appointment_date", "予約時刻を入れる場合は予約日も入力してください。")
        cleaned["appointment_at"] = (
            timezone.make_aware(datetime.combine(day, at or time(0, 0))) if day else None
        )
        return cleaned


class AnswerForm(DadsForm, forms.Form):
    """One question of the questionnaire (the page's heading), with わからない where it is allowed."""

    heading_field = "answer"

    def __init__(self, *args, question: CatalogQuestion, **kwargs):
        self.question = question
        super().__init__(*args, **kwargs)
        self.fields["answer"] = answer_field(question, help_text=self._support())

    @property
    def is_group(self) -> bool:
        """Radios or check boxes: a fieldset with the question as its legend."""
        return self.fields["answer"].widget.use_fieldset

    def _support(self) -> str:
        q = self.question
        parts = [q.help] if q.help else []
        if q.type == QuestionType.MULTI:
            parts.append("当てはまるものをすべて選んでください。なければ何も選ばずに「次へ」。")
        if q.type in (QuestionType.NUMBER, QuestionType.DATE) and q.allow_unknown:
            parts.append("わからない場合は「わからない」を押してください。")
        return " ".join(parts)

    def clean_answer(self):
        return answer_value(self.question, self.cleaned_data["answer"])

    @staticmethod
    def initial_for(question: CatalogQuestion, case: Case):
        return field_value(question, case.answers.get(question.key), unknown=question.key in case.unknown)


UNKNOWN_SUFFIX = "__unknown"
BOTH = "「当てはまる」と「わからない」は、どちらか一方だけ選んでください。"


class GroupAnswerForm(DadsForm, forms.Form):
    """A run of yes/no questions on one page (okuyami.interview): 当てはまるものをすべて選ぶ, and
    わからない per row where the question allows it. A row left unticked is いいえ.

    `keys` carries the questions the page showed: if the run is no longer the same when it is
    sent (another screen changed an answer meanwhile), nothing is saved and the page is shown again.
    """

    keys = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions: tuple[CatalogQuestion, ...], **kwargs):
        self.questions = questions
        super().__init__(*args, **kwargs)
        for q in questions:
            self.fields[q.key] = forms.BooleanField(label=q.text, required=False, help_text=q.help or "")
            if q.allow_unknown:
                self.fields[q.key + UNKNOWN_SUFFIX] = forms.BooleanField(label="わからない", required=False)
        self.fields["keys"].initial = " ".join(q.key for q in questions)

    @property
    def rows(self):
        """(question, its box, its わからない box or None) for each row, in order."""
        return [
            (q, self[q.key], self[q.key + UNKNOWN_SUFFIX] if q.allow_unknown else None)
            for q in self.questions
        ]

    @property
    def shown_keys(self) -> list[str]:
        return (self.data.get("keys") or "").split()

    @classmethod
    def initial_for(cls, questions, case: Case) -> dict:
        initial = {}
        for q in questions:
            initial[q.key] = case.answers.get(q.key) is True and q.key not in case.unknown
            initial[q.key + UNKNOWN_SUFFIX] = q.key in case.unknown
        return initial

    def clean(self):
        cleaned = super().clean()
        for q in self.questions:
            if cleaned.get(q.key) and cleaned.get(q.key + UNKNOWN_SUFFIX):
                self.add_error(q.key, BOTH)
        return cleaned

    def answers(self) -> dict[str, bool | None]:
        """Question key -> True (当てはまる), False, or None for わからない."""
        cleaned = self.cleaned_data
        return {
            q.key: None if cleaned.get(q.key + UNKNOWN_SUFFIX) else bool(cleaned.get(q.key))
            for q in self.questions
        }


class AdjustmentForm(forms.Form):
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
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


class AuditFilterForm(forms.Form):
    """The audit log's filters; every one optional."""

    municipality = forms.CharField(label="団体コード", max_length=6, required=False)
    action = forms.ChoiceField(
        label="操作", choices=[("", "すべて"), *AuditEvent.Action.choices], required=False
    )
    case = forms.IntegerField(label="受付番号", min_value=1, required=False)
    username = forms.CharField(label="職員", max_length=150, required=False)


class LockoutLiftForm(forms.Form):
    """Which lockout to lift: a user name at an address, or (no user name) the whole address."""

    username = forms.CharField(max_length=150, required=False)
    ip_address = forms.GenericIPAddressField()
