"""Anonymous exports are limited (a rate per client, a cap on exports at once), staff are
not; an unfiltered export is sent from a file built once per archive version."""

import json
import time
from pathlib import Path

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse

from reports.opendata import export_files as export_files_module
from reports.opendata import limits
from tests.factories import make_incident, make_user
from tests.open_data_helpers import archive_with_drafts

LIST_EXPORT = "/incidents/export.csv?country=PE"
SEARCH_EXPORT = "/search/export.csv?q=kidnapped&kind=incidents"


@pytest.fixture
def archive(db):
    return archive_with_drafts()


def body(response):
    return b"".join(response.streaming_content)


def close(response, monkeypatch):
    """Close a response, as the server does when its client goes away, keeping the test's
    database connection (which the end of a request closes, in a test's transaction)."""
    with monkeypatch.context() as patch:
        patch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
        response.close()


def assert_too_many(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]
    assert response.json()["retry_after"] == int(response["Retry-After"])


def hold_every_slot(settings, count=2):
    settings.EXPORT_CONCURRENCY = count
    slots = [limits.Slot.take() for _ in range(count)]
    assert None not in slots
    return slots


# --- The rate per client ------------------------------------------------------------


def test_a_client_asking_again_and_again_is_refused_past_the_rate(client, archive, settings):
    settings.EXPORT_RATE = "3/h"
    answers = [client.get(LIST_EXPORT) for _ in range(10)]

    for response in answers[:3]:
        assert response.status_code == 200
        body(response)
    for response in answers[3:]:
        assert_too_many(response)
    assert answers[3].json()["limit"] == "3/h"
    # Every export counts against one rate: the search's downloads too.
    assert_too_many(client.get(SEARCH_EXPORT))
    assert_too_many(client.get("/groups/export.json"))
    # Another address has a rate of its own.
    assert client.get(LIST_EXPORT, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_search_downloads_are_limited_by_the_rate(client, archive, settings):
    settings.EXPORT_RATE = "2/h"
    for _ in range(2):
        response = client.get(SEARCH_EXPORT)
        assert response.status_code == 200
        body(response)
    assert_too_many(client.get(SEARCH_EXPORT))


# --- Exports at once ------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST_EXPORT, SEARCH_EXPORT])
def test_with_every_slot_taken_an_export_is_refused_until_one_is_free(
    client, archive, settings, url
):
    slots = hold_every_slot(settings)

    response = client.get(url)
    assert_too_many(response)
    assert response["Retry-After"] == str(limits.BUSY_RETRY_AFTER)
    slots[0].release()
    response = client.get(url)
    assert response.status_code == 200
    body(response)


def test_a_streaming_export_holds_its_slot_until_it_is_read(client, archive, settings):
    settings.EXPORT_CONCURRENCY = 1
    first = client.get(LIST_EXPORT)
    assert first.status_code == 200

    assert_too_many(client.get(SEARCH_EXPORT))
    body(first)
    second = client.get(SEARCH_EXPORT)
    assert second.status_code == 200
    body(second)


def test_an_export_closed_midway_frees_its_slot(client, archive, settings, monkeypatch):
    """A client gone mid-download: the server closes the response."""
    settings.EXPORT_CONCURRENCY = 1
    first = client.get(LIST_EXPORT)
    pieces = iter(first.streaming_content)
    next(pieces)
    assert_too_many(client.get(LIST_EXPORT))

    close(first, monkeypatch)
    assert client.get(LIST_EXPORT).status_code == 200


def test_an_export_that_fails_frees_its_slot(client, archive, settings):
    settings.EXPORT_CONCURRENCY = 1
    assert client.get("/incidents/export.csv?year=abc").status_code == 400
    response = client.get(LIST_EXPORT)
    assert response.status_code == 200
    body(response)


def test_the_slot_of_a_worker_that_died_is_free_after_its_timeout(
    client, archive, settings, monkeypatch
):
    hold_every_slot(settings)  # and never released
    assert_too_many(client.get(LIST_EXPORT))

    later = time.time() + limits.SLOT_TIMEOUT + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(LIST_EXPORT).status_code == 200


def test_a_long_export_keeps_its_slot_by_renewing_it(settings, monkeypatch):
    settings.EXPORT_CONCURRENCY = 1
    clock = {"now": time.time(), "monotonic": time.monotonic()}
    monkeypatch.setattr(time, "time", lambda: clock["now"])
    monkeypatch.setattr(time, "monotonic", lambda: clock["monotonic"])
    slot = limits.Slot.take()
    for _ in range(3):  # three timeouts in all, renewed as it streams
        clock["now"] += limits.SLOT_TIMEOUT - 1
        clock["monotonic"] += limits.SLOT_TIMEOUT - 1
        slot.renew()
    assert limits.Slot.take() is None
    slot.release()
    assert limits.Slot.take() is not None


def test_a_slot_is_released_once_and_only_its_own(settings):
    settings.EXPORT_CONCURRENCY = 1
    slot = limits.Slot.take()
    slot.release()
    other = limits.Slot.take()
    assert other is not None
    slot.release()  # again: it must not free the slot the other export holds now
    assert limits.Slot.take() is None


# --- Staff ---------------------------------------------------------------------------


def test_staff_are_not_limited(client, archive, settings):
    settings.EXPORT_RATE = "1/h"
    hold_every_slot(settings)
    client.force_login(make_user("editor", is_staff=True))

    for url in [LIST_EXPORT, SEARCH_EXPORT] * 3:
        response = client.get(url)
        assert response.status_code == 200
        body(response)


def test_a_reader_with_an_account_is_limited_like_anyone(client, archive, settings):
    settings.EXPORT_RATE = "1/h"
    client.force_login(make_user("reader"))
    body(client.get(LIST_EXPORT))
    assert_too_many(client.get(LIST_EXPORT))


# --- The file of an unfiltered export -------------------------------------------------


def export_files(settings, temporary=False):
    """The names of the files kept, or of the temporary files of exports being built."""
    folder = Path(settings.EXPORT_CACHE_DIR)
    names = sorted(path.name for path in folder.iterdir()) if folder.exists() else []
    return [name for name in names if name.startswith(".") == temporary]


@pytest.mark.parametrize("kind", ["reports", "incidents", "groups"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_unfiltered_export_is_built_once_then_sent_from_its_file(
    client, archive, settings, kind, fmt
):
    url = f"/{kind}/export.{fmt}"
    first = client.get(url)
    assert isinstance(first, StreamingHttpResponse)
    assert export_files(settings) == []  # kept only once complete
    built = body(first)
    [name] = export_files(settings)
    assert name.startswith(f"{kind}-") and name.endswith(f".{fmt}")

    for _ in range(2):
        again = client.get(url)
        assert isinstance(again, FileResponse)
        assert body(again) == built
        for header in ("X-Exported-At", "X-Archive-URL", "X-Archive-Filter"):
            assert again[header] == first[header]
        assert again["Content-Disposition"] == first["Content-Disposition"]
        assert again["Content-Type"] == first["Content-Type"]
    assert export_files(settings) == [name]


@pytest.mark.parametrize("kind", ["reports", "incidents", "groups"])
def test_the_file_says_what_a_streamed_export_says_but_when_it_was_built(
    client, archive, settings, kind
):
    for fmt in ("csv", "json"):
        body(client.get(f"/{kind}/export.{fmt}"))  # builds the file
    from_file = {fmt: client.get(f"/{kind}/export.{fmt}") for fmt in ("csv", "json")}
    assert all(isinstance(response, FileResponse) for response in from_file.values())

    settings.EXPORT_CACHE_DIR = ""  # no files: every export streamed
    streamed = {fmt: client.get(f"/{kind}/export.{fmt}") for fmt in ("csv", "json")}
    assert body(streamed["csv"]) == body(from_file["csv"])
    kept, fresh = (json.loads(body(r["json"])) for r in (from_file, streamed))
    assert kept["meta"].pop("exported_at") == from_file["json"]["X-Exported-At"]
    fresh["meta"].pop("exported_at")
    assert kept == fresh


def test_a_change_to_the_archive_builds_a_new_file_and_removes_the_old(client, archive, settings):
    before = body(client.get("/incidents/export.csv"))
    body(client.get("/incidents/export.json"))
    old = export_files(settings)
    assert len(old) == 2

    make_incident(title="Bombing after the file was built", start_date="1997-10-01")
    response = client.get("/incidents/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    after = body(response)
    assert b"bombing-after-the-file-was-built" in after and after != before
    [name] = export_files(settings)
    assert name not in old
    assert isinstance(client.get("/incidents/export.csv"), FileResponse)


def test_a_filtered_export_is_never_kept(client, archive, settings):
    for url in ("/incidents/export.csv?country=PE", "/incidents/export.json?sort=-date"):
        body(client.get(url))
    assert export_files(settings) == []
    response = client.get("/incidents/export.csv?page=2")  # a page number selects everything
    body(response)
    assert len(export_files(settings)) == 1


def test_a_download_cut_short_keeps_no_file(client, archive, settings, monkeypatch):
    monkeypatch.setattr("reports.opendata.exports.CHUNK_SIZE", 1)
    response = client.get("/incidents/export.csv")
    pieces = iter(response.streaming_content)
    next(pieces)
    assert export_files(settings, temporary=True)
    close(response, monkeypatch)
    assert export_files(settings) == []
    assert export_files(settings, temporary=True) == []


def test_a_download_closed_unread_leaves_no_file(client, archive, settings, monkeypatch):
    close(client.get("/incidents/export.csv"), monkeypatch)
    assert not Path(settings.EXPORT_CACHE_DIR).exists()


def test_an_export_read_while_the_archive_changed_is_not_kept(client, archive, settings):
    response = client.get("/incidents/export.csv")
    make_incident(title="Bombing during the export", start_date="1997-10-01")
    body(response)
    assert export_files(settings) == []
    assert export_files(settings, temporary=True) == []
    body(client.get("/incidents/export.csv"))
    assert len(export_files(settings)) == 1


def test_another_address_of_the_site_gets_a_file_of_its_own(client, archive, settings):
    body(client.get("/incidents/export.csv"))
    settings.ALLOWED_HOSTS = ["testserver", "archive.example"]
    response = client.get("/incidents/export.csv", HTTP_HOST="archive.example")
    assert isinstance(response, StreamingHttpResponse)
    assert b"http://archive.example/incidents/" in body(response)
    assert len(export_files(settings)) == 2


def test_files_for_other_addresses_are_few(client, archive, settings, monkeypatch):
    monkeypatch.setattr(export_files_module, "KEPT_VARIANTS", 2)
    hosts = ["one.example", "two.example", "three.example"]
    settings.ALLOWED_HOSTS = hosts
    for host in hosts:
        body(client.get("/incidents/export.csv", HTTP_HOST=host))
    kept = export_files(settings)
    assert len(kept) == 2
    assert isinstance(client.get("/incidents/export.csv", HTTP_HOST=hosts[-1]), FileResponse)
