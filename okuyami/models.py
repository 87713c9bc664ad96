"""Cases at the counter: the family's details, the answers, the result and the relay."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from okuyami.guide import AdjustmentAction
from procedures.models import Municipality


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "聞き取り中"
        FINALISED = "finalised", "確定"
        DONE = "done", "完了"

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="cases", verbose_name="市区町村"
    )
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.OPEN)

    deceased_name = models.CharField("亡くなった方の氏名", max_length=100)
    deceased_kana = models.CharField("亡くなった方の氏名（フリガナ）", max_length=100)
    deceased_birth_date = models.DateField("亡くなった方の生年月日", null=True, blank=True)
    death_date = models.DateField("亡くなった日")
    deceased_address = models.CharField("亡くなった方の住所", max_length=200)

    visitor_name = models.CharField("来庁者の氏名", max_length=100)
    visitor_kana = models.CharField("来庁者の氏名（フリガナ）", max_length=100)
    visitor_relation = models.CharField("亡くなった方との続柄", max_length=50)
    visitor_phone = models.CharField("来庁者の電話番号", max_length=20)
    visitor_address = models.CharField("来庁者の住所", max_length=200, blank=True)

    appointment_at = models.DateTimeField("予約日時", null=True, blank=True)
    # The 受付 form's one-time token: a double-submitted form finds the case it made.
    submission = models.UUIDField("送信の識別子", null=True, blank=True, unique=True, editable=False)

    # Answers by question key (JSON values as in the case document) and the
    # questions answered わからない. Answers of questions no longer asked are kept
    # in case they are asked again; the evaluator ignores them.
    answers = models.JSONField("回答", default=dict, blank=True)
    unknown = models.JSONField("わからない", default=list, blank=True)

    # The guide as told to the family (okuyami.guide), frozen at finalising.
    snapshot = models.JSONField("確定時の結果", null=True, blank=True)
    finalised_at = models.DateTimeField("確定日時", null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="確定した職員",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="受付者",
    )
    created_at = models.DateTimeField("受付日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    # Incremented by every write: a stale form is refused instead of overwriting.
    version = models.PositiveIntegerField("版", default=1)
    # Set by purge_cases when the retention period ran out: the personal fields are blank
    # and only what the anonymous statistics read is left (okuyami.retention).
    erased_at = models.DateTimeField("個人情報の消去日時", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "受付"
        verbose_name_plural = "受付"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["municipality", "status", "created_at"])]

    def __str__(self) -> str:
        return f"受付 {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("okuyami:case-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Adjustment(models.Model):
    """A procedure the staff added (the rules missed it) or dropped, with a note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="adjustments", verbose_name="受付")
    procedure_key = models.CharField("手続き", max_length=64)
    action = models.CharField("操作", max_length=4, choices=[(a.value, a.label) for a in AdjustmentAction])
    note = models.CharField("メモ", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="職員"
    )
    created_at = models.DateTimeField("日時", auto_now_add=True)

    class Meta:
        verbose_name = "手動の変更"
        verbose_name_plural = "手動の変更"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "procedure_key"], name="adjustment_unique")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.procedure_key}"


class Mark(models.Model):
    """The relay: a counter marks a procedure of a finalised case."""

    class Status(models.TextChoices):
        DONE = "done", "完了"
        NOT_NEEDED = "not_needed", "不要"
        LATER = "later", "後日"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="marks", verbose_name="受付")
    procedure_key = models.CharField("手続き", max_length=64)
    status = models.CharField("状態", max_length=10, choices=Status.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="職員"
    )
    marked_at = models.DateTimeField("日時", auto_now=True)

    class Meta:
        verbose_name = "窓口の処理"
        verbose_name_plural = "窓口の処理"
        constraints = [models.UniqueConstraint(fields=["case", "procedure_key"], name="mark_unique")]

    def __str__(self) -> str:
        return f"{self.procedure_key}: {self.get_status_display()}"
