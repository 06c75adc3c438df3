"""The SQL the search owns (reports/search/sqlite_schema.py) and the migrations' frozen
copies of it: the same schema either way, and no app module imports a migration."""

import ast
from pathlib import Path

import pytest
from django.db import connection, transaction

from reports.search import pause_search_index, rebuild_search_index, sqlite_schema
from tests.factories import sqlite_master_rows

REPORTS = Path(__file__).resolve().parent.parent / "reports"

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 only")


@on_sqlite
def test_rebuilding_the_index_creates_the_schema_the_migrations_created(db):
    migrated = sqlite_master_rows("reports_search_%")

    with transaction.atomic():
        pause_search_index()
        rebuild_search_index()

    assert sqlite_master_rows("reports_search_%") == migrated
    names = {name for _type, name, _table, _sql in migrated}
    assert {sqlite_schema.INCIDENTS, sqlite_schema.GROUPS, *sqlite_schema.TRIGGERS} <= names


def imported_modules(path):
    """The absolute names of the modules a file imports, or names as a string."""
    package = ".".join(path.relative_to(REPORTS.parent).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value  # importlib.import_module("reports.migrations....")


def test_no_app_module_imports_a_migration():
    migrations = REPORTS / "migrations"
    importers = sorted(
        str(path.relative_to(REPORTS.parent))
        for path in REPORTS.rglob("*.py")
        if not path.is_relative_to(migrations)
        and any(name.startswith("reports.migrations") for name in imported_modules(path))
    )

    assert importers == []
