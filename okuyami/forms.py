"""Forms for the counter screens, marked up the デジタル庁デザインシステム way.

Each field is rendered by `okuyami/forms/field.html` through Django 5.2's `as_field_group`:
label (or legend for a group) with ※必須／※任意, support text (the field's help_text) and error
text starting with ＊. Django itself links them to the control with aria-describedby and marks
an invalid control with aria-invalid.
"""

import json
from datetime import date, datetime, time

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.forms.renderers import DjangoTemplates
from django.utils import timezone

from core.models import AuditEvent
from okuyami.guide import AdjustmentAction
from okuyami.merge import Merge
from okuyami.models import Case, Mark
from okuyami.selectors import CaseState
from procedures import date_limits
from procedures.answer_fields import DATE_HINT, TypedDateField, answer_field, answer_value, field_value
from procedures.catalog import CatalogQuestion
from procedures.rules import QuestionType
from procedures.wareki import DateNotUnderstood, parse_date, seireki, wareki

RELATIONS = ["配偶者", "子", "子の配偶者", "孫", "父母", "兄弟姉妹", "その他の親族", "その他"]


class DadsRenderer(DjangoTemplates):
    field_template_name = "okuyami/forms/field.html"


# One renderer for every form: given a class, Django makes a renderer per form, and each its own
# template engine, so every form parsed its templates again on every request.
DADS_RENDERER = DadsRenderer()


class DadsForm:
    """Renders fields the DADS way and lists the errors for the summary at the top of the page."""

    default_renderer = DADS_RENDERER
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
    help_text = " ".join(part for part in (options.pop("help_text", ""), DATE_HINT) if part)
    return TypedDateField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={"required": f"{label}を入力してください。", **options.pop("error_messages", {})},
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
    # The values the form showed (JSON, as text), so that a save after another counter's can tell
    # what each of them changed (okuyami.merge); and the fields the clerk is settling.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    conflicts = forms.CharField(widget=forms.HiddenInput, required=False)

    KEEP_MINE, TAKE_LATEST = "mine", "latest"
    taken: list[str] = []  # labels of fields set to the latest after a conflict

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

    EDITED = tuple(name for _, names in SECTIONS for name in names)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicting = [name for name in self._posted_conflicts() if name in self.EDITED]
        seen = self.seen_values()
        for name in self.conflicting:
            field = self.fields[name]
            self.fields[f"keep_{name}"] = forms.ChoiceField(
                label=field.label,
                choices=[
                    (self.KEEP_MINE, f"あなたの入力：{shown_text(field, self._raw(name))}"),
                    (
                        self.TAKE_LATEST,
                        f"最新の内容（ほかの職員が保存）：{shown_text(field, seen.get(name, ''))}",
                    ),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": f"{field.label}：どちらの内容にするか選んでください。"},
            )

    def _raw(self, name: str) -> str:
        """What the form holds for `name` as text: posted, or (a form shown again) its initial."""
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        return value if isinstance(value, str) else ""

    def _posted_conflicts(self) -> list[str]:
        return [name for name in self._raw("conflicts").split(",") if name]

    def seen_values(self) -> dict[str, str]:
        try:
            values = json.loads(self._raw("seen") or "{}")
        except ValueError:
            return {}
        return {k: v for k, v in values.items() if isinstance(v, str)} if isinstance(values, dict) else {}

    @property
    def sections(self):
        """(legend, bound fields) for each fieldset of the page."""
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    @property
    def conflict_choices(self):
        """The choice (keep mine or take the latest) for each field the clerk settles."""
        return [self[f"keep_{name}"] for name in self.conflicting]

    @classmethod
    def initial_for(cls, case: Case) -> dict:
        initial = {name: getattr(case, name) for name in cls.base_fields if hasattr(case, name)}
        if case.appointment_at:
            local = timezone.localtime(case.appointment_at)
            initial["appointment_date"], initial["appointment_time"] = local.date(), local.time()
        initial["seen"] = json.dumps(cls.texts(initial), ensure_ascii=False)
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

    @classmethod
    def texts(cls, values: dict) -> dict[str, str]:
        """The edited fields' values as text (dates ISO, times HH:MM, nothing as "")."""
        return {name: _as_text(values.get(name)) for name in cls.EDITED}

    @classmethod
    def after_conflict(cls, data, merge: Merge, *, version: int, latest: dict[str, str]) -> "CaseForm":
        """The form again after another counter saved first (unbound: nothing to correct yet): the
        clerk's values with the latest taken where only the other counter changed them, the
        conflicts to settle, and the latest version and values as what it now shows."""
        shown = {name: data.get(name, "") for name in cls.EDITED}
        shown.update({name: latest[name] for name in merge.taken})
        shown.update(
            version=str(version),
            submission=data.get("submission", ""),
            seen=json.dumps(latest, ensure_ascii=False),
            conflicts=",".join(merge.conflicts),
        )
        form = cls(initial=shown)
        form.taken = [form.fields[name].label for name in merge.taken]
        return form

    def clean(self):
        seen = self.seen_values()
        for name in self.conflicting:
            if self.data.get(f"keep_{name}") == self.TAKE_LATEST and name in self.fields:
                # The latest value as the form showed it (a saved value: it cleans); the version
                # check guards that it still is the latest.
                self.cleaned_data[name] = self.fields[name].clean(seen.get(name, ""))
                self.errors.pop(name, None)
        cleaned = super().clean()
        day, at = cleaned.get("appointment_date"), cleaned.get("appointment_time")
        if at and not day:
            self.add_error("appointment_date", "予約時刻を入れる場合は予約日も入力してください。")
        cleaned["appointment_at"] = (
            timezone.make_aware(datetime.combine(day, at or time(0, 0))) if day else None
        )
        return cleaned


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def shown_text(field: forms.Field, text: str) -> str:
    """A value as a person reads it beside the conflict: dates in 和暦 and 西暦, blank as （空欄）."""
    if not text:
        return "（空欄）"
    if isinstance(field, forms.DateField):
        try:
            day = parse_date(text)
        except DateNotUnderstood:
            return text
        return f"{wareki(day)}（{seireki(day)}）"
    return text


class AnswerForm(DadsForm, forms.Form):
    """One question of the questionnaire (the page's heading), with わからない where it is allowed."""

    heading_field = "answer"
    # What the page showed for the question (services.stored_answer, as JSON): a save checks it.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, question: CatalogQuestion, **kwargs):
        self.question = question
        super().__init__(*args, **kwargs)
        self.fields["answer"] = answer_field(question, help_text=self._support())

    def seen_answer(self) -> dict | None:
        """What the page showed, or None when the form did not say (then nothing is checked)."""
        try:
            seen = json.loads(self.data.get("seen") or "null")
        except ValueError:
            return None
        return seen if isinstance(seen, dict) else None

    @property
    def is_group(self) -> bool:
        """Radios or check boxes: a fieldset with the question as its legend."""
        return self.fields["answer"].widget.use_fieldset

    def _support(self) -> str:
        q = self.question
        parts = [q.help] if q.help else []
        if q.type == QuestionType.MULTI:
            parts.append("当てはまるものをすべて選んでください。なければ何も選ばずに「次へ」。")
        if q.type == QuestionType.DATE:
            parts.append(DATE_HINT)
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
    `seen` carries what the page showed of each answer (services.stored_answer by key), so that
    an answer saved in another tab meanwhile is shown, not overwritten.
    """

    keys = forms.CharField(widget=forms.HiddenInput, required=False)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

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

    def seen_answers(self) -> dict[str, dict] | None:
        """What the page showed of each answer, or None when the form did not say (then nothing
        is checked)."""
        try:
            seen = json.loads(self.data.get("seen") or "null")
        except ValueError:
            return None
        if not isinstance(seen, dict):
            return None
        return {key: value for key, value in seen.items() if isinstance(value, dict)}

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


FAMILY_NOTE = "ご家族への説明（印刷されます）"
STAFF_NOTE = "職員メモ（印刷されません）"


class AdjustmentForm(DadsForm, forms.Form):
    """追加 or 除外 of one procedure (or undoing either), with the family's text and the staff's memo."""

    procedure = forms.CharField(
        label="追加する手続き", max_length=64, error_messages={"required": "追加する手続きを選んでください。"}
    )
    action = forms.ChoiceField(
        choices=[*((a.value, a.label) for a in AdjustmentAction), ("", "取り消し")], required=False
    )
    family_note = forms.CharField(
        label=FAMILY_NOTE,
        max_length=200,
        required=False,
        error_messages={"max_length": f"{FAMILY_NOTE}は200文字以内で入力してください。"},
    )
    staff_note = forms.CharField(
        label=STAFF_NOTE,
        max_length=200,
        required=False,
        error_messages={"max_length": f"{STAFF_NOTE}は200文字以内で入力してください。"},
    )


class ReasonForm(DadsForm, forms.Form):
    """A reason staff give for taking back a 確定 or cancelling a 受付 (kept with the case)."""

    reason = forms.CharField(
        label="理由",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "理由を入力してください。",
            "max_length": "理由は200文字以内で入力してください。",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, label: str = "理由", help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text
        self.fields["reason"].error_messages["required"] = f"{label}を入力してください。"


class CaseSearchForm(DadsForm, forms.Form):
    """The case list's and the relay board's search: every field optional."""

    q = forms.CharField(label="受付番号・氏名・フリガナ", max_length=100, required=False)
    state = forms.ChoiceField(
        label="表示する受付",
        choices=[(state.value, state.label) for state in CaseState],
        required=False,
    )
    since = TypedDateField(label="受付日（から）", required=False)
    until = TypedDateField(label="受付日（まで）", required=False)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "受付日（まで）は受付日（から）と同じか後の日付にしてください。")
        return cleaned


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
