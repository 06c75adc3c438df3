"""HTTP validators, 304s and the page cache of the public pages (reports/caching.py)."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.db.models import F
from django.urls import reverse

from reports import caching
from reports.models import ArchiveState, Incident, Status
from tests.factories import make_incident, make_user
from tests.test_import_incidents import BOMB, run, write

LIST = "/incidents/"


def titles(response):
    return [incident.title for incident in response.context["page_obj"]]


def test_public_page_sends_validators_and_cache_control(client, db):
    make_incident(title="Car bomb")
    response = client.get(LIST)
    assert response["ETag"].startswith('"archive-')
    assert response["Last-Modified"].endswith("GMT")
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_conditional_get_answers_304_until_the_archive_changes(client, db):
    incident = make_incident(title="Car bomb")
    # Changed a while ago: within the second of a change no If-Modified-Since can match.
    ArchiveState.objects.update(changed_at=datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC))
    first = client.get(LIST)
    assert first["Last-Modified"] == "Fri, 02 Jan 2026 03:04:06 GMT"  # rounded up
    assert client.get(LIST, headers={"If-None-Match": first["ETag"]}).status_code == 304
    since = client.get(LIST, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    incident.title = "Car bomb in Lima"
    incident.save()
    again = client.get(LIST, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200 and titles(again) == ["Car bomb in Lima"]


def test_a_change_within_the_second_of_a_page_is_not_hidden_by_if_modified_since(
    client, db, monkeypatch
):
    make_incident(title="Car bomb")
    second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    ArchiveState.objects.update(changed_at=second + timedelta(microseconds=200_000))
    monkeypatch.setattr(caching, "clock", lambda: second.timestamp() + 0.5)
    first = client.get(LIST)
    assert first["Last-Modified"] == "Fri, 02 Jan 2026 03:04:05 GMT"  # not after now

    # Another edit 0.2 s later, in the same second; no ETag, as a cache might send.
    Incident.objects.update(title="Car bomb in Lima")
    ArchiveState.objects.update(
        version=F("version") + 1, changed_at=second + timedelta(microseconds=700_000)
    )
    since = client.get(LIST, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 200 and b"Car bomb in Lima" in since.content

    monkeypatch.setattr(caching, "clock", lambda: second.timestamp() + 3)
    later = client.get(LIST)
    assert later["Last-Modified"] == "Fri, 02 Jan 2026 03:04:06 GMT"
    assert (
        client.get(LIST, headers={"If-Modified-Since": later["Last-Modified"]}).status_code == 304
    )


def test_publish_edit_and_unpublish_show_on_the_very_next_request(client, db):
    incident = make_incident(title="Car bomb", status=Status.DRAFT)
    assert titles(client.get(LIST)) == []  # the empty list is now cached
    assert client.get(LIST).context is None  # served from the page cache: no template ran
    incident.set_status(Status.PUBLISHED)
    incident.save()
    assert titles(client.get(LIST)) == ["Car bomb"]
    incident.title = "Car bomb in Lima"
    incident.save()
    assert titles(client.get(LIST)) == ["Car bomb in Lima"]
    incident.set_status(Status.DRAFT)
    incident.save()
    assert titles(client.get(LIST)) == []
    assert client.get(incident.get_absolute_url()).status_code == 404


def test_a_draft_is_never_served_from_the_cache(client, db):
    incident = make_incident(title="Secret plan", status=Status.DRAFT)
    for _ in range(2):
        assert client.get(incident.get_absolute_url()).status_code == 404
    # Changed without any signal: only an uncached answer can still be a 404.
    Incident.objects.filter(pk=incident.pk).update(status=Status.PUBLISHED)
    assert client.get(incident.get_absolute_url()).status_code == 200


def test_errors_are_not_cached(client, db):
    assert client.get(LIST, {"year": "abc"}).status_code == 400
    assert client.get(LIST, {"year": "abc"}).context is not None  # rendered again
    assert client.get("/incidents/no-such-incident/").status_code == 404


def test_logged_in_users_get_fresh_private_pages(client, db):
    make_incident(title="Car bomb")
    client.get(LIST)  # cached for anonymous readers
    # A change that sends no signal leaves the anonymous page cached...
    Incident.objects.update(title="Changed quietly")
    assert b"Changed quietly" not in client.get(LIST).content
    client.force_login(make_user("editor", role="Editors"))
    response = client.get(LIST)
    assert titles(response) == ["Changed quietly"]  # ...but an editor sees the database
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_bulk_import_bumps_the_archive_version(tmp_path, db):
    before = ArchiveState.current()
    run(write(tmp_path, BOMB))
    assert ArchiveState.current()[0] > before[0]


def redis_url():
    # A database of its own: the fixture empties it (FLUSHDB) before and after.
    return os.environ.get("ARCHIVE_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(redis_url(), socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"Redis is not reachable at {redis_url()} ({error})")
    settings.CACHES = {
        "default": {
            "BACKEND": "archive.cache.ReusingRedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": "archive-tests",
        }
    }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_page_cache_works_in_redis(client, db, redis_cache):
    incident = make_incident(title="Car bomb")
    assert titles(client.get(reverse("reports:incident-list"))) == ["Car bomb"]
    response = client.get(reverse("reports:incident-list"))
    assert response.context is None and b"Car bomb" in response.content  # from Redis
    incident.title = "Car bomb in Lima"
    incident.save()
    assert titles(client.get(reverse("reports:incident-list"))) == ["Car bomb in Lima"]


def test_a_cache_hit_is_answered_high_in_the_stack(client, db, django_assert_num_queries):
    make_incident(title="Car bomb")
    first = client.get(LIST)
    with django_assert_num_queries(1):  # the archive stamp; no session, no view
        hit = client.get(LIST)
    assert hit.context is None and hit.content == first.content
    # The headers the middlewares below it set travel with the stored page.
    for header in ("Content-Security-Policy", "X-Frame-Options", "ETag", "Cache-Control", "Vary"):
        assert hit[header] == first[header], header
    assert not hasattr(hit.wsgi_request, "user")  # AuthenticationMiddleware did not run
    assert client.get(LIST, headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_only_public_pages_are_stored(client, db):
    # The admin login page and an unknown URL go through the whole stack every time.
    for url in ("/admin/login/", "/no-such-page/"):
        for _ in range(2):
            response = client.get(url)
            assert response.context is not None or response.status_code == 404
            assert hasattr(response.wsgi_request, "user"), url


def test_a_reader_with_a_session_cookie_never_gets_a_stored_page(client, db):
    make_incident(title="Car bomb")
    client.get(LIST)
    client.cookies["sessionid"] = "not-a-real-session"
    response = client.get(LIST)
    assert response.context is not None  # rendered, not read from the cache
    assert "private" in response["Cache-Control"]


def page_entries():
    """The page cache's stored pages (the tests' cache is Django's memory cache)."""
    return [key for key in caches["default"]._cache if ":page:" in key]


def test_junk_parameters_cannot_flood_the_page_cache(client, db):
    make_incident(title="Car bomb")
    first = client.get(f"{LIST}?country=PE")
    for number in range(1000):
        response = client.get(f"{LIST}?utm_source=x{number}&country=PE&_={number}")
        assert response.status_code == 200
    assert len(page_entries()) == 1
    assert response.content == first.content  # served from the one entry
    # The page's own parameters do make a page of their own, in whatever order.
    client.get(f"{LIST}?country=PE&page=1")
    client.get(f"{LIST}?page=1&country=PE")
    assert len(page_entries()) == 2
    # A detail page reads no parameter at all.
    incident = Incident.objects.get()
    for number in range(50):
        client.get(f"{incident.get_absolute_url()}?fbclid={number}")
    assert len(page_entries()) == 3


def test_a_page_stored_under_its_known_parameters_links_without_the_others(client, db):
    make_incident(title="Car bomb")
    html = client.get(f"{LIST}?utm_campaign=spam&country=PE").content.decode()
    assert "utm_campaign" not in html
    assert "export.csv?country=PE" in html
