"""公開ページの設定 in the admin: a municipality's 編集者 turns its families' pre-check on or off
and edits its greeting and booking number; the operator does so for every municipality."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.staff import is_operator
from okuyami.precheck import services
from okuyami.precheck.models import PublicPage
from procedures.admin import MunicipalityScopedAdmin
from procedures.selectors import editor_municipality


@admin.register(PublicPage)
class PublicPageAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    fields = ["municipality_shown", *services.PUBLIC_PAGE_FIELDS, "public_url"]
    readonly_fields = ["municipality_shown", "public_url"]
    list_display = ["municipality_shown", "precheck_enabled", "precheck_phone"]
    list_filter = ["precheck_enabled"]
    search_fields = ["code", "name"]
    ordering = ["code"]

    # The scope is the municipality itself (catalog_scope knows the catalog models, not this proxy).
    def get_queryset(self, request):
        pages = admin.ModelAdmin.get_queryset(self, request)
        if is_operator(request.user):
            return pages
        own = editor_municipality(request.user)
        return pages.filter(pk=own.pk) if own is not None else pages.none()

    def may_edit(self, request, obj=None) -> bool:
        if not super().may_edit(request):
            return False
        if obj is None or is_operator(request.user):
            return True
        return obj.pk == editor_municipality(request.user).pk

    def has_add_permission(self, request, obj=None):
        return False  # a page comes with its municipality

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="市区町村")
    def municipality_shown(self, obj):
        return str(obj)

    @admin.display(description="公開ページのアドレス")
    def public_url(self, obj):
        url = reverse("precheck:start", args=[obj.code])
        return (
            format_html('<a href="{}">{}</a>', url, url) if obj.precheck_enabled else "（公開していません）"
        )

    def save_model(self, request, obj, form, change):
        services.public_page_set(municipality=obj, user=request.user, changed=form.changed_data)
