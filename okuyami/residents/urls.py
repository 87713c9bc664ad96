from django.urls import path

from okuyami.residents import views

app_name = "residents"
urlpatterns = [
    path("import/", views.extract_upload, name="import"),
    path("import/<str:code>/", views.extract_confirm, name="import-confirm"),
    path("import/<str:code>/decision/", views.extract_decide, name="import-decide"),
]
