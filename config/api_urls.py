"""/api/v1/: the public catalog API and the authenticated counter API."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from okuyami import api as counter
from procedures import api as catalog

urlpatterns = [
    path("municipalities/", catalog.MunicipalityListApi.as_view(), name="municipality-list"),
    path("municipalities/<str:code>/catalog", catalog.CatalogApi.as_view(), name="municipality-catalog"),
    path(
        "municipalities/<str:code>/catalog/bundle",
        catalog.CatalogBundleApi.as_view(),
        name="municipality-catalog-bundle",
    ),
    re_path(r"^municipalities/(?P<code>[^/]+)/evaluate/?$", catalog.EvaluateApi.as_view(), name="evaluate"),
    path("catalog", catalog.CatalogExportApi.as_view(), name="catalog-export"),
    path("catalog/bundle", catalog.CatalogBundleExportApi.as_view(), name="catalog-bundle"),
    path("catalog/import", catalog.CatalogImportApi.as_view(), name="catalog-import"),
    path("cases/", counter.CaseListApi.as_view(), name="case-list"),
    path("cases/<int:pk>/", counter.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<int:pk>/answers", counter.CaseAnswersApi.as_view(), name="case-answers"),
    path("cases/<int:pk>/result", counter.CaseResultApi.as_view(), name="case-result"),
    path("cases/<int:pk>/finalise", counter.CaseFinaliseApi.as_view(), name="case-finalise"),
    path("cases/<int:pk>/reopen", counter.CaseReopenApi.as_view(), name="case-reopen"),
    path("cases/<int:pk>/cancel", counter.CaseCancelApi.as_view(), name="case-cancel"),
    path("cases/<int:pk>/marks", counter.CaseMarksApi.as_view(), name="case-marks"),
    re_path(
        r"^cases/(?P<pk>[0-9]+)/(?P<document>checklist|route|application|forms)\.pdf$",
        counter.CasePdfApi.as_view(),
        name="case-pdf",
    ),
    path("token", counter.TokenApi.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from a URL: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
