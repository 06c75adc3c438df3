"""The production settings plus a bare view (the framework's ceiling), for `make bench` only.

BENCH_NO_CACHE=1 swaps every cache for DummyCache and keeps no built export file:
the "cold" runs measure pages with no page cache at all, and an export streamed
from the database on every request.
"""

import os

from archive.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_NO_CACHE") == "1":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003"]  # noqa: F405 (nothing to limit here)
    EXPORT_CACHE_DIR = ""
