"""The production settings for a server the tests start (tests/test_sqlite_wal_load.py).

bench.settings (the production settings; BENCH_NO_CACHE=1 makes every request read the
database) with static files under the names they have in static/, so the test needs no
collectstatic: serving them is not what it tests.
"""

from bench.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
