from django.contrib import admin
from django.urls import include, path

from config import health

admin.site.site_header = "おくやみナビ 管理"
admin.site.site_title = "おくやみナビ"
admin.site.index_title = "カタログと職員の管理"

urlpatterns = [
    path("healthz", health.ready, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api_urls", "api"))),
    path("", include("okuyami.urls")),
]

handler400 = "config.api.api_bad_request"
handler404 = "config.api.api_not_found"
handler500 = "config.api.api_server_error"
