"""WSGI entry point: `gunicorn archive.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()


def load_what_requests_would():
    """Do at start-up what the first requests would otherwise do lazily: import every
    view and what it imports, index the URLconf, set up both template engines (Django's
    imports its tag libraries) and compile every public template."""
    from django.template import engines
    from django.urls import get_resolver

    from archive.jinja2 import compile_templates

    get_resolver().reverse_dict  # noqa: B018 (reading it populates the resolver)
    engines.all()
    compile_templates(engines["jinja2"].env)


load_what_requests_would()

# What start-up created (modules, URL patterns, models, compiled templates) lives as long
# as the process: moved out of the collector's reach, a full collection during a request
# walks only what requests created, which keeps such a request's latency, and so the
# pages' p99, down (bench/RESULTS.md). Anything loaded lazily by a first request instead
# would stay in reach, so load_what_requests_would() runs first.
gc.freeze()
