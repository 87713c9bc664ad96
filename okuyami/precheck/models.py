"""What the pre-check keeps on the server: 受付コード, and the public pages' rate-limit counts.

Nothing else: until a family asks for a code, its answers live only in its own browser (a signed
cookie, okuyami.precheck.state).
"""

from django.db import models

from core.models import municipality_field, verbose_names
from core.personal import Erase, Personal, PersonalData
from okuyami.models import Case
from okuyami.precheck.codes import LENGTH
from procedures.models import Municipality


class PrecheckCode(models.Model):
    """A 受付コード: the answers a family gave at home and the two facts the rules need (the date of
    death and the age at death), for the counter to load into a new case. No name, address,
    birth date, contact or anything about the device that asked for it."""

    municipality = municipality_field("+")
    code = models.CharField("受付コード", max_length=LENGTH, unique=True)
    death_date = models.DateField("亡くなった日")
    # The age in completed years on the day of death, as the family gave it; null when they
    # answered わからない or the catalog has no rule that reads the age.
    age = models.PositiveSmallIntegerField("亡くなった時の年齢", null=True, blank=True)
    answers = models.JSONField("回答", default=dict, blank=True)
    unknown = models.JSONField("わからない", default=list, blank=True)
    created_at = models.DateTimeField("発行日時")
    expires_at = models.DateTimeField("有効期限", db_index=True)
    used_at = models.DateTimeField("使用日時", null=True, blank=True)
    # The case the counter made from it: its answers page marks those still as given at home.
    case = models.OneToOneField(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="precheck", verbose_name="受付"
    )

    # The answers describe the household's health, income and property, but name no one; the
    # whole row is deleted when the code expires (purge_cases), used or not.
    personal_data = PersonalData(
        fields={
            "answers": Personal(Erase.EMPTY_OBJECT),
            "unknown": Personal(Erase.EMPTY_LIST),
            "death_date": Personal(Erase.MONTH),
            "age": Personal(Erase.NULL),
        },
        other=("code",),
    )

    class Meta(verbose_names("受付コード")):
        pass

    def __str__(self) -> str:
        return f"受付コード {self.pk}"

    @property
    def is_used(self) -> bool:
        return self.used_at is not None


class RateCount(models.Model):
    """Requests in one fixed window, for one limit and one client: every app server counts here.

    `client` is a keyed hash (HMAC with the secret key) of the address or the staff user, never
    the address itself; purge_cases deletes the windows that have ended.
    """

    scope = models.CharField("制限", max_length=20)
    client = models.CharField("相手（ハッシュ）", max_length=64)
    started = models.BigIntegerField("窓の開始（UNIX秒）")
    count = models.PositiveIntegerField("回数", default=0)

    personal_data = PersonalData(other=("scope", "client"))

    class Meta(verbose_names("回数制限の記録")):
        constraints = [
            models.UniqueConstraint(fields=["scope", "client", "started"], name="precheck_rate_window_unique")
        ]
        indexes = [models.Index(fields=["started"], name="precheck_rate_started_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.started}"


class PublicPage(Municipality):
    """The municipality's public page settings, edited in the admin by its 編集者 and the operator
    (the fields are the municipality's own)."""

    class Meta(verbose_names("公開ページの設定")):
        proxy = True
