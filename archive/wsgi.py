"""WSGI entry point: `gunicorn archive.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import URLResolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()


def index_urls(resolver):
    """Index `resolver` and the resolvers included in it, in the active language: each
    keeps an index per language, built by the first reverse() that needs it."""
    resolver.reverse_dict  # noqa: B018 (reading it populates the resolver)
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            index_urls(pattern)


def load_what_requests_would():
    """Do at start-up what the first requests would otherwise do lazily: import every
    view and what it imports, index the URLconf, set up both template engines (Django's
    imports its tag libraries and loaders), compile every public template, and load
    each language's catalogues (activating it does), formats and country names."""
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import formats, translation
    from django.utils.module_loading import import_string

    from archive.jinja2 import compile_templates
    from reports.countries import local_country_name

    engines.all()
    engines["django"].engine.template_loaders  # noqa: B018 (reading it makes them)
    compile_templates(engines["jinja2"].env)
    # What the middlewares import on their first request.
    import_string(settings.MESSAGE_STORAGE)
    import_string(settings.SESSION_SERIALIZER)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            index_urls(get_resolver())
            formats.get_format("DATE_FORMAT")
            local_country_name("PE", "Peru", language)


load_what_requests_would()

# What start-up created (modules, URL patterns, models, compiled templates) lives as long
# as the process: moved out of the collector's reach, a full collection during a request
# walks only what requests created, which keeps such a request's latency, and so the
# pages' p99, down (bench/RESULTS.md). Anything loaded lazily by a first request instead
# would stay in reach, so load_what_requests_would() runs first.
gc.freeze()
