"""Project-wide middleware: one log line per request; requests with NUL bytes refused; a
database locked past its timeout answered 503; the language of a request."""

import json
import logging
import time
from functools import lru_cache

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware import locale
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from reports.text import UNSTORABLE, unstorable, unstorable_in

logger = logging.getLogger("archive.requests")


class RequestLogMiddleware:
    """Log method, path, status and duration of every request.

    First in MIDDLEWARE, so redirects and refusals by later middleware are logged
    too. The query string is left out: search terms are the reader's business.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info(
            "%s %s %s %.0fms",
            request.method,
            request.path,
            response.status_code,
            elapsed_ms,
        )
        return response


def refuse_nul_bytes(get_response):
    """A 400 for text PostgreSQL cannot store arriving in a request, before any view runs.

    A NUL byte in the path or the query string: no URL of the archive has one, and
    PostgreSQL refuses it in any text it is asked to compare (a 500 otherwise). A NUL or
    a lone surrogate (reports.text.unstorable) in a form's field or a JSON body: SQLite
    would store it, and a backup of that archive would not restore into PostgreSQL.
    Checked here, so every form (the admin's, inlines and fields of every kind included,
    the readers' error reports, OAI-PMH's POST) and every lookup gets the same answer.
    """

    message = "A NUL byte is not allowed in a URL."

    def middleware(request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return _refusal(request, message)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            problem = unstorable_body(request)
            if problem:
                return _refusal(request, problem)
        return get_response(request)

    return middleware


def _refusal(request, message):
    if request.path.startswith("/api/"):  # as the API's other errors
        return JsonResponse({"error": message, "fields": {}}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def unstorable_body(request):
    """What a request's form fields or JSON body hold that the archive cannot store, or "".

    Uploaded files' bytes are not text and are left to the import that reads them.
    """
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, values in request.POST.lists():
            for value in (name, *values):
                what = unstorable(value)
                if what:
                    return _(
                        "The field “%(field)s” holds %(what)s, which the archive cannot store."
                    ) % {
                        "field": UNSTORABLE.sub("?", name),
                        "what": what,
                    }
    elif request.content_type == "application/json" or request.content_type.endswith("+json"):
        try:
            found = unstorable_in(json.loads(request.body))
        except ValueError:  # not JSON: the view that reads it says so
            return ""
        if found:
            return _(
                "The JSON body holds %(what)s at “%(where)s”, which the archive cannot store."
            ) % {
                "where": found[0] or "/",
                "what": found[1],
            }
    return ""


# How long a client is asked to wait when the database was busy (Retry-After, seconds).
BUSY_RETRY_AFTER = 5


class BusyDatabaseMiddleware:
    """A 503 with Retry-After, not a 500, when SQLite stayed locked past its timeout.

    With WAL (settings.DATABASES) readers never wait for a writer; a request that writes
    (a reader's error report, a login) waits for a long import's transaction up to the
    connection's timeout, and then it is the server that is busy, not the request that
    is wrong: nothing was written, and the same request later succeeds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OperationalError) and "locked" in str(exception)):
            return None
        logger.warning("%s %s: the database stayed locked", request.method, request.path)
        if request.path.startswith("/api/"):  # as the API's other errors
            response = JsonResponse({"error": "The archive is busy.", "fields": {}}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", request=request), status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response


@lru_cache(maxsize=1)
def admin_prefix():
    return reverse("admin:index")


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, with the language chosen by the URL, or by the editor.

    - A public page (archive/urls.py's i18n_patterns) is in its URL's language: /es/...
      is Spanish, any other URL English, whatever the browser asks. Django does the
      same, but it also adds Vary: Accept-Language to the English pages, which would
      make a shared cache keep a copy per browser language of a page that never
      varies; here only a response whose language was negotiated varies.
    - The admin follows the editor's browser (Accept-Language, or the language cookie):
      Django would give every unprefixed URL, the admin's too, the default language.
    - The API, feeds, exports, OAI, sitemaps, robots.txt and healthz stay in English.
    """

    def process_request(self, request):
        path = request.path_info
        language = translation.get_language_from_path(path)
        request.language_negotiated = not language and path.startswith(admin_prefix())
        if request.language_negotiated:
            language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if getattr(request, "language_negotiated", False):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
