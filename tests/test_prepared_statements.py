"""PostgreSQL's prepared statements (archive/postgresql.py): the ORM's statements are
prepared once run a few times; a full-text match never is."""

import secrets
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from archive.postgresql import PREPARE_THRESHOLD, PreparingCursor
from reports.models import Report, Status
from reports.search import search_archive
from tests.test_security import load_settings_module

POSTGRES_URL = "postgres://archive@db.internal:5432/archive"
PREPARING = {
    "server_side_binding": True,
    "prepare_threshold": PREPARE_THRESHOLD,
    "cursor_factory": PreparingCursor,
}


def database_options(monkeypatch, **env):
    """The primary's OPTIONS of the production settings under `env`."""
    module = load_settings_module(
        monkeypatch, DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(60), **env
    )
    return module.DATABASES["default"]["OPTIONS"]


def test_postgresql_connections_prepare_their_statements(monkeypatch):
    options = database_options(monkeypatch, DATABASE_URL=POSTGRES_URL)
    assert PREPARING.items() <= options.items()
    # The planner's own settings stay.
    assert "random_page_cost=1.1" in options["options"]


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    options = database_options(
        monkeypatch, DATABASE_URL=POSTGRES_URL, DATABASE_PREPARED_STATEMENTS="0"
    )
    assert not PREPARING.keys() & options.keys()


def test_sqlite_has_no_prepared_statements_to_set(monkeypatch):
    options = database_options(monkeypatch, DATABASE_URL="sqlite:///archive.sqlite3")
    assert not PREPARING.keys() & options.keys()


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
@pytest.mark.django_db
def test_a_lookup_is_prepared_and_a_text_search_never_is():
    call_command("loaddata", "peru_1997", stdout=StringIO())
    report = Report.objects.get()
    for _ in range(PREPARE_THRESHOLD + 1):
        assert Report.objects.filter(pk=report.pk, status=Status.PUBLISHED).exists()
        assert search_archive("Sendero").reports  # the engine's own statements
    statements = prepared_statements()
    assert any('FROM "reports_report"' in statement for statement in statements)
    assert not [statement for statement in statements if "@@" in statement]
