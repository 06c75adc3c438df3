"""Limits on anonymous exports: a rate per client and a cap on exports running at once.

A full export reads every published row. So that a client asking for it in a loop, or
many clients at once, cannot take the database from the readers, everyone but a
logged-in staff member gets:

- a rate per client address: settings.EXPORT_RATE, counted by django-ratelimit in the
  default cache, as the error reports' form is (reports.views.report_error);
- at most settings.EXPORT_CONCURRENCY exports streaming at once across every process.
  Each export holds a slot: a key of its own in the shared cache (Redis in
  production), added while it is free and deleted when the response is finished or
  closed. A slot's key expires, so a worker that dies mid-export frees it within
  SLOT_TIMEOUT; the export that holds it renews it while it streams. (One counter
  with incr and decr would share a single expiry among every export: it would either
  forget running exports when it expired or, renewed, keep a dead worker's count.)

Past either limit the answer is a 429 with Retry-After and a JSON body saying which.
"""

import secrets
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, JsonResponse
from django_ratelimit.core import get_usage

RATE_GROUP = "open_data.export"
SLOT_KEY = "export-slot:{}"
# Seconds a slot outlives its last renewal: how long a dead worker can hold one.
SLOT_TIMEOUT = 120
# What a client is told to wait when every slot is taken: exports take seconds to minutes.
BUSY_RETRY_AFTER = 30


def export_rate(group, request):
    return settings.EXPORT_RATE


def is_unlimited(request):
    user = getattr(request, "user", None)
    return bool(user and user.is_active and user.is_staff)


def too_many(reason, retry_after, **details):
    response = JsonResponse({"error": reason, **details, "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def over_rate(request):
    """The 429 for a client past EXPORT_RATE (this request counted), or None."""
    usage = get_usage(request, group=RATE_GROUP, key="ip", rate=export_rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    # time_left is -1 when the cache could not count: no window end to point at.
    retry_after = usage["time_left"] if usage["time_left"] > 0 else BUSY_RETRY_AFTER
    return too_many(
        "Too many exports from this address; try again later.",
        retry_after,
        limit=settings.EXPORT_RATE,
    )


class Slot:
    """One of the EXPORT_CONCURRENCY places for a running export, held in the cache."""

    def __init__(self, key, token):
        self.key, self.token = key, token
        self.renewed = time.monotonic()
        self.released = False

    @classmethod
    def take(cls):
        """A free slot, now held, or None when all are taken."""
        token = secrets.token_hex(8)
        for number in range(settings.EXPORT_CONCURRENCY):
            key = SLOT_KEY.format(number)
            if cache.add(key, token, SLOT_TIMEOUT):
                return cls(key, token)
        return None

    def renew(self):
        """Keep holding the slot (at most a few times per SLOT_TIMEOUT)."""
        now = time.monotonic()
        if now - self.renewed < SLOT_TIMEOUT / 4:
            return
        self.renewed = now
        if not cache.touch(self.key, SLOT_TIMEOUT):
            # Expired while the client read slowly: hold it again if it is still free.
            cache.add(self.key, self.token, SLOT_TIMEOUT)

    def release(self):
        if self.released:
            return
        self.released = True
        # Not another export's: this one's may have expired and been taken since.
        if cache.get(self.key) == self.token:
            cache.delete(self.key)


class Holding:
    """A response's content that holds `slot` until the content is all read or the
    response is closed (StreamingHttpResponse calls close(), also when a client goes
    away mid-download)."""

    def __init__(self, content, slot):
        self.content, self.slot = content, slot

    def __iter__(self):
        try:
            for piece in self.content:
                self.slot.renew()
                yield piece
        finally:
            self.slot.release()

    def close(self):
        self.slot.release()


def limited(view):
    """Apply the export limits to an export view, staff aside."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_unlimited(request):
            return view(request, *args, **kwargs)
        refused = over_rate(request)
        if refused is not None:
            return refused
        slot = Slot.take()
        if slot is None:
            return too_many("Too many exports are running; try again shortly.", BUSY_RETRY_AFTER)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            slot.release()
            raise
        # A file already built (reports/opendata/export_files.py) reads no database.
        if response.streaming and not isinstance(response, FileResponse):
            response.streaming_content = Holding(response.streaming_content, slot)
        else:
            slot.release()
        return response

    return wrapper
