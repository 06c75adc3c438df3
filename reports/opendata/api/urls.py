"""/api/: the read-only JSON API, its OpenAPI 3 schema and its docs (served from static/)."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from reports.opendata.api import views

app_name = "api"

router = DefaultRouter()
router.include_root_view = True
router.register("reports", views.ReportViewSet, basename="report")
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("groups", views.GroupViewSet, basename="group")
router.register("citations", views.CitationViewSet, basename="citation")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file, so the CSP needs no inline
        # script; Swagger UI draws its icons as data: images, allowed on this page only.
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("", include(router.urls)),
    # Ending in a slash, so that a URL without one is still redirected to the URL with it.
    re_path(r"^.*/$", views.not_found),
]
