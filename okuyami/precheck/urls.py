"""The families' pre-check at /check/ (public), and the counter's コードから始める."""

from django.urls import path, re_path

from okuyami.precheck import counter, views

app_name = "precheck"
urlpatterns = [
    path("check/", views.index, name="index"),
    path("check/<str:code>/", views.start, name="start"),
    path("check/<str:code>/death/", views.death, name="death"),
    path("check/<str:code>/age/", views.age, name="age"),
    path("check/<str:code>/questions/<slug:key>/", views.question, name="question"),
    path("check/<str:code>/answers/", views.answers, name="answers"),
    path("check/<str:code>/result/", views.result, name="result"),
    path("check/<str:code>/checklist.pdf", views.checklist_pdf, name="checklist-pdf"),
    path("check/<str:code>/code/new/", views.code_issue, name="code-issue"),
    path("check/<str:code>/code/", views.code, name="code"),
    path("check/<str:code>/forget/", views.forget, name="forget"),
    # Anything else under /check/ is the public 404, not the counter's.
    re_path(r"^check/", views.not_found_page),
    path("cases/new/from-code/", counter.case_from_code, name="case-from-code"),
]
