"""Read replicas: which database each query of a request goes to.

DATABASE_REPLICA_URLS (settings) adds PostgreSQL standbys as `replica_1`, `replica_2`, ...
ReadReplicaMiddleware decides, once per request, where that request reads:

- a replica, chosen at random, for an anonymous GET or HEAD outside the admin (whose
  start page is the editors' desk): a reader of published content, who may see the
  archive as it was a replica's lag ago;
- the primary for everything else: the admin, any other method, any request with a
  session cookie (an editor, who must see at once what was just published), and a
  browser for REPLICA_PIN_SECONDS after a request of its that wrote (a signed cookie:
  an editor who just logged out, a reader who just sent an error report, see their own
  change);
- the primary outside requests (management commands, the shell): the context variable
  that holds the choice is unset there.

ReplicaRouter then sends every write to the primary, and with it every later read of the
same request: once a request has written, it reads what it wrote. Only the `reports`
app's tables (the published archive) are read from a replica; sessions, users, the
admin's log and the login throttle always come from the primary. Migrations run on the
primary alone; the replicas get them by replication.

A request's replica is fixed for its whole life, so everything it reads (the archive's
version first, then the page) comes from one database whose replay only moves forward:
reports/caching.py relies on that to never store a page older than its key.

The choice lives in a context variable holding a mutable object: set by the middleware,
it follows the request into sync_to_async threads under ASGI, and a write noted there is
seen by the middleware (the object is shared, not copied).
"""

import random
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from archive.middleware import admin_prefix

PRIMARY = DEFAULT_DB_ALIAS
# The apps whose tables hold what readers read; anything else is read from the primary.
REPLICA_APPS = frozenset({"reports"})
PIN_COOKIE = "archive_primary"
PIN_SALT = "archive.routers.pin"


@dataclass
class Reading:
    """Where one request reads: its replica (None: the primary) until it writes."""

    replica: str | None = None
    wrote: bool = False

    @property
    def alias(self):
        return PRIMARY if self.wrote or self.replica is None else self.replica


_reading = ContextVar("archive_reading", default=None)


def read_alias():
    """The database this request reads the archive from (the primary outside requests)."""
    reading = _reading.get()
    return PRIMARY if reading is None else reading.alias


class ReadingConnection:
    """django.db.connection for the archive's raw-SQL reads (search, list rows, counts):
    the connection of the database this request reads the archive from, so a page's raw
    queries and its ORM queries read one database."""

    def __getattr__(self, name):
        return getattr(connections[read_alias()], name)


reading_connection = ReadingConnection()


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS, only when replicas exist)."""

    def db_for_read(self, model, **hints):
        alias = read_alias()
        if alias == PRIMARY or model._meta.app_label not in REPLICA_APPS:
            return PRIMARY
        # Related rows of an object read from the primary come from the primary too.
        instance = hints.get("instance")
        if instance is not None and instance._state.db == PRIMARY:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        reading = _reading.get()
        if reading is not None:
            reading.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows: objects of any of them may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def choose_replica(request):
    """The replica alias `request` reads from, or None for the primary."""
    replicas = settings.DATABASE_REPLICAS
    if not replicas or request.method not in ("GET", "HEAD"):
        return None
    if request.path_info.startswith(admin_prefix()):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or pinned(request):
        return None
    return random.choice(replicas)  # noqa: S311 (spreading load, not a secret)


def pinned(request):
    """True while the browser's signed pin cookie (set after a write) is fresh."""
    if PIN_COOKIE not in request.COOKIES:
        return False
    value = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
    )
    return value is not None


class ReadReplicaMiddleware:
    """Choose where the request reads (choose_replica), for the router and the page cache;
    pin a browser to the primary for a while after a request of its that wrote.

    A streamed body is produced after this returns, and reads from the primary.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        reading = Reading(replica=choose_replica(request))
        token = _reading.set(reading)
        try:
            response = self.get_response(request)
        finally:
            _reading.reset(token)
        # Only a change of the reader's own (a POST, ...) pins: a GET may write derived
        # figures (reports/figures.py), which pin nothing and must not cost the page's
        # cacheability.
        if reading.wrote and request.method not in ("GET", "HEAD"):
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
