"""Cases at the counter: the family's details, the answers, the result and the relay.

The rules a case's details follow (kana, a phone number, no death in the future, no birth
after it) are the model's validators: the reception form, the case API and the services all
run them. Their messages are English (the API's); the form gives Japanese ones by code.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import municipality_field, staff_field, verbose_names
from core.personal import Erase, Personal, PersonalData
from core.validators import PHONE_RE, validate_phone  # noqa: F401 (okuyami.models.PHONE_RE, as before)
from okuyami.guide import AdjustmentAction, anonymous_guide
from procedures import date_limits

# Kana from the first character (spaces between words); RegexValidators, so that the API's
# schema states the same patterns.
KANA_RE = re.compile(r"^[ぁ-ゖァ-ヺー・][ぁ-ゖァ-ヺー・ 　]*$")
validate_kana = RegexValidator(KANA_RE, "must be written in kana (katakana or hiragana)", code="kana")


def validate_not_future(value) -> None:
    if date_limits.in_range(value) and value > timezone.localdate():  # out of range says more
        raise ValidationError("must not be in the future", code="future")


def validate_case_date(value) -> None:
    """A date of death or birth within the years a case may hold (procedures.date_limits)."""
    if not date_limits.in_range(value):
        raise ValidationError(f"must be {date_limits.RANGE_EN}", code="range")


def validate_appointment(value) -> None:
    """An appointment from a year before today to two years after (year 266 came back as +09:18:59)."""
    today = timezone.localdate()
    if not date_limits.appointment_in_range(timezone.localtime(value).date(), today=today):
        first, last = date_limits.appointment_range(today)
        raise ValidationError(f"must be from {first} to {last}", code="appointment")


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "聞き取り中"
        FINALISED = "finalised", "確定"
        DONE = "done", "完了"
        # Made by mistake or twice: gone from the lists, kept for the audit log and the statistics.
        CANCELLED = "cancelled", "取り消し"

    municipality = municipality_field("cases", on_delete=models.PROTECT)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.OPEN)

    deceased_name = models.CharField("亡くなった方の氏名", max_length=100)
    deceased_kana = models.CharField(
        "亡くなった方の氏名（フリガナ）", max_length=100, validators=[validate_kana]
    )
    deceased_birth_date = models.DateField(
        "亡くなった方の生年月日", null=True, blank=True, validators=[validate_case_date]
    )
    death_date = models.DateField("亡くなった日", validators=[validate_case_date, validate_not_future])
    deceased_address = models.CharField("亡くなった方の住所", max_length=200)

    visitor_name = models.CharField("来庁者の氏名", max_length=100)
    visitor_kana = models.CharField("来庁者の氏名（フリガナ）", max_length=100, validators=[validate_kana])
    visitor_relation = models.CharField("亡くなった方との続柄", max_length=50)
    visitor_phone = models.CharField("来庁者の電話番号", max_length=20, validators=[validate_phone])
    visitor_address = models.CharField("来庁者の住所", max_length=200, blank=True)

    appointment_at = models.DateTimeField(
        "予約日時", null=True, blank=True, validators=[validate_appointment]
    )
    # The 受付 form's one-time token: a double-submitted form finds the case it made.
    submission = models.UUIDField("送信の識別子", null=True, blank=True, unique=True, editable=False)

    # Answers by question key (JSON values as in the case document) and the
    # questions answered わからない. Answers of questions no longer asked are kept
    # in case they are asked again; the evaluator ignores them.
    answers = models.JSONField("回答", default=dict, blank=True)
    unknown = models.JSONField("わからない", default=list, blank=True)
    # The answers the municipality's records gave when the case was started from them (by question
    # key, as in `answers`): such a question is not asked, and an answer changed since is marked.
    record_answers = models.JSONField("住民記録からの回答", default=dict, blank=True)

    # The guide as told to the family (okuyami.guide), frozen at finalising; every one told
    # before a correction stays in the case's Finalisation history.
    snapshot = models.JSONField("確定時の結果", null=True, blank=True)
    finalised_at = models.DateTimeField("確定日時", null=True, blank=True)
    finalised_by = staff_field("確定した職員", blank=True)
    # Set while everything the counters still have to do is 後日 (from the first of those marks):
    # such a case waits for the family, it is not today's work.
    later_since = models.DateTimeField("後日待ちの開始", null=True, blank=True, editable=False)
    # 「この受付をもとに新しい受付」: the case whose details and answers this one started from.
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
        verbose_name="もとにした受付",
    )
    cancelled_at = models.DateTimeField("取り消し日時", null=True, blank=True, editable=False)
    cancelled_by = staff_field("取り消した職員", blank=True)
    cancel_reason = models.CharField("取り消しの理由", max_length=200, blank=True)

    created_by = staff_field("受付者")
    created_at = models.DateTimeField("受付日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    # Incremented by every write: a stale form is refused instead of overwriting.
    version = models.PositiveIntegerField("版", default=1)
    # Set by purge_cases when the retention period ran out: the personal fields are blank
    # and only what the anonymous statistics read is left (okuyami.retention).
    erased_at = models.DateTimeField("個人情報の消去日時", null=True, blank=True, editable=False)

    # The family's details are entered at reception and printed; the answers describe the
    # household's health, income and property; the frozen guide keeps only what the statistics read.
    personal_data = PersonalData(
        fields={
            "deceased_name": Personal(Erase.BLANK, "deceased", "name", entered=True),
            "deceased_kana": Personal(Erase.BLANK, "deceased", "kana", entered=True),
            "deceased_birth_date": Personal(Erase.NULL, "deceased", "birth_date", entered=True),
            # The day of death is personal; its month stays for the monthly statistics.
            "death_date": Personal(Erase.MONTH, "deceased", "death_date", entered=True),
            "deceased_address": Personal(Erase.BLANK, "deceased", "address", entered=True),
            "visitor_name": Personal(Erase.BLANK, "visitor", "name", entered=True),
            "visitor_kana": Personal(Erase.BLANK, "visitor", "kana", entered=True),
            "visitor_relation": Personal(Erase.BLANK, "visitor", "relation", entered=True),
            "visitor_phone": Personal(Erase.BLANK, "visitor", "phone", entered=True),
            "visitor_address": Personal(Erase.BLANK, "visitor", "address", entered=True),
            "appointment_at": Personal(Erase.NULL, "visitor", entered=True),
            "answers": Personal(Erase.EMPTY_OBJECT),
            "unknown": Personal(Erase.EMPTY_LIST),
            "record_answers": Personal(Erase.EMPTY_OBJECT),
            "snapshot": Personal(anonymous_guide),
            # Staff write why ("二重に受付"), but may name the family.
            "cancel_reason": Personal(Erase.BLANK),
        },
        other=("status",),
    )

    class Meta(verbose_names("受付")):
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["municipality", "status", "created_at"])]

    def __str__(self) -> str:
        return f"受付 {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("okuyami:case-detail", args=[self.pk])

    def clean(self) -> None:
        birth, death = self.deceased_birth_date, self.death_date
        if birth and death and birth > death:
            raise ValidationError(
                {
                    "deceased_birth_date": ValidationError(
                        "must not be after the date of death", code="after_death"
                    )
                }
            )

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def record_changed(self, key: str) -> bool:
        """The staff changed the answer the records gave (or made it わからない)."""
        if key not in self.record_answers:
            return False
        return key in self.unknown or self.answers.get(key) != self.record_answers[key]

    @property
    def prefilled(self) -> frozenset[str]:
        """The questions answered by the records and not changed since: the interview skips them."""
        return frozenset(key for key in self.record_answers if not self.record_changed(key))

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_finalised(self) -> bool:
        """Finalised, the relay still running or done: what the family was told stands."""
        return self.status in (self.Status.FINALISED, self.Status.DONE)


class Finalisation(models.Model):
    """One 確定: the guide the family was told, when and by whom; and, once the clerk took it back
    to correct it (確定の取り消し), when, by whom and why. Edition 2 onwards is a 訂正版."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="finalisations", verbose_name="受付"
    )
    edition = models.PositiveIntegerField("版")
    guide = models.JSONField("確定した結果")
    finalised_at = models.DateTimeField("確定日時")
    finalised_by = staff_field("確定した職員")
    reopened_at = models.DateTimeField("確定を取り消した日時", null=True, blank=True)
    reopened_by = staff_field("確定を取り消した職員", blank=True)
    reopen_reason = models.CharField("確定を取り消した理由", max_length=200, blank=True)

    # The guide is the case's (its snapshot, reduced the same way); the reason may name the family.
    personal_data = PersonalData(
        fields={"guide": Personal(anonymous_guide), "reopen_reason": Personal(Erase.BLANK)}
    )

    class Meta(verbose_names("確定の記録")):
        ordering = ["case", "edition"]
        constraints = [
            models.UniqueConstraint(fields=["case", "edition"], name="finalisation_edition_unique")
        ]

    def __str__(self) -> str:
        return f"受付 {self.case_id} 第{self.edition}版"

    @property
    def is_correction(self) -> bool:
        return self.edition > 1


class CaseProcedureRow(models.Model):
    """What the counter noted about one procedure of a case (a staff change, a relay mark): at most
    one row a procedure, reached from the case by the model's plural (`case.adjustments`,
    `case.marks`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name="受付")
    procedure_key = models.CharField("手続き", max_length=64)

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["case", "procedure_key"], name="%(class)s_unique")]


class Adjustment(CaseProcedureRow):
    """A procedure the staff added (the rules missed it) or dropped, with what the family is told
    (printed on their papers) and a memo for the staff (never printed)."""

    action = models.CharField("操作", max_length=4, choices=[(a.value, a.label) for a in AdjustmentAction])
    family_note = models.CharField("ご家族への説明（印刷されます）", max_length=200, blank=True)
    staff_note = models.CharField("職員メモ（印刷されません）", max_length=200, blank=True)
    created_by = staff_field("職員")
    created_at = models.DateTimeField("日時", auto_now_add=True)

    # Both may name the family or describe their situation.
    personal_data = PersonalData(
        fields={"family_note": Personal(Erase.BLANK), "staff_note": Personal(Erase.BLANK)},
        other=("procedure_key", "action"),
    )

    class Meta(CaseProcedureRow.Meta, verbose_names("手動の変更")):
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.procedure_key}"


class Mark(CaseProcedureRow):
    """The relay: a counter marks a procedure of a finalised case."""

    class Status(models.TextChoices):
        DONE = "done", "完了"
        NOT_NEEDED = "not_needed", "不要"
        LATER = "later", "後日"

    status = models.CharField("状態", max_length=10, choices=Status.choices)
    marked_by = staff_field("職員")
    marked_at = models.DateTimeField("日時", auto_now=True)

    personal_data = PersonalData(other=("procedure_key", "status"))

    class Meta(CaseProcedureRow.Meta, verbose_names("窓口の処理")):
        pass

    def __str__(self) -> str:
        return f"{self.procedure_key}: {self.get_status_display()}"
