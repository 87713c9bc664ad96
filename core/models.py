"""Staff and their roles, and the audit log: what both the catalog and the counter need.

The municipality is the catalog's (`procedures.Municipality`); these models point at it
by its label, so that this package imports neither app.
"""

from django.conf import settings
from django.db import models

from core.personal import PersonalData

MUNICIPALITY_MODEL = "procedures.Municipality"


def verbose_names(name: str) -> type:
    """A base for a model's Meta naming it in Japanese: one name, singular and plural alike
    (Django would otherwise add an English "s" to the plural)."""
    return type("Meta", (), {"verbose_name": name, "verbose_name_plural": name})


def municipality_field(related_name: str, *, on_delete=models.CASCADE, one: bool = False, **options):
    """The municipality a row belongs to: the key every tenant's data hangs from (`one`: at most
    one row per municipality)."""
    field = models.OneToOneField if one else models.ForeignKey
    return field(
        MUNICIPALITY_MODEL, on_delete=on_delete, related_name=related_name, verbose_name="市区町村", **options
    )


def staff_field(verbose_name: str, *, blank: bool = False) -> models.ForeignKey:
    """The staff account that did something. The record outlives the account (SET_NULL); where
    the name must outlive it too, a `username` is kept beside it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name="+",
        verbose_name=verbose_name,
    )


class StaffMembership(models.Model):
    """A staff account belongs to one municipality, with one role."""

    class Role(models.TextChoices):
        COUNTER = "counter", "窓口"
        EDITOR = "editor", "編集者"
        # Reads the municipality's audit log and statistics; sees no case and edits no catalog.
        MANAGER = "manager", "管理者"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name="ユーザー"
    )
    municipality = municipality_field("members")
    role = models.CharField("役割", max_length=10, choices=Role.choices)
    # A password handed out (create_trial) must be replaced at the next login.
    must_change_password = models.BooleanField("次回ログイン時にパスワードの変更が必要", default=False)

    personal_data = PersonalData(other=("role",))

    class Meta(verbose_names("職員の所属")):
        pass

    def __str__(self) -> str:
        return f"{self.user} ({self.municipality.code} {self.get_role_display()})"


class AuditRecordImmutable(Exception):
    """An audit record is written once and never changed or deleted by the application."""


class AuditEvent(models.Model):
    """Who viewed, printed, exported, changed or erased a case, or changed a catalog.

    Written by one service (`core.audit.audit`) that both apps call. The text never holds
    a family's personal data: a case is named by its number only, a catalog change by its items.
    """

    class Action(models.TextChoices):
        VIEW = "view", "閲覧"
        PRINT = "print", "印刷"
        EXPORT = "export", "書き出し"
        CHANGE = "change", "変更"
        ERASE = "erase", "消去"
        CATALOG_CHANGE = "catalog_change", "カタログの変更"

    # The municipality and the user may be deleted later; the record keeps their code and name.
    municipality = municipality_field("+", on_delete=models.SET_NULL, null=True)
    municipality_code = models.CharField("団体コード", max_length=6)
    user = staff_field("職員", blank=True)
    username = models.CharField("職員（記録時）", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    case_id = models.PositiveBigIntegerField("受付番号", null=True, blank=True)
    detail = models.CharField("内容", max_length=200, blank=True)
    at = models.DateTimeField("日時", db_index=True)

    # Who acted is kept for accountability; the detail never holds a family's data (tested).
    personal_data = PersonalData(staff=("username",), other=("municipality_code", "action", "detail"))

    class Meta(verbose_names("操作記録")):
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["municipality", "at"], name="audit_municipality_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRecordImmutable("an audit record cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRecordImmutable("an audit record cannot be deleted")
