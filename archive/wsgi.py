"""WSGI entry point: `gunicorn archive.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()

from django.template import engines  # noqa: E402 (needs the settings above)

from archive.jinja2 import compile_templates  # noqa: E402

compile_templates(engines["jinja2"].env)

# The objects Django and the archive create at start-up (modules, URL patterns, models,
# the compiled templates) live as long as the process: moved out of the collector's reach, a full
# collection during a request walks only what requests created, which keeps such a
# request's latency, and so the pages' p99, down (bench/RESULTS.md).
gc.freeze()
