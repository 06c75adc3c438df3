"""HTTP caching and the page cache of the public pages, keyed on the archive's change stamp.

`@public_page` wraps a reading-room view:

- ETag and Last-Modified come from ArchiveState (version, changed_at), which every
  write to the curated archive bumps (signals, and the bulk writers explicitly). A
  conditional GET (If-None-Match / If-Modified-Since) is answered 304 before the view
  runs. Cache-Control lets a proxy or CDN keep a page a minute and revalidate it.
- Anonymous GETs are served from Django's cache under (archive version, absolute URL)
  by PageCacheMiddleware, before the rest of the middleware stack runs. The URL alone
  decides a public page's language (/es/... Spanish, the rest English; LocaleMiddleware
  in archive/middleware.py), so the key needs no language and no Accept-Language.
  The version lives in the database, so a publish, an edit or an unpublish moves every
  process to new keys on its very next request; stale entries are never read again and
  expire. Only 200 responses are stored, so a 404 (a draft) or a 400 (a bad filter) is
  never cached, and a draft is never in a 200 for an anonymous reader.
- A logged-in user (an editor; any request with a session cookie) gets neither:
  pages are rendered fresh and marked private, no-store.

With read replicas (archive/routers.py) an anonymous GET reads from one replica, chosen
for the whole request, and PageCacheMiddleware reads the stamp from that replica before
anything of the page. That is why no page is ever stored under a newer version than its
content:

- A writer bumps ArchiveState in the same transaction as its change (ArchiveState.bump),
  and the bumps are serialised on the one row, so a database that shows version v shows
  every change up to v.
- A standby replays the primary's commits in order and never goes back, so whatever the
  request reads after the stamp is at least as new as v. Reads that go to the primary
  instead (after the request wrote, e.g. derived figures) are newer still.
- So the page stored under v is at v or newer, never older. A newer page under v is
  harmless: every reader of key v reads a database at v or later, and the next bump
  moves everyone to a new key. A replica that lags serves the page under its own older
  key: a reader may see the archive as it was the replica's lag ago, but never a page
  older than the version its key names, and never the pre-publish page once its replica
  has replayed the publish.

ETag and Last-Modified come from the same stamp, read first, so they hold the same
promise: a 304 confirms a copy that is at least as new as the replica's version. Readers
moving between replicas of different lag may get an older copy in full (a different
ETag), never a 304 for a copy older than what the server has.

Which cache: settings.CACHES["default"]; REDIS_URL selects Redis, shared by every
gunicorn worker (DESIGN.md). Per-process memory is acceptable as the default only
because the keys carry the version: a worker can never serve a page older than the
database says.
"""

import hashlib
import math
from functools import lru_cache, wraps
from time import time as clock

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, urlencode

from reports.models import ArchiveState

# Seconds a shared cache may keep a page before it asks again (with the ETag).
MAX_AGE = 60
# Seconds a page stays in the page cache; the version in its key retires it sooner.
PAGE_TTL = 600


def is_private(request):
    """True for a request that may see more than the public: a session, or a logged-in user."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


def stamp(version, changed_at):
    # The time as well as the version: a database restored from a backup (or a test's
    # rolled-back transaction) can reach the same version number with other content.
    return f"{version}-{int(changed_at.timestamp() * 1_000_000)}"


def page_key(request, version, changed_at, parameters):
    """The page's cache key: its URL with only the query parameters the page reads
    (`parameters`), in order of name, so junk parameters (utm_*, cache busters) cannot
    make new keys."""
    url = request.build_absolute_uri(request.path) + "?" + known_query(request.GET, parameters)
    return f"page:{stamp(version, changed_at)}:{hashlib.sha256(url.encode()).hexdigest()}"


def page_query(request, leave_out=()):
    """The query string of the parameters the request's page reads, less `leave_out`: what
    its links keep (the language switcher, the next page, the downloads). A page stored
    under its known parameters then links the same whatever else its first visitor's URL
    carried. Every parameter, for a page that is not a @public_page."""
    match = getattr(request, "resolver_match", None)
    parameters = getattr(match.func, "page_parameters", None) if match else None
    if parameters is None:
        query = request.GET.copy()
        for name in leave_out:
            query.pop(name, None)
        return query.urlencode()
    return known_query(request.GET, parameters - set(leave_out), ordered=False)


def known_query(query, parameters, ordered=True):
    """The query string of `query`'s parameters that are in `parameters` (every value of
    each), by name if `ordered`, else in the order given."""
    names = [name for name in query if name in parameters]
    return urlencode(
        [
            (name, value)
            for name in (sorted(names) if ordered else names)
            for value in query.getlist(name)
        ]
    )


def _validators(version, changed_at):
    """(ETag, Last-Modified in whole seconds) of the stamp.

    HTTP dates count whole seconds, so the time is rounded up: rounded down, a page
    sent and then changed within one second would still satisfy If-Modified-Since.
    """
    return f'"archive-{stamp(version, changed_at)}"', math.ceil(changed_at.timestamp())


def _last_modified_date(last_modified):
    # Never a date after now (RFC 9110 8.8.2.1): a page sent within the second of its
    # last change says that second's start, which the rounded-up time is always past.
    return http_date(min(last_modified, math.floor(clock())))


def _mark_public(response, etag, last_modified):
    response["ETag"] = etag
    response["Last-Modified"] = _last_modified_date(last_modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE, must_revalidate=True)
    # A shared cache keeps the anonymous page apart from an editor's.
    patch_vary_headers(response, ["Cookie"])
    return response


def _not_modified(request, etag, last_modified):
    """The 304 answer to a conditional GET these validators satisfy, or None."""
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    return None if response is None else _mark_public(response, etag, last_modified)


def public_page(view=None, *, parameters=()):
    """Give a public GET view validators, Cache-Control, 304s, and mark its page cacheable.

    `parameters` names the query parameters the page reads; any other changes nothing on
    the page, and the page cache's key leaves it out (page_key).
    """
    if view is None:
        return lambda view: public_page(view, parameters=parameters)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if is_private(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_store=True)
            return response
        # PageCacheMiddleware has read the stamp already when it looked for the page.
        version, changed_at = getattr(request, "archive_stamp", None) or ArchiveState.current()
        validators = _validators(version, changed_at)
        not_modified = _not_modified(request, *validators)
        if not_modified is not None:
            return not_modified
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or getattr(response, "streaming", False):
            return response
        # A page that issued a CSRF token or set a cookie belongs to one visitor.
        if not response.cookies and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            response.cacheable_page = True
        return _mark_public(response, *validators)

    wrapper.page_parameters = frozenset(parameters)  # also marks it a public page
    return wrapper


@lru_cache(maxsize=4096)
def _public_view(path):
    """The query parameters a @public_page view serving `path` reads, or None if no such
    view serves it (remembered: resolving it on every request would be a sizeable part of
    a page cache hit).

    This runs before LocaleMiddleware, in whatever language the thread last served, and
    the language prefix patterns resolve in the active language: /es/... is resolved in
    Spanish, any other path in the default language, as LocaleMiddleware will.
    """
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            return getattr(resolve(path).func, "page_parameters", None)
        except Resolver404:
            return None


class PageCacheMiddleware:
    """Serve anonymous GETs of public pages from the page cache, high in the stack.

    Just below SecurityMiddleware (its HTTPS redirect and headers apply to every
    answer): a hit skips the session, CSRF, auth, messages, history and axes
    middlewares and the view, and replays the headers they set on the stored page
    (CSP, X-Frame-Options, Vary, validators). A page is stored on its way out, after
    those middlewares, only if @public_page marked it cacheable and nothing set a cookie.
    A request with a session cookie (an editor) never reads or writes the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        parameters = _public_view(request.path_info)
        if parameters is None:
            return self.get_response(request)
        # From the database the page will be read from (a replica for a public read), and
        # before the page: its content is then at least as new as its key (docstring).
        version, changed_at = request.archive_stamp = ArchiveState.current()
        key = page_key(request, version, changed_at, parameters)
        cached = cache.get(key)
        if cached is not None:
            etag, last_modified = _validators(version, changed_at)
            not_modified = _not_modified(request, etag, last_modified)
            if not_modified is not None:
                return not_modified
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            # Dated now: stored within the second of the change, it said that second.
            response["Last-Modified"] = _last_modified_date(last_modified)
            return response
        response = self.get_response(request)
        if getattr(response, "cacheable_page", False) and not response.cookies:
            cache.set(key, (response.content, list(response.items())), PAGE_TTL)
        return response
