"""The archive's URLs plus /bench/bare/, a view doing no work, served the same way."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("archive.urls")),
]
