"""The operator's pages for staff memberships and the audit log."""

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from core.models import AuditEvent, StaffMembership
from core.staff import is_operator, staff_membership_set, token_expires_at


class OperatorOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(StaffMembership)
class StaffMembershipAdmin(OperatorOnlyAdmin):
    """Who works where: the operator's alone."""

    list_display = ["user", "municipality", "role"]
    list_filter = ["municipality", "role"]
    search_fields = ["user__username", "municipality__name", "municipality__code"]

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        staff_membership_set(user=obj.user, municipality=obj.municipality, role=obj.role)


@admin.register(AuditEvent)
class AuditEventAdmin(OperatorOnlyAdmin):
    """The operator reads every municipality's audit log; nobody adds, changes or deletes a record."""

    list_display = ["at", "municipality_code", "username", "action", "case_id", "detail"]
    list_filter = ["action", "municipality_code"]
    search_fields = ["username", "detail", "=case_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(TokenAdmin):
    """The operator sees whose API tokens exist and how old they are, and revokes one by deleting it.

    The keys are not shown; tokens are created only by their owner (POST /api/v1/token).
    """

    list_display = ["user", "created", "age", "expires_at"]
    readonly_fields = ["user", "created", "age", "expires_at"]
    fields = readonly_fields

    def has_module_permission(self, request):
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="経過日数")
    def age(self, token) -> str:
        return f"{(timezone.now() - token.created).days}日"

    @admin.display(description="有効期限")
    def expires_at(self, token) -> str:
        expires = token_expires_at(token.created, days=settings.OKUYAMI_TOKEN_DAYS)
        state = "（期限切れ）" if expires <= timezone.now() else ""
        return f"{timezone.localtime(expires):%Y-%m-%d %H:%M}{state}"
