from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from reports.health import healthz


def favicon(request):
    """Clients that ask for /favicon.ico without reading the page's icon link get it too."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/", include("reports.opendata.api.urls")),
    path("", include("reports.opendata.urls")),
    path("", include("reports.urls")),
]
