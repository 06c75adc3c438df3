"""The archive's URLs plus /bench/bare/, a view doing no work, served the same way."""

from django.http import HttpResponse
from django.urls import path

from archive.urls import urlpatterns as archive_urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


# Spliced in, not include()d: Django refuses i18n_patterns in an included URLconf.
urlpatterns = [path("bench/bare/", bare), *archive_urlpatterns]
