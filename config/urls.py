from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "おくやみナビ 管理"
admin.site.site_title = "おくやみナビ"
admin.site.index_title = "カタログと職員の管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("okuyami.urls")),
]
