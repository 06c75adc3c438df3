"""WSGI entry point: `gunicorn archive.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()

# The ~170,000 objects Django and the archive create at start-up (modules, URL patterns,
# models) live as long as the process: moved out of the collector's reach, a full
# collection during a request walks only what requests created, which keeps such a
# request's latency, and so the pages' p99, down (bench/RESULTS.md).
gc.freeze()
