"""The URL map: the admin, the API, the families' pre-check, the counter screens, health checks and
error handlers."""

from django.contrib import admin
from django.urls import include, path

from core.web import API_PREFIX, health

admin.site.site_header = "おくやみナビ 管理"
admin.site.site_title = "おくやみナビ"
admin.site.index_title = "カタログと職員の管理"

urlpatterns = [
    path("healthz", health.ready, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("admin/", admin.site.urls),
    path(f"{API_PREFIX.lstrip('/')}v1/", include(("config.api_urls", "api"))),
    path("records/", include("okuyami.residents.urls")),
    path("", include("okuyami.precheck.urls")),
    path("", include("okuyami.urls")),
]

handler400 = "core.web.error_pages.bad_request"
handler404 = "core.web.error_pages.not_found"
handler500 = "core.web.error_pages.server_error"
