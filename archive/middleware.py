"""One log line per request, on whatever server runs the app (gunicorn, runserver)."""

import logging
import time

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
