from django.contrib import admin
from django.urls import include, path

from reports.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("reports.opendata.api.urls")),
    path("", include("reports.opendata.urls")),
    path("", include("reports.urls")),
]
