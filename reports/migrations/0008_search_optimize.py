"""Merge each FTS5 search table's segments into one, once (SQLite only).

An archive filled row by row (the triggers of migrations 0003 and 0006) or by big
inserts keeps a few dozen FTS5 segments per table, and every search query opens and
seeks each one (reports.search.optimize_search_index says what that costs).
reports.search.rebuild_search_index() merges them after a bulk write; this does it
for the archives that exist. Nothing to do on PostgreSQL (GIN indexes), nor where
SQLite has no FTS5 tables; nothing to undo.
"""

from django.db import migrations

TABLES = ("reports_search_fts", "reports_search_incidents", "reports_search_groups")


def optimize(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (%s, %s, %s)",
            list(TABLES),
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"INSERT INTO {name}({name}) VALUES ('optimize')")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_list_indexes"),
    ]

    operations = [
        migrations.RunPython(optimize, migrations.RunPython.noop, elidable=True),
    ]
