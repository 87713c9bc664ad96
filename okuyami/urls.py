from django.contrib.auth import views as auth_views
from django.urls import path

from okuyami import staff_views, views
from okuyami.residents import counter_views

app_name = "okuyami"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="okuyami/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/new/records/", counter_views.search, name="case-records"),
    path("cases/new/records/open/", counter_views.from_record, name="case-from-record"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/copy/", views.case_copy, name="case-copy"),
    path("cases/<int:pk>/cancel/", views.cancel, name="case-cancel"),
    path("cases/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("cases/<int:pk>/editions/<int:edition>/", views.case_edition, name="case-edition"),
    path("cases/<int:pk>/questions/", views.questions_start, name="questions"),
    path("cases/<int:pk>/questions/<slug:key>/", views.question, name="question"),
    path("cases/<int:pk>/answers/", views.answers, name="answers"),
    path("cases/<int:pk>/result/", views.result, name="result"),
    path("cases/<int:pk>/adjust/", views.adjust, name="adjust"),
    path("cases/<int:pk>/finalise/", views.finalise, name="finalise"),
    path("cases/<int:pk>/marks/", views.mark, name="mark"),
    path("cases/<int:pk>/print/forms.pdf", views.print_forms, name="print-forms"),
    path(
        "cases/<int:pk>/print/forms/<slug:procedure>-<int:number>.pdf", views.print_forms, name="print-form"
    ),
    path("cases/<int:pk>/print/<slug:document>/", views.print_preview, name="print-preview"),
    path("cases/<int:pk>/print/<slug:document>.pdf", views.print_pdf, name="print-pdf"),
    path("relay/", views.relay, name="relay"),
    path("password/", staff_views.password_change, name="password-change"),
    path("statistics/", staff_views.statistics, name="statistics"),
    path("audit/", staff_views.audit_log, name="audit-log"),
    path("lockouts/", staff_views.lockouts, name="lockouts"),
]
