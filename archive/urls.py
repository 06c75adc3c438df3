from django.conf.urls.i18n import i18n_patterns
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
]
# The reading room's pages, in English at their own URLs and in Spanish under /es/. The
# machine-readable surfaces above (API, feeds, exports, OAI, sitemaps, robots) stay
# unprefixed and in English: one stable URL each, nothing a reader's language changes. The
# admin is unprefixed too, in the editor's browser language (archive/middleware.py).
urlpatterns += i18n_patterns(
    path("", include("reports.urls")),
    prefix_default_language=False,
)
