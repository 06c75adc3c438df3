"""SQLite serves readers during a long write: WAL, set where the connection is made, and a
503 with Retry-After, not a 500, if a write still finds the database locked."""

import sqlite3

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import RequestFactory

from archive.middleware import BusyDatabaseMiddleware

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's journal")


def django_connection(path):
    """A connection made as the archive makes its own: settings.DATABASES' OPTIONS."""
    options = settings.DATABASES["default"]["OPTIONS"]
    wrapper = DatabaseWrapper(
        {**settings.DATABASES["default"], "NAME": str(path), "OPTIONS": {**options, "timeout": 1}}
    )
    wrapper.ensure_connection()
    return wrapper


def writer_in_a_long_transaction(path):
    """A writer half-way through a large import: more rows written than its page cache
    holds, so SQLite's default journal would take the lock readers need."""
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    writer.execute("PRAGMA cache_size = 10")
    writer.execute("BEGIN IMMEDIATE")
    writer.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 5000)
    return writer


@on_sqlite
def test_a_reader_reads_the_last_commit_while_an_import_writes(db, tmp_path):
    path = tmp_path / "archive.sqlite3"
    reader = django_connection(path)
    with reader.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("CREATE TABLE t (v TEXT)")
        cursor.execute("INSERT INTO t VALUES ('committed')")
    writer = writer_in_a_long_transaction(path)
    try:
        with reader.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
            assert cursor.fetchone()[0] == 1  # the import's rows are not committed yet
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        reader.close()


@on_sqlite
def test_without_wal_the_same_reader_is_locked_out(tmp_path):
    """What the setting prevents (the test above would fail without it)."""
    path = tmp_path / "archive.sqlite3"
    setup = sqlite3.connect(path)
    setup.executescript("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('committed');")
    setup.close()
    writer = writer_in_a_long_transaction(path)
    try:
        reader = sqlite3.connect(path, timeout=0.2)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            reader.execute("SELECT count(*) FROM t").fetchone()
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@on_sqlite
def test_a_transaction_that_read_first_is_not_refused_its_write_by_another_commit(db, tmp_path):
    """A transaction takes the write lock as it begins (IMMEDIATE): another writer waits
    for it. Begun as a reader (SQLite's default), it would let the other commit first and
    then be refused its own write at once, without waiting: "database is locked"."""
    path = tmp_path / "archive.sqlite3"
    first, other = django_connection(path), django_connection(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v TEXT)")
    connections["first"] = first
    try:
        with transaction.atomic(using="first"):
            with first.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM t")
            with pytest.raises(OperationalError, match="locked"), other.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES ('other')")
            with first.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES ('first')")
        with other.cursor() as cursor:
            cursor.execute("SELECT v FROM t")
            assert cursor.fetchall() == [("first",)]
    finally:
        del connections["first"]
        first.close()
        other.close()


@pytest.mark.parametrize(
    ("path", "content_type", "text"),
    [
        ("/reports/", "text/html", "The archive is busy"),
        ("/api/reports/", "application/json", '"error": "The archive is busy."'),
    ],
)
def test_a_database_still_locked_is_a_503_with_retry_after(path, content_type, text):
    request = RequestFactory().post(path)
    middleware = BusyDatabaseMiddleware(lambda request: None)
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith(content_type)
    assert text in response.content.decode()


def test_other_database_errors_are_left_to_the_server_error_page():
    request = RequestFactory().get("/reports/")
    middleware = BusyDatabaseMiddleware(lambda request: None)
    assert middleware.process_exception(request, OperationalError("no such table: t")) is None
    assert middleware.process_exception(request, ValueError("locked")) is None
